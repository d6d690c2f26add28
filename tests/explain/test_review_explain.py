"""Review regressions for ``chainrule explain``: printed numbers, parser errors, odd values."""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest

from chainrule.explain import ExpressionError, explain_expression, explain_worked_example, parse
from chainrule.explain.expression import MAX_DEPTH

# Every function and operator of the grammar, precedence and associativity included.
FORMULAS = [
    ("a - b - c", {"a": 1.0, "b": 2.0, "c": 3.0}),
    ("a / b / c", {"a": 1.5, "b": -2.0, "c": 3.0}),
    ("a ** b ** c", {"a": 1.5, "b": 2.0, "c": 0.5}),
    ("-a ** 2 + 2 ** -a", {"a": 1.3}),
    ("a * -b / (1e-3 + .5 * b ** 2.)", {"a": 0.7, "b": -1.2}),
    ("tanh(a * b + c)", {"a": 0.5, "b": -1.0, "c": 0.2}),
    ("sigmoid(w * x + b) * exp(-x) + log(1 + x ** 2)", {"w": 0.5, "x": 2.0, "b": -1.0}),
    ("relu(a - b) * a", {"a": 2.0, "b": 0.5}),
    ("a ** a / a - a", {"a": 1.7}),
    # the paths cancel: each product is ~1e6, the gradient ~0.02 (was a GraphError)
    ("tanh(a * 862714.8905397604 + a * -862714.8200244334) * exp(a)", {"a": -0.25}),
]

TORCH_FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu")


def _torch_gradients(torch, text, values):
    """The same formula on torch float64 tensors; the test's own strings are evaluated."""
    leaves = {
        n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in values.items()
    }
    scope = {name: getattr(torch, name) for name in TORCH_FUNCTIONS}
    out = eval(text, {"__builtins__": {}, **scope}, dict(leaves))  # noqa: S307 - test data
    out.backward()
    return out.item(), {n: t.grad.item() for n, t in leaves.items()}


@pytest.mark.parametrize("text, values", FORMULAS)
def test_explain_gradients_match_torch_and_finite_differences(text, values):
    torch = pytest.importorskip("torch")
    explanation = explain_expression(text, values)
    value, reference = _torch_gradients(torch, text, values)
    assert explanation.steps[-1].value == pytest.approx(value, rel=1e-12)
    printed = explanation.format().splitlines()[-1]
    for name, grad in reference.items():
        assert explanation.gradients[name] == pytest.approx(grad, rel=1e-9, abs=1e-12)
        assert f"∂{explanation.output}/∂{name} = {float(grad):.6g}" in printed
        # central differences of the explained forward value itself, in float64
        h = 1e-4  # large enough for the cancelling case, whose forward value rounds at 1e-11
        up = explain_expression(text, {**values, name: values[name] + h}).steps[-1].value
        down = explain_expression(text, {**values, name: values[name] - h}).steps[-1].value
        assert explanation.gradients[name] == pytest.approx((up - down) / (2 * h), rel=1e-5)


@pytest.mark.parametrize(
    "text, column",
    [
        ("   a % 2", 4),  # leading blanks are part of the text the user sees
        ("θ * x + β % 2", 9),  # non-ASCII names: ast counts UTF-8 bytes, not characters
        ("  θ θ", 5),
        ("αβ + (γ", 6),
    ],
)
def test_parse_errors_name_the_column_of_the_text_as_given(text, column):
    with pytest.raises(ExpressionError, match=rf"at column {column}\b"):
        parse(text)


@pytest.mark.parametrize("text", ["a +", "a ** ", "(a + b) *", "exp(a) -"])
def test_parse_trailing_operator_is_at_the_end(text):
    with pytest.raises(ExpressionError, match="syntax error at the end"):
        parse(text)


@pytest.mark.parametrize("text", ["a * 1e400", "a + 1" + "0" * 400, "exp(-1e999) + a"])
def test_parse_refuses_numbers_beyond_float64(text):
    # float64 holds at most 1.8e308: 1e400 used to become inf, a 401-digit integer to crash
    with pytest.raises(ExpressionError, match="too large for float64") as info:
        explain_expression(text, {"a": 1.0})
    assert f"at column {text.index('1') + 1} " in str(info.value)


