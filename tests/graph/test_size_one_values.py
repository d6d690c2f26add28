"""Graph export of values with one element but more than zero axes (regression)."""

import numpy as np

import chainrule as cr
from chainrule.autograd.graph import to_dot


def test_to_dot_labels_a_1x1_leaf_with_its_gradient():
    """NumPy 2 refuses float() of a (1, 1) array; the leaf's label must still show its grad."""
    x = cr.tensor(np.array([[2.5]], np.float32), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    dot = to_dot(y, show_grad=True)
    assert "(1, 1)" in dot
    assert f"grad {2 * 2.5:.6g}" in dot  # d(x^2)/dx = 2x
