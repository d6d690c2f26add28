"""Forward mode (jvp), reverse mode (vjp) and Jacobians, on every op of the engine.

References: float64 central finite differences along the tangent, and the Jacobian built row
by row from the reverse-mode engine. The op list is enumerated from ``chainrule.autograd.ops``
so that an op added without a case here (or without a jvp rule) fails the test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import chainrule as cr
import chainrule.autograd.ops as ops_package
import chainrule.nn.functional as F  # noqa: N812
from chainrule.autograd import function as function_module
from chainrule.autograd.forward import jacobian, jvp, vjp
from chainrule.autograd.ops import (
    activation,
    elementwise,
    linalg,
    loss,
    normalization,
    reduce,
    shape,
    special,
)
from chainrule.errors import GraphError


def _rng(seed=0):
    return np.random.default_rng(seed)


def _away_from(values, points, gap=0.1):
    """Shift entries closer than ``gap`` to any of ``points`` (kinks, ties) away from them."""
    values = values.copy()
    for p in points:
        near = np.abs(values - p) < gap
        values[near] = p + gap * np.where(values[near] >= p, 1.5, -1.5)
    return values


R = _rng()
X23 = R.standard_normal((2, 3))
Y23 = R.standard_normal((2, 3))
V3 = R.standard_normal(3)
POS23 = R.uniform(0.5, 2.0, (2, 3))
POS3 = R.uniform(0.5, 2.0, 3)
KINKED = _away_from(X23, [0.0])
CLIPPED = _away_from(X23, [-0.5, 0.5])
DISTINCT = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]])  # no ties in rows or columns
PROBS = R.uniform(0.1, 0.9, (2, 3))
LABELS = np.array([2, 0, 1])
SOFT_TARGET = _rng(1).dirichlet(np.ones(4), 3)
MASK = np.array([[True, False, True], [False, True, True]])
RUNNING_MEAN, RUNNING_VAR = np.array([0.1, -0.2, 0.3]), np.array([0.5, 1.5, 2.0])

# op class name -> (f on Tensors, float64 inputs)
CASES = {
    "Add": (lambda a, b: a + b, (X23, V3)),
    "Sub": (lambda a, b: a - b, (X23, V3)),
    "Mul": (lambda a, b: a * b, (X23, V3)),
    "Div": (lambda a, b: a / b, (X23, POS3)),
    "Neg": (lambda a: -a, (X23,)),
    "Pow": (lambda a, b: a**b, (POS23, V3)),
    "Exp": (lambda a: a.exp(), (X23,)),
    "Log": (lambda a: a.log(), (POS23,)),
    "Sqrt": (lambda a: a.sqrt(), (POS23,)),
    "Abs": (lambda a: a.abs(), (KINKED,)),
    "Clip": (lambda a: a.clip(-0.5, 0.5), (CLIPPED,)),
    "Maximum": (lambda a, b: cr.maximum(a, b), (X23, Y23)),
    "Minimum": (lambda a, b: cr.minimum(a, b), (X23, Y23)),
    "Where": (lambda a, b: cr.where(MASK, a, b), (X23, V3)),
    "Cast": (lambda a: a.astype(np.float64) * 2, (X23,)),
    "Tanh": (lambda a: a.tanh(), (X23,)),
    "Sigmoid": (lambda a: a.sigmoid(), (X23,)),
    "ReLU": (lambda a: a.relu(), (KINKED,)),
    "LeakyReLU": (lambda a: a.leaky_relu(0.1), (KINKED,)),
    "ELU": (lambda a: F.elu(a, alpha=0.7), (KINKED,)),
    "SiLU": (lambda a: F.silu(a), (X23,)),
    "GELU": (lambda a: F.gelu(a) + F.gelu(a, approximate="tanh"), (X23,)),
    "Softplus": (lambda a: F.softplus(a, beta=2.0, threshold=1.0), (_away_from(X23, [0.5]),)),
    "Hardtanh": (lambda a: F.hardtanh(a, -0.5, 0.5), (CLIPPED,)),
    "PReLU": (lambda a, w: cr.autograd.ops.prelu(a, w), (KINKED, POS3)),
    "Softmax": (lambda a: a.softmax(axis=1), (X23,)),
    "LogSoftmax": (lambda a: a.log_softmax(axis=0), (X23,)),
    "Sum": (lambda a: a.sum(axis=1), (X23,)),
    "Mean": (lambda a: a.mean(axis=0, keepdims=True), (X23,)),
    "Max": (lambda a: a.max(axis=1), (DISTINCT,)),
    "Min": (lambda a: a.min(axis=0), (DISTINCT,)),
    "Var": (lambda a: a.var(axis=1, ddof=1), (X23,)),
    "Std": (lambda a: a.std(axis=1, ddof=1), (X23,)),
    "LogSumExp": (lambda a: a.logsumexp(axis=1), (X23,)),
    "MatMul": (lambda a, b: a @ b, (X23, R.standard_normal((3, 4)))),
    "Linear": (lambda x, w, b: cr.linear(x, w, b), (X23, R.standard_normal((3, 4)), V3[:1])),
    "Reshape": (lambda a: a.reshape(3, 2), (X23,)),
    "Transpose": (lambda a: a.T, (X23,)),
    "BroadcastTo": (lambda a: a.broadcast_to((4, 2, 3)), (V3,)),
    "Concatenate": (lambda a, b: cr.cat([a, b], axis=1), (X23, R.standard_normal((2, 2)))),
    "Stack": (lambda a, b: cr.stack([a, b], axis=1), (X23, Y23)),
    "GetItem": (lambda a: a[[0, 1, 0], 1:], (X23,)),
    "CrossEntropy": (
        lambda x, p: (
            loss.CrossEntropy.apply(x, p)
            + loss.CrossEntropy.apply(x, LABELS)
            + loss.CrossEntropy.apply(x, LABELS, reduction="mean")
            + loss.CrossEntropy.apply(x, p, reduction="sum")
        ),
        (R.standard_normal((3, 4)), SOFT_TARGET),
    ),
    "BinaryCrossEntropyWithLogits": (
        lambda x, y: (
            loss.BinaryCrossEntropyWithLogits.apply(x, y)
            + loss.BinaryCrossEntropyWithLogits.apply(x, y, reduction="sum")
        ),
        (X23, PROBS),
    ),
    "BinaryCrossEntropy": (
        lambda p, y: (
            loss.BinaryCrossEntropy.apply(p, y)
            + loss.BinaryCrossEntropy.apply(p, y, reduction="mean")
        ),
        (PROBS, Y23),
    ),
    "Log1p": (lambda a: a.log1p(), (POS23,)),
    "Expm1": (lambda a: a.expm1(), (X23,)),
    "Sin": (lambda a: a.sin(), (X23,)),
    "Cos": (lambda a: a.cos(), (X23,)),
    "Square": (lambda a: a.square(), (X23,)),
    "Rsqrt": (lambda a: a.rsqrt(), (POS23,)),
    "Sign": (lambda a: a.sign() * a, (KINKED,)),  # sign's zero tangent, seen through |a|
    "Prod": (lambda a: a.prod(dim=1) + a.prod(), (X23,)),
    "CumSum": (lambda a: a.cumsum(dim=0), (X23,)),
    "Norm": (  # p = 2, 1, 3 and inf, away from |x|'s kink and ties
        lambda a: a.norm(dim=1) + a.norm(1, dim=1) + a.norm(3, dim=1) + a.norm(np.inf, dim=1),
        (KINKED,),
    ),
    "SquaredError": (  # every reduction and a scale, broadcast into one output
        lambda x, y: (
            loss.SquaredError.apply(x, y, reduction="none", scale=0.5)
            + loss.SquaredError.apply(x, y, reduction="mean")
            + loss.SquaredError.apply(x, y, reduction="sum", scale=2.0)
        ),
        (X23, Y23),
    ),
    "Normalize": (  # layer norm, batch norm on the batch's statistics and on constant ones
        lambda x, w, b: (
            F.layer_norm(x, 3, w, b)
            + F.batch_norm(x, None, None, w, b, training=True)
            + F.batch_norm(x, RUNNING_MEAN, RUNNING_VAR, w, b)
            + F.layer_norm(x, (4, 3))
        ),
        (_rng(5).standard_normal((4, 3)), POS3, V3),
    ),
    "Softsign": (lambda a: F.softsign(a), (X23,)),
    "Tan": (lambda a: a.tan(), (X23 * 0.5,)),
    "Asin": (lambda a: a.asin(), (X23 * 0.3,)),
    "Acos": (lambda a: a.acos(), (X23 * 0.3,)),
    "Atan": (lambda a: a.atan(), (X23,)),
    "Sinh": (lambda a: a.sinh(), (X23,)),
    "Cosh": (lambda a: a.cosh(), (X23,)),
    "Asinh": (lambda a: a.asinh(), (X23,)),
    "Acosh": (lambda a: a.acosh(), (POS23 + 1,)),
    "Atanh": (lambda a: a.atanh(), (X23 * 0.3,)),
    "Erf": (lambda a: a.erf(), (X23,)),
    "Erfc": (lambda a: a.erfc(), (X23,)),
    "Atan2": (lambda a, b: cr.atan2(a, b), (X23, Y23)),
    "Remainder": (  # a / b away from the jumps of trunc and floor
        lambda a, b: cr.fmod(a, b) + cr.remainder(a, b),
        (np.array([[2.3, -4.1, 5.6], [-0.7, 3.3, -6.2]]), np.array([1.5, 2.0, -2.5])),
    ),
    "Rounding": (  # zero tangents, seen through a term that has one
        lambda a: a.floor() + a.ceil() + a.trunc() + a.round() + a.round(decimals=1) + a,
        (_away_from(X23 * 3, [-2.0, -1.0, 0.0, 1.0, 2.0], gap=0.05),),
    ),
    "Embedding": (  # no padding_idx: its row's zero gradient is a convention of reverse mode
        lambda w: F.embedding(np.array([[2, 0], [2, 1]]), w),
        (_rng(6).standard_normal((3, 4)),),
    ),
}


def _engine_ops() -> dict[str, type]:
    """Every Function subclass defined in a module of chainrule.autograd.ops."""
    found = {}
    for info in pkgutil.iter_modules(ops_package.__path__):
        module = importlib.import_module(f"{ops_package.__name__}.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if name.startswith("_"):  # a shared base (_Smooth, _PiecewiseConstant), not an op
                continue
            if issubclass(obj, cr.Function) and obj.__module__ == module.__name__:
                found[name] = obj
    return found


def test_every_engine_op_has_a_case_and_a_jvp_rule():
    ops = _engine_ops()
    assert {"Add", "MatMul", "Sigmoid", "Sum", "Reshape", "CrossEntropy"} <= set(ops)
    missing = sorted(set(ops) - set(CASES))
    assert not missing, f"ops without a forward-mode test case: {missing}"
    without_rule = sorted(name for name, cls in ops.items() if cls.jvp is None)
    assert not without_rule, f"ops without a jvp rule: {without_rule}"
    for module in (activation, elementwise, linalg, loss, normalization, reduce, shape, special):
        assert module.__name__.startswith(ops_package.__name__)


def _tangents(inputs, seed=3):
    rng = _rng(seed)
    return tuple(rng.standard_normal(np.shape(x)) for x in inputs)


def _finite_difference(f, inputs, tangents, eps=1e-6):
    """(f(x + eps v) - f(x - eps v)) / (2 eps), in float64, without the engine's derivatives."""
    with cr.no_grad():
        plus = f(
            *[
                cr.tensor(x + eps * v, dtype=np.float64)
                for x, v in zip(inputs, tangents, strict=True)
            ]
        )
        minus = f(
            *[
                cr.tensor(x - eps * v, dtype=np.float64)
                for x, v in zip(inputs, tangents, strict=True)
            ]
        )
    return (plus.data - minus.data) / (2 * eps)


