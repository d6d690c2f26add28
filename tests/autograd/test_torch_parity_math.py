"""PyTorch parity of the elementwise maths (log1p ... sign), the reductions prod, cumsum,
amax/amin, norm, all/any, the predicates and comparisons, and the Tensor method aliases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import jvp
from chainrule.errors import DTypeError, GraphError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

DTYPES = [np.float32, np.float64]
TOL = {np.float32: {"rtol": 2e-5, "atol": 1e-6}, np.float64: {"rtol": 1e-12, "atol": 1e-14}}
SHAPES = [(), (5,), (2, 3), (4, 2, 3)]


def _torch(array, requires_grad=False):
    return torch.tensor(np.asarray(array), requires_grad=requires_grad)


def _check_against_torch(ours_fn, torch_fn, arrays, dtype, seed=0):
    """``ours_fn`` and ``torch_fn`` on the same arrays (cast to ``dtype``): the values, their
    dtype, and the gradients of every input under the same random output weights."""
    arrays = [np.asarray(a, dtype=dtype) for a in arrays]
    xs = [cr.tensor(a, requires_grad=True) for a in arrays]
    ts = [_torch(a, requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*xs), torch_fn(*ts)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), **TOL[dtype])
    weights = np.random.default_rng(seed).standard_normal(ours.shape).astype(dtype)
    ours.backward(gradient=weights)
    theirs.backward(gradient=_torch(weights))
    for x, t in zip(xs, ts, strict=True):
        their_grad = np.zeros_like(x.data) if t.grad is None else t.grad.numpy()
        assert x.grad.dtype == dtype and x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad.data, their_grad, **TOL[dtype])


def _check_jvp_against_torch(ours_fn, torch_fn, arrays, seed=1):
    rng = np.random.default_rng(seed)
    tangents = [rng.standard_normal(np.shape(a)) for a in arrays]
    _, ours = jvp(ours_fn, tuple(arrays), tuple(tangents))
    _, theirs = torch.func.jvp(
        torch_fn, tuple(_torch(a) for a in arrays), tuple(_torch(t) for t in tangents)
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)


# ---- elementwise maths -----------------------------------------------------------------------

# name -> a sampler of inputs inside the op's domain
UNARY = {
    "log1p": lambda rng, shape: rng.uniform(-0.9, 3.0, shape),
    "expm1": lambda rng, shape: rng.standard_normal(shape),
    "sin": lambda rng, shape: rng.uniform(-6.0, 6.0, shape),
    "cos": lambda rng, shape: rng.uniform(-6.0, 6.0, shape),
    "square": lambda rng, shape: rng.standard_normal(shape),
    "rsqrt": lambda rng, shape: rng.uniform(0.2, 4.0, shape),
    "sign": lambda rng, shape: rng.standard_normal(shape),
}


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_math_values_and_gradients_match_torch(name, dtype, shape):
    values = UNARY[name](np.random.default_rng(0), shape)
    torch_fn = getattr(torch, name)
    _check_against_torch(getattr(cr, name), torch_fn, [values], dtype)
    _check_against_torch(lambda x: getattr(x, name)(), torch_fn, [values], dtype)


@pytest.mark.parametrize("name", [n for n in UNARY if n != "sign"])
def test_unary_math_matches_finite_differences(name):
    values = UNARY[name](np.random.default_rng(2), (3, 4))
    assert cr.gradcheck(getattr(cr, name), (values,))


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_math_forward_mode_matches_torch(name):
    values = UNARY[name](np.random.default_rng(3), (2, 5))
    _check_jvp_against_torch(getattr(cr, name), getattr(torch, name), [values])


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int8, np.int32, np.int64])
def test_unary_math_of_integers_and_booleans_has_torch_dtype(name, dtype):
    values = np.array([0, 1, 3, 2]).astype(dtype)  # rsqrt(0) = inf, log1p and square stay small
    ours, theirs = getattr(cr, name)(cr.tensor(values)), getattr(torch, name)(_torch(values))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
    assert not ours.requires_grad


def test_sign_of_zero_and_nan_is_zero_and_its_gradient_is_zero_like_torch():
    values = np.array([np.nan, -0.0, 0.0, -2.5, 3.0, np.inf, -np.inf])
    x = cr.tensor(values, requires_grad=True)
    t = _torch(values, requires_grad=True)
    y, ty = x.sign(), t.sign()
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
    np.testing.assert_array_equal(x.grad.data, np.zeros(7))


def test_rsqrt_at_zero_is_inf_with_torch_gradient_and_no_warning():
    x = cr.tensor([0.0, 4.0], requires_grad=True)
    t = _torch([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = cr.rsqrt(x)
        y.sum().backward()
    t.rsqrt().sum().backward()
    np.testing.assert_array_equal(y.data, [np.inf, 0.5])
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


# ---- prod ------------------------------------------------------------------------------------

PROD_CASES = [
    ((), None, False),
    ((), 0, True),
    ((5,), None, False),
    ((5,), 0, True),
    ((3, 4), 1, False),
    ((3, 4), -2, True),
    ((2, 3, 4), 1, False),
    ((2, 3, 4), -1, True),
    ((2, 3, 4), None, False),
]


def _with_zeros(shape, seed, zeros):
    """Random values with ``zeros`` zeros written at random positions."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)
    flat = values.reshape(-1)
    flat[rng.choice(flat.size, size=min(zeros, flat.size), replace=False)] = 0
    return values


