"""Review regressions for forward mode: bad jvp rules and nested differentiation."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F  # noqa: N812
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


def _grow_in_place(x):  # y = 2x, then y += x: dy/dx = 3 were the tangent kept
    y = x * 2.0
    y += x
    return y


def _accumulate_into_a_constant(x):  # a tangent-free y taking x's value: dy/dx = 1
    y = cr.zeros(3)
    y += x
    return y * 1.0


def _scale_in_place(x):
    y = x * 1.0
    y.mul_(x)
    return y


def _copy_into_a_constant(x):
    y = cr.zeros(3)
    y.copy_(x)
    return y


@pytest.mark.parametrize(
    "f", [_grow_in_place, _accumulate_into_a_constant, _scale_in_place, _copy_into_a_constant]
)
def test_in_place_ops_under_jvp_are_refused_rather_than_leaving_the_tangent_stale(f):
    # the tangents used to come out as 2, 0, x and 0: the in-place op changed the value only
    x, v = np.arange(1.0, 4.0), np.ones(3)
    with pytest.raises(GraphError, match=r"_: in-place change under forward mode \(jvp\)"):
        jvp(f, (x,), (v,))


def test_in_place_ops_on_tangent_free_tensors_still_work_under_jvp():
    torch = pytest.importorskip("torch")

    def f(x):
        scale = cr.ones(3)
        scale *= 2.0  # no tangent on either side: nothing to go stale
        return x * scale

    x, v = np.arange(1.0, 4.0), np.array([1.0, -1.0, 0.5])
    out, tangent = jvp(f, (x,), (v,))
    expected = torch.func.jvp(lambda t: t * 2.0, (torch.tensor(x),), (torch.tensor(v),))
    np.testing.assert_allclose(out.data, expected[0].numpy())
    np.testing.assert_allclose(tangent.data, expected[1].numpy())


@pytest.mark.parametrize(
    "name, target",
    [
        ("mse_loss", np.zeros((0, 3))),
        ("cross_entropy", np.zeros(0, dtype=np.int64)),
        ("binary_cross_entropy", np.zeros((0, 3))),
        ("binary_cross_entropy_with_logits", np.zeros((0, 3))),
    ],
)
def test_jvp_of_a_mean_loss_over_no_elements_is_nan_as_in_torch(name, target):
    # the tangent used to be 0 while the loss itself was NaN
    torch = pytest.importorskip("torch")
    x = np.zeros((0, 3))
    out, tangent = jvp(lambda t: getattr(F, name)(t, target), (x,), (x,))
    reference = getattr(torch.nn.functional, name)
    expected = torch.func.jvp(
        lambda t: reference(t, torch.from_numpy(target)),
        (torch.from_numpy(x),),
        (torch.zeros(0, 3, dtype=torch.float64),),
    )
    assert np.isnan(out.item()) and np.isnan(expected[0].item())
    assert np.isnan(tangent.item()) and np.isnan(expected[1].item())
