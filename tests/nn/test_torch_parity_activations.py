"""PyTorch parity of ELU, SELU, SiLU, GELU (exact and tanh), Softplus and Hardtanh (functions
and modules) and nn.Identity: values, gradients and forward-mode tangents against torch 2.13
in float64 and float32, float64 finite differences, large |x|, kinks, integer inputs, errors;
and the vectorised erf / erfc against math.erf / math.erfc."""

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.autograd import jvp
from chainrule.autograd.ops.numerics import erf, erfc
from chainrule.errors import DTypeError, ValueRangeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# (id, name, keyword options): the same call on F and on torch.nn.functional
ACTIVATIONS = [
    ("elu", "elu", {}),
    ("elu-alpha", "elu", {"alpha": 0.5}),
    ("elu-negative-alpha", "elu", {"alpha": -0.3}),
    ("selu", "selu", {}),
    ("silu", "silu", {}),
    ("gelu", "gelu", {}),
    ("gelu-tanh", "gelu", {"approximate": "tanh"}),
    ("softplus", "softplus", {}),
    ("softplus-beta-threshold", "softplus", {"beta": 2.0, "threshold": 3.0}),
    ("softplus-negative-beta", "softplus", {"beta": -1.5}),
    ("hardtanh", "hardtanh", {}),
    ("hardtanh-bounds", "hardtanh", {"min_val": -2.0, "max_val": 0.5}),
]
IDS = [a[0] for a in ACTIVATIONS]
SHAPES = [(), (5,), (3, 4), (2, 3, 4), (0, 3)]


def _ours(name, options):
    return lambda x: getattr(F, name)(x, **options)


def _theirs(name, options):
    return lambda x: getattr(TF, name)(x, **options)


def _inputs(shape, dtype=np.float64, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("case", "name", "options"), ACTIVATIONS, ids=IDS)
def test_activation_values_and_gradients_match_torch_float64(case, name, options, shape):
    values = _inputs(shape)
    weights = np.random.default_rng(1).standard_normal(shape)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = _ours(name, options)(x), _theirs(name, options)(t)
    ours.backward(gradient=weights)
    theirs.backward(gradient=torch.tensor(weights))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float64
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert x.grad.dtype == np.float64


@pytest.mark.parametrize(("case", "name", "options"), ACTIVATIONS, ids=IDS)
def test_activation_keeps_float32_and_matches_torch_float32(case, name, options):
    values = _inputs((4, 5), np.float32)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = _ours(name, options)(x), _theirs(name, options)(t)
    ours.sum().backward()
    theirs.sum().backward()
    assert ours.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize(("case", "name", "options"), ACTIVATIONS, ids=IDS)
def test_activation_gradient_matches_finite_differences(case, name, options):
    # hardtanh's kinks at its bounds (and elu's at 0) are hit with probability 0
    for shape in [(), (3,), (2, 3, 2)]:
        assert cr.gradcheck(_ours(name, options), _inputs(shape, seed=3))


@pytest.mark.parametrize(("case", "name", "options"), ACTIVATIONS, ids=IDS)
def test_activation_forward_mode_matches_torch_jvp(case, name, options):
    values, tangent = _inputs((3, 4), seed=4), _inputs((3, 4), seed=5)
    out, ours = jvp(_ours(name, options), (values,), (tangent,))
    expected, theirs = torch.func.jvp(
        _theirs(name, options), (torch.tensor(values),), (torch.tensor(tangent),)
    )
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("case", "name", "options"), ACTIVATIONS, ids=IDS)
def test_activation_is_finite_without_warnings_for_large_inputs(case, name, options, dtype):
    big = 3e38 if dtype == np.float32 else 1e300
    values = np.array([-big, -1e4, -100.0, -30.0, 30.0, 100.0, 1e4, big], dtype=dtype)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        ours = _ours(name, options)(x)
        ours.sum().backward()
        _, tangent = jvp(_ours(name, options), (values,), (np.ones_like(values),))
    theirs = _theirs(name, options)(t)
    theirs.sum().backward()
    assert np.isfinite(ours.data).all() and np.isfinite(x.grad.data).all()
    # +-big left out: torch's gelu overflows there (inf, gradient NaN); atol: torch flushes
    # float32 subnormals (silu(-100) = -3.8e-42) to 0
    inner = slice(1, -1)
    np.testing.assert_allclose(
        ours.data[inner], theirs.detach().numpy()[inner], rtol=1e-6, atol=1e-30
    )
    np.testing.assert_allclose(x.grad.data[inner], t.grad.numpy()[inner], rtol=1e-6, atol=1e-30)
    np.testing.assert_array_equal(ours.data[[0, -1]], _extremes(name, options, values[[0, -1]]))
    np.testing.assert_array_equal(tangent.data, x.grad.data)


