"""``explain_expression``: the reference numbers, and path sums that agree with the engine."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chainrule.explain import ExpressionError, explain_expression
from tests.graph.dot_parsing import by_title, parse_dot


@pytest.fixture(scope="module")
def reference():
    return explain_expression("(a + b) * (b + 1)", {"a": 2, "b": 1})


def test_reference_forward_pass(reference):
    assert [(s.name, s.text, s.value) for s in reference.steps] == [
        ("c", "a + b", 3.0),
        ("d", "b + 1", 2.0),
        ("e", "c * d", 6.0),
    ]
    text = reference.format()
    for line in ("c = a + b = 3", "d = b + 1 = 2", "e = c * d = 6"):
        assert line in text


def test_reference_local_derivatives(reference):
    edges = {
        (s.name, src): p
        for s in reference.steps
        for src, p in zip(s.inputs, s.partials, strict=True)
        if src is not None
    }
    assert edges == {
        ("c", "a"): 1.0,
        ("c", "b"): 1.0,
        ("d", "b"): 1.0,
        ("e", "c"): 2.0,
        ("e", "d"): 3.0,
    }
    text = reference.format()
    for line in ("∂c/∂a = 1", "∂e/∂c = d = 2", "∂e/∂d = c = 3"):
        assert line in text


def test_reference_backward_pass_as_sums_over_paths(reference):
    assert reference.gradients["a"] == 2.0 and reference.gradients["b"] == 5.0
    assert reference.path_sums["a"] == 2.0 and reference.path_sums["b"] == 5.0
    assert reference.paths["b"] == [
        [("e", "c", 2.0), ("c", "b", 1.0)],
        [("e", "d", 3.0), ("d", "b", 1.0)],
    ]
    text = reference.format()
    assert "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5" in text
    assert "∂e/∂a = ∂e/∂c·∂c/∂a = 2·1 = 2" in text
    assert text.rstrip().endswith("∂e/∂a = 2, ∂e/∂b = 5")


def test_explanation_draws_its_graph(reference):
    nodes, edges = parse_dot(reference.to_dot())
    titled = by_title(nodes)
    assert set(titled) == {"a", "b", "c", "d", "e"}
    assert titled["b"][2] == "grad 5"
    assert sorted(label for _, _, label in edges) == [
        "∂c/∂a = 1",
        "∂c/∂b = 1",
        "∂d/∂b = 1",
        "∂e/∂c = 2",
        "∂e/∂d = 3",
    ]


def test_intermediate_names_skip_the_variables_and_constants_fold():
    x = explain_expression("x * y + 2 ** 3", {"x": 1.5, "y": -2})
    assert [(s.name, s.text) for s in x.steps] == [("a", "x * y"), ("b", "a + 8")]
    assert x.gradients == {"a": 1.0, "b": 1.0, "x": -2.0, "y": 1.5}


def test_variable_used_twice_in_one_op():
    x = explain_expression("a * a", {"a": 3})
    assert x.gradients["a"] == 6.0
    assert "∂b/∂a = a = 3   (through the left operand)" in x.format()


def test_many_paths_are_summarised():
    p = "((a * a) * (a * a))"
    q = f"(({p} * {p}) * ({p} * {p}))"
    text = f"{q} * {q}"  # a**32 through 32 paths
    x = explain_expression(text, {"a": 1.01})
    assert x.paths["a"] is None  # more than 24 paths are not written out term by term
    assert x.gradients["a"] == pytest.approx(32 * 1.01**31, rel=1e-12)
    assert x.path_sums["a"] == pytest.approx(x.gradients["a"], rel=1e-12)
    assert "a sum over more than" in x.format()


def test_generated_names_never_take_a_variables_name():
    # 26 letters are used up first, so the 27th op would have been called v1 as well
    x = explain_expression("+".join(["v1"] * 28), {"v1": 1})
    names = [s.name for s in x.steps]
    assert "v1" not in names and len(set(names)) == len(names) == 27
    assert x.gradients["v1"] == 28.0


def test_a_derivative_that_does_not_exist_is_nan_as_in_torch():
    torch = pytest.importorskip("torch")
    a = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (a**b).backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor does it warn: nan is the answer shown
        x = explain_expression("a ** b", {"a": -1, "b": 2})
        x.to_dot()
    assert x.gradients["a"] == a.grad.item()
    assert math.isnan(x.gradients["b"]) and math.isnan(b.grad.item())
    assert "∂c/∂b = nan" in x.format()


@pytest.mark.parametrize(
    "text, values, message",
    [
        ("a + b", {"a": 1}, "no value for b"),
        ("a + 1", {"a": 1, "z": 2}, "z not in"),
        ("log(a)", {"a": -1}, "is not finite"),
        ("2 * 3", {}, "has no variables"),
        ("a", {"a": 1}, "no operation"),
    ],
)
def test_bad_requests_are_clear(text, values, message):
    with pytest.raises(ExpressionError, match=message):
        explain_expression(text, values)


class Dual:
    """An independent reference: forward-mode dual numbers ``value + derivative·ε``."""

    def __init__(self, value, derivative=0.0):
        self.v, self.d = float(value), float(derivative)

    @staticmethod
    def lift(x):
        return x if isinstance(x, Dual) else Dual(x)

    def __add__(self, o):
        o = Dual.lift(o)
        return Dual(self.v + o.v, self.d + o.d)

    __radd__ = __add__

    def __sub__(self, o):
        o = Dual.lift(o)
        return Dual(self.v - o.v, self.d - o.d)

    def __rsub__(self, o):
        return Dual.lift(o) - self

    def __mul__(self, o):
        o = Dual.lift(o)
        return Dual(self.v * o.v, self.d * o.v + self.v * o.d)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = Dual.lift(o)
        return Dual(self.v / o.v, (self.d * o.v - self.v * o.d) / o.v**2)

    def __rtruediv__(self, o):
        return Dual.lift(o) / self

    def __pow__(self, n):
        return Dual(self.v**n, n * self.v ** (n - 1) * self.d)

    def __neg__(self):
        return Dual(-self.v, -self.d)


def _sigmoid(x):
    s = 1 / (1 + math.exp(-x.v))
    return Dual(s, s * (1 - s) * x.d)


DUAL_RULES = {
    "exp": lambda x: Dual(math.exp(x.v), math.exp(x.v) * x.d),
    "log": lambda x: Dual(math.log(x.v), x.d / x.v),
    "tanh": lambda x: Dual(math.tanh(x.v), (1 - math.tanh(x.v) ** 2) * x.d),
    "sigmoid": _sigmoid,
    "relu": lambda x: Dual(max(x.v, 0.0), x.d if x.v > 0 else 0.0),
}


def _lifted(rule):
    return lambda x: rule(Dual.lift(x))


DUAL_FUNCTIONS = {name: _lifted(rule) for name, rule in DUAL_RULES.items()}


def _dual_gradient(text, values, wrt):
    """d(text)/d(wrt) by dual numbers; the test's own generated strings are evaluated."""
    scope = {n: Dual(v, 1.0 if n == wrt else 0.0) for n, v in values.items()}
    result = eval(text, {"__builtins__": {}, **DUAL_FUNCTIONS}, scope)  # noqa: S307 - test data
    return Dual.lift(result).d


