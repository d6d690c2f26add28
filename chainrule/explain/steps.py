"""Explain one expression's derivatives: the forward pass, the local derivatives, the backward pass.

The expression is built on chainrule tensors (float64), one op per step, each intermediate named
with the next free letter (``c = a + b``, ``d = b + 1``, ``e = c * d``). Every number printed
comes from the engine: values from the forward pass, each edge's local derivative from that
op's own ``backward`` with upstream gradient 1, each gradient from ``backward()``. The
explanation is the chain rule on the graph: ``∂e/∂x`` is the sum, over every path from ``e``
down to ``x``, of the product of the edge derivatives along the path; the path sums are
computed independently and must agree with the engine.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import string
import unicodedata

import numpy as np

import chainrule as cr
from chainrule.autograd.graph import local_partials, to_dot
from chainrule.autograd.tensor import Tensor
from chainrule.errors import GraphError
from chainrule.explain.expression import (
    BinaryOp,
    Call,
    ExpressionError,
    Negate,
    Node,
    Number,
    Variable,
    parse,
    variables,
)

# Above this many paths the sums are not written out term by term (they grow exponentially
# with reuse); the value is then the same sum, factored node by node as reverse mode does.
MAX_PATHS_SHOWN = 24

_APPLY = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "**": lambda x, y: x**y,
    "exp": cr.exp,
    "log": cr.log,
    "tanh": cr.tanh,
    "sigmoid": cr.sigmoid,
    "relu": cr.relu,
    "neg": lambda x: -x,
}


def _formulas(op: str, y: str, args: tuple[str, ...]) -> tuple[str, ...]:
    """The symbolic local derivative ``∂y/∂arg_i`` of each argument, in the graph's names."""
    x = args[0]
    if op in ("+", "-", "*", "/", "**"):
        left, right = args
        return {
            "+": ("1", "1"),
            "-": ("1", "-1"),
            "*": (right, left),
            "/": (f"1/{right}", f"-{left}/{right}²"),
            "**": (f"{right}·{left}^({right} - 1)", f"{y}·log({left})"),
        }[op]
    return {
        "neg": ("-1",),
        "exp": (y,),
        "log": (f"1/{x}",),
        "tanh": (f"1 - {y}²",),
        "sigmoid": (f"{y}·(1 - {y})",),
        "relu": (f"1 if {x} > 0 else 0",),
    }[op]


def _number(value: float) -> str:
    return f"{float(value):.6g}"


def _factor(value: float) -> str:
    """A number inside a product: negative ones in parentheses."""
    return _number(value) if value >= 0 else f"({_number(value)})"


@dataclasses.dataclass
class Step:
    """One op of the forward pass: ``name = text = value``, with its incoming edges."""

    name: str
    text: str  # e.g. "a + b"
    tensor: Tensor
    inputs: tuple[str | None, ...]  # the graph name of each operand, None for a constant
    partials: tuple[float | None, ...]  # ∂name/∂input from the op's backward
    formulas: tuple[str, ...]

    @property
    def value(self) -> float:
        return float(self.tensor.data)


