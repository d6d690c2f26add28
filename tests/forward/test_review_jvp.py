"""Review regressions for forward mode: bad jvp rules and nested differentiation."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import function as function_module
from chainrule.autograd.forward import jacobian, jvp, vjp
from chainrule.errors import GraphError, ShapeError


class _RowSumForgotToReduce(cr.Function):
    """Row sums whose jvp rule wrongly returns the input tangent unreduced."""

    @staticmethod
    def forward(ctx, x):
        return x.sum(axis=1)

    @staticmethod
    def backward(ctx, grad_output):
        return np.broadcast_to(grad_output[:, None], (2, 3))

    @staticmethod
    def jvp(ctx, tx):
        return tx


def test_jvp_rule_with_wrong_tangent_shape_names_the_op():
    x, v = np.ones((2, 3)), np.ones((2, 3))
    with pytest.raises(ShapeError, match=r"_RowSumForgotToReduce\.jvp .* \(2, 3\) .* \(2,\)"):
        jvp(lambda t: _RowSumForgotToReduce.apply(t), x, v)


def test_jvp_nested_calls_raise_instead_of_losing_the_tangent():
    torch = pytest.importorskip("torch")
    x, v = np.array([0.3, 1.2]), np.array([1.0, 0.5])
    tx, tv = torch.tensor(x), torch.tensor(v)
    # torch gives the second derivative here; chainrule used to return zeros silently
    ref = torch.func.jvp(lambda t: torch.func.jvp(torch.tanh, (t,), (tv,))[1], (tx,), (tv,))[1]
    assert np.abs(ref.numpy()).min() > 0.1
    inner_v = cr.tensor(v, dtype=np.float64)
    with pytest.raises(GraphError, match="inside the function given to jvp"):
        jvp(lambda t: jvp(lambda s: s.tanh(), t, inner_v)[1], x, v)
    with pytest.raises(GraphError, match="inside the function given to jvp"):
        jvp(lambda t: vjp(lambda s: s.tanh().sum(), t)[1], x, v)
    with pytest.raises(GraphError, match="inside the function given to jvp"):
        jvp(lambda t: jacobian(lambda s: s.tanh(), t), x, v)
    assert not function_module.apply_hooks  # the failed pass left no hook behind
    out, tangent = jvp(lambda t: t.tanh(), x, v)  # and forward mode still works afterwards
    ref_out, ref_tangent = torch.func.jvp(torch.tanh, (tx,), (tv,))
    np.testing.assert_allclose(tangent.numpy(), ref_tangent.numpy(), rtol=1e-12)
