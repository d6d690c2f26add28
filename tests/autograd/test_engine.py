"""Engine semantics: accumulation, retain_graph, grad modes, custom Functions, memory, depth."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import DTypeError, GraphError, ShapeError


class Multiply(cr.Function):
    """The classic example, exactly as users write it."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return grad_z * y, grad_z * x


def test_user_defined_multiply():
    a = cr.tensor([2.0, 3.0], requires_grad=True)
    b = cr.tensor([4.0, 5.0], requires_grad=True)
    z = Multiply.apply(a, b)
    assert z.grad_fn.name == "Multiply"
    z.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [4.0, 5.0])
    np.testing.assert_array_equal(b.grad.data, [2.0, 3.0])


def test_multiply_gradients_for_inputs_without_grad_are_dropped():
    a = cr.tensor([2.0, 3.0], requires_grad=True)
    b = cr.tensor([4.0, 5.0])  # needs no gradient: Multiply still returns one, the engine drops it
    z = Multiply.apply(a, b)
    assert z.grad_fn.needs_input_grad == (True, False)
    z.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [4.0, 5.0])
    assert b.grad is None
    with cr.no_grad():
        assert Multiply.apply(a, b).grad_fn is None


def test_function_may_return_none_for_inputs_without_grad():
    class Scale(cr.Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.save_for_backward(factor)
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            (factor,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return grad * factor, None

    x = cr.tensor([1.0, 2.0], requires_grad=True)
    Scale.apply(x, cr.tensor([3.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_wrong_gradient_shape_from_a_function_is_named():
    class Bad(cr.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.sum(keepdims=True)

    x = cr.tensor([[1.0, 2.0]], requires_grad=True)
    with pytest.raises(ShapeError, match=r"Bad.*\(1, 1\).*\(1, 2\)"):
        Bad.apply(x).sum().backward()


def test_diamond_and_reuse():
    a = cr.tensor(3.0, requires_grad=True)
    (a * a).backward()
    assert a.grad.item() == 6.0
    x = cr.tensor(2.0, requires_grad=True)
    y = x.exp()
    (y * 3 + y.tanh()).backward()  # one value feeding two branches
    assert x.grad.item() == pytest.approx(np.exp(2) * (3 + 1 - np.tanh(np.exp(2)) ** 2))


def test_a_value_used_at_two_depths_gets_its_whole_gradient_first():
    """w = y * z with z computed from y: y's node must wait for z's gradient. The walk goes
    straight down chains and falls back to the creation order wherever two nodes are pending.
    """
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x  # 4
    z = (y + 1).tanh() * 3 + y  # z depends on y through a chain of four nodes
    w = y * z
    w.backward()
    y_, t = 4.0, np.tanh(5.0)
    dz_dy = 3 * (1 - t**2) + 1
    assert x.grad.item() == pytest.approx((3 * t + y_ + y_ * dz_dy) * 2 * 2.0, rel=1e-6)


def test_gradients_accumulate_until_zeroed():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_freed_graph_and_retain_graph():
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0
    with pytest.raises(GraphError, match="retain_graph=True"):
        y.backward()


def test_non_scalar_backward_needs_a_gradient():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GraphError, match=r"shape \(2,\) is not a scalar; reduce it.*gradient="):
        (x * 2).backward()
    (x * 2).backward(gradient=np.array([1.0, 10.0], np.float32))
    np.testing.assert_array_equal(x.grad.data, [2.0, 20.0])


def test_no_grad_records_nothing_and_enable_grad_restores():
    x = cr.tensor([1.0], requires_grad=True)
    with cr.no_grad():
        y = x * 2
        assert not cr.is_grad_enabled()
        with cr.enable_grad():
            z = x * 2
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None

    @cr.no_grad()
    def predict(t):
        return t * 3

    assert predict(x).grad_fn is None

    @cr.enable_grad()
    def train_step(t):
        return t * 3

    with cr.no_grad():
        assert train_step(x).grad_fn is not None
        assert (x * 3).grad_fn is None
    assert cr.is_grad_enabled()


def test_chain_of_100000_ops_does_not_recurse():
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_graph_is_released_after_backward():
    x = cr.tensor(np.ones((50, 50), np.float32), requires_grad=True)
    y = (x * 2).tanh().sum()
    node = weakref.ref(y.grad_fn)
    saved = y.grad_fn.parents[0]
    y.backward()
    assert saved.saved_tensors is None
    del y, saved
    gc.collect()
    assert node() is None


def test_training_iterations_do_not_grow_memory():
    w = cr.tensor(np.random.default_rng(0).normal(size=(20, 20)), requires_grad=True)
    x = cr.tensor(np.random.default_rng(1).normal(size=(8, 20)))

    def step():
        loss = ((x @ w).relu() ** 2).mean()
        loss.backward()
        with cr.no_grad():
            w.data -= 0.01 * w.grad.data
        w.grad = None

    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        step()
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert growth < 100_000  # one iteration's arrays alone are ~10 kB; a leak would be ~10 MB


def test_float32_is_kept_end_to_end():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert x.dtype == np.float32
    y = (x * 2.5 + 1) ** 2 / 3.0 - np.float32(1)
    z = cr.exp(y).mean()
    z.backward()
    assert y.dtype == np.float32 and z.dtype == np.float32 and x.grad.dtype == np.float32
    assert cr.tensor(np.zeros(2)).dtype == np.float64  # NumPy arrays keep their dtype


def test_mixed_float_dtypes_follow_numpy_promotion():
    a = cr.tensor(np.ones(2, np.float32), requires_grad=True)
    b = cr.tensor(np.ones(2, np.float64), requires_grad=True)
    c = a * b
    assert c.dtype == np.float64
    c.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(DTypeError, match="floating"):
        cr.tensor([1, 2], requires_grad=True)
    labels = cr.tensor([1, 2])
    assert labels.dtype.kind == "i" and not labels.requires_grad


@pytest.mark.parametrize(
    ("data", "error", "pattern"),
    [
        ("abc", DTypeError, "numeric tensor from str"),
        ([1.0, None], DTypeError, "numeric tensor from list"),
        ([[1.0, 2.0], [3.0]], ShapeError, "unequal lengths"),
    ],
)
def test_non_numeric_or_ragged_data_is_refused(data, error, pattern):
    with pytest.raises(error, match=pattern):
        cr.tensor(data)


def test_comparisons_carry_no_gradient():
    x = cr.tensor([1.0, -1.0], requires_grad=True)
    mask = x > 0
    assert not mask.requires_grad and mask.grad_fn is None
    np.testing.assert_array_equal(mask.data, [True, False])


def test_attributes_and_repr():
    x = cr.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert (x.shape, x.ndim, x.size, x.is_leaf) == ((1, 3), 2, 3, True)
    assert x.T.shape == (3, 1)
    assert "requires_grad=True" in repr(x)
    y = x.sum()
    assert not y.is_leaf and "grad_fn=<SumBackward>" in repr(y)
    assert y.item() == 6.0 and isinstance(x.numpy(), np.ndarray)
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad


@pytest.mark.parametrize(
    ("expression", "pattern"),
    [
        (lambda: cr.ones(2, 3) @ cr.ones(4, 5), r"matmul.*\(2, 3\).*\(4, 5\)"),
        (lambda: cr.ones(2, 3) + cr.ones(4), r"Add.*\(2, 3\).*\(4,\)"),
        (lambda: cr.ones(2, 3).reshape(4, 2), r"reshape.*\(2, 3\).*\(4, 2\)"),
    ],
)
def test_shape_errors_name_the_op_and_both_shapes(expression, pattern):
    with pytest.raises(ValueError, match=pattern):
        expression()


def test_in_place_change_of_a_saved_array_is_detected():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([1.0, 2.0])
    v = x * w
    w.mul_(2.0)
    with pytest.raises(GraphError, match="in place"):
        v.sum().backward()
    with pytest.raises(GraphError, match="requires grad"):
        x.add_(1.0)


def test_in_place_change_through_a_detached_tensor_or_a_view_is_detected():
    # detach() and views share the array, so they share its version (as in PyTorch)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # Exp saves its output
    y.detach().add_(1.0)
    with pytest.raises(GraphError, match="Exp.*in place"):
        y.sum().backward()
    w = cr.tensor([3.0, 4.0])
    p = x * w[:]  # Mul saves the view
    w.mul_(2.0)
    with pytest.raises(GraphError, match="Mul.*in place"):
        p.sum().backward()
    q = x * w
    w.reshape(2, 1).T.zero_()  # through a view of a view
    with pytest.raises(GraphError, match="Mul.*in place"):
        q.sum().backward()


def test_in_place_change_is_detected_when_an_op_saves_its_input_and_returns_it():
    class Identity(cr.Function):  # the output is the input's own array, saved for backward
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * np.ones_like(x)

    for edited in ("input", "output"):
        x = cr.tensor([1.0, 2.0], requires_grad=True)
        z = Identity.apply(x)
        (x if edited == "input" else z).detach().mul_(2.0)
        with pytest.raises(GraphError, match="Identity.*in place"):
            z.sum().backward()


def test_gradcheck_refuses_float32_and_reports_the_worst_element():
    with pytest.raises(DTypeError, match="float64"):
        cr.gradcheck(lambda t: t * 2, [cr.tensor([1.0, 2.0], requires_grad=True)])

    class WrongSquare(cr.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2 x

    x = cr.tensor(np.array([1.0, 3.0]), requires_grad=True)
    with pytest.raises(
        cr.GradcheckError, match=r"input 0 \(shape \(2,\)\) at \(1,\): analytic .* vs numeric"
    ):
        cr.gradcheck(lambda t: WrongSquare.apply(t), [x])


def test_stable_at_plus_minus_1000():
    x = cr.tensor(np.array([[-1000.0, 0.0, 1000.0]]), requires_grad=True)
    with np.errstate(all="raise"):
        s = cr.sigmoid(x)
        t = cr.tanh(x)
        sm = cr.softmax(x, axis=1)
        lsm = cr.log_softmax(x, axis=1)
        lse = cr.logsumexp(x, axis=1)
        (s.sum() + t.sum() + sm[0, 2] + lsm.sum() + lse.sum()).backward()
    np.testing.assert_array_equal(s.data, [[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(t.data, [[-1.0, 0.0, 1.0]])
    np.testing.assert_allclose(sm.data, [[0.0, 0.0, 1.0]], rtol=0, atol=1e-300)
    np.testing.assert_allclose(lsm.data, [[-2000.0, -1000.0, 0.0]])
    np.testing.assert_allclose(lse.data, [1000.0])
    # the limits of the derivatives: sigmoid' = tanh' = 0 at +-1000 and 1/4, 1 at 0;
    # softmax[2]' = 0 (saturated); log_softmax: 1 - 3 softmax; logsumexp: softmax
    expected = np.array([[0.0, 0.25 + 1.0, 0.0]]) + np.array([[1.0, 1.0, -2.0]])
    expected += np.array([[0.0, 0.0, 1.0]])
    np.testing.assert_allclose(x.grad.data, expected, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_of_softmax_stays_finite_at_plus_minus_1000(dtype):
    """Probabilities that underflow are held at the smallest normal number: log(softmax) is
    finite, and its gradient is still exactly log_softmax's, onehot - softmax."""
    logits = np.array([[-1000.0, 0.0, 1000.0], [3.0, 1.0, -2.0]], dtype)
    x = cr.tensor(logits, requires_grad=True)
    with np.errstate(all="raise"):
        log_p = cr.log(cr.softmax(x, axis=1))
        log_p[:, 0].sum().backward()
    tiny_log = np.log(np.finfo(dtype).tiny)
    exact = logits - logits.max(axis=1, keepdims=True)
    exact -= np.log(np.exp(exact).sum(axis=1, keepdims=True))
    assert log_p.dtype == dtype and np.isfinite(log_p.data).all()
    np.testing.assert_allclose(log_p.data, np.maximum(exact, tiny_log), rtol=1e-5)
    onehot = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(x.grad.data, onehot - np.exp(exact), atol=1e-6)