@dataclasses.dataclass
class Explanation:
    """Everything ``chainrule explain`` prints, as data (tests read it)."""

    expression: str
    values: dict[str, float]
    steps: list[Step]
    tensors: dict[str, Tensor]  # variables and intermediates by name
    gradients: dict[str, float]  # ∂out/∂name from the engine's backward pass
    paths: dict[str, list[list[tuple[str, str, float]]]]  # (child, parent, ∂child/∂parent)
    path_sums: dict[str, float]  # the same gradients as sums over paths of products

    @property
    def output(self) -> str:
        return self.steps[-1].name

    def to_dot(self) -> str:
        """The picture: values on the nodes, local derivatives on the edges, gradients."""
        return to_dot(self.tensors[self.output], names=self.tensors)

    def format(self) -> str:
        out = self.output
        given = ", ".join(f"{k} = {_number(v)}" for k, v in self.values.items())
        lines = [f"Expression: {out} = {self.expression}   at {given}", ""]
        lines.append("Forward pass: each intermediate from its inputs")
        for step in self.steps:
            lines.append(f"  {step.name} = {step.text} = {_number(step.value)}")
        lines += ["", "Local derivatives: one per edge of the graph, from each op's backward"]
        for step in self.steps:
            twice = len(step.inputs) == 2 and step.inputs[0] == step.inputs[1]
            for i, (source, partial, formula) in enumerate(
                zip(step.inputs, step.partials, step.formulas, strict=True)
            ):
                if source is None:
                    continue
                shown = _number(partial)
                middle = "" if formula == shown else f"{formula} = "
                which = f"   (through the {('left', 'right')[i]} operand)" if twice else ""
                lines.append(f"  ∂{step.name}/∂{source} = {middle}{shown}{which}")
        lines += [
            "",
            f"Backward pass: ∂{out}/∂x is the sum over every path from {out} down to x "
            "of the product of the edge derivatives on it",
            f"  ∂{out}/∂{out} = 1",
        ]
        order = [s.name for s in reversed(self.steps[:-1])] + list(self.values)
        for name in order:
            lines.append(
                f"  ∂{out}/∂{name} = {self._path_text(name)}{_number(self.gradients[name])}"
            )
        result = ", ".join(f"∂{out}/∂{v} = {_number(self.gradients[v])}" for v in self.values)
        lines += ["", f"Result (engine's backward pass): {result}"]
        return "\n".join(lines)

    def _path_text(self, name: str) -> str:
        paths = self.paths.get(name)
        if paths is None:
            return f"(a sum over more than {MAX_PATHS_SHOWN} paths) = "
        if not paths:
            return "(no path: it does not influence the output) = "
        if len(paths) == 1 and len(paths[0]) == 1:
            return ""
        symbols = " + ".join("·".join(f"∂{c}/∂{p}" for c, p, _ in path) for path in paths)
        numbers = " + ".join("·".join(_factor(v) for _, _, v in path) for path in paths)
        return f"{symbols} = {numbers} = "


@cr.enable_grad()  # the explanation is the recorded graph, even when called under no_grad
def explain_expression(text: str, values: dict[str, float]) -> Explanation:
    """Parse ``text``, run it forward and backward on the engine, and explain every number."""
    tree = parse(text)
    names = variables(tree)
    if not names:
        raise ExpressionError(f"expression: {text!r} has no variables to differentiate by")
    values = _numbers_by_name(values)
    missing = [n for n in names if n not in values]
    if missing:
        raise ExpressionError(
            f"expression: no value for {', '.join(missing)}; pass e.g. {missing[0]}=1.5"
        )
    extra = [n for n in values if n not in names]
    if extra:
        raise ExpressionError(f"expression: {', '.join(extra)} not in {text!r}")
    tensors = {n: cr.tensor(values[n], dtype=np.float64, requires_grad=True) for n in names}
    builder = _Builder(tensors, names)
    with np.errstate(all="ignore"):
        result = builder.build(tree)
    if not builder.steps or not isinstance(result, Tensor):
        raise ExpressionError(f"expression: {text!r} has no operation on a variable to explain")
    output = builder.steps[-1].tensor
    with np.errstate(all="ignore"):  # a NaN derivative (log of a negative base) is shown as nan
        output.backward(retain_graph=True)  # keep the saved arrays so the graph can be drawn
    gradients = {
        s.name: float(s.tensor.grad.data) if s.tensor.grad is not None else 0.0
        for s in builder.steps
    }
    gradients.update(
        {n: float(t.grad.data) if t.grad is not None else 0.0 for n, t in tensors.items()}
    )
    paths, sums, sizes = _path_sums(builder.steps, names)
    for name, total in sums.items():
        engine = gradients[name]
        both_nan = math.isnan(total) and math.isnan(engine)  # e.g. ∂(a**b)/∂b at a < 0
        # Both round like their largest terms: when the paths cancel (a·k + a·(-k)), the
        # difference is relative to the sum of |path products|, not to the small result.
        if not (both_nan or total == engine or abs(total - engine) <= 1e-9 * sizes[name]):
            raise GraphError(
                f"explain: the sum over paths for ∂{builder.steps[-1].name}/∂{name} is "
                f"{total!r} but the engine's backward pass gives {engine!r}"
            )
    return Explanation(
        expression=text.strip(),
        values={n: values[n] for n in names},
        steps=builder.steps,
        tensors={**tensors, **{s.name: s.tensor for s in builder.steps}},
        gradients=gradients,
        paths=paths,
        path_sums=sums,
    )


def _numbers_by_name(values: dict) -> dict[str, float]:
    """The given values as finite floats, keyed as Python reads names (NFKC: micro sign µ is μ)."""
    numbers: dict[str, float] = {}
    spelled: dict[str, str] = {}
    for given, value in values.items():
        name = unicodedata.normalize("NFKC", str(given))
        if name in numbers:
            raise ExpressionError(
                f"expression: {spelled[name]!r} and {given!r} are the same name to Python; "
                "give its value once"
            )
        try:
            numbers[name], spelled[name] = float(value), given
        except (TypeError, ValueError):
            raise ExpressionError(f"expression: {given} = {value!r} is not a number") from None
        if not math.isfinite(numbers[name]):
            raise ExpressionError(
                f"expression: {given} = {numbers[name]} is not finite; derivatives are "
                "explained at finite points"
            )
    return numbers