def _extremes(name, options, ends):
    """The limits at -big and +big: 0 or -big, and +big (or 0, a negative-beta softplus)."""
    low, high = ends
    if name == "hardtanh":
        return [options.get("min_val", -1.0), options.get("max_val", 1.0)]
    if name in ("elu", "selu"):
        scale = SELU_SCALE if name == "selu" else 1.0
        alpha = SELU_ALPHA if name == "selu" else options.get("alpha", 1.0)
        return np.array([-alpha * scale, high * scale], low.dtype)
    if name == "softplus" and options.get("beta", 1.0) < 0:
        return [low, 0.0]
    return [0.0, high]


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

KINKS = [
    ("hardtanh", {}, [-1.0, 1.0, -1.0 - 1e-9, 1.0 + 1e-9, 0.0]),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, [-2.0, 0.5, 0.4999, -1.9999]),
    ("elu", {"alpha": 0.5}, [0.0, -0.0, 1e-300, -1e-300]),
    ("selu", {}, [0.0, -1e-300]),
    ("softplus", {}, [20.0, 20.000001, 19.999999]),  # PyTorch's switch: x > threshold
    ("softplus", {"beta": 2.0, "threshold": 3.0}, [1.5, 1.5000001, 1.4999999]),
    ("gelu", {}, [0.0, -1.0, 8.0]),
    ("gelu", {"approximate": "tanh"}, [0.0, -1.0, 8.0]),
    ("silu", {}, [0.0, -40.0, 40.0]),
]


@pytest.mark.parametrize(("name", "options", "points"), KINKS)
def test_activation_at_kinks_and_switches_matches_torch(name, options, points):
    values = np.array(points)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    _ours(name, options)(x).sum().backward()
    theirs = _theirs(name, options)(t)
    theirs.sum().backward()
    np.testing.assert_allclose(
        _ours(name, options)(cr.tensor(values)).data, theirs.detach().numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-300)


