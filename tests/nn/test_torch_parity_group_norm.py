"""PyTorch parity of nn.GroupNorm / F.group_norm: values and gradients against torch 2.13
(float64 and float32, (N, C), (N, C, L) and (N, C, H, W) inputs, 1, some and C groups),
finite differences, forward mode, state dict, repr and errors."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.autograd import jvp
from chainrule.errors import ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

SHAPES_AND_GROUPS = [((4, 6), 3), ((3, 6, 5), 2), ((2, 4, 3, 3), 4), ((2, 4, 3, 3), 1)]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-5)], ids=str)
@pytest.mark.parametrize(("shape", "groups"), SHAPES_AND_GROUPS, ids=str)
def test_group_norm_matches_torch(shape, groups, dtype, tol):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    channels = shape[1]
    ours, theirs = nn.GroupNorm(groups, channels, dtype=dtype), torch.nn.GroupNorm(groups, channels)
    theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    w, b = rng.standard_normal(channels).astype(dtype), rng.standard_normal(channels).astype(dtype)
    ours.weight.data[...], ours.bias.data[...] = w, b
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
        theirs.bias.copy_(torch.tensor(b))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    xs, xt = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, expected = ours(xs), theirs(xt)
    g = rng.standard_normal(shape).astype(dtype)
    y.backward(gradient=g)
    expected.backward(torch.tensor(g))
    assert y.dtype == dtype and xs.grad.dtype == dtype
    np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xs.grad.data, xt.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(
        ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=tol, atol=tol
    )
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=tol, atol=tol)


def test_group_norm_gradient_and_forward_mode_are_right():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, 4, 2)), rng.standard_normal(4), rng.standard_normal(4)
    assert cr.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    tangents = tuple(rng.standard_normal(np.shape(a)) for a in (x, w, b))
    _, ours = jvp(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b), tangents)
    _, theirs = torch.func.jvp(
        lambda x, w, b: torch.nn.functional.group_norm(x, 2, w, b),
        tuple(torch.tensor(a) for a in (x, w, b)),
        tuple(torch.tensor(t) for t in tangents),
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "options",
    [{"affine": False}, {"bias": False}, {"eps": 1e-3}],
    ids=["no-affine", "no-bias", "eps"],
)
def test_group_norm_options_match_torch(options):
    x = np.random.default_rng(2).standard_normal((2, 6, 3))
    ours, theirs = (
        nn.GroupNorm(3, 6, **options).double(),
        torch.nn.GroupNorm(3, 6, **options).double(),
    )
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(
        ours(cr.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12
    )


def test_group_norm_errors_name_the_op():
    with pytest.raises(ValueRangeError, match="GroupNorm: num_channels \\(6\\) must be divisible"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueRangeError, match="group_norm: the 6 channels must divide"):
        F.group_norm(cr.zeros(2, 6), 4)
    with pytest.raises(ShapeError, match="group_norm: expected an input of shape \\(N, C, \\*\\)"):
        F.group_norm(cr.zeros(6), 2)
    with pytest.raises(ShapeError, match="group_norm: weight must have shape \\(6,\\)"):
        F.group_norm(cr.zeros(2, 6), 2, cr.ones(3))
