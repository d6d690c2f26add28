"""The explain parser accepts exactly its grammar and rejects everything else by name."""

from __future__ import annotations

import pytest

from chainrule.explain.expression import (
    BinaryOp,
    Call,
    ExpressionError,
    Negate,
    Number,
    Variable,
    parse,
    variables,
)


def test_reference_expression_tree():
    tree = parse("(a + b) * (b + 1)")
    assert tree == BinaryOp(
        "*",
        BinaryOp("+", Variable("a"), Variable("b")),
        BinaryOp("+", Variable("b"), Number(1.0)),
    )
    assert variables(tree) == ["a", "b"]


def test_precedence_unary_minus_and_calls():
    assert parse("-x ** 2") == Negate(BinaryOp("**", Variable("x"), Number(2.0)))
    assert parse("+x") == Variable("x")
    assert parse("a - b / c") == BinaryOp(
        "-", Variable("a"), BinaryOp("/", Variable("b"), Variable("c"))
    )
    assert parse("sigmoid(w * x + 1.5e-1)") == Call(
        "sigmoid", BinaryOp("+", BinaryOp("*", Variable("w"), Variable("x")), Number(0.15))
    )
    for name in ("exp", "log", "tanh", "relu"):
        assert parse(f"{name}(q)") == Call(name, Variable("q"))


@pytest.mark.parametrize(
    "text, what",
    [
        ("__import__('os').system('true')", "not a plain function name"),
        ("__import__('os')", "a call of '__import__'"),
        ("a.b", "attribute access"),
        ("exp.__globals__", "attribute access"),
        ("x[0]", "subscripting"),
        ("lambda: 1", "a lambda"),
        ("open('f')", "a call of 'open'"),
        ("eval('1')", "a call of 'eval'"),
        ("f(a)(b)", "not a plain function name"),
        ("exp(a, b)", "other than one plain argument"),
        ("exp(x=1)", "other than one plain argument"),
        ("exp(*a)", "other than one plain argument"),
        ("exp", "exp without (argument)"),
        ("a ^ 2", "the operator ^"),
        ("a % 2", "the operator %"),
        ("a // 2", "the operator //"),
        ("a < b", "a comparison"),
        ("a and b", "and/or"),
        ("'text'", "the constant 'text'"),
        ("True", "the constant True"),
        ("1j", "the constant 1j"),
        ("a if b else c", "IfExp"),
        ("[a, b]", "List"),
        ("(a for a in b)", "GeneratorExp"),
        ("a * b # c", "a comment (#) at column 7"),  # c was silently dropped
        ("(a +\n b)", "a line break at column 5"),
        ("a \\\n+ b", "a line break at column 4"),
        ("__class__", "names may not start with _"),
        ("~a", "UnaryOp"),
    ],
)
def test_rejects_what_is_outside_the_grammar(text, what):
    with pytest.raises(ExpressionError, match="not allowed") as info:
        parse(text)
    assert what in str(info.value)


@pytest.mark.parametrize("text", ["", "   ", "a +", "a = 1", "a; b", "(a + b", "import os"])
def test_syntax_errors_are_clear(text):
    with pytest.raises(ExpressionError, match="expression: "):
        parse(text)


def test_overlong_and_deeply_nested_input_is_refused():
    with pytest.raises(ExpressionError, match="longer than"):
        parse("a + " * 1000 + "a")
    with pytest.raises(ExpressionError):
        parse("(" * 300 + "a" + ")" * 300)
