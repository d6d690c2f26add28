"""backward(gradient): the leaves' .grad never shares memory with the caller's gradient."""

import numpy as np
import pytest

import chainrule as cr


@pytest.mark.parametrize("through", ["leaf itself", "add", "reshape"])
def test_grad_is_a_copy_of_the_gradient_passed_to_backward(through):
    torch = pytest.importorskip("torch")
    ops = {
        "leaf itself": lambda t: t,
        "add": lambda t: t + 1.0,  # Add's backward hands the seed on unchanged
        "reshape": lambda t: t.reshape(3, 1).reshape(3),
    }
    g = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    x = cr.tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    ops[through](x).backward(g)
    tx = torch.zeros(3, requires_grad=True)
    ops[through](tx).backward(torch.from_numpy(g.copy()))
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    g[:] = -7.0  # the caller reuses its array: the gradient already given stays
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    x.grad.data.fill(0)  # as zero_grad(set_to_none=False): the caller's array is not zeroed
    assert (g == -7.0).all()
