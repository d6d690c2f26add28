"""Fused losses: one graph node each, reduction included, checked against PyTorch (float64),
float64 finite differences (reverse and forward mode) and float32 dtype preservation."""

import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd.forward import jvp
from chainrule.autograd.ops import loss as loss_ops

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(11)
LOGITS = rng.normal(size=(5, 4)) * 3
LABELS = rng.integers(0, 4, size=5)
SOFT = rng.dirichlet(np.ones(4), size=5) * rng.uniform(0.5, 1.5, size=(5, 1))  # mass != 1
PROBS = rng.uniform(0.05, 0.95, size=(3, 4))
TARGETS01 = rng.uniform(0, 1, size=(3, 4))
A, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))


def _cases(reduction):
    """name -> (our loss of Tensors, PyTorch's loss of tensors, float64 inputs)."""
    tf = pytest.importorskip("torch").nn.functional
    return {
        "mse": (
            lambda a, b: F.mse_loss(a, b, reduction),
            lambda a, b: tf.mse_loss(a, b, reduction=reduction),
            (A, B),
        ),
        "mse_half": (
            lambda a, b: F.mse_loss(a, b, reduction, half=True),
            lambda a, b: 0.5 * tf.mse_loss(a, b, reduction=reduction),
            (A, B),
        ),
        "cross_entropy_classes": (
            lambda x: F.cross_entropy(x, LABELS, reduction),
            lambda x: tf.cross_entropy(x, _torch_labels(), reduction=reduction),
            (LOGITS,),
        ),
        "cross_entropy_probabilities": (
            lambda x, p: F.cross_entropy(x, p, reduction),
            lambda x, p: tf.cross_entropy(x, p, reduction=reduction),
            (LOGITS, SOFT),
        ),
        "bce": (
            lambda p, y: F.binary_cross_entropy(p, y, reduction),
            lambda p, y: tf.binary_cross_entropy(p, y, reduction=reduction),
            (PROBS, TARGETS01),
        ),
        "bce_with_logits": (
            lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction),
            lambda x, y: tf.binary_cross_entropy_with_logits(x, y, reduction=reduction),
            (LOGITS[:3] * 2, TARGETS01),
        ),
    }


def _torch_labels():
    import torch

    return torch.tensor(LABELS)


