"""Review tests of graph.to_dot: size-1 tensors that are not 0-d."""

import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.graph import to_dot


def test_to_dot_size_one_arrays_show_true_gradients_and_partials():
    # NumPy 2 refuses float() of a (1, 1) array: to_dot used to raise TypeError here
    torch = pytest.importorskip("torch")
    a_np, b_np = np.array([[2.0]]), np.array([3.0])
    a, b = cr.tensor(a_np, requires_grad=True), cr.tensor(b_np, requires_grad=True)
    y = a * b * a
    y.backward(retain_graph=True)
    text = to_dot(y, names={"a": a, "b": b, "y": y})
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    (ta * tb * ta).sum().backward()
    grads = [float(g) for g in re.findall(r"grad ([-0-9.e]+)", text)]
    assert grads == [ta.grad.item(), tb.grad.item()]
    # the edge a -> y of the second Mul carries ∂y/∂a = a * b through that operand only
    assert f"∂y/∂a = {a_np[0, 0] * b_np[0]:.6g}" in text
