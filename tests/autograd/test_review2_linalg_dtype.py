"""Integer inputs to a matrix product or a Linear layer give float32, not NumPy's float64
(PyTorch refuses the mix; chainrule computes it in the float operand's dtype, never upcasting)."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("op", ["matmul", "linear"])
def test_integer_features_through_a_float32_product_stay_float32_with_torch_values(op):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, (4, 3))
    w = rng.standard_normal((3, 2)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    cw, cb = cr.tensor(w, requires_grad=True), cr.tensor(b, requires_grad=True)
    tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    tx = torch.tensor(x, dtype=torch.float32)  # torch wants the cast written out
    if op == "matmul":
        ours, theirs = cr.tensor(x) @ cw, tx @ tw
    else:
        ours, theirs = F.linear(cr.tensor(x), cw, cb), tx @ tw + tb
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    assert cw.grad.dtype == np.float32
    np.testing.assert_allclose(cw.grad.data, tw.grad.numpy(), rtol=1e-5)
