"""Third review of chainrule.nn against torch 2.13: cross-entropy's options together on edge
sizes and dtypes, a negative ignore_index with probability targets, a NumPy label_smoothing
on a float32 loss, 'mean' over a zero total weight, nll_loss's unbatched dtype error, and a
Sequential slice across an emptied slot."""

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

REDUCTIONS = ["mean", "sum", "none"]


def _grads_vs_torch(ours_fn, torch_fn, logits):
    """Our loss and torch's of the same logits, and each one's gradient (of the sum for
    'none'), computed in the logits' dtype."""
    x = cr.tensor(logits, requires_grad=True)
    tx = torch.tensor(logits, requires_grad=True)
    ours, theirs = ours_fn(x), torch_fn(tx)
    ours.sum().backward()
    theirs.sum().backward()
    return ours, theirs.detach().numpy(), x.grad.numpy(), tx.grad.numpy()


# ---- every option at once, on edge sizes, in both float dtypes --------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("count", "classes"), [(5, 4), (1, 4), (4, 1), (1, 1)])
@pytest.mark.parametrize("integer_weight", [False, True])
def test_cross_entropy_all_options_together_match_torch(
    reduction, dtype, count, classes, integer_weight
):
    rng = np.random.default_rng(count * 10 + classes)
    logits = (rng.normal(size=(count, classes)) * 2).astype(dtype)
    labels = rng.integers(0, classes, size=count)
    labels[-1] = classes - 1  # the ignored class, among counted ones when count > 1
    weight = np.arange(1, classes + 1) if integer_weight else rng.uniform(0.2, 2.0, classes)
    options = {"ignore_index": classes - 1, "label_smoothing": 0.25}
    ours, theirs, grad, torch_grad = _grads_vs_torch(
        lambda x: F.cross_entropy(x, labels, reduction, weight=weight, **options),
        lambda x: TF.cross_entropy(
            x,
            torch.tensor(labels),
            reduction=reduction,
            weight=torch.tensor(weight, dtype=x.dtype),
            **options,
        ),
        logits,
    )
    assert ours.dtype == grad.dtype == dtype and ours.shape == theirs.shape
    tolerance = {"rtol": 1e-12, "atol": 1e-14} if dtype == np.float64 else {"rtol": 2e-5}
    np.testing.assert_allclose(ours.numpy(), theirs, **tolerance)  # NaN where all are ignored
    np.testing.assert_allclose(grad, torch_grad, **tolerance)


# ---- probability targets take a negative ignore_index, as torch -------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [-1, -7])
def test_cross_entropy_probability_targets_accept_a_negative_ignore_index_like_torch(
    reduction, ignore_index
):
    """torch refuses only an ignore_index >= 0 with probabilities; any other than -100 was
    refused, so ``CrossEntropyLoss(ignore_index=-1)`` failed on soft (mixup) targets."""
    rng = np.random.default_rng(3)
    logits, probs = rng.normal(size=(5, 4)), rng.dirichlet(np.ones(4), size=5)
    options = {"ignore_index": ignore_index, "label_smoothing": 0.1}
    ours, theirs, grad, torch_grad = _grads_vs_torch(
        lambda x: F.cross_entropy(x, probs, reduction, **options),
        lambda x: TF.cross_entropy(x, torch.tensor(probs), reduction=reduction, **options),
        logits,
    )
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-12)
    np.testing.assert_allclose(grad, torch_grad, rtol=1e-12, atol=1e-15)
    loss = nn.CrossEntropyLoss(ignore_index=ignore_index)
    soft = loss(cr.tensor(logits), probs)
    hard = loss(cr.tensor(logits), np.array([0, ignore_index, 2, 3, 1]))
    assert soft.item() == pytest.approx(
        TF.cross_entropy(torch.tensor(logits), torch.tensor(probs)).item(), rel=1e-12
    )
    expected = TF.cross_entropy(
        torch.tensor(logits), torch.tensor([0, ignore_index, 2, 3, 1]), ignore_index=ignore_index
    )
    assert hard.item() == pytest.approx(expected.item(), rel=1e-12)


def test_cross_entropy_probability_targets_still_refuse_a_class_ignore_index():
    logits, probs = np.zeros((2, 3)), np.full((2, 3), 1 / 3)
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        TF.cross_entropy(torch.tensor(logits), torch.tensor(probs), ignore_index=0)
    with pytest.raises(cr.ValueRangeError, match="cross_entropy: ignore_index=0 applies to class"):
        F.cross_entropy(cr.tensor(logits), probs, ignore_index=0)


