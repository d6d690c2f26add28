"""A safe parser for the small arithmetic language of ``chainrule explain``.

Grammar: numbers, variable names, ``+ - * / **``, unary minus (and plus), parentheses, and
calls of exp, log, tanh, sigmoid, relu with one argument. The text goes through Python's own
tokenizer (``ast.parse(mode="eval")``) and every node is checked against that whitelist;
nothing is ever evaluated by Python, so ``__import__('os')``, attribute access, subscripts,
lambdas and calls of any other name are rejected with a message naming what was found.
"""

from __future__ import annotations

import ast
import dataclasses

FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu")
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_MAX_LENGTH = 2000


class ExpressionError(ValueError):
    """Text that is not an expression of the explain grammar; says what and where."""


@dataclasses.dataclass(frozen=True)
class Number:
    value: float


@dataclasses.dataclass(frozen=True)
class Variable:
    name: str


@dataclasses.dataclass(frozen=True)
class BinaryOp:
    op: str  # one of + - * / **
    left: Node
    right: Node


@dataclasses.dataclass(frozen=True)
class Negate:
    operand: Node


@dataclasses.dataclass(frozen=True)
class Call:
    function: str  # one of FUNCTIONS
    argument: Node


Node = Number | Variable | BinaryOp | Negate | Call


def parse(text: str) -> Node:
    """The expression tree of ``text``, or ExpressionError for anything outside the grammar."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression: empty; write something like (a + b) * (b + 1)")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(f"expression: longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"expression: syntax error at column {exc.offset}: {exc.msg} in {text!r}"
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"expression: cannot parse {text!r}") from None
    try:
        return _convert(tree.body, text)
    except RecursionError:
        raise ExpressionError(f"expression: nested too deeply: {text[:60]!r}...") from None


def variables(node: Node) -> list[str]:
    """The variable names of ``node`` in order of first appearance."""
    found: dict[str, None] = {}

    def walk(n: Node) -> None:
        if isinstance(n, Variable):
            found.setdefault(n.name, None)
        elif isinstance(n, BinaryOp):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, (Negate, Call)):
            walk(n.operand if isinstance(n, Negate) else n.argument)

    walk(node)
    return list(found)


def _reject(node: ast.AST, text: str, what: str) -> ExpressionError:
    column = getattr(node, "col_offset", None)
    where = f" at column {column + 1}" if column is not None else ""
    allowed = "numbers, names, + - * / **, parentheses and " + ", ".join(FUNCTIONS) + "(...)"
    return ExpressionError(f"expression: {what}{where} is not allowed in {text!r}; use {allowed}")


def _convert(node: ast.AST, text: str) -> Node:
    if isinstance(node, ast.Constant):
        if type(node.value) in (int, float):
            return Number(float(node.value))
        raise _reject(node, text, f"the constant {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise _reject(node, text, f"{node.id} without (argument)")
        if node.id.startswith("_"):
            raise _reject(node, text, f"the name {node.id!r} (names may not start with _)")
        return Variable(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return BinaryOp(
            _BINARY[type(node.op)], _convert(node.left, text), _convert(node.right, text)
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _convert(node.operand, text)
        return Negate(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _reject(node, text, "a call of something that is not a plain function name")
        if node.func.id not in FUNCTIONS:
            raise _reject(node, text, f"a call of {node.func.id!r} (only {', '.join(FUNCTIONS)})")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise _reject(node, text, f"{node.func.id} with other than one plain argument")
        return Call(node.func.id, _convert(node.args[0], text))
    if isinstance(node, ast.BinOp):
        symbol = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^ (use **)"}
        raise _reject(
            node, text, f"the operator {symbol.get(type(node.op), type(node.op).__name__)}"
        )
    what = {
        ast.Attribute: "attribute access (.)",
        ast.Subscript: "subscripting ([...])",
        ast.Lambda: "a lambda",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
    }.get(type(node), f"the construct {type(node).__name__}")
    raise _reject(node, text, what)
