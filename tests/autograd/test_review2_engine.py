"""A 0-d gradient accumulated over two backward passes stays an array (it was a NumPy scalar,
which in-place edits such as ``zero_grad(set_to_none=False)``'s ``fill(0)`` leave unchanged)."""

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


def test_a_0d_leaf_gradient_summed_twice_is_an_array_that_zeroes_in_place():
    w = cr.tensor(np.float32(2.0), requires_grad=True)
    tw = torch.tensor(2.0, requires_grad=True)
    for _ in range(2):
        (w * w).backward()
        (tw * tw).backward()
    assert type(w.grad.data) is np.ndarray and w.grad.data.dtype == np.float32
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy())
    w.grad.data.fill(0)
    tw.grad.zero_()
    (w * 3).backward()
    (tw * 3).backward()
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy())


def test_a_retained_0d_gradient_summed_twice_is_an_array():
    x = cr.tensor(np.float32(1.5), requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = y * y
    z.backward(retain_graph=True)
    z.backward()
    assert type(y.grad.data) is np.ndarray
    np.testing.assert_allclose(y.grad.data, 2 * (2 * 3.0))
