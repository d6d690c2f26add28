"""PyTorch parity of fmod, remainder, logit and median (functions and methods): values and
gradients against torch 2.13 in float64 and float32, finite differences, dims and errors."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ShapeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.uniform(-6, 6, (3, 5))
B = np.array([1.5, -2.0, 0.7, -0.3, 2.2])
P = RNG.uniform(0.05, 0.95, (3, 5))
X = RNG.standard_normal((4, 5))


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)], ids=str)
@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_remainders_match_torch(name, dtype, tol):
    a, b = A.astype(dtype), B.astype(dtype)
    xa, xb = cr.tensor(a, requires_grad=True), cr.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours, theirs = getattr(cr, name)(xa, xb), getattr(torch, name)(ta, tb)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(xa.grad.data, ta.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xb.grad.data, tb.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_array_equal(getattr(xa, name)(2.5).data, getattr(cr, name)(xa, 2.5).data)
    assert cr.gradcheck(getattr(cr, name), (A, B))


@pytest.mark.parametrize("eps", [None, 0.2])
def test_logit_matches_torch(eps):
    x, t = cr.tensor(P, requires_grad=True), torch.tensor(P, requires_grad=True)
    ours, theirs = cr.logit(x, eps), torch.logit(t, eps)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)
    assert (
        x.logit(eps).dtype == np.float64
        and cr.tensor(P.astype(np.float32)).logit(eps).dtype == np.float32
    )


@pytest.mark.parametrize(
    "options", [{}, {"dim": 0}, {"dim": 1, "keepdim": True}, {"dim": -1}], ids=str
)
def test_median_matches_torch(options):
    x, t = cr.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    ours, theirs = cr.median(x, **options), torch.median(t, **options)
    if options:
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
        ours, theirs = ours.values, theirs.values
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy())
    method = x.median(**options)
    np.testing.assert_array_equal((method.values if options else method).data, ours.data)


def test_median_errors():
    with pytest.raises(ShapeError, match="median: the tensor has no elements"):
        cr.median(cr.tensor(np.zeros(0)))
    with pytest.raises(ShapeError, match="median: dimension 1 has no elements"):
        cr.median(cr.tensor(np.zeros((2, 0))), 1)