def test_implicit_multiplication_is_refused_with_the_product_to_write():
    with pytest.raises(ExpressionError, match=r"write 2 \* \(\.\.\.\)"):
        parse("2(a + b)")
    with pytest.raises(ExpressionError, match=r"a product is a \* \(\.\.\.\)"):
        parse("a(b + c)")


def test_long_chains_are_explained_or_refused_never_a_recursion_error():
    # d(a + a + ... + a)/da is the number of terms
    longest = explain_expression("+".join(["a"] * (MAX_DEPTH + 1)), {"a": 0.5})
    assert longest.gradients["a"] == MAX_DEPTH + 1
    # 956 and 993 terms raised RecursionError (under pytest, from the CLI): the parser coped
    # but the explanation, a few frames deeper, did not
    for terms in [956, 993, *range(MAX_DEPTH + 2, 1000, 97)]:  # to the 2000-character limit
        with pytest.raises(ExpressionError, match=f"nested deeper than {MAX_DEPTH} operations"):
            explain_expression("+".join(["a"] * terms), {"a": 0.5})


@pytest.mark.parametrize(
    "text, constant",
    [
        ("a + exp(-1/0)", "(-1) / 0 = -inf"),  # exp(-inf) = 0 hid the division by zero
        ("a * 1 ** (0/0)", "0 / 0 = nan"),  # 1 ** nan = 1
        ("relu(log(0)) + a", "log(0) = -inf"),  # relu(-inf) = 0
    ],
)
def test_constant_that_is_not_finite_is_refused(text, constant):
    with pytest.raises(ExpressionError, match="is not finite") as info:
        explain_expression(text, {"a": 1.0})
    assert f"the constant {constant}" in str(info.value)


def test_values_are_keyed_as_python_reads_names():
    micro, mu = "\u00b5", "\u03bc"  # a keyboard's µ; Python reads the name as Greek μ (NFKC)
    assert ast.parse(f"{micro} * x", mode="eval").body.left.id == mu
    explanation = explain_expression(f"{micro} * x", {micro: 2.0, "x": 3.0})
    assert explanation.gradients[mu] == 3.0 and explanation.gradients["x"] == 2.0
    with pytest.raises(ExpressionError, match="the same name to Python"):
        explain_expression(f"{micro} * x", {micro: 2.0, mu: 5.0, "x": 3.0})


@pytest.mark.parametrize(
    "value, message",
    [
        (math.nan, "a = nan is not finite"),
        (math.inf, "a = inf is not finite"),  # exp(-inf) = 0 would have been "explained"
        (None, "a = None is not a number"),
        ("two", "a = 'two' is not a number"),
    ],
)
def test_values_that_are_not_finite_numbers_are_refused(value, message):
    with pytest.raises(ExpressionError, match=f"^expression: {message}"):
        explain_expression("exp(-a) + 1", {"a": value})


def test_worked_example_matches_an_independent_computation():
    """The 2-2-2 network by hand in NumPy: z = W x + b, delta = dC/dy * f'(z), one SGD step."""
    x, target = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    w_hidden = np.array([[0.15, 0.20], [0.25, 0.30]])  # rows: h1 <- (w1, w2), h2 <- (w3, w4)
    w_output = np.array([[0.40, 0.45], [0.50, 0.55]])  # rows: o1 <- (w5, w6), o2 <- (w7, w8)
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    out_h = sigmoid(w_hidden @ x + 0.35)
    out_o = sigmoid(w_output @ out_h + 0.60)
    delta_o = (out_o - target) * out_o * (1 - out_o)
    delta_h = (w_output.T @ delta_o) * out_h * (1 - out_h)
    grads = np.concatenate([np.outer(delta_h, x).ravel(), np.outer(delta_o, out_h).ravel()])
    initial = np.concatenate([w_hidden.ravel(), w_output.ravel()])
    example = explain_worked_example()
    for k, name in enumerate(f"w{i}" for i in range(1, 9)):
        assert example.values[f"dE/d{name}"] == pytest.approx(grads[k], rel=1e-12)
        assert example.values[name] == pytest.approx(initial[k] - 0.5 * grads[k], rel=1e-12)
    errors = 0.5 * (target - out_o) ** 2
    assert example.values["E_total"] == pytest.approx(errors.sum(), rel=1e-12)
    text = example.format()
    for unit, value in zip(("h1", "h2", "o1", "o2"), [*out_h, *out_o], strict=True):
        assert f"out_{unit} = {value:.9f}" in text
