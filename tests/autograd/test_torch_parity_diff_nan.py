"""PyTorch parity of diff, nansum, nanmean and count_nonzero: values and gradients against
torch 2.13 (float64 and float32), finite differences, all-NaN slices, dtypes and errors."""

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValueRangeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 5))
WITH_NAN = X.copy()
WITH_NAN[0, 1] = WITH_NAN[2, :] = np.nan

DIFFS = [
    {},
    {"n": 2},
    {"dim": 0},
    {"n": 0},
    {"n": 7},
    {"n": 2, "dim": 0, "prepend": np.ones((1, 5)), "append": np.zeros((2, 5))},
    {"prepend": np.full((3, 1), 2.0)},
]


def _torch_options(options):
    return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-6)], ids=str)
@pytest.mark.parametrize("options", DIFFS, ids=str)
def test_diff_matches_torch(options, dtype, tol):
    values = X.astype(dtype)
    cast = {k: v.astype(dtype) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = cr.diff(x, **cast), torch.diff(t, **_torch_options(cast))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == dtype
    weights = RNG.standard_normal(theirs.shape).astype(dtype)
    ours.backward(gradient=weights)
    theirs.backward(torch.tensor(weights))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol, atol=tol)


def test_diff_gradient_matches_finite_differences_and_errors():
    assert cr.gradcheck(lambda x: cr.diff(x, n=2, dim=1), X)
    assert cr.gradcheck(lambda x, p: x.diff(prepend=p), (X, RNG.standard_normal((3, 2))))
    with pytest.raises(ValueRangeError, match="diff: n must be a non-negative integer"):
        cr.diff(cr.tensor(X), n=-1)


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@pytest.mark.parametrize("options", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}], ids=str)
def test_nan_reductions_match_torch(name, options):
    x, t = cr.tensor(WITH_NAN, requires_grad=True), torch.tensor(WITH_NAN, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an all-NaN row gives NaN without a warning
        ours = getattr(cr, name)(x, **options)
        ours.sum().backward()
    theirs = getattr(torch, name)(t, **options)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, equal_nan=True)
    theirs.sum().backward()
    expected = t.grad.numpy()
    if name == "nanmean":  # an all-NaN slice: torch's gradient is NaN (0 / 0), ours 0
        np.testing.assert_array_equal(x.grad.data[np.isnan(expected)], 0.0)
        expected = np.nan_to_num(expected, nan=0.0)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)
    method = getattr(cr.tensor(WITH_NAN.astype(np.float32)), name)(**options)
    assert method.dtype == np.float32


def test_count_nonzero_matches_torch():
    values = np.array([[0, 1, 2], [0, 0, 3]])
    for options in ({}, {"dim": 0}, {"dim": 1}, {"dim": (0, 1)}):
        ours = cr.count_nonzero(cr.tensor(values), **options)
        theirs = torch.count_nonzero(torch.tensor(values), **options)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())