@pytest.mark.parametrize(("shape", "dim", "keepdim"), PROD_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("zeros", [0, 1, 2, 3])
def test_prod_values_and_gradients_match_torch_with_zeros(shape, dim, keepdim, dtype, zeros):
    values = _with_zeros(shape, seed=zeros, zeros=zeros)

    def torch_prod(t):
        return t.prod() if dim is None else t.prod(dim=dim, keepdim=keepdim)

    _check_against_torch(lambda x: x.prod(dim, keepdim), torch_prod, [values], dtype)
    _check_against_torch(
        lambda x: cr.prod(x, dim=dim, keepdim=keepdim), torch_prod, [values], dtype
    )


def test_prod_gradient_with_zeros_per_row():
    # rows with no zero, one zero and two zeros: y / x, the product of the rest at the zero, 0
    values = np.array([[2.0, 3.0, 4.0], [2.0, 0.0, 4.0], [0.0, 3.0, 0.0]])
    x = cr.tensor(values, requires_grad=True)
    x.prod(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[12.0, 8.0, 6.0], [0.0, 8.0, 0.0], [0.0] * 3])


@pytest.mark.parametrize("zeros", [0, 1, 2])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_matches_finite_differences_with_zeros(zeros, dim):
    values = _with_zeros((3, 4), seed=5, zeros=zeros)  # multilinear: exact even at the zeros
    assert cr.gradcheck(lambda x: cr.prod(x, dim=dim), (values,))


@pytest.mark.parametrize("dim", [None, 1])
def test_prod_forward_mode_matches_torch(dim):
    values = _with_zeros((3, 4), seed=6, zeros=0)
    _check_jvp_against_torch(
        lambda x: x.prod(dim), lambda t: t.prod() if dim is None else t.prod(dim), [values]
    )


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int32, np.int64])
def test_prod_and_cumsum_of_integers_are_int64_like_torch(dtype):
    values = np.array([[1, 2, 3], [1, 0, 2]]).astype(dtype)
    x, t = cr.tensor(values), _torch(values)
    for ours, theirs in ((x.prod(), t.prod()), (x.prod(1), t.prod(1)), (x.cumsum(1), t.cumsum(1))):
        assert ours.dtype == np.int64 and theirs.dtype == torch.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_prod_errors():
    x = cr.ones((2, 3))
    with pytest.raises(TypeError, match=r"prod: dim must be one int, got \(0, 1\)"):
        cr.prod(x, dim=(0, 1))
    with pytest.raises(ShapeError, match="prod: axis 2 is out of range"):
        x.prod(2)


