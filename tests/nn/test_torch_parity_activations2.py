"""PyTorch parity of the composed activations (ReLU6, Hardsigmoid, Hardswish, Mish, Softsign,
LogSigmoid, CELU, GLU, Tanhshrink, Softmin, Threshold, Softshrink, Hardshrink), as F
functions and modules: values, gradients and forward-mode tangents against torch 2.13 in
float64 and float32, float64 finite differences, inputs up to ±1e4 without warnings, reprs."""

import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.autograd import jvp
from chainrule.errors import ShapeError, ValueRangeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# (id, name, positional and keyword arguments after the input)
ACTIVATIONS = [
    ("relu6", "relu6", (), {}),
    ("hardsigmoid", "hardsigmoid", (), {}),
    ("hardswish", "hardswish", (), {}),
    ("mish", "mish", (), {}),
    ("softsign", "softsign", (), {}),
    ("logsigmoid", "logsigmoid", (), {}),
    ("celu", "celu", (), {}),
    ("celu-alpha", "celu", (), {"alpha": 0.4}),
    ("glu", "glu", (), {}),
    ("glu-dim0", "glu", (), {"dim": 0}),
    ("tanhshrink", "tanhshrink", (), {}),
    ("softmin", "softmin", (), {"dim": 1}),
    ("threshold", "threshold", (0.3, -2.0), {}),
    ("softshrink", "softshrink", (), {}),
    ("softshrink-lambd", "softshrink", (), {"lambd": 1.5}),
    ("hardshrink", "hardshrink", (), {"lambd": 0.8}),
]
IDS = [a[0] for a in ACTIVATIONS]
TORCH_FLOAT32_CONSTANTS = {"hardsigmoid", "celu-alpha"}


def _call(lib, name, args, options):
    return lambda x: getattr(lib, name)(x, *args, **options)


def _inputs(shape=(4, 6), dtype=np.float64, seed=0):
    # scaled so that every piece of each function is visited (|x| up to ~9)
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-6)], ids=str)
@pytest.mark.parametrize(("case", "name", "args", "options"), ACTIVATIONS, ids=IDS)
def test_values_and_gradients_match_torch(case, name, args, options, dtype, tol):
    values, weights = _inputs(dtype=dtype), _inputs(seed=1, dtype=dtype)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = _call(F, name, args, options)(x), _call(TF, name, args, options)(t)
    g = weights[: ours.shape[0], : ours.shape[1]]
    ours.backward(gradient=g)
    theirs.backward(gradient=torch.tensor(g))
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    # torch's float64 backward of these uses float32 constants (1/6, 1/alpha): exact below
    grad_tol = max(tol, 1e-7) if case in TORCH_FLOAT32_CONSTANTS else tol
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=grad_tol, atol=grad_tol)


def test_gradients_torch_rounds_to_float32_are_exact():
    x = cr.tensor(np.array([-2.5, 0.0, 1.0, 2.9, -3.5, 3.5]), requires_grad=True)
    F.hardsigmoid(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1 / 6] * 4 + [0.0, 0.0])
    values = np.array([-0.7, -2.0, -0.1, 0.3])
    x = cr.tensor(values, requires_grad=True)
    F.celu(x, 0.4).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.where(values > 0, 1.0, np.exp(values / 0.4)))


@pytest.mark.parametrize(("case", "name", "args", "options"), ACTIVATIONS, ids=IDS)
def test_gradient_matches_finite_differences_and_forward_mode_matches_torch(
    case, name, args, options
):
    values, tangent = _inputs(seed=2), _inputs(seed=3)
    assert cr.gradcheck(_call(F, name, args, options), values)
    _, ours = jvp(_call(F, name, args, options), (values,), (tangent,))
    _, theirs = torch.func.jvp(
        _call(TF, name, args, options), (torch.tensor(values),), (torch.tensor(tangent),)
    )
    tol = 1e-7 if case in TORCH_FLOAT32_CONSTANTS else 1e-12
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=str)
@pytest.mark.parametrize(("case", "name", "args", "options"), ACTIVATIONS, ids=IDS)
def test_large_inputs_are_finite_without_warnings_as_torch(case, name, args, options, dtype):
    values = np.array([[-1e4, -1000.0, -100.0, -30.0], [30.0, 100.0, 1000.0, 1e4]], dtype)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        ours = _call(F, name, args, options)(x)
        ours.sum().backward()
    theirs = _call(TF, name, args, options)(t)
    theirs.sum().backward()
    assert np.isfinite(ours.data).all() and np.isfinite(x.grad.data).all()
    # atol: torch flushes float32 subnormals to 0
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-30)
    expected = t.grad.numpy()
    if name == "softsign":  # torch's quotient rule cancels in float32 (1e-4 off at 1e3)
        expected = 1 / (1 + np.abs(values.astype(np.float64))) ** 2
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-6, atol=1e-30)


MODULES = [
    lambda m: m.ReLU6(),
    lambda m: m.Hardsigmoid(),
    lambda m: m.Hardswish(),
    lambda m: m.Mish(),
    lambda m: m.Softsign(),
    lambda m: m.LogSigmoid(),
    lambda m: m.Tanhshrink(),
    lambda m: m.CELU(0.7),
    lambda m: m.GLU(0),
    lambda m: m.Softmin(dim=1),
    lambda m: m.Threshold(0.1, 20.0),
    lambda m: m.Softshrink(0.25),
    lambda m: m.Hardshrink(),
]


@pytest.mark.parametrize("index", range(len(MODULES)))
def test_modules_match_torch_in_value_gradient_and_repr(index):
    ours, theirs = MODULES[index](nn), MODULES[index](torch.nn)
    assert repr(ours) == repr(theirs)
    values = _inputs(seed=6)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, expected = ours(x), theirs(t)
    (y * y).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    tol = 1e-7 if type(ours).__name__ in ("Hardsigmoid", "CELU") else 1e-12  # as above
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol, atol=tol)


def test_integers_are_computed_in_float32():
    ours = F.hardswish(cr.tensor([-4, -1, 0, 2, 5]))
    theirs = TF.hardswish(torch.tensor([-4.0, -1.0, 0.0, 2.0, 5.0]))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-7)


def test_bad_arguments_are_named():
    with pytest.raises(ShapeError, match="glu: dimension -1 of a tensor of shape \\(2, 3\\)"):
        F.glu(cr.zeros(2, 3))
    with pytest.raises(ShapeError, match="glu: a 0-d tensor"):
        F.glu(cr.tensor(1.0))
    with pytest.raises(ValueRangeError, match="softshrink: lambd must be at least 0"):
        F.softshrink(cr.zeros(2), -1.0)
    with pytest.raises(ValueRangeError, match="Softshrink: lambd must be at least 0"):
        nn.Softshrink(-0.5)
    with pytest.raises(ValueRangeError, match="celu: alpha must not be 0"):
        F.celu(cr.zeros(2), 0.0)
    with pytest.raises(ValueRangeError, match="Mish: inplace=True is not supported"):
        nn.Mish(inplace=True)
