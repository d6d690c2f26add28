"""``cr.autograd.grad``: gradients returned instead of accumulated, as ``torch.autograd.grad``."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import GraphError, ShapeError


def _graph(lib, x_values, w_values):
    """Two outputs of a small graph with a shared non-leaf ``h``: (y1, y2, h, x, w)."""
    x = lib.tensor(x_values, requires_grad=True)
    w = lib.tensor(w_values, requires_grad=True)
    h = (x @ w).tanh()
    y1 = (h * h).sum()
    y2 = h.exp() * 0.5
    return y1, y2, h, x, w


def test_matches_torch_for_two_outputs_and_leaf_and_non_leaf_inputs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x_values, w_values = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    weight = rng.normal(size=(3, 2))
    ours = _graph(cr, x_values, w_values)
    theirs = _graph(torch, x_values, w_values)
    got = cr.autograd.grad(ours[:2], [ours[3], ours[2], ours[4]], grad_outputs=[None, weight])
    expected = torch.autograd.grad(
        theirs[:2], [theirs[3], theirs[2], theirs[4]], grad_outputs=[None, torch.tensor(weight)]
    )
    assert len(got) == 3
    for g, e in zip(got, expected, strict=True):
        assert isinstance(g, cr.Tensor) and g.dtype == np.float64
        np.testing.assert_allclose(g.data, e.numpy(), rtol=1e-12)


def test_returns_what_backward_would_accumulate_and_leaves_grad_alone():
    rng = np.random.default_rng(1)
    x_values, w_values = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    y1, _, h, x, w = _graph(cr, x_values, w_values)
    h.retain_grad()
    gx, gw = cr.autograd.grad(y1, (x, w), retain_graph=True)
    assert x.grad is None and w.grad is None
    h_grad = h.grad.data.copy()  # a tensor that retains its gradient gets it, as in PyTorch
    y1.backward()
    np.testing.assert_array_equal(gx.data, x.grad.data)
    np.testing.assert_array_equal(gw.data, w.grad.data)
    np.testing.assert_array_equal(h_grad, h.grad.data / 2)  # the second pass accumulated


def test_a_float32_graph_gets_float32_gradients_equal_to_the_formula():
    x = cr.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True, dtype=np.float32)
    (g,) = cr.autograd.grad((x.sigmoid() * x).sum(), x)
    s = 1 / (1 + np.exp(-x.data.astype(np.float64)))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.data, s + x.data * s * (1 - s), rtol=1e-6)


def test_unused_inputs_are_an_error_unless_allowed():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    z = cr.tensor([3.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(GraphError, match="grad: input 1 was not used.*allow_unused=True"):
        cr.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = cr.autograd.grad(y, [x, z], allow_unused=True)
    np.testing.assert_array_equal(gx.data, [2.0, 2.0])
    assert gz is None


def test_bad_arguments_are_named():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(GraphError, match=r"grad: a tensor of shape \(2,\) is not a scalar.*grad_o"):
        cr.autograd.grad(y, x)
    with pytest.raises(GraphError, match="grad: input 1 is not a Tensor that requires grad"):
        cr.autograd.grad(y.sum(), [x, cr.tensor([1.0])])
    with pytest.raises(ValueError, match="grad: 2 grad_outputs given for 1 outputs"):
        cr.autograd.grad(y, x, grad_outputs=[np.ones(2), np.ones(2)])
    with pytest.raises(ShapeError, match=r"grad: grad_outputs of shape \(3,\) given for .* \(2,\)"):
        cr.autograd.grad(y, x, grad_outputs=np.ones(3))
    with pytest.raises(GraphError, match="grad: this tensor does not require grad"):
        cr.autograd.grad(cr.tensor([1.0]), x)


def test_the_graph_is_freed_unless_retained():
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    (g,) = cr.autograd.grad(y, x, retain_graph=True)
    assert g.item() == 4.0
    cr.autograd.grad(y, x)
    with pytest.raises(GraphError, match="retain_graph=True"):
        cr.autograd.grad(y, x)


def test_outputs_that_repeat_or_are_leaves_add_up():
    x = cr.tensor([1.0, -2.0], requires_grad=True)
    y = (x * x).sum()
    (twice,) = cr.autograd.grad([y, y], x, retain_graph=True)
    np.testing.assert_array_equal(twice.data, 4 * x.data)
    (with_x,) = cr.autograd.grad([y, x], x, grad_outputs=[None, np.array([10.0, 20.0])])
    np.testing.assert_array_equal(with_x.data, 2 * x.data + [10.0, 20.0])