# ---- cumsum ----------------------------------------------------------------------------------

CUMSUM_CASES = [((), 0), ((), -1), ((6,), 0), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1)]


@pytest.mark.parametrize(("shape", "dim"), CUMSUM_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_cumsum_values_and_gradients_match_torch(shape, dim, dtype):
    values = np.random.default_rng(7).standard_normal(shape)
    torch_fn = lambda t: torch.cumsum(t, dim)  # noqa: E731
    _check_against_torch(lambda x: cr.cumsum(x, dim), torch_fn, [values], dtype)
    _check_against_torch(lambda x: x.cumsum(dim=dim), torch_fn, [values], dtype)


@pytest.mark.parametrize(("shape", "dim"), CUMSUM_CASES)
def test_cumsum_matches_finite_differences_and_forward_mode_matches_torch(shape, dim):
    values = np.random.default_rng(8).standard_normal(shape)
    assert cr.gradcheck(lambda x: cr.cumsum(x, dim), (values,))
    _check_jvp_against_torch(lambda x: x.cumsum(dim), lambda t: t.cumsum(dim), [values])


def test_cumsum_errors():
    x = cr.ones((2, 3))
    with pytest.raises(TypeError):
        x.cumsum()  # dim is required, as in PyTorch
    with pytest.raises(TypeError, match="cumsum: dim must be one int"):
        cr.cumsum(x, (0, 1))
    with pytest.raises(ShapeError, match="cumsum: axis -3 is out of range"):
        cr.cumsum(x, -3)


# ---- amax / amin -----------------------------------------------------------------------------

EXTREME_CASES = [
    ((), {}),
    ((5,), {}),
    ((3, 4), {"dim": 1}),
    ((3, 4), {"dim": -2, "keepdim": True}),
    ((2, 3, 4), {"dim": (0, 2)}),
    ((2, 3, 4), {"dim": (-1, 1), "keepdim": True}),
    ((2, 3, 4), {"dim": ()}),
]


@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize(("shape", "keywords"), EXTREME_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_amax_amin_match_torch_ties_included(name, shape, keywords, dtype):
    values = np.random.default_rng(9).integers(-2, 3, shape).astype(float)  # many ties

    def torch_fn(t):
        return getattr(torch, name)(t, **keywords)

    _check_against_torch(lambda x: getattr(cr, name)(x, **keywords), torch_fn, [values], dtype)
    _check_against_torch(lambda x: getattr(x, name)(**keywords), torch_fn, [values], dtype)


def test_amax_matches_finite_differences():
    values = np.random.default_rng(10).standard_normal((3, 4))
    assert cr.gradcheck(lambda x: cr.amax(x, dim=1), (values,))
    assert cr.gradcheck(lambda x: x.amin(dim=(0, 1), keepdim=True), (values,))


def test_amax_errors_name_the_op():
    with pytest.raises(ShapeError, match="amax: axis 2 is out of range"):
        cr.amax(cr.ones((2, 3)), dim=2)
    with pytest.raises(ShapeError, match="amin: repeated axis"):
        cr.ones((2, 3)).amin(dim=(1, -1))


# ---- norm ------------------------------------------------------------------------------------

P_VALUES = ["fro", 2, 1, math.inf, -math.inf, 0, 0.5, 1.5, 3, -1.0]
NORM_DIMS = [
    ((5,), {}),
    ((3, 4), {}),
    ((3, 4), {"dim": 1}),
    ((3, 4), {"dim": -2, "keepdim": True}),
    ((2, 3, 4), {"dim": (0, 2)}),
    ((), {}),
]


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize(("shape", "keywords"), NORM_DIMS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_norm_values_and_gradients_match_torch(p, shape, keywords, dtype):
    values = np.random.default_rng(11).standard_normal(shape)

    def torch_fn(t):
        return torch.norm(t, p, **keywords)

    _check_against_torch(lambda x: cr.norm(x, p, **keywords), torch_fn, [values], dtype)
    _check_against_torch(lambda x: x.norm(p=p, **keywords), torch_fn, [values], dtype)


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_norm_at_zero_vector_and_at_zero_elements_matches_torch(p, dtype):
    # row 0 all zero (PyTorch's gradient there), row 1 with zeros, row 2 with tied extremes
    values = np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 1.5, -2.0, 0.0], [2.0, -2.0, 0.5, 2.0]])
    _check_against_torch(
        lambda x: x.norm(p, dim=1), lambda t: torch.norm(t, p, dim=1), [values], dtype
    )
    _check_against_torch(lambda x: x.norm(p), lambda t: torch.norm(t, p), [values[0]], dtype)


