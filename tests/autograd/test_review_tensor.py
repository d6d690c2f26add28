"""Review regressions for the Tensor's public API outside the hot path, and for grad modes,
each against PyTorch 2.13's documented behaviour."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import GraphError, ShapeError


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.torch
@pytest.mark.parametrize("axes", [(0, -1), (0, 0), (-1, -1)])
def test_transpose_of_a_0d_tensor_takes_axes_0_and_minus_1_as_in_torch(axes):
    # transpose(0, -1) on a 0-d tensor raised a raw IndexError from the axis swap
    torch = _torch()
    x = cr.tensor(np.float64(3.5), requires_grad=True)
    y = x.transpose(*axes)
    ref = torch.tensor(3.5, dtype=torch.float64).transpose(*axes)
    assert y.shape == tuple(ref.shape)
    assert y.item() == ref.item()
    (y * 2).backward()
    assert x.grad.item() == 2.0


@pytest.mark.torch
@pytest.mark.parametrize(
    "shape, dims",
    [
        ((2, 3, 4), ()),
        ((2, 3, 4), (1,)),
        ((2, 3, 4), (-2,)),
        ((2, 3, 4), (0, 1)),
        ((2, 3, 4, 5), (1, 2)),
        ((2, 3, 4), (1, -1)),
        ((2, 3, 4), (2, 2)),
        ((0, 3), (1,)),
        ((2, 0, 3), (0, 1)),
        ((), ()),
    ],
)
def test_flatten_matches_torch_including_end_dim_and_empty_axes(shape, dims):
    # end_dim was missing, and reshape(..., -1) failed next to a zero-length axis
    torch = _torch()
    data = np.random.default_rng(0).standard_normal(shape)
    x = cr.tensor(data, requires_grad=True)
    y = x.flatten(*dims)
    t = torch.tensor(data, requires_grad=True)
    ref = t.flatten(*dims)
    assert y.shape == tuple(ref.shape)
    np.testing.assert_array_equal(y.numpy(), ref.detach().numpy())
    weights = np.random.default_rng(1).standard_normal(y.shape)
    (y * weights).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("dims", [(3,), (-4,), (0, 3), (2, 1)])
def test_flatten_refuses_axes_torch_refuses(dims):
    # flatten(3) used to add a trailing axis of length 1 and flatten(-4) to flatten everything
    torch = _torch()
    with pytest.raises((IndexError, RuntimeError)):
        torch.zeros(2, 3, 4).flatten(*dims)
    with pytest.raises(ShapeError, match="flatten"):
        cr.zeros(2, 3, 4).flatten(*dims)


@pytest.mark.torch
@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "logsumexp"])
@pytest.mark.parametrize("keepdim", [True, False])
def test_reductions_take_torch_keepdim(op, keepdim):
    # x.sum(dim=1, keepdim=True), PyTorch's spelling, was a TypeError
    torch = _torch()
    data = np.random.default_rng(2).standard_normal((3, 4))
    x = cr.tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    y = getattr(x, op)(dim=1, keepdim=keepdim)
    ref = getattr(torch, "amax" if op == "max" else "amin" if op == "min" else op)(
        t, dim=1, keepdim=keepdim
    )
    assert y.shape == tuple(ref.shape)
    np.testing.assert_allclose(y.numpy(), ref.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_keepdims_and_keepdim_together_are_refused():
    with pytest.raises(TypeError, match="sum: give keepdims or keepdim, not both"):
        cr.ones(2, 3).sum(1, True, keepdim=False)


@pytest.mark.torch
@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (0, True), (-1, False)])
def test_argmax_argmin_match_torch_with_dim_and_keepdim(op, dim, keepdim):
    torch = _torch()
    data = np.random.default_rng(3).standard_normal((3, 4))
    ours = getattr(cr.tensor(data), op)(dim=dim, keepdim=keepdim)
    ref = getattr(torch.tensor(data), op)(dim=dim, keepdim=keepdim)
    assert ours.shape == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin_name_a_bad_axis_an_empty_tensor_and_a_doubled_axis(op):
    # NumPy's AxisError and "attempt to get argmax of an empty sequence" came through raw,
    # and axis= with dim= silently used dim
    x = cr.ones(2, 3)
    with pytest.raises(ShapeError, match=f"{op}: axis 2 is out of range"):
        getattr(x, op)(dim=2)
    with pytest.raises(ShapeError, match=f"{op}: the tensor of shape \\(0,\\) has no elements"):
        getattr(cr.zeros(0), op)()
    with pytest.raises(ShapeError, match=f"{op}: axis 1 of shape \\(3, 0\\) has no elements"):
        getattr(cr.zeros(3, 0), op)(dim=1)
    with pytest.raises(TypeError, match=f"{op}: give axis or dim, not both"):
        getattr(x, op)(0, dim=1)


@pytest.mark.torch
@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("other_shape", [(), (1,), (2, 3), (3,)])
def test_max_min_with_a_tensor_are_elementwise_as_in_torch(op, other_shape):
    # x.max(cr.tensor(0.0)) returned x unchanged (the 0-d tensor was read as "no axes") and
    # x.max(cr.tensor([1])) reduced axis 1
    torch = _torch()
    rng = np.random.default_rng(4)
    a_np, b_np = rng.standard_normal((2, 3)), rng.standard_normal(other_shape)
    a, b = cr.tensor(a_np, requires_grad=True), cr.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    y, ref = getattr(a, op)(b), getattr(ta, op)(tb)
    np.testing.assert_array_equal(y.numpy(), ref.detach().numpy())
    y.sum().backward()
    ref.sum().backward()
    for ours, theirs in ((a, ta), (b, tb)):
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_numpy_asarray_of_a_tensor_is_its_data(dtype):
    # without __array__, NumPy read a Tensor as a nested sequence: an object array of
    # 0-d Tensors, one graph node per element
    data = np.arange(6).reshape(2, 3).astype(dtype)
    x = cr.tensor(data)
    as_array = np.asarray(x)
    assert as_array.dtype == dtype and as_array.shape == (2, 3)
    assert np.shares_memory(as_array, x.data)  # as x.numpy()
    np.testing.assert_array_equal(as_array, data)
    converted = np.asarray(x, dtype=np.float64)
    assert converted.dtype == np.float64
    np.testing.assert_array_equal(converted, data.astype(np.float64))


def test_numpy_array_protocol_honours_copy():
    x = cr.tensor([1.0, 2.0])
    copied = np.array(x)
    assert not np.shares_memory(copied, x.data)
    with pytest.raises(ValueError):
        np.asarray(x, dtype=np.float64, copy=False)  # a cast cannot avoid copying
    stacked = np.array([cr.tensor(1.0), cr.tensor(2.0)])
    assert stacked.dtype == np.float32
    np.testing.assert_array_equal(stacked, [1.0, 2.0])


@pytest.mark.torch
def test_iterating_over_a_0d_tensor_is_an_error_as_in_torch():
    # Python's fallback through __getitem__ made list(cr.tensor(1.0)) a silent []
    torch = _torch()
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(torch.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(cr.tensor(1.0))


@pytest.mark.torch
def test_iteration_gives_differentiable_rows_as_in_torch():
    torch = _torch()
    data = np.random.default_rng(5).standard_normal((3, 2))
    x, t = cr.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    rows, ref_rows = list(x), list(t)
    assert len(rows) == len(ref_rows)
    for k, (row, ref) in enumerate(zip(rows, ref_rows, strict=True)):
        np.testing.assert_array_equal(row.numpy(), ref.detach().numpy())
        (row * (k + 1)).sum().backward()
        (ref * (k + 1)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("value", [3.0, 7.0, -0.0, 0])
def test_membership_tests_any_element_as_in_torch(value):
    # `3.0 in x` on a matrix raised "the truth value of a tensor ... is ambiguous"
    torch = _torch()
    data = np.arange(6.0).reshape(2, 3)
    assert (value in cr.tensor(data)) == (value in torch.tensor(data))


@pytest.mark.parametrize(
    "compare, symbol",
    [
        (lambda a, b: a < b, "<"),
        (lambda a, b: a <= b, "<="),
        (lambda a, b: a > b, ">"),
        (lambda a, b: a >= b, ">="),
        (lambda a, b: a == b, "=="),
        (lambda a, b: a != b, "!="),
    ],
)
def test_comparing_shapes_that_do_not_broadcast_names_the_comparison(compare, symbol):
    # NumPy's "operands could not be broadcast together" came through raw
    pattern = f"{symbol}: cannot compare a tensor of shape \\(2, 3\\) with shape \\(4,\\)"
    with pytest.raises(ShapeError, match=pattern):
        compare(cr.zeros(2, 3), cr.zeros(4))
    with pytest.raises(ShapeError, match=pattern):
        compare(cr.zeros(2, 3), np.zeros(4))


@pytest.mark.torch
def test_retain_grad_of_a_tensor_that_requires_no_grad_is_an_error_as_in_torch():
    # it silently did nothing, and .grad stayed None after backward()
    torch = _torch()
    with pytest.raises(RuntimeError, match="retain_grad"):
        torch.tensor(1.0).retain_grad()
    with pytest.raises(GraphError, match="retain_grad: this tensor does not require grad"):
        cr.tensor(1.0).retain_grad()
    x = cr.tensor(2.0, requires_grad=True)
    with cr.no_grad():
        y = x * 3
    with pytest.raises(GraphError, match="retain_grad"):
        y.retain_grad()
    assert x.retain_grad() is x  # a leaf that requires grad keeps its gradient anyway


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["no_grad", "enable_grad"])
def test_a_decorated_generator_runs_under_the_mode_as_in_torch(mode):
    # the decorator left the mode as soon as the generator object was made, so the body ran
    # under the caller's mode
    torch = _torch()
    outer = "enable_grad" if mode == "no_grad" else "no_grad"

    def trace(lib, leaf):
        @getattr(lib, mode)()
        def generator():
            sent = yield leaf * 2
            yield (leaf * sent).requires_grad, lib.is_grad_enabled()

        with getattr(lib, outer)():
            steps = generator()
            first = next(steps)
            between = lib.is_grad_enabled()
            second = steps.send(3.0)
            after = lib.is_grad_enabled()
        return first.requires_grad, between, second, after

    ours = trace(cr, cr.tensor(1.0, requires_grad=True))
    ref = trace(torch, torch.tensor(1.0, requires_grad=True))
    assert ours == ref
    assert ours[0] is (mode == "enable_grad")


def test_a_decorated_generator_passes_throw_close_and_return_through():
    events = []

    @cr.no_grad()
    def generator():
        try:
            yield 1
        except KeyError:
            events.append(("caught", cr.is_grad_enabled()))
            yield 2
        finally:
            events.append(("finally", cr.is_grad_enabled()))

    steps = generator()
    assert next(steps) == 1
    assert steps.throw(KeyError()) == 2
    steps.close()
    assert events == [("caught", False), ("finally", False)]
    assert cr.is_grad_enabled()

    @cr.no_grad()
    def returns():
        yield 1
        return "done"

    def delegate():
        return (yield from returns())

    steps = delegate()
    next(steps)
    with pytest.raises(StopIteration) as stop:
        next(steps)
    assert stop.value.value == "done"


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["no_grad", "enable_grad"])
def test_grad_modes_decorate_without_parentheses_as_in_torch(mode):
    # @cr.no_grad (no parentheses) raised "no_grad() takes no arguments"
    torch = _torch()

    def run(lib, leaf):
        @getattr(lib, mode)
        def double(v):
            """Doubles."""
            return v * 2

        with getattr(lib, "no_grad" if mode == "enable_grad" else "enable_grad")():
            return double(leaf).requires_grad, double.__name__, double.__doc__

    ours = run(cr, cr.tensor(1.0, requires_grad=True))
    assert ours == run(torch, torch.tensor(1.0, requires_grad=True))
    assert ours[0] is (mode == "enable_grad")
    assert cr.is_grad_enabled()


@pytest.mark.torch
def test_gradcheck_under_no_grad_says_why_the_analytic_gradient_is_zero():
    # the message only read "analytic 0 vs numeric ...", as if the op's backward were wrong;
    # torch fails here too ("Numerical gradient for function expected to be zero")
    torch = _torch()
    x = np.array([0.5, -1.0, 2.0])
    with torch.no_grad(), pytest.raises(RuntimeError):
        torch.autograd.gradcheck(lambda t: t * t, (torch.tensor(x, requires_grad=True),))
    with cr.no_grad(), pytest.raises(cr.GradcheckError) as failure:
        cr.gradcheck(lambda t: t * t, [x])
    assert "analytic 0 vs numeric" in str(failure.value)
    assert "fn's output does not require grad" in str(failure.value)
    assert "cr.no_grad()" in str(failure.value)
    assert cr.gradcheck(lambda t: t * t, [x])


def _recording_after(lib, steps):
    """Whether ``lib`` records a graph after each of ``steps`` (callables taking the library)."""
    seen = []
    for step in steps:
        step(lib)
        seen.append(lib.is_grad_enabled())
    return seen


def test_set_grad_enabled_as_a_call_a_block_and_a_decorator_as_in_torch():
    torch = pytest.importorskip("torch")

    def as_block(lib):
        with lib.set_grad_enabled(False):
            assert not lib.is_grad_enabled()
            with lib.set_grad_enabled(True):
                assert lib.is_grad_enabled()
            assert not lib.is_grad_enabled()

    def as_decorator(lib):
        @lib.set_grad_enabled(False)
        def inside():
            return lib.is_grad_enabled()

        assert lib.is_grad_enabled() and not inside()

    steps = [as_block, as_decorator, lambda lib: lib.set_grad_enabled(False)]
    steps += [as_block, lambda lib: lib.set_grad_enabled(True)]
    try:
        assert _recording_after(cr, steps) == _recording_after(torch, steps)
    finally:
        cr.set_grad_enabled(True)
        torch.set_grad_enabled(True)
    with pytest.raises(TypeError, match="set_grad_enabled: mode must be True or False"):
        cr.set_grad_enabled("no")