def _gelu_reference(x, approximate):
    """GELU and its derivative in Python's math, as x * P and P + x P' for the CDF P: exact
    in the far tail, where torch's 1 + erf(x / sqrt 2) and 1 + tanh(u) cancel to 0."""
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        u = k * (x + 0.044715 * x**3)
        p = 1 / (1 + math.exp(-2 * u))
        return x * p, p + x * 2 * p * (1 - p) * k * (1 + 3 * 0.044715 * x * x)
    p = math.erfc(-x / math.sqrt(2)) / 2
    return x * p, p + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_far_tail_is_exact_where_torch_cancels_to_zero(approximate):
    values = np.array([-3.0, -5.0, -8.0, -12.0, -20.0])
    if approximate == "none":
        values = np.append(values, [-30.0, -37.0])
    x = cr.tensor(values, requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    y.sum().backward()
    expected = np.array([_gelu_reference(v, approximate) for v in values])
    # rtol: erfc(z) has condition number 2 z**2, so the rounding of -x / sqrt(2) alone moves
    # erfc(21.2) by 1e-13 relative
    np.testing.assert_allclose(y.data, expected[:, 0], rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, expected[:, 1], rtol=1e-12)


@pytest.mark.parametrize(("case", "name", "options"), ACTIVATIONS[:-2], ids=IDS[:-2])
def test_float_activation_of_integers_is_float32(case, name, options):
    # torch refuses integer input here ("not implemented for 'Long'"); chainrule, as its tanh
    # and sigmoid, computes in float32: torch's values on the same numbers (in float64, as
    # torch's float32 gelu(-3) is off by 1.3e-4 relative)
    values = np.array([-3, -1, 0, 2, 50], dtype=np.int64)
    ours = _ours(name, options)(cr.tensor(values))
    theirs = _theirs(name, options)(torch.tensor(values, dtype=torch.float64))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


INTEGER_BOUNDS = [(-1.0, 1.0), (-1.5, 1.7), (-2.7, 2.5), (0.0, 1.0), (0.5, 2.9)]


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [(d, lo, hi) for d in (np.int64, np.int32, np.int8) for lo, hi in INTEGER_BOUNDS]
    + [(np.uint8, lo, hi) for lo, hi in INTEGER_BOUNDS if lo >= 0],  # else refused, as torch
)
def test_hardtanh_of_integers_stays_integer_with_truncated_bounds_like_torch(dtype, low, high):
    values = np.array([0, 1, 2, 3] if dtype == np.uint8 else [-3, -2, -1, 0, 1, 2, 3], dtype)
    ours = F.hardtanh(cr.tensor(values), low, high)
    theirs = TF.hardtanh(torch.tensor(values), low, high)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_hardtanh_errors_match_torch():
    x = cr.tensor([0.5, 2.0])
    with pytest.raises(ValueError, match="min_val cannot be greater"):
        TF.hardtanh(torch.tensor([0.5]), 2.0, -1.0)
    with pytest.raises(ValueRangeError, match=r"hardtanh: min_val \(2.0\) cannot be greater"):
        F.hardtanh(x, 2.0, -1.0)
    np.testing.assert_array_equal(F.hardtanh(x, 0.7, 0.7).data, np.float32([0.7, 0.7]))  # allowed
    with pytest.raises(RuntimeError, match="unsigned type with negative limits"):
        TF.hardtanh(torch.tensor([1], dtype=torch.uint8))
    with pytest.raises(DTypeError, match="hardtanh: an unsigned integer input"):
        F.hardtanh(cr.tensor(np.array([1], np.uint8)))
    with pytest.raises(RuntimeError, match="Bool inputs not supported"):
        TF.hardtanh(torch.tensor([True]))
    with pytest.raises(DTypeError, match="hardtanh: boolean input"):
        F.hardtanh(cr.tensor(np.array([True])))
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        torch.nn.Hardtanh(1.0, 1.0)
    with pytest.raises(ValueRangeError, match=r"Hardtanh: max_val \(1.0\) must be greater"):
        nn.Hardtanh(1.0, 1.0)


def test_gelu_approximate_is_checked_like_torch():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        TF.gelu(torch.zeros(2), approximate="erf")
    with pytest.raises(ValueRangeError, match="gelu: approximate must be 'none' or 'tanh'"):
        F.gelu(cr.zeros(2), approximate="erf")
    with pytest.raises(ValueRangeError, match="GELU: approximate must be 'none' or 'tanh'"):
        nn.GELU("erf")


@pytest.mark.parametrize(
    "call",
    [
        lambda x: F.elu(x, inplace=True),
        lambda x: F.selu(x, True),
        lambda x: F.silu(x, inplace=True),
        lambda x: F.hardtanh(x, inplace=True),
        lambda x: nn.ELU(inplace=True),
        lambda x: nn.SELU(True),
        lambda x: nn.SiLU(inplace=True),
        lambda x: nn.Hardtanh(inplace=True),
    ],
)
def test_inplace_is_refused_not_ignored(call):
    x = cr.tensor([-1.0, 2.0])
    with pytest.raises(ValueRangeError, match="inplace=True is not supported"):
        call(x)
    np.testing.assert_array_equal(x.data, [-1.0, 2.0])


MODULES = [
    (lambda m: m.ELU(), {}),
    (lambda m: m.ELU(alpha=0.5), {}),
    (lambda m: m.ELU(2), {}),
    (lambda m: m.SELU(), {}),
    (lambda m: m.SiLU(), {}),
    (lambda m: m.GELU(), {}),
    (lambda m: m.GELU(approximate="tanh"), {}),
    (lambda m: m.GELU("tanh"), {}),
    (lambda m: m.Softplus(), {}),
    (lambda m: m.Softplus(2, 10), {}),
    (lambda m: m.Softplus(beta=0.5, threshold=4.0), {}),
    (lambda m: m.Hardtanh(), {}),
    (lambda m: m.Hardtanh(-2, 3), {}),
    (lambda m: m.Hardtanh(min_val=-0.5, max_val=0.25), {}),
    (lambda m: m.Identity(), {}),
    (lambda m: m.Identity(3, 4, bias=False), {}),
]