@pytest.mark.parametrize("p", ["fro", 1, math.inf, -math.inf, 0.5, 1.5, 3, -1.0])
def test_norm_matches_finite_differences(p):
    # magnitudes away from 0 (|x| kinks) and distinct (no tied extremes)
    rng = np.random.default_rng(12)
    values = rng.permutation(np.linspace(0.5, 2.0, 12)).reshape(3, 4) * rng.choice([-1, 1], (3, 4))
    assert cr.gradcheck(lambda x: cr.norm(x, p, dim=1), (values,))
    assert cr.gradcheck(lambda x: x.norm(p), (values,))


@pytest.mark.parametrize("p", [2, 1, math.inf, 0.5, 3])
def test_norm_forward_mode_matches_torch(p):
    values = np.random.default_rng(13).standard_normal((3, 4))
    _check_jvp_against_torch(
        lambda x: x.norm(p, dim=0), lambda t: torch.norm(t, p, dim=0), [values]
    )


def test_norm_errors():
    with pytest.raises(DTypeError, match="norm: expected a floating-point tensor, got dtype int"):
        cr.norm(cr.tensor([1, 2]))
    with pytest.raises(ValueRangeError, match="norm: p='nuc' is not a vector norm"):
        cr.ones((2, 2)).norm("nuc")
    with pytest.raises(ShapeError, match="norm: p='fro' takes at most 2 dims"):
        cr.ones((2, 2, 2)).norm("fro", dim=(0, 1, 2))
    with pytest.raises(ValueRangeError, match="norm: p must be a number or 'fro', got nan"):
        cr.norm(cr.ones(3), math.nan)
    with pytest.raises(ShapeError, match="norm: axis 1 is out of range"):
        cr.norm(cr.ones(3), dim=1)


# ---- all / any -------------------------------------------------------------------------------

TRUTH_CASES = [
    ((), {}),
    ((6,), {}),
    ((3, 4), {"dim": 1}),
    ((3, 4), {"dim": -2, "keepdim": True}),
    ((2, 3, 4), {"dim": (0, 2)}),
]


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize(("shape", "keywords"), TRUTH_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.bool_])
def test_all_any_match_torch_and_are_boolean(name, shape, keywords, dtype):
    rng = np.random.default_rng(14)
    special = [np.nan, 1.0, -2.0] if dtype in DTYPES else [1.0, -2.0]  # NaN counts as true
    values = (rng.integers(0, 2, shape) * rng.choice(special, shape)).astype(dtype)
    x = cr.tensor(values, requires_grad=dtype in DTYPES)
    theirs = getattr(torch, name)(_torch(values), **keywords)
    for ours in (getattr(cr, name)(x, **keywords), getattr(x, name)(**keywords)):
        assert ours.dtype == np.bool_ and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy().astype(bool))
        assert ours.shape == tuple(theirs.shape)


def test_all_any_refuse_what_is_not_a_tensor_of_numbers():
    with pytest.raises(DTypeError, match="any: expected a tensor of numbers, got generator"):
        cr.any(x > 0 for x in range(3))  # the builtin was meant


# ---- predicates and comparisons --------------------------------------------------------------

