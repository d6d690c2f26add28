"""A safe parser for the small arithmetic language of ``chainrule explain``.

Grammar, on one line: numbers, variable names, ``+ - * / **``, unary minus (and plus),
parentheses, and calls of exp, log, tanh, sigmoid, relu with one argument. The text goes
through Python's own tokenizer (``ast.parse(mode="eval")``) and every node is checked against
that whitelist; nothing is ever evaluated by Python, so ``__import__('os')``, attribute access,
subscripts, lambdas and calls of any other name are rejected with a message naming what was
found and its column.
"""

from __future__ import annotations

import ast
import dataclasses
import sys

FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu")
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_MAX_LENGTH = 2000
MAX_DEPTH = 500  # operations inside one another; the explanation recurses this deep


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
    """The expression tree of ``text``, or ExpressionError for anything outside the grammar.

    Errors name a column of ``text`` as given (leading blanks and non-ASCII names included).
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression: empty; write something like (a + b) * (b + 1)")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(f"expression: longer than {_MAX_LENGTH} characters")
    source = _Source(text, text.strip())
    # Python would skip a comment and join lines; the grammar is one line of arithmetic
    for symbol, what in (("#", "a comment (#)"), ("\n", "a line break"), ("\r", "a line break")):
        if symbol in source.stripped:
            raise source.error(source.stripped.index(symbol), what)
    try:
        tree = ast.parse(source.stripped, mode="eval")
    except SyntaxError as exc:
        # offset counts characters from 1; 0 means the text ended too early
        where = f"at column {source.column(exc.offset - 1)}" if exc.offset else "at the end"
        if exc.lineno is None:  # e.g. a null character: Python names no place
            where = "in the text"
        raise ExpressionError(f"expression: syntax error {where}: {exc.msg} in {text!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"expression: cannot parse {text!r}") from None
    return _convert(tree.body, source, depth=0)


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


@dataclasses.dataclass(frozen=True)
class _Source:
    """The text as given and the stripped copy ``ast`` parses, to name columns in the former."""

    text: str
    stripped: str

    def column(self, index: int) -> int:
        """The 1-based column in ``text`` of character ``index`` of the stripped copy."""
        return len(self.text) - len(self.text.lstrip()) + index + 1

    def node_index(self, node: ast.AST) -> int:
        """Where an ast node starts in the stripped copy; ``col_offset`` counts UTF-8 bytes."""
        return len(self.stripped.encode()[: node.col_offset].decode())

    def error(self, index: int, what: str) -> ExpressionError:
        allowed = "numbers, names, + - * / **, parentheses and " + ", ".join(FUNCTIONS) + "(...)"
        return ExpressionError(
            f"expression: {what} at column {self.column(index)} is not allowed in "
            f"{self.text!r}; use {allowed}"
        )


def _reject(node: ast.AST, source: _Source, what: str) -> ExpressionError:
    return source.error(source.node_index(node), what)


def _convert(node: ast.AST, source: _Source, depth: int) -> Node:
    if depth > MAX_DEPTH:  # stop well before Python's recursion limit
        raise ExpressionError(
            f"expression: nested deeper than {MAX_DEPTH} operations at column "
            f"{source.column(source.node_index(node))} (a + b + c + ... nests one level per "
            f"operator) in {source.text[:60]!r}...; split it into smaller expressions"
        )
    depth += 1
    if isinstance(node, ast.Constant):
        if type(node.value) in (int, float):
            if not abs(node.value) <= sys.float_info.max:  # 1e400 is inf; float(10**400) fails
                raise _reject(node, source, "a number too large for float64 (above 1.8e308)")
            return Number(float(node.value))
        raise _reject(node, source, f"the constant {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise _reject(node, source, f"{node.id} without (argument)")
        if node.id.startswith("_"):
            raise _reject(node, source, f"the name {node.id!r} (names may not start with _)")
        return Variable(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _convert(node.left, source, depth), _convert(node.right, source, depth)
        return BinaryOp(_BINARY[type(node.op)], left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _convert(node.operand, source, depth)
        return Negate(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Constant) and type(node.func.value) in (int, float):
            # 2(a + b) multiplies in maths, not in Python
            raise _reject(
                node, source, f"{node.func.value!r}(...) (write {node.func.value!r} * (...))"
            )
        if not isinstance(node.func, ast.Name):
            raise _reject(node, source, "a call of something that is not a plain function name")
        if node.func.id not in FUNCTIONS:
            raise _reject(
                node,
                source,
                f"a call of {node.func.id!r} (only {', '.join(FUNCTIONS)}; "
                f"a product is {node.func.id} * (...))",
            )
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise _reject(node, source, f"{node.func.id} with other than one plain argument")
        return Call(node.func.id, _convert(node.args[0], source, depth))
    if isinstance(node, ast.BinOp):
        symbol = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^ (use **)"}
        raise _reject(
            node, source, f"the operator {symbol.get(type(node.op), type(node.op).__name__)}"
        )
    what = {
        ast.Attribute: "attribute access (.)",
        ast.Subscript: "subscripting ([...])",
        ast.Lambda: "a lambda",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
    }.get(type(node), f"the construct {type(node).__name__}")
    raise _reject(node, source, what)
