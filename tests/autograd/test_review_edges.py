"""Edges found by reviewing the ops against PyTorch: saved views and targets that change in
place, a bias with a batch axis, a variance with no degrees of freedom, arange and 0-d
comparisons."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F  # noqa: N812
from chainrule.errors import GraphError

torch = pytest.importorskip("torch")


def _edit_in_place(tensor, change):
    with cr.no_grad():
        change(tensor)


@pytest.mark.parametrize(
    ("make", "change"),
    [
        (lambda x: x.max(axis=1), lambda y: y.fill_(0.0)),  # saves the output with its axis kept
        (lambda x: x.max(), lambda y: y.fill_(0.0)),
        (lambda x: x.min(axis=0), lambda y: y.fill_(0.0)),
        (lambda x: x.logsumexp(axis=1), lambda y: y.add_(100.0)),
    ],
)
def test_a_changed_output_saved_as_a_view_is_caught(make, change):
    x = cr.tensor(np.array([[1.0, 5.0, 2.0], [3.0, 0.0, 4.0]]), requires_grad=True)
    y = make(x)
    _edit_in_place(y, change)
    with pytest.raises(GraphError, match="modified in place"):
        y.sum().backward()


def test_a_changed_prelu_weight_is_caught():
    x = cr.tensor(np.array([[-1.0, 2.0], [-3.0, 4.0]]), requires_grad=True)
    w = cr.tensor(np.array([0.1, 0.2]), requires_grad=True)  # saved reshaped, as a view
    y = cr.prelu(x, w)
    _edit_in_place(w, lambda t: t.mul_(10.0))
    with pytest.raises(GraphError, match="PReLU"):
        y.sum().backward()


@pytest.mark.parametrize("target", [np.array([0, 1]), np.array([[0.2, 0.8, 0.0], [1.0, 0.0, 0.0]])])
def test_a_changed_cross_entropy_target_is_caught(target):
    x = cr.tensor(np.random.default_rng(0).random((2, 3)), requires_grad=True)
    t = cr.tensor(target)
    loss = F.cross_entropy(x, t)
    t.fill_(2 if target.dtype.kind == "i" else 0.0)
    with pytest.raises(GraphError, match="CrossEntropy"):
        loss.backward()


@pytest.mark.parametrize("index", [np.array([0, 1, 1]), np.array([True, False, True])])
def test_changing_an_index_after_indexing_does_not_move_the_gradient(index):
    x = cr.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    as_tensor = cr.tensor(index.copy())
    y = x[as_tensor]
    as_tensor.fill_(0 if index.dtype.kind == "i" else False)
    y.sum().backward()
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t[torch.from_numpy(index)].sum().backward()  # the gradient of what was computed
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


@pytest.mark.parametrize("bias_shape", [(1, 2), (4, 2), (2,), ()])
def test_linear_bias_of_any_broadcastable_shape(bias_shape):
    rng = np.random.default_rng(1)
    arrays = rng.random((4, 3)), rng.random((3, 2)), rng.random(bias_shape)
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    cr.linear(*ours).sum().backward()
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    (theirs[0] @ theirs[1] + theirs[2]).sum().backward()
    for a, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("values", "ddof", "axis"),
    [([1.0, 2.0, 4.0], 3, None), ([1.0, 2.0, 4.0], 5, None), ([[1.0, 2.0, 3.0]], 1, 0)],
)
def test_variance_without_degrees_of_freedom_is_inf_or_nan_as_in_torch(values, ddof, axis):
    x = cr.tensor(np.array(values), requires_grad=True)
    with np.errstate(all="raise"):  # and quietly: no floating-point error escapes
        v = x.var(axis=axis, ddof=ddof)
        v.sum().backward()
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    with pytest.warns(UserWarning):  # torch warns that the degrees of freedom are <= 0
        tv = t.var(correction=ddof) if axis is None else t.var(dim=axis, correction=ddof)
    tv.sum().backward()
    np.testing.assert_array_equal(v.data, tv.detach().numpy())
    # the gradient 2 (x - mean) / 0: infinite where torch's is (whose signs are its own)
    np.testing.assert_array_equal(np.isinf(x.grad.data), np.isinf(t.grad.numpy()))
    np.testing.assert_array_equal(np.isnan(x.grad.data), np.isnan(t.grad.numpy()))


@pytest.mark.parametrize("args", [(10,), (3, 10), (2, 11, 3)])
def test_arange_matches_torch(args):
    np.testing.assert_array_equal(cr.arange(*args).data, torch.arange(*args).numpy())


def test_arange_with_only_an_end_and_a_step_matches_numpy():
    # torch.arange has no such call; NumPy's arange(10, step=2) counts from 0
    np.testing.assert_array_equal(cr.arange(10, step=2).data, np.arange(10, step=2))


def test_a_0d_comparison_is_an_array_that_fill_can_change():
    c = cr.tensor(1.0) > 0
    assert type(c.numpy()) is np.ndarray
    c.fill_(False)
    assert not c.item()


@pytest.mark.parametrize(
    ("name", "op"),
    [
        ("mul", lambda x, s: x * s),
        ("radd", lambda x, s: s + x),
        ("pow", lambda x, s: x**s),
        ("clip", lambda x, s: x.clip(s)),
        ("maximum", lambda x, s: cr.maximum(x, s) if isinstance(x, cr.Tensor) else x.clamp(s)),
    ],
)
def test_a_numpy_scalar_does_not_upcast_float32_as_in_torch(name, op):
    scalar = np.sqrt(np.float64(2.0))  # a NumPy float64, which NumPy's own rules promote to
    x = cr.tensor(np.array([0.5, 1.5, 3.0], np.float32), requires_grad=True)
    y = op(x, scalar)
    y.sum().backward()
    t = torch.tensor([0.5, 1.5, 3.0], requires_grad=True)
    ty = op(t, scalar)
    ty.sum().backward()
    assert y.dtype == np.float32 and ty.dtype == torch.float32, name
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-6)