@pytest.mark.parametrize("index", range(len(MODULES)))
def test_activation_modules_match_torch_in_value_gradient_and_repr(index):
    make, _ = MODULES[index]
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert not list(ours.parameters())
    values = _inputs((3, 4), seed=6)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, expected = ours(x), theirs(t)
    (y * y).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_hardtanh_module_takes_the_deprecated_keywords_with_torchs_warning():
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        theirs = torch.nn.Hardtanh(min_value=-0.5)
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        ours = nn.Hardtanh(min_value=-0.5)
    with pytest.warns(FutureWarning, match="`max_value` is deprecated"):
        assert nn.Hardtanh(max_value=2.0).max_val == 2.0
    assert repr(ours) == repr(theirs) == "Hardtanh(min_val=-0.5, max_val=1.0)"


def test_identity_returns_its_input_and_sits_in_sequential():
    x = cr.tensor([[1.0, -2.0]], requires_grad=True)
    assert nn.Identity(54, unused_argument1=0.1)(x) is x
    model = nn.Sequential(nn.Linear(2, 3), nn.Identity(), nn.GELU())
    assert "(1): Identity()" in repr(model)
    model(x).sum().backward()
    assert x.grad.shape == (1, 2)


def test_selu_constants_are_torchs():
    # selu(x) for x > 0 is scale * x; for x -> -inf it tends to -scale * alpha
    x = torch.tensor([1.0, -800.0], dtype=torch.float64)
    np.testing.assert_array_equal(F.selu(cr.tensor(x.numpy())).data, TF.selu(x).numpy())


# ---- erf / erfc -----------------------------------------------------------------------------

ERF_POINTS = np.concatenate(
    [
        np.linspace(-7.0, 7.0, 20001),  # all three of Cody's intervals, and their joins
        np.random.default_rng(8).standard_normal(5000) * 3,
        np.geomspace(1e-300, 1.0, 400),
        -np.geomspace(1e-300, 1.0, 400),
        [0.0, 0.46875, -0.46875, np.nextafter(0.46875, 1), 4.0, np.nextafter(4.0, 5), 6.0],
    ]
)
ERFC_POINTS = np.concatenate([ERF_POINTS, np.linspace(-27.0, 27.0, 5401)])


def _relative_error(ours, reference):
    return np.max(np.abs(ours - reference) / np.abs(reference))


def test_erf_matches_math_erf_to_float64_rounding():
    reference = np.array([math.erf(v) for v in ERF_POINTS])
    nonzero = reference != 0
    # measured 4.4e-16 (2 ulp) at worst; bound 1e-15
    assert _relative_error(erf(ERF_POINTS)[nonzero], reference[nonzero]) < 1e-15
    assert erf(np.array(0.0)) == 0.0


def test_erfc_matches_math_erfc_to_float64_rounding_in_the_normal_range():
    reference = np.array([math.erfc(v) for v in ERFC_POINTS])
    normal = reference >= np.finfo(np.float64).tiny  # below, subnormals lose relative precision
    ours = erfc(ERFC_POINTS)
    # measured 8.2e-16 at worst (erfc(25) = 8.3e-274 included); bound 2e-15
    assert _relative_error(ours[normal], reference[normal]) < 2e-15
    np.testing.assert_allclose(ours[~normal], reference[~normal], rtol=0, atol=1e-322)


def test_erf_limits_dtypes_and_no_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        values = np.array([-np.inf, -1e300, -30.0, 30.0, 1e300, np.inf])
        np.testing.assert_array_equal(erf(values), [-1, -1, -1, 1, 1, 1])
        np.testing.assert_array_equal(erfc(values), [2, 2, 2, 0, 0, 0])
    assert np.isnan(erf(np.array([np.nan]))).all() and np.isnan(erfc(np.array([np.nan]))).all()
    x32 = np.linspace(-5, 5, 101, dtype=np.float32)
    assert erf(x32).dtype == np.float32 and erfc(x32).dtype == np.float32
    assert erf(np.arange(3)).dtype == np.float32
    np.testing.assert_allclose(erf(x32), torch.erf(torch.tensor(x32)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(erfc(x32), torch.erfc(torch.tensor(x32)).numpy(), rtol=1e-5)