SPECIAL = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 3.0])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_predicates_match_torch(name, dtype):
    values = SPECIAL.astype(dtype).reshape(2, 3)
    x = cr.tensor(values, requires_grad=True)
    theirs = getattr(torch, name)(_torch(values)).numpy()
    for ours in (getattr(cr, name)(x), getattr(x, name)()):
        assert ours.dtype == np.bool_ and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_])
def test_predicates_of_integers_match_torch(name, dtype):
    values = np.array([0, 1, 2]).astype(dtype)
    ours = getattr(cr, name)(cr.tensor(values))
    np.testing.assert_array_equal(ours.data, getattr(torch, name)(_torch(values)).numpy())


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
@pytest.mark.parametrize("other", ["tensor", "broadcast", "scalar"])
def test_comparison_methods_match_torch(name, other):
    rng = np.random.default_rng(15)
    a = rng.integers(-1, 2, (3, 4)).astype(np.float32)
    b = {
        "tensor": rng.integers(-1, 2, (3, 4)).astype(np.float32),
        "broadcast": rng.integers(-1, 2, (4,)).astype(np.float32),
        "scalar": 0.0,
    }[other]
    ours = getattr(cr.tensor(a), name)(b if other == "scalar" else cr.tensor(b))
    theirs = getattr(_torch(a), name)(b if other == "scalar" else _torch(b))
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_comparison_methods_refuse_shapes_that_do_not_broadcast():
    with pytest.raises(ShapeError, match="cannot compare a tensor of shape"):
        cr.ones((2, 3)).lt(cr.ones(4))


ALLCLOSE_CASES = [
    ([1.0, 2.0], [1.0, 2.0 + 1e-6], {}),
    ([1.0, 2.0], [1.0, 2.001], {}),
    ([1.0, 2.0], [1.0, 2.001], {"rtol": 1e-3}),
    ([0.0], [1e-9], {}),
    ([0.0], [1e-7], {}),
    ([0.0], [1e-7], {"atol": 1e-6}),
    ([np.nan, 1.0], [np.nan, 1.0], {}),
    ([np.nan, 1.0], [np.nan, 1.0], {"equal_nan": True}),
    ([np.inf, -np.inf], [np.inf, -np.inf], {}),
    ([np.inf], [-np.inf], {}),
    ([[1.0, 2.0], [1.0, 2.0]], [1.0, 2.0], {}),  # broadcast
    ([1.0, 1.0], [1.0], {}),
    ([100.0], [101.0], {"rtol": 0.0099}),  # |a - b| <= rtol * |b| with b, not a
    ([101.0], [100.0], {"rtol": 0.0099}),
]