def _reverse_jvp(f, inputs, tangents):
    """J v assembled from reverse mode: row j of J_i is vjp with the j-th unit vector."""
    with cr.no_grad():
        out = f(*[cr.tensor(x, dtype=np.float64) for x in inputs])
    result = np.zeros(out.data.size)
    seed = np.zeros(out.data.size)
    for j in range(out.data.size):
        seed[j] = 1
        _, rows = vjp(f, tuple(inputs), seed.reshape(out.shape))
        seed[j] = 0
        result[j] = sum(float(np.sum(r.data * v)) for r, v in zip(rows, tangents, strict=True))
    return result.reshape(out.shape)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_matches_finite_differences(name):
    f, inputs = CASES[name]
    tangents = _tangents(inputs)
    value, tangent = jvp(f, inputs, tangents)
    with cr.no_grad():
        expected_value = f(*[cr.tensor(x, dtype=np.float64) for x in inputs])
    np.testing.assert_allclose(value.data, expected_value.data, rtol=1e-12)
    assert tangent.shape == value.shape
    np.testing.assert_allclose(
        tangent.data, _finite_difference(f, inputs, tangents), rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_matches_reverse_mode_jacobian(name):
    f, inputs = CASES[name]
    tangents = _tangents(inputs, seed=4)
    _, tangent = jvp(f, inputs, tangents)
    np.testing.assert_allclose(
        tangent.data, _reverse_jvp(f, inputs, tangents), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_forward_equals_reverse(name):
    f, inputs = CASES[name]
    rest = [cr.tensor(x, dtype=np.float64) for x in inputs[1:]]

    def g(x):
        return f(x, *rest)

    forward = jacobian(g, inputs[0], mode="forward")
    reverse = jacobian(g, inputs[0], mode="reverse")
    with cr.no_grad():
        out_shape = g(cr.tensor(inputs[0], dtype=np.float64)).shape
    assert forward.shape == reverse.shape == out_shape + np.shape(inputs[0])
    np.testing.assert_allclose(forward.data, reverse.data, rtol=1e-10, atol=1e-12)


def test_jvp_of_the_reference_expression():
    """e = (a + b) * (b + 1) at a = 2, b = 1: de/da = 2, de/db = 5, one forward pass each."""

    def f(a, b):
        return (a + b) * (b + 1)

    a, b = np.array(2.0), np.array(1.0)
    value, da = jvp(f, (a, b), (np.array(1.0), np.array(0.0)))
    _, db = jvp(f, (a, b), (np.array(0.0), np.array(1.0)))
    assert (value.item(), da.item(), db.item()) == (6.0, 2.0, 5.0)
    _, (ga, gb) = vjp(f, (a, b))
    assert (ga.item(), gb.item()) == (2.0, 5.0)


def test_float32_is_preserved():
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)

    def f(t):
        return (t * t).sigmoid().sum(axis=0)

    value, tangent = jvp(f, x, np.ones_like(x))
    assert value.dtype == tangent.dtype == np.float32
    for mode in ("forward", "reverse"):
        assert jacobian(f, x, mode=mode).dtype == np.float32
    _, grad = vjp(f, x, np.ones(3, np.float32))
    assert grad.dtype == np.float32


def test_jvp_records_no_graph_and_removes_its_hook():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    value, _ = jvp(lambda t: t * 3, x, np.ones(2, np.float32))
    assert not value.requires_grad and value.grad_fn is None
    assert function_module.apply_hooks == []
    with pytest.raises(ZeroDivisionError):
        jvp(lambda t: 1 / 0, x, np.ones(2, np.float32))
    assert function_module.apply_hooks == []


def test_op_without_jvp_rule_is_named():
    class Square(cr.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    with pytest.raises(GraphError, match="Square has no forward-mode rule"):
        jvp(Square.apply, np.ones(2), np.ones(2))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="2 inputs but 1 tangents"):
        jvp(lambda a, b: a + b, (np.ones(2), np.ones(2)), (np.ones(2),))
    with pytest.raises(ValueError, match="tangent 0 has shape"):
        jvp(lambda a: a, np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="mode must be"):
        jacobian(lambda a: a, np.ones(2), mode="sideways")
    with pytest.raises(TypeError, match="floating-point"):
        jvp(lambda a: a, np.ones(2, dtype=int), np.ones(2))


def test_input_that_does_not_reach_the_output_gets_zeros():
    _, tangent = jvp(lambda a, b: a * 2, (np.ones(2), np.ones(3)), (np.zeros(2), np.ones(3)))
    np.testing.assert_array_equal(tangent.data, np.zeros(2))
    _, (ga, gb) = vjp(lambda a, b: (a * 2).sum(), (np.ones(2), np.ones(3)))
    np.testing.assert_array_equal(gb.data, np.zeros(3))


@pytest.mark.torch
def test_jacobian_matches_torch():
    torch = pytest.importorskip("torch")
    x = _rng(7).standard_normal((2, 3))
    w = _rng(8).standard_normal((3, 4))

    def ours(t):
        return (t @ cr.tensor(w)).tanh().softmax(axis=1)

    def theirs(t):
        return torch.softmax(torch.tanh(t @ torch.tensor(w)), dim=1)

    expected = torch.autograd.functional.jacobian(theirs, torch.tensor(x)).numpy()
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(jacobian(ours, x, mode=mode).data, expected, rtol=1e-10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_vjp_matches_finite_differences(name):
    """u^T (J v) two ways: Σ_i vjp(u)_i · v_i, and u · (directional finite difference along v)."""
    f, inputs = CASES[name]
    tangents = _tangents(inputs, seed=5)
    with cr.no_grad():
        out_shape = f(*[cr.tensor(x, dtype=np.float64) for x in inputs]).shape
    u = _rng(6).standard_normal(out_shape)
    _, grads = vjp(f, tuple(inputs), u)
    via_vjp = sum(float(np.sum(g.data * v)) for g, v in zip(grads, tangents, strict=True))
    via_fd = float(np.sum(u * _finite_difference(f, inputs, tangents)))
    assert via_vjp == pytest.approx(via_fd, rel=1e-5, abs=1e-7)
    for g, x in zip(grads, inputs, strict=True):
        assert g.shape == np.shape(x) and g.dtype == np.float64
