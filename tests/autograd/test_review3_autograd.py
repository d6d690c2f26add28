"""Third review of the autograd package against PyTorch 2.13: float functions of small
integers and booleans, forward mode in several threads, and the creation functions' refusal
of ranges and fill values that cannot be right."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.forward import jacobian, jvp, vjp
from chainrule.errors import ValueRangeError

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["exp", "log", "sqrt"])
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int16])
@pytest.mark.parametrize("shape", [(), (4,)])
def test_float_functions_of_bools_and_small_integers_give_float32_as_torch(name, dtype, shape):
    # NumPy's exp of bool, int8 or uint8 is float16: exp(int8 50) was inf, log(uint8 3) 1.099
    values = np.resize(np.array([50, 3, 1, 0]).astype(dtype), shape)
    with np.errstate(divide="ignore"):  # log(0) = -inf, as in torch
        ours = getattr(cr, name)(cr.tensor(values, dtype=dtype))
    theirs = getattr(torch, name)(torch.from_numpy(values))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.") == "float32"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def _inside_jvp_in_another_thread(work):
    """``work()`` run while another thread is inside the function given to a jvp; both
    results, the other thread's tangent second."""
    entered, leave, tangent = threading.Event(), threading.Event(), []

    def waiting(x):
        entered.set()
        leave.wait(5)
        return x * 2

    def other():
        tangent.append(jvp(waiting, np.ones(2), np.full(2, 0.5))[1].numpy())

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(5)
    try:
        result = work()
    finally:
        leave.set()
        thread.join(5)
    return result, tangent[0]


@pytest.mark.parametrize(
    "work, reference",
    [
        (
            lambda x: jvp(lambda t: (t * t).sum(), x, np.ones(3))[1].numpy(),
            lambda x: torch.autograd.functional.jvp(lambda t: (t * t).sum(), x, torch.ones(3))[1],
        ),
        (
            lambda x: vjp(lambda t: (t * t).sum(), x)[1].numpy(),
            lambda x: torch.autograd.functional.vjp(lambda t: (t * t).sum(), x)[1],
        ),
        (
            lambda x: jacobian(lambda t: t * t, x, mode="forward").numpy(),
            lambda x: torch.autograd.functional.jacobian(lambda t: t * t, x),
        ),
    ],
    ids=["jvp", "vjp", "jacobian"],
)
def test_forward_mode_in_one_thread_leaves_other_threads_free_as_torch(work, reference):
    # the jvp in the other thread was taken for nesting: GraphError "cannot be called inside
    # the function given to jvp"
    x = np.array([1.0, -2.0, 0.5])
    ours, tangent_of_other = _inside_jvp_in_another_thread(lambda: work(x))
    np.testing.assert_allclose(ours, reference(torch.tensor(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(tangent_of_other, [1.0, 1.0])
    assert cr.autograd.function.apply_hooks == []  # the last jvp out removed the hook


def test_ops_of_other_threads_get_no_tangent_during_a_jvp():
    w = cr.tensor([1.0, 2.0])
    w.tangent = np.ones(2)  # a tensor that carries a tangent, outside any jvp of this thread
    y, _ = _inside_jvp_in_another_thread(lambda: w * 3)
    assert y.tangent is None


@pytest.mark.parametrize("args", [(5, 1), (-1.0,), (0, 5, -1), (1.0, 0.0, 0.5)])
def test_arange_refuses_a_range_against_its_step_as_torch(args):
    # NumPy's empty tensor was returned; PyTorch refuses the bounds
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        torch.arange(*args)
    with pytest.raises(ValueRangeError, match=r"arange: cannot go from .* points the other way"):
        cr.arange(*args)


@pytest.mark.parametrize("args", [(0,), (1, 1), (5, 1, -1), (1.0, 0.0, -0.25), (2, 2, -1)])
def test_arange_empty_or_counting_down_matches_torch(args):
    ours, theirs = cr.arange(*args), torch.arange(*args)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    "fill, dtype",
    [
        (float("nan"), "int64"),
        (float("inf"), "int32"),
        (1e20, "int32"),
        (-3.7, "uint8"),
        (255.5, "uint8"),
    ],
)
def test_full_refuses_a_float_an_integer_dtype_cannot_hold_as_torch(fill, dtype):
    # NumPy filled with garbage: nan as -2**63, -3.7 as uint8 253
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.full((2,), fill, dtype=getattr(torch, dtype))
    with pytest.raises(ValueRangeError, match=f"full: fill_value .* does not fit in {dtype}"):
        cr.full((2,), fill, dtype=dtype)


@pytest.mark.parametrize(
    "fill, dtype",
    [(3.7, "int64"), (-3.7, "int8"), (255.0, "uint8"), (float("nan"), "float16"), (7, "int8")],
)
def test_full_truncates_a_float_inside_an_integer_dtype_as_torch(fill, dtype):
    ours, theirs = (
        cr.full((2,), fill, dtype=dtype),
        torch.full((2,), fill, dtype=getattr(torch, dtype)),
    )
    assert str(ours.dtype) == dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int64"])
def test_tanh_and_sigmoid_of_integers_give_torch_float32_values(name, dtype):
    """NumPy gave float16 for bool/int8/uint8, and sigmoid of uint8 wrapped -x around
    ([1, 2, 3] gave [0, 0, 0]); torch computes both in float32."""
    values = np.array([0, 1, 2, 3], dtype=dtype)
    ours = getattr(cr, name)(cr.tensor(values))
    theirs = getattr(torch, name)(torch.tensor(values))
    assert ours.dtype == np.float32 and theirs.dtype == torch.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