@pytest.mark.parametrize(("a", "b", "keywords"), ALLCLOSE_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_allclose_matches_torch(a, b, keywords, dtype):
    a, b = np.array(a, dtype=dtype), np.array(b, dtype=dtype)
    ours = cr.allclose(cr.tensor(a), cr.tensor(b), **keywords)
    assert type(ours) is bool
    assert ours == torch.allclose(_torch(a), _torch(b), **keywords)


def test_allclose_errors():
    with pytest.raises(DTypeError, match="allclose: dtypes differ: float32 and float64"):
        cr.allclose(cr.ones(2), cr.ones(2, dtype=np.float64))
    with pytest.raises(ShapeError, match=r"allclose: shapes \(2,\), \(3,\) cannot be broadcast"):
        cr.allclose(cr.ones(2), cr.ones(3))


EQUAL_CASES = [
    (np.array([1.0, 2.0]), np.array([1.0, 2.0])),
    (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    (np.array([1.0, 2.0], dtype=np.float32), np.array([1, 2])),  # dtypes may differ
    (np.array([1.0]), np.array([1.0, 1.0])),  # shapes may not (no broadcasting)
    (np.array([[1.0, 2.0]]), np.array([1.0, 2.0])),
    (np.array([np.nan]), np.array([np.nan])),
    (np.array(3.0), np.array(3.0)),
]


@pytest.mark.parametrize(("a", "b"), EQUAL_CASES)
def test_equal_matches_torch(a, b):
    ours = cr.equal(cr.tensor(a), cr.tensor(b))
    assert type(ours) is bool
    assert ours == torch.equal(_torch(a), _torch(b))


# ---- method aliases --------------------------------------------------------------------------

BINARY_SHAPES = [((3, 4), (3, 4)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,))]


@pytest.mark.parametrize("name", ["add", "sub"])
@pytest.mark.parametrize("alpha", [1, 2.5, -1])
@pytest.mark.parametrize(("shape_a", "shape_b"), BINARY_SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_add_sub_with_alpha_match_torch(name, alpha, shape_a, shape_b, dtype):
    rng = np.random.default_rng(16)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    _check_against_torch(
        lambda x, y: getattr(x, name)(y, alpha=alpha),
        lambda x, y: getattr(x, name)(y, alpha=alpha),
        [a, b],
        dtype,
    )


def test_add_sub_with_a_scalar_and_alpha_match_torch():
    x = cr.tensor([1.0, 2.0])
    np.testing.assert_array_equal(x.add(3, alpha=2).data, torch.tensor([1.0, 2.0]).add(3, alpha=2))
    assert x.sub(0.5, alpha=3).dtype == np.float32
    np.testing.assert_array_equal(x.sub(0.5, alpha=3).data, [-0.5, 0.5])
    integers = cr.tensor([1, 2]).add(cr.tensor([1, 1]), alpha=2)
    assert integers.dtype == np.int64 and integers.tolist() == [3, 4]


def test_add_refuses_a_float_alpha_for_integers_like_torch():
    with pytest.raises(DTypeError, match="add: alpha must be an integer for integer tensors"):
        cr.tensor([1, 2]).add(1, alpha=0.5)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).add(1, alpha=0.5)


@pytest.mark.parametrize("name", ["mul", "div", "pow"])
@pytest.mark.parametrize(("shape_a", "shape_b"), BINARY_SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mul_div_pow_methods_match_torch(name, shape_a, shape_b, dtype):
    rng = np.random.default_rng(17)
    a, b = rng.uniform(0.5, 2.0, shape_a), rng.uniform(0.5, 2.0, shape_b)

    def call(x, y):
        return getattr(x, name)(y)

    _check_against_torch(call, call, [a, b], dtype)


def test_neg_method_matches_torch_and_scalar_operands_keep_float32():
    values = np.random.default_rng(18).standard_normal((2, 3))
    _check_against_torch(lambda x: x.neg(), lambda t: t.neg(), [values], np.float32)
    x = cr.tensor(values, dtype=np.float32)
    for y in (x.mul(2.0), x.div(3.0), x.pow(2.0), x.div(x, rounding_mode=None)):
        assert y.dtype == np.float32


@pytest.mark.parametrize("mode", ["floor", "trunc", "round"])
def test_div_refuses_rounding_modes_by_name(mode):
    with pytest.raises(ValueRangeError, match=f"div: rounding_mode='{mode}' is not supported"):
        cr.ones(2).div(2.0, rounding_mode=mode)


@pytest.mark.parametrize("shape", [(), (4,), (3, 4), (1, 5)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_t_matches_torch(shape, dtype):
    values = np.random.default_rng(19).standard_normal(shape)
    _check_against_torch(lambda x: x.t(), lambda t: t.t(), [values], dtype)


def test_t_refuses_more_than_two_dimensions_like_torch():
    with pytest.raises(ShapeError, match=r"t: expects a tensor with at most 2 dimensions"):
        cr.ones((2, 3, 4)).t()
    with pytest.raises(RuntimeError):
        torch.ones(2, 3, 4).t()


@pytest.mark.parametrize("dtype", DTYPES)
def test_mm_and_dot_match_torch(dtype):
    rng = np.random.default_rng(20)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    _check_against_torch(cr.mm, torch.mm, [a, b], dtype)
    _check_against_torch(lambda x, y: x.mm(y), lambda x, y: x.mm(y), [a, b], dtype)
    u, v = rng.standard_normal(5), rng.standard_normal(5)
    _check_against_torch(cr.dot, torch.dot, [u, v], dtype)


def test_mm_and_dot_match_finite_differences():
    rng = np.random.default_rng(21)
    assert cr.gradcheck(cr.mm, (rng.standard_normal((3, 4)), rng.standard_normal((4, 2))))
    assert cr.gradcheck(cr.dot, (rng.standard_normal(4), rng.standard_normal(4)))


@pytest.mark.parametrize(
    ("fn", "a", "b", "error", "message"),
    [
        (cr.mm, (3,), (3, 2), ShapeError, r"mm: expected two matrices \(2-D\), got shapes \(3,\)"),
        (cr.mm, (2, 3, 4), (4, 2), ShapeError, "mm: expected two matrices"),
        (cr.mm, (3, 4), (3, 2), ShapeError, r"mm: inner dimensions differ: \(3, 4\) @ \(3, 2\)"),
        (cr.dot, (3,), (3, 1), ShapeError, "dot: expected two 1-D tensors"),
        (cr.dot, (), (), ShapeError, "dot: expected two 1-D tensors"),
        (cr.dot, (3,), (4,), ShapeError, r"dot: the vectors' lengths differ: \(3,\) and \(4,\)"),
    ],
)
def test_mm_and_dot_shape_errors(fn, a, b, error, message):
    with pytest.raises(error, match=message):
        fn(cr.ones(a), cr.ones(b))
    with pytest.raises(RuntimeError):  # torch refuses each too
        getattr(torch, fn.__name__)(torch.ones(a), torch.ones(b))


@pytest.mark.parametrize("fn", [cr.mm, cr.dot])
def test_mm_and_dot_refuse_mixed_dtypes_like_torch(fn):
    shape = (2, 2) if fn is cr.mm else (2,)
    with pytest.raises(DTypeError, match=f"{fn.__name__}: expected operands of one dtype"):
        fn(cr.ones(shape), cr.ones(shape, dtype=np.float64))


CLAMP_CASES = [
    {"min": -0.5, "max": 0.5},
    {"min": 0.0},
    {"max": -0.25},
    {"min": np.full(4, -0.1), "max": np.linspace(0.0, 1.0, 4)},  # tensor bounds, broadcast
]


@pytest.mark.parametrize("bounds", CLAMP_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_in_place_matches_torch(bounds, dtype):
    values = np.random.default_rng(22).standard_normal((3, 4)).astype(dtype)
    x, t = cr.tensor(values), _torch(values)
    ours = {
        k: cr.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v for k, v in bounds.items()
    }
    theirs = {
        k: _torch(v.astype(dtype)) if isinstance(v, np.ndarray) else v for k, v in bounds.items()
    }
    data = x.data
    assert x.clamp_(**ours) is x
    t.clamp_(**theirs)
    assert x.data is data and x.dtype == dtype  # in place
    np.testing.assert_array_equal(x.data, t.numpy())


def test_clamp_in_place_goes_through_the_version_check():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    x = cr.tensor([3.0, -4.0])
    y = (w * x).sum()  # saves x for backward
    x.clamp_(-1.0, 1.0)
    with pytest.raises(GraphError):
        y.backward()
    with pytest.raises(GraphError, match="clamp_: in-place change of a tensor that requires grad"):
        w.clamp_(0.0, 1.0)


def test_clamp_in_place_errors():
    with pytest.raises(ValueError, match="clamp_: give min, max or both"):
        cr.ones(2).clamp_()
    with pytest.raises(DTypeError, match="clamp_: bounds 0.5, None cannot be stored"):
        cr.tensor([1, 2]).clamp_(0.5)
    with pytest.raises(RuntimeError):  # torch refuses a float bound for an integer tensor too
        torch.tensor([1, 2]).clamp_(0.5)
    with pytest.raises(ShapeError, match="clamp_"):
        cr.ones(2).clamp_(cr.zeros(3))
    integers = cr.tensor([-3, 1, 7]).clamp_(0, 5)
    assert integers.dtype == np.int64 and integers.tolist() == [0, 1, 5]
