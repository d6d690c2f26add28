"""The computational graph made visible: Graphviz DOT text and rendered SVG/PNG pictures.

``to_dot(output)`` draws one node per op and per leaf that the graph behind ``output``
depends on, with edges from inputs to ops. Scalar values, gradients (after backward) and,
for scalar edges, the local partial derivative ``∂(op output)/∂(input)`` are written on the
picture: for ``e = (a + b) * (b + 1)`` at a = 2, b = 1 the edge c -> e carries ∂e/∂c = d = 2.
Local partials come from each op's own ``backward`` with a unit upstream gradient, so they
need the graph's saved arrays: call ``to_dot`` before ``backward()`` or after
``backward(retain_graph=True)`` (otherwise the picture says they were freed).
Op nodes do not keep their output, so an intermediate's value is shown when the tensor is
named in ``names`` (shapes are always shown).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from chainrule.autograd.engine import _call_backward
from chainrule.autograd.function import Context
from chainrule.autograd.tensor import Tensor
from chainrule.errors import GraphError

RENDER_FORMATS = ("svg", "png", "pdf")
_FREED_NOTE = (
    "edge derivatives unavailable: the saved arrays were freed by backward(); "
    "draw before backward() or use backward(retain_graph=True)"
)


def local_partials(node: Context) -> tuple | None:
    """``∂y/∂x_i`` summed over y's elements, for each input of ``node`` (None for constants).

    For a scalar op this is the edge derivative of the picture: the op's ``backward`` run
    with the upstream gradient 1. None when backward() already freed the saved arrays. A
    derivative that does not exist there (log of a negative base) is NaN, without a warning.
    A saved array modified in place since the op ran raises GraphError: the partials would be
    another point's.
    """
    if node.saved_tensors is None:
        return None
    if node.versions is not None and any(c[0] != version for c, version in node.versions):
        raise GraphError(
            f"to_dot: an array saved by {node.name} was modified in place after the op ran, "
            "so its edge derivatives would not be this graph's; draw the graph before "
            "changing the tensors it used (e.g. before optimizer.step())"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return _call_backward(node, np.ones(node.out_shape, dtype=node.out_dtype))


def graph_nodes(output: Tensor) -> list:
    """Every op node (Context) and leaf Tensor behind ``output``, inputs before consumers."""
    if output.grad_fn is None:
        return [output]
    seen, ops = {id(output.grad_fn)}, []
    stack = [output.grad_fn]
    while stack:
        node = stack.pop()
        ops.append(node)
        for parent in node.parents:
            if type(parent) is Context and id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    ops.sort(key=lambda n: n.seq)
    leaves = {}  # in order of first use, so inputs are drawn in the order they were combined
    for node in ops:
        for parent in node.parents:
            if parent is not None and type(parent) is not Context:
                leaves.setdefault(id(parent), parent)
    return list(leaves.values()) + ops


def _number(value) -> str:
    """A size-1 value of any shape; NumPy 2 refuses ``float`` of an array with ndim > 0."""
    return f"{float(np.asarray(value).item()):.6g}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Names:
    """Names and known tensors for leaves and op nodes, from ``names`` and ``model``."""

    def __init__(self, output: Tensor, names: dict | None, model) -> None:
        self.name: dict[int, str] = {}
        self.tensor: dict[int, Tensor] = {}
        self.module_of: dict[int, tuple[str, object]] = {}
        if model is not None:
            modules = dict(model.named_modules())
            for pname, param in model.named_parameters():
                self.name[id(param)] = pname
                module_name = pname.rpartition(".")[0]
                self.module_of[id(param)] = (module_name, modules.get(module_name, model))
        for key, tensor in (names or {}).items():
            if not isinstance(tensor, Tensor):
                raise TypeError(f"to_dot: names[{key!r}] must be a Tensor, got {type(tensor)}")
            self.name[self._key(tensor)] = str(key)
            self.tensor[self._key(tensor)] = tensor
        self.tensor.setdefault(self._key(output), output)

    @staticmethod
    def _key(tensor: Tensor) -> int:
        return id(tensor.grad_fn) if tensor.grad_fn is not None else id(tensor)


def _label(title: str, shape: tuple, tensor: Tensor | None, show_grad: bool) -> str:
    lines = [title]
    if tensor is not None and tensor.data.size == 1 and len(shape) == 0:
        lines.append(_number(tensor.data))
    else:
        lines.append(str(tuple(shape)))
    grad = tensor.grad if tensor is not None else None
    if show_grad and grad is not None:
        g = grad.data
        lines.append(
            f"grad {_number(g)}" if g.size == 1 else f"grad norm {_number(np.linalg.norm(g))}"
        )
    return "\n".join(lines)


def to_dot(
    output: Tensor,
    model=None,
    names: dict | None = None,
    show_grad: bool = True,
    collapse_modules: bool = False,
) -> str:
    """Graphviz DOT text for the graph behind ``output``.

    ``names``: ``{"a": a, "c": c, ...}`` labels those tensors (leaves or intermediates) and
    shows their values; ``model``: parameters are labelled with their ``named_parameters``
    names; ``collapse_modules``: each op that consumes a module's parameters is drawn as one
    node named after the module, its parameters folded in (readable pictures of whole
    networks). Non-scalar tensors are shown by shape; gradients once backward() filled them.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"to_dot: expected a Tensor, got {type(output).__name__}")
    known = _Names(output, names, model)
    nodes = graph_nodes(output)
    ids = {id(n): f"n{i}" for i, n in enumerate(nodes)}
    hidden = set()
    if collapse_modules:
        hidden = {id(n) for n in nodes if isinstance(n, Tensor) and id(n) in known.module_of}
    lines = [
        "digraph chainrule {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    freed = False
    for node in nodes:
        if id(node) in hidden:
            continue
        if isinstance(node, Tensor):
            title = known.name.get(id(node), "input" if node.requires_grad else "constant")
            label = _label(title, node.shape, node, show_grad)
            style = 'shape=ellipse, style=filled, fillcolor="#dbeafe"'
        else:
            title = node.name
            modules = [
                known.module_of[id(p)] for p in node.parents if id(p) in hidden and p is not None
            ]
            if modules:
                module_name, module = modules[0]
                kind = type(module).__name__
                # the model's own parameters (a bare Linear) have no module name to show
                where = f"{module_name}: {kind}" if module_name else kind
                title = where + ("" if kind == title else f" ({title})")
            if id(node) in known.name:
                title = f"{known.name[id(node)]} = {title}"
            tensor = known.tensor.get(id(node))
            label = _label(title, node.out_shape, tensor, show_grad)
            style = 'shape=box, style="rounded,filled", fillcolor="#f3f4f6"'
            if tensor is output:
                style += ", penwidth=2"
        lines.append(f"  {ids[id(node)]} [label={_quote(label)}, {style}];")
    for node in nodes:
        if isinstance(node, Tensor):
            continue
        scalar_out = int(np.prod(node.out_shape)) == 1
        partials = local_partials(node) if scalar_out else None
        freed = freed or (scalar_out and node.saved_tensors is None)
        for i, parent in enumerate(node.parents):
            if parent is None or id(parent) in hidden:
                continue
            attrs = ""
            if partials is not None and partials[i] is not None and np.size(partials[i]) == 1:
                value = _number(partials[i])
                child, source = known.name.get(id(node)), known.name.get(id(parent))
                text = f"∂{child}/∂{source} = {value}" if child and source else value
                attrs = f" [label={_quote(text)}]"
            lines.append(f"  {ids[id(parent)]} -> {ids[id(node)]}{attrs};")
    if freed:
        lines.append(f"  label={_quote(_FREED_NOTE)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(output_or_dot, path, **to_dot_kwargs) -> Path:
    """Write the picture of a graph (a Tensor, or DOT text) to ``path``.

    The format comes from the extension: ``.dot`` (text, no Graphviz needed), ``.svg``,
    ``.png`` or ``.pdf`` (through Graphviz's ``dot`` program). The file is written atomically.
    """
    from chainrule.io.atomic import atomic_write

    path = Path(path)
    text = (
        output_or_dot if isinstance(output_or_dot, str) else to_dot(output_or_dot, **to_dot_kwargs)
    )
    fmt = path.suffix.lower().lstrip(".")
    if fmt in ("dot", "gv"):
        with atomic_write(path, "w") as handle:
            handle.write(text)
        return path
    if fmt not in RENDER_FORMATS:
        raise ValueError(
            f"render: unknown picture format {path.suffix!r} for {path}; "
            f"use .dot, .{', .'.join(RENDER_FORMATS)}"
        )
    program = shutil.which("dot")
    if program is None:
        raise FileNotFoundError(
            "render: Graphviz's `dot` program is not installed (not found on PATH); install it "
            "with `apt-get install graphviz` (Debian/Ubuntu) or from https://graphviz.org, or "
            "write the DOT text instead (a .dot file, or cr.graph.to_dot)"
        )
    done = subprocess.run(
        [program, f"-T{fmt}"], input=text.encode(), capture_output=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise GraphError(f"render: dot failed on {path}: {done.stderr.decode(errors='replace')}")
    with atomic_write(path, "wb") as handle:
        handle.write(done.stdout)
    return path