# ---- a NumPy label_smoothing does not upcast a float32 loss -----------------------------------
def test_cross_entropy_numpy_label_smoothing_keeps_float32():
    """``label_smoothing=np.float64(0.1)`` (from a NumPy sweep or config) turned float32
    probability targets into float64, and with them the loss."""
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(4, 3)).astype(np.float32)
    probs = rng.dirichlet(np.ones(3), size=4).astype(np.float32)
    x = cr.tensor(logits, requires_grad=True)
    for smoothing in (np.float64(0.1), np.float32(0.1)):
        loss = F.cross_entropy(x, probs, label_smoothing=smoothing)
        loss.backward()
        assert loss.dtype == x.grad.dtype == np.float32
        expected = TF.cross_entropy(
            torch.tensor(logits), torch.tensor(probs), label_smoothing=float(smoothing)
        )
        assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
        x.grad = None


# ---- 'mean' over counted targets whose weights sum to zero -------------------------------------
@pytest.mark.parametrize(
    ("loss", "options"),
    [("cross_entropy", {}), ("cross_entropy", {"label_smoothing": 0.2}), ("nll_loss", {})],
)
def test_mean_over_a_zero_total_weight_has_torch_nan_gradient(loss, options):
    """Every target in a class of weight 0: the loss is NaN, 0 / 0, and so is torch's gradient.
    Ours was 0 -- and with smoothing the finite gradient of the unnormalised sum, a step that
    the NaN loss does not describe."""
    logits = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]])
    labels, weight = np.array([0, 0]), np.array([0.0, 1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy division warnings either
        ours, theirs, grad, torch_grad = _grads_vs_torch(
            lambda x: getattr(F, loss)(x, labels, weight=weight, **options),
            lambda x: getattr(TF, loss)(
                x, torch.tensor(labels), weight=torch.tensor(weight), **options
            ),
            logits,
        )
    assert np.isnan(ours.item()) and np.isnan(theirs)
    np.testing.assert_array_equal(grad, torch_grad)  # NaN where torch's is, 0 elsewhere


# ---- nll_loss of one sample with a float target ------------------------------------------------
def test_nll_loss_unbatched_float_target_is_a_dtype_error():
    """A 0-d float target got a ShapeError saying a 0-d target was expected and shape () came."""
    log_probs = np.log(np.full(3, 1 / 3))
    with pytest.raises(RuntimeError, match="Long"):  # torch refuses its dtype
        TF.nll_loss(torch.tensor(log_probs), torch.tensor(1.0))
    for target in (np.array(1.0), np.full(3, 1 / 3)):
        with pytest.raises(cr.DTypeError, match="^nll_loss: targets must be integer class"):
            F.nll_loss(cr.tensor(log_probs), target)


# ---- a Sequential slice across an emptied slot -------------------------------------------------
def _emptied(lib):
    model = lib.Sequential(
        OrderedDict(stem=lib.Linear(2, 3), act=lib.ReLU(), head=lib.Linear(3, 1), out=lib.Tanh())
    )
    model.act = None  # the slot keeps its place, as torch
    return model


@pytest.mark.parametrize("index", [slice(None, 2), slice(1, None), slice(None, None, 2)])
def test_sequential_slice_keeps_an_emptied_slot_like_torch(index):
    """Slicing re-checked every item as new: a None slot raised 'item act is NoneType, not a
    Module'; torch's slice holds it under its name."""
    ours, theirs = _emptied(nn)[index], _emptied(torch.nn)[index]
    assert list(ours._modules) == list(theirs._modules)
    assert [m is None for m in ours] == [m is None for m in theirs]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert repr(ours) == repr(theirs)
    whole = _emptied(nn)
    assert all(a is b for a, b in zip(whole[1:], list(whole)[1:], strict=True))  # shared


def test_a_forward_assigned_to_one_instance_is_what_calling_it_runs_as_in_torch():
    """A class's __call__ is its forward, so ``m.forward = f`` was ignored by ``m(x)``;
    torch runs ``f`` (a common way to patch one layer), and other instances stay as they are."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    ours, other = nn.Linear(3, 2), nn.Linear(3, 2)
    theirs = torch.nn.Linear(3, 2)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data.T))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    ours_forward, theirs_forward = ours.forward, theirs.forward
    ours.forward = lambda t: ours_forward(t) * 2
    theirs.forward = lambda t: theirs_forward(t) * 2
    np.testing.assert_allclose(
        ours(cr.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6
    )
    assert isinstance(ours, nn.Linear) and repr(ours).startswith("Linear(")
    np.testing.assert_allclose(
        nn.Sequential(ours)(cr.tensor(x)).data, 2 * ours_forward(cr.tensor(x)).data
    )
    assert type(other) is nn.Linear and type(other).__call__ is nn.Linear.forward
