"""Edges of the non-hot-path ops found by reviewing them against PyTorch: 0-d tensors with an
axis, empty reduction axes, ``expand`` with -1, PReLU's channel count, NumPy-scalar slopes,
0-d concatenation and tensor bounds for ``clip``."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ShapeError

torch = pytest.importorskip("torch")


def _ours_and_torch(values):
    return cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


def _assert_same(ours, theirs):
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


REDUCTIONS_0D = [  # (name, ours(x, dim, keepdim), theirs(t, dim, keepdim))
    ("sum", lambda x, d, k: cr.sum(x, d, k), lambda t, d, k: t.sum(d, keepdim=k)),
    ("mean", lambda x, d, k: cr.mean(x, d, k), lambda t, d, k: t.mean(d, keepdim=k)),
    ("max", lambda x, d, k: cr.max(x, d, k), lambda t, d, k: t.amax(d, keepdim=k)),
    ("min", lambda x, d, k: cr.min(x, d, k), lambda t, d, k: t.amin(d, keepdim=k)),
    ("var", lambda x, d, k: cr.var(x, d, k), lambda t, d, k: t.var(d, keepdim=k, correction=0)),
    ("logsumexp", lambda x, d, k: cr.logsumexp(x, d, k), lambda t, d, k: t.logsumexp(d, k)),
    ("softmax", lambda x, d, k: cr.softmax(x, d), lambda t, d, k: t.softmax(d)),
    ("log_softmax", lambda x, d, k: cr.log_softmax(x, d), lambda t, d, k: t.log_softmax(d)),
]


@pytest.mark.parametrize(
    ("name", "ours", "theirs"), REDUCTIONS_0D, ids=[r[0] for r in REDUCTIONS_0D]
)
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_of_a_0d_tensor_along_axis_0_or_minus_1_match_torch(
    name, ours, theirs, dim, keepdim
):
    x, t = _ours_and_torch(np.array(1.5))
    y, u = ours(x, dim, keepdim), theirs(t, dim, keepdim)
    _assert_same(y, u)
    y.backward()
    u.backward()
    _assert_same(x.grad, t.grad)


def test_a_0d_tensor_takes_axis_minus_1_and_refuses_others_by_name():
    assert cr.sum(cr.tensor(1.5), axis=-1).item() == torch.tensor(1.5).sum(-1).item()
    with pytest.raises(IndexError):
        torch.tensor(1.5).sum(1)
    with pytest.raises(ShapeError, match="sum: axis 1 is out of range"):
        cr.sum(cr.tensor(1.5), axis=1)
    with pytest.raises(ShapeError, match="softmax: axis -2 is out of range"):
        cr.softmax(cr.tensor(1.5), axis=-2)


@pytest.mark.parametrize("dim", [0, 1, (0, 1)])
def test_logsumexp_over_an_empty_axis_is_minus_inf_as_in_torch(dim):
    x, t = _ours_and_torch(np.zeros((0, 3)))
    with np.errstate(divide="ignore"):  # log(0), as NumPy reports it
        y = cr.logsumexp(x, axis=dim)
    u = torch.logsumexp(t, dim)
    np.testing.assert_array_equal(y.data, u.detach().numpy())
    y.backward(cr.tensor(np.ones(y.shape)))
    u.backward(torch.ones(u.shape, dtype=u.dtype))
    _assert_same(x.grad, t.grad)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_axis_is_empty_as_in_torch(op):
    x, t = _ours_and_torch(np.zeros((0, 3)))
    with np.errstate(divide="ignore"):  # log_softmax's log of the empty sum, as NumPy reports it
        y = getattr(cr, op)(x, axis=0)
    u = getattr(torch, op)(t, 0)
    _assert_same(y, u)
    y.backward(cr.tensor(np.ones(y.shape)))
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize(
    ("in_shape", "shape"),
    [((2, 1), (4, -1, 3)), ((2, 1), (-1, 5)), ((3,), (2, -1)), ((), (2, 3))],
)
def test_expand_with_minus_1_keeps_that_axis_as_in_torch(in_shape, shape):
    values = np.random.default_rng(0).standard_normal(in_shape)
    x, t = _ours_and_torch(values)
    y, u = x.expand(*shape), t.expand(*shape)
    _assert_same(y, u)
    weights = np.random.default_rng(1).standard_normal(y.shape)
    (y * cr.tensor(weights)).sum().backward()
    (u * torch.tensor(weights)).sum().backward()
    _assert_same(x.grad, t.grad)
    _assert_same(cr.broadcast_to(x, shape), torch.broadcast_to(t, shape))


def test_expand_refuses_minus_1_for_a_new_leading_axis():
    with pytest.raises(ShapeError, match="broadcast_to: -1 in .* new leading axis"):
        cr.tensor([1.0, 2.0]).expand(-1, 2)
    with pytest.raises(RuntimeError):  # PyTorch refuses it too
        torch.tensor([1.0, 2.0]).expand(-1, 2)


@pytest.mark.parametrize(("x_shape", "w_shape"), [((4, 1), (3,)), ((4, 2), (3,)), ((3,), (3,))])
def test_prelu_refuses_a_weight_that_matches_no_channel_count(x_shape, w_shape):
    x, w = np.ones(x_shape), np.full(w_shape, 0.25)
    with pytest.raises(RuntimeError, match="channel"):
        torch.nn.functional.prelu(torch.tensor(x), torch.tensor(w))
    with cr.no_grad(), pytest.raises(ShapeError, match=r"prelu: .*\(3,\)"):
        cr.prelu(cr.tensor(x), cr.tensor(w))  # (4, 1) was silently broadcast to a (4, 3) output


def test_leaky_relu_with_a_numpy_scalar_slope_keeps_float32_as_in_torch():
    values = np.array([-2.0, 0.5], np.float32)
    slope = np.float64(0.2)
    y = cr.leaky_relu(cr.tensor(values), slope)
    u = torch.nn.functional.leaky_relu(torch.tensor(values), slope)
    assert y.dtype == np.float32 and u.dtype == torch.float32
    np.testing.assert_array_equal(y.data, u.numpy())


def test_concatenating_0d_tensors_is_refused_by_name_as_in_torch():
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        torch.cat([torch.tensor(1.0), torch.tensor(2.0)])
    with pytest.raises(ShapeError, match="concatenate: 0-d tensors cannot be concatenated"):
        cr.cat([cr.tensor(1.0), cr.tensor(2.0)])


def test_clip_with_tensor_bounds_matches_torch_clamp():
    values = np.array([[-2.0, 0.1, 0.5], [3.0, -0.4, 0.2]])
    low, high = np.array([-1.0, 0.1, 0.0]), np.array([[1.0], [0.0]])
    x, t = _ours_and_torch(values)
    y = cr.clip(x, cr.tensor(low), cr.tensor(high))
    u = torch.clamp(t, torch.tensor(low), torch.tensor(high))
    _assert_same(y, u)
    y.sum().backward()
    u.sum().backward()
    _assert_same(x.grad, t.grad)


def test_clip_refuses_bounds_that_require_grad():
    low = cr.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(TypeError, match="clip: .*min.* requires grad"):
        cr.clip(cr.tensor(np.ones(2)), low, None)


def test_clip_with_bounds_that_broadcast_the_input_matches_torch_clamp():
    x, t = _ours_and_torch(np.array([0.5, -1.0, 2.0]))
    low = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.0]])
    y = cr.clip(x, low, 1.0)
    u = torch.clamp(t, torch.tensor(low), torch.tensor(1.0, dtype=t.dtype))
    _assert_same(y, u)
    y.sum().backward()
    u.sum().backward()
    _assert_same(x.grad, t.grad)