class _Builder:
    """Builds the tree on tensors, one named Step per op; constant subtrees fold to numbers."""

    def __init__(self, tensors: dict[str, Tensor], names: list[str]) -> None:
        self.tensors = tensors
        self.steps: list[Step] = []
        self.name_of = {id(t): n for n, t in tensors.items()}
        candidates = itertools.chain(string.ascii_lowercase, (f"v{i}" for i in itertools.count(1)))
        self.free = (c for c in candidates if c not in names)  # never a variable's own name

    def build(self, node: Node):
        """A Tensor for a node that depends on a variable, else a Python float."""
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Variable):
            return self.tensors[node.name]
        if isinstance(node, BinaryOp):
            return self._op(node.op, (self.build(node.left), self.build(node.right)))
        if isinstance(node, Negate):
            return self._op("neg", (self.build(node.operand),))
        if isinstance(node, Call):
            return self._op(node.function, (self.build(node.argument),))
        raise TypeError(f"explain: unknown node {node!r}")

    def _show(self, x) -> str:
        if isinstance(x, Tensor):
            return self.name_of[id(x)]
        return _number(x) if x >= 0 else f"({_number(x)})"

    def _op(self, op: str, args: tuple):
        shown = tuple(self._show(a) for a in args)
        if len(args) == 2:
            text = f"{shown[0]} {op} {shown[1]}"
        else:
            text = f"-{shown[0]}" if op == "neg" else f"{op}({shown[0]})"
        if not any(isinstance(a, Tensor) for a in args):  # a constant, folded to its value
            value = float(_APPLY[op](*(np.float64(a) for a in args)))
            if not math.isfinite(value):  # 1/0 inside exp(-1/0) would otherwise vanish
                raise ExpressionError(f"expression: the constant {text} = {value} is not finite")
            return value
        y = _APPLY[op](*args)
        name = next(self.free)
        if not np.isfinite(y.data):
            raise ExpressionError(f"expression: {name} = {text} = {y.item()} is not finite")
        partials = local_partials(y.grad_fn)
        inputs = tuple(self.name_of[id(a)] if isinstance(a, Tensor) else None for a in args)
        y.retain_grad()
        self.name_of[id(y)] = name
        self.steps.append(
            Step(
                name=name,
                text=text,
                tensor=y,
                inputs=inputs,
                partials=tuple(
                    None if src is None else float(p)
                    for src, p in zip(inputs, partials, strict=True)
                ),
                formulas=_formulas(op, name, shown),
            )
        )
        return y


def _path_sums(steps: list[Step], names: list[str]):
    """For every node: its paths from the output (when few enough), the sum of their products
    and the sum of the products' absolute values."""
    out = steps[-1].name
    into: dict[str, list[tuple[str, float]]] = {}  # parent -> [(child, ∂child/∂parent)]
    for step in steps:
        for source, partial in zip(step.inputs, step.partials, strict=True):
            if source is not None:
                into.setdefault(source, []).append((step.name, partial))
    order = [s.name for s in reversed(steps)] + names  # consumers before their inputs
    paths: dict[str, list | None] = {out: [[]]}
    sums: dict[str, float] = {out: 1.0}
    sizes: dict[str, float] = {out: 1.0}  # the same sums of |products|, their rounding scale
    counts: dict[str, int] = {out: 1}
    for name in order[1:]:
        edges = into.get(name, [])
        counts[name] = sum(counts[child] for child, _ in edges)
        if counts[name] <= MAX_PATHS_SHOWN:
            paths[name] = [
                [*path, (child, name, partial)] for child, partial in edges for path in paths[child]
            ]
            products = [math.prod(v for _, _, v in path) for path in paths[name]]
            sums[name] = math.fsum(products)
            sizes[name] = math.fsum(abs(p) for p in products)
        else:  # the same sum, factored: sum over edges of ∂out/∂child · ∂child/∂name
            paths[name] = None
            sums[name] = math.fsum(sums[child] * partial for child, partial in edges)
            sizes[name] = math.fsum(sizes[child] * abs(partial) for child, partial in edges)
    for table in (paths, sums, sizes):
        del table[out]
    return paths, sums, sizes
