"""PyTorch parity of tril/triu, diag/diagonal/trace, outer, bmm, mv, roll, movedim/moveaxis,
swapaxes/swapdims, narrow, hstack and vstack (functions and methods): values and gradients
against torch 2.13 in float64 and float32, finite differences and errors."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
M = RNG.standard_normal((4, 5))
B3 = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal(4)

# (id, function of a library, inputs)
CASES = [
    ("tril", lambda m, x: m.tril(x), (M,)),
    ("tril-1", lambda m, x: m.tril(x, 1), (M,)),
    ("triu--2", lambda m, x: m.triu(x, -2), (B3,)),
    ("diag-1d", lambda m, x: m.diag(x), (V,)),
    ("diag-1d-offset", lambda m, x: m.diag(x, -2), (V,)),
    ("diag-2d", lambda m, x: m.diag(x, 1), (M,)),
    ("diagonal", lambda m, x: m.diagonal(x, -1, 2, 0), (B3,)),
    ("trace", lambda m, x: m.trace(x), (M,)),
    ("outer", lambda m, x, y: m.outer(x, y), (V, RNG.standard_normal(3))),
    ("bmm", lambda m, x, y: m.bmm(x, y), (B3, RNG.standard_normal((2, 4, 2)))),
    ("mv", lambda m, x, y: m.mv(x, y), (M, RNG.standard_normal(5))),
    ("roll", lambda m, x: m.roll(x, 3), (M,)),
    ("roll-dims", lambda m, x: m.roll(x, (1, -2), (0, 2)), (B3,)),
    ("movedim", lambda m, x: m.movedim(x, (0, 2), (2, 0)), (B3,)),
    ("moveaxis", lambda m, x: m.moveaxis(x, 0, -1), (B3,)),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, 2), (B3,)),
    ("swapdims", lambda m, x: m.swapdims(x, -1, 1), (B3,)),
    ("narrow", lambda m, x: m.narrow(x, 1, -4, 3), (M,)),
    ("hstack", lambda m, x, y: m.hstack([x, y]), (M, RNG.standard_normal((4, 2)))),
    ("hstack-1d", lambda m, x, y: m.hstack([x, y]), (V, V)),
    ("vstack", lambda m, x, y: m.vstack([x, y]), (V, RNG.standard_normal((2, 4)))),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)], ids=str)
@pytest.mark.parametrize(("case", "f", "inputs"), CASES, ids=IDS)
def test_values_and_gradients_match_torch(case, f, inputs, dtype, tol):
    ours_in = [cr.tensor(v.astype(dtype), requires_grad=True) for v in inputs]
    theirs_in = [torch.tensor(v.astype(dtype), requires_grad=True) for v in inputs]
    ours, theirs = f(cr, *ours_in), f(torch, *theirs_in)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == dtype
    weights = RNG.standard_normal(theirs.shape).astype(dtype)
    ours.backward(gradient=weights)
    theirs.backward(torch.tensor(weights))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    for x, t in zip(ours_in, theirs_in, strict=True):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize(("case", "f", "inputs"), CASES, ids=IDS)
def test_gradients_match_finite_differences(case, f, inputs):
    assert cr.gradcheck(lambda *xs: f(cr, *xs), inputs)


# (method, its arguments after the tensor): the method and the function agree
METHODS = [
    ("tril", (1,)),
    ("triu", (-1,)),
    ("diag", (1,)),
    ("diagonal", (1, 0, 1)),
    ("trace", ()),
    ("roll", (2, 1)),
    ("movedim", (0, 1)),
    ("moveaxis", (1, 0)),
    ("swapaxes", (0, 1)),
    ("swapdims", (1, 0)),
    ("narrow", (1, 1, 3)),
    ("mv", (cr.tensor(RNG.standard_normal(5)),)),
    ("bmm", (cr.tensor(RNG.standard_normal((1, 5, 2))),)),
    ("outer", (cr.tensor(V),)),
]


@pytest.mark.parametrize(("name", "args"), METHODS, ids=[m[0] for m in METHODS])
def test_methods_match_functions(name, args):
    x = cr.tensor(M[None] if name == "bmm" else V if name == "outer" else M)
    np.testing.assert_array_equal(getattr(x, name)(*args).data, getattr(cr, name)(x, *args).data)


def test_errors_name_the_op():
    with pytest.raises(ShapeError, match="tril: expected a tensor with at least 2"):
        cr.tril(cr.tensor(V))
    with pytest.raises(ShapeError, match="diag: expected a 1-D or 2-D tensor"):
        cr.diag(cr.tensor(B3))
    with pytest.raises(ShapeError, match="bmm: expected \\(B, n, m\\) and \\(B, m, p\\)"):
        cr.bmm(cr.tensor(M), cr.tensor(M))
    with pytest.raises(ShapeError, match="outer: input must be 1-D"):
        cr.outer(cr.tensor(M), cr.tensor(V))
    with pytest.raises(ValueRangeError, match="narrow: start 3 and length 3 do not fit"):
        cr.narrow(cr.tensor(M), 0, 3, 3)
    with pytest.raises(ShapeError, match="roll: 2 shifts for 1 dims"):
        cr.roll(cr.tensor(M), (1, 2), 0)
    with pytest.raises(ShapeError, match="movedim: repeated dims"):
        cr.movedim(cr.tensor(B3), (0, 0), (1, 2))
