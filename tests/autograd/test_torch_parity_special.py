"""PyTorch parity of the trigonometric, hyperbolic and error functions, atan2, rounding, frac,
clamp_min/max, lerp, addcmul/addcdiv, nan_to_num, the logical ops and cr.argmax/argmin:
values and gradients against torch 2.13 in float64 and float32, finite differences, dtypes."""

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
ANY = RNG.standard_normal((3, 4)) * 2
UNIT = RNG.uniform(-0.95, 0.95, (3, 4))
ABOVE_ONE = RNG.uniform(1.05, 4.0, (3, 4))

# (name, input): the same function of cr and of torch, where the input is in its domain
UNARY = [
    ("tan", ANY * 0.6),
    ("asin", UNIT),
    ("acos", UNIT),
    ("atan", ANY),
    ("sinh", ANY),
    ("cosh", ANY),
    ("asinh", ANY),
    ("acosh", ABOVE_ONE),
    ("atanh", UNIT),
    ("erf", ANY),
    ("erfc", ANY),
    ("frac", ANY),
]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 3e-6)], ids=str)
@pytest.mark.parametrize(("name", "values"), UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_and_gradients_match_torch(name, values, dtype, tol):
    values = values.astype(dtype)
    weights = RNG.standard_normal(values.shape).astype(dtype)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = getattr(cr, name)(x), getattr(torch, name)(t)
    assert getattr(x, name)().dtype == ours.dtype == dtype  # the method too
    ours.backward(gradient=weights)
    theirs.backward(torch.tensor(weights))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize(("name", "values"), UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradients_match_finite_differences(name, values):
    assert cr.gradcheck(getattr(cr, name), values)


def test_atan2_matches_torch_in_every_quadrant_with_broadcasting():
    a, b = ANY, np.array([1.5, -0.5, -2.0, 0.7])
    xa, xb = cr.tensor(a, requires_grad=True), cr.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    cr.atan2(xa, xb).sum().backward()
    torch.atan2(ta, tb).sum().backward()
    np.testing.assert_allclose(cr.atan2(a, b).data, torch.atan2(ta, tb).detach().numpy())
    np.testing.assert_allclose(xa.grad.data, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(xb.grad.data, tb.grad.numpy(), rtol=1e-12)
    assert cr.gradcheck(cr.atan2, (a, b))


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
def test_rounding_matches_torch_with_zero_gradient(name):
    values = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 0.2, 3.49])  # halves: to even
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = getattr(cr, name)(x), getattr(torch, name)(t)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
    integers = np.array([3, -2], dtype=np.int64)
    ours, theirs = (
        getattr(cr, name)(cr.tensor(integers)),
        getattr(torch, name)(torch.tensor(integers)),
    )
    assert ours.dtype == np.int64 and str(theirs.dtype) == "torch.int64"
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_round_to_decimals_matches_torch():
    values = np.array([1.2345, -2.5551, 0.125, 10.06])
    for decimals in (1, 2, -1):
        np.testing.assert_allclose(
            cr.round(cr.tensor(values), decimals=decimals).data,
            torch.round(torch.tensor(values), decimals=decimals).numpy(),
            rtol=1e-15,
        )


def test_compositions_match_torch():
    a, b, c = ANY, RNG.standard_normal((3, 4)), RNG.uniform(0.5, 2.0, 4)
    w = RNG.uniform(size=(3, 4))
    cases = [
        (lambda m, x, y, z: m.lerp(x, y, 0.3), (a, b, c)),
        (lambda m, x, y, z: m.lerp(x, y, z.expand(3, 4) if m is torch else z), (a, b, w[0])),
        (lambda m, x, y, z: m.addcmul(x, y, z, value=0.5), (a, b, c)),
        (lambda m, x, y, z: m.addcdiv(x, y, z, value=-2), (a, b, c)),
        (lambda m, x, y, z: m.clamp_min(x, 0.2) + m.clamp_max(y, -0.1) + z, (a, b, c)),
    ]
    for f, inputs in cases:
        ours_in = [cr.tensor(v, requires_grad=True) for v in inputs]
        theirs_in = [torch.tensor(v, requires_grad=True) for v in inputs]
        ours, theirs = f(cr, *ours_in), f(torch, *theirs_in)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
        for x, t in zip(ours_in, theirs_in, strict=True):
            if t.grad is None:  # an input the case does not use
                assert x.grad is None
            else:
                np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=str)
@pytest.mark.parametrize(
    "options", [{}, {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}], ids=["default", "given"]
)
def test_nan_to_num_matches_torch(options, dtype):
    values = np.array([np.nan, np.inf, -np.inf, 1.5, -0.25], dtype=dtype)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = cr.nan_to_num(x, **options), torch.nan_to_num(t, **options)
    ours.sum().backward()
    theirs.sum().backward()
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_logical_ops_and_argmax_match_torch():
    a, b = np.array([0, 1, 2, 0]), np.array([0.0, 0.0, 3.0, -1.0])
    for name in ("logical_and", "logical_or", "logical_xor"):
        ours = getattr(cr, name)(cr.tensor(a), cr.tensor(b))
        assert ours.dtype == np.bool_ and not ours.requires_grad
        np.testing.assert_array_equal(
            ours.data, getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        )
    np.testing.assert_array_equal(
        cr.logical_not(cr.tensor(a)).data, torch.logical_not(torch.tensor(a))
    )
    m = RNG.standard_normal((3, 5))
    for name in ("argmax", "argmin"):
        for options in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
            ours = getattr(cr, name)(cr.tensor(m), **options)
            theirs = getattr(torch, name)(torch.tensor(m), **options)
            assert ours.dtype == np.int64
            np.testing.assert_array_equal(ours.data, theirs.numpy())