NAMES = [
    "mse",
    "mse_half",
    "cross_entropy_classes",
    "cross_entropy_probabilities",
    "bce",
    "bce_with_logits",
]


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_loss_matches_torch_value_and_gradients(name, reduction):
    torch = pytest.importorskip("torch")
    ours_fn, theirs_fn, arrays = _cases(reduction)[name]
    ours_in = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*ours_in), theirs_fn(*theirs_in)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-12)
    weight = np.random.default_rng(5).normal(size=ours.shape)  # a non-uniform grad_output
    ours.backward(gradient=cr.tensor(weight))
    theirs.backward(torch.tensor(weight))
    for a, b in zip(ours_in, theirs_in, strict=True):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_loss_gradient_matches_finite_differences(name, reduction):
    pytest.importorskip("torch")  # only for the case table; the check itself is NumPy
    ours_fn, _, arrays = _cases(reduction)[name]
    assert cr.gradcheck(ours_fn, arrays)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_loss_is_one_graph_node(name, reduction):
    pytest.importorskip("torch")
    ours_fn, _, arrays = _cases(reduction)[name]
    inputs = [cr.tensor(a, requires_grad=True) for a in arrays]
    node = ours_fn(*inputs).grad_fn
    parents = [p for p in node.parents if p is not None]  # class labels have no node
    assert len(parents) == len(inputs)
    assert all(p is t for p, t in zip(parents, inputs, strict=True))  # no Mean/Sum/Mul node


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_forward_mode_matches_finite_differences(reduction):
    """jvp of every fused loss op with its reduction, against central differences."""
    cases = {
        "SquaredError": (
            lambda a, b: loss_ops.SquaredError.apply(a, b, reduction=reduction, scale=0.5),
            (A, B),
        ),
        "CrossEntropy": (
            lambda x, p: (
                loss_ops.CrossEntropy.apply(x, p, reduction=reduction)
                + loss_ops.CrossEntropy.apply(x, LABELS, reduction=reduction)
            ),
            (LOGITS, SOFT),
        ),
        "BinaryCrossEntropyWithLogits": (
            lambda x, y: loss_ops.BinaryCrossEntropyWithLogits.apply(x, y, reduction=reduction),
            (LOGITS[:3], TARGETS01),
        ),
        "BinaryCrossEntropy": (
            lambda p, y: loss_ops.BinaryCrossEntropy.apply(p, y, reduction=reduction),
            (PROBS, TARGETS01),
        ),
    }
    t_rng = np.random.default_rng(9)
    for name, (f, inputs) in cases.items():
        tangents = tuple(t_rng.normal(size=np.shape(x)) for x in inputs)
        _, tangent = jvp(f, inputs, tangents)
        eps = 1e-6
        with cr.no_grad():
            plus = f(*[cr.tensor(x + eps * v) for x, v in zip(inputs, tangents, strict=True)])
            minus = f(*[cr.tensor(x - eps * v) for x, v in zip(inputs, tangents, strict=True)])
        expected = (plus.data - minus.data) / (2 * eps)
        np.testing.assert_allclose(tangent.data, expected, rtol=1e-5, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_losses_keep_float32(reduction):
    x = cr.tensor(LOGITS.astype(np.float32), requires_grad=True)
    p = cr.tensor(PROBS.astype(np.float32), requires_grad=True)
    targets = [
        (F.mse_loss, x, B.repeat(2, axis=0)[:5]),  # float64 target: cast, not upcast
        (F.cross_entropy, x, LABELS),
        (F.cross_entropy, x, SOFT),
        (F.binary_cross_entropy, p, TARGETS01),
        (F.binary_cross_entropy_with_logits, p, TARGETS01),
    ]
    for fn, inp, target in targets:
        inp.grad = None
        out = fn(inp, target, reduction)
        assert out.dtype == np.float32, fn.__name__
        out.backward(gradient=cr.ones(*out.shape))
        assert inp.grad.dtype == np.float32, fn.__name__


def test_mse_half_gradient_is_the_plain_difference():
    """The classic quadratic cost 1/2 sum (a - y)^2: dC/da = a - y exactly."""
    a = cr.tensor(A, requires_grad=True)
    F.mse_loss(a, B, reduction="sum", half=True).backward()
    np.testing.assert_array_equal(a.grad.data, A - B)


def test_cross_entropy_stays_finite_for_huge_logits():
    x = cr.tensor(
        np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]]), requires_grad=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, np.array([1, 2]))
        loss.backward()
    # sample 0 puts all mass on class 0 but the label is 1: loss 2000; sample 1 is right: 0
    np.testing.assert_allclose(loss.item(), 1000.0)
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


@pytest.mark.parametrize(
    "fn", [F.mse_loss, F.cross_entropy, F.binary_cross_entropy, F.binary_cross_entropy_with_logits]
)
def test_loss_refuses_an_unknown_reduction(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: reduction must be one of .* 'avg'"):
        fn(cr.tensor(PROBS), TARGETS01 if fn is not F.cross_entropy else LABELS[:3], "avg")


def test_mse_refuses_different_shapes():
    with pytest.raises(ValueError, match=r"mse_loss: input \(3, 4\) and target \(4,\)"):
        F.mse_loss(cr.tensor(A), B[0])


@pytest.mark.parametrize(
    "op",
    [loss_ops.SquaredError, loss_ops.BinaryCrossEntropy, loss_ops.BinaryCrossEntropyWithLogits],
)
def test_loss_op_called_directly_refuses_an_unknown_reduction(op):
    with pytest.raises(ValueError, match="reduction must be one of"):
        op.apply(cr.tensor(PROBS), TARGETS01, reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        loss_ops.CrossEntropy.apply(cr.tensor(LOGITS), LABELS, reduction="avg")


def test_out_of_range_values_are_value_errors_named_once():
    """A class index beyond the classes (or negative) is a ValueRangeError naming the loss
    once, not a ShapeError: the shapes were fine."""
    logits = cr.tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    for labels in (
        np.array([0, 1, 4]),
        np.array([0, -1, 2], np.int32),
        np.array([0, -1, 2], ">i8"),
    ):
        with pytest.raises(cr.ValueRangeError) as info:
            F.cross_entropy(logits, labels)
        assert not isinstance(info.value, cr.ShapeError)
        assert str(info.value).startswith("cross_entropy: class targets must lie in [0, 3]")
    assert F.cross_entropy(logits, np.array([0, 1, 3], np.uint8)).item() == pytest.approx(
        np.log(4.0)
    )
    with pytest.raises(cr.ValueRangeError, match="^binary_cross_entropy: input probabilities"):
        F.binary_cross_entropy(cr.tensor(np.array([0.5, 1.5], np.float32)), np.ones(2))