def _expressions():
    leaf = st.sampled_from(["x", "y", "z", "0.5", "2", "1.5"])

    def extend(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(children, children).map(lambda t: f"({t[0]} / (1 + ({t[1]}) ** 2))"),
            children.map(lambda c: f"-({c})"),
            children.map(lambda c: f"({c}) ** 2"),
            children.map(lambda c: f"log(1 + ({c}) ** 2)"),
            st.tuples(st.sampled_from(["exp", "tanh", "sigmoid", "relu"]), children).map(
                lambda t: f"{t[0]}({t[1]})"
            ),
        )

    return st.recursive(leaf, extend, max_leaves=8)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_expressions(),
    x=st.floats(-2, 2),
    y=st.floats(-2, 2),
    z=st.floats(-2, 2),
)
def test_random_expressions_path_sums_equal_engine_and_dual_numbers(text, x, y, z):
    given_values = {"x": x, "y": y, "z": z}
    values = {n: v for n, v in given_values.items() if re.search(rf"\b{n}\b", text)}
    names = list(values)
    assume(names)
    try:
        explanation = explain_expression(text, values)
    except ExpressionError as exc:
        assume("not finite" not in str(exc) and "no operation" not in str(exc))
        raise
    for name in names:
        engine = explanation.gradients[name]
        assert explanation.path_sums[name] == pytest.approx(engine, rel=1e-9, abs=1e-12)
        reference = _dual_gradient(text, values, name)
        assume(np.isfinite(reference))
        assert engine == pytest.approx(reference, rel=1e-9, abs=1e-9)
