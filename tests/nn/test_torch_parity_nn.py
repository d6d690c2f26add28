"""PyTorch parity of the loss options (cross-entropy's weight, ignore_index, label_smoothing,
unbatched inputs; nll_loss's weight and ignore_index), the L1 / smooth L1 / Huber losses,
ModuleList, Sequential's list methods and emptied submodule slots: values and gradients
against torch 2.13 in float64, float64 finite differences, and float32 kept float32."""

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.autograd.forward import jvp
from chainrule.autograd.ops.loss import CrossEntropy
from chainrule.errors import GraphError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(7)
LOGITS = rng.normal(size=(6, 4)) * 2
LABELS = np.array([0, 3, -100, 2, 1, 2])  # one padding target, PyTorch's default ignore_index
CLASS_WEIGHT = rng.uniform(0.2, 2.0, size=4)
PROBS = rng.dirichlet(np.ones(4), size=6)


def _both(ours_fn, torch_fn, *arrays, grad_inputs=(0,)):
    """Our loss and torch's on the same float64 arrays, backward through each (sum for
    'none'); returns (ours, theirs, our grads, their grads) for the inputs in grad_inputs."""
    ours_in = [cr.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]
    theirs_in = [torch.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]
    ours, theirs = ours_fn(*ours_in), torch_fn(*theirs_in)
    ours.sum().backward()
    theirs.sum().backward()
    grads = [ours_in[i].grad.numpy() for i in grad_inputs]
    torch_grads = [theirs_in[i].grad.numpy() for i in grad_inputs]
    return ours.numpy(), theirs.detach().numpy(), grads, torch_grads


def _assert_matches(result, rtol=1e-12, atol=1e-14):
    ours, theirs, grads, torch_grads = result
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
    for grad, torch_grad in zip(grads, torch_grads, strict=True):
        np.testing.assert_allclose(grad, torch_grad, rtol=rtol, atol=atol)


# ---- cross_entropy: weight, ignore_index, label_smoothing -----------------------------------
OPTIONS = [
    {"weight": CLASS_WEIGHT},
    {"ignore_index": 2},
    {"label_smoothing": 0.3},
    {"weight": CLASS_WEIGHT, "label_smoothing": 0.1},
    {"weight": CLASS_WEIGHT, "ignore_index": 3, "label_smoothing": 0.2},
    {"label_smoothing": 1.0},
]


def _torch_options(options):
    weight = options.get("weight")
    return {**options, "weight": None if weight is None else torch.tensor(weight)}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "+".join(o))
def test_cross_entropy_class_target_options_match_torch(reduction, options):
    labels = LABELS if "ignore_index" not in options else np.where(LABELS < 0, 1, LABELS)
    result = _both(
        lambda x: F.cross_entropy(x, labels, reduction, **options),
        lambda x: TF.cross_entropy(
            x, torch.tensor(labels), reduction=reduction, **_torch_options(options)
        ),
        LOGITS,
    )
    _assert_matches(result)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [o for o in OPTIONS if "ignore_index" not in o])
def test_cross_entropy_probability_target_options_match_torch(reduction, options):
    """'mean' divides by N even with weights; the target's own gradient matches too."""
    result = _both(
        lambda x, p: F.cross_entropy(x, p, reduction, **options),
        lambda x, p: TF.cross_entropy(x, p, reduction=reduction, **_torch_options(options)),
        LOGITS,
        PROBS,
        grad_inputs=(0, 1),
    )
    _assert_matches(result)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_default_options_ignore_padding_targets_like_torch(reduction):
    """A -100 target is PyTorch's default ignore_index: left out, 'mean' over the rest (it
    was refused as a class out of range)."""
    result = _both(
        lambda x: F.cross_entropy(x, LABELS, reduction),
        lambda x: TF.cross_entropy(x, torch.tensor(LABELS), reduction=reduction),
        LOGITS,
    )
    _assert_matches(result)
    module = nn.CrossEntropyLoss(reduction)(cr.tensor(LOGITS), LABELS)
    np.testing.assert_allclose(module.numpy(), result[1], rtol=1e-12)


def test_cross_entropy_default_options_use_the_fused_op_alone():
    x = cr.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, np.array([0, 3, 1, 2, 1, 2]))
    assert loss.grad_fn.fn is CrossEntropy and loss.grad_fn.parents == (x, None)


@pytest.mark.parametrize(
    "options", [{}, {"weight": CLASS_WEIGHT}, {"label_smoothing": 0.2, "weight": CLASS_WEIGHT}]
)
def test_cross_entropy_all_ignored_mean_is_nan_with_zero_gradient_like_torch(options):
    labels = np.full(6, -100)
    theirs = torch.tensor(LOGITS, requires_grad=True)
    torch_loss = TF.cross_entropy(theirs, torch.tensor(labels), **_torch_options(options))
    torch_loss.backward()
    x = cr.tensor(LOGITS, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NaN as 0 / 0, without NumPy's RuntimeWarning
        loss = F.cross_entropy(x, labels, **options)
        loss.backward()
    assert np.isnan(loss.item()) and np.isnan(torch_loss.item())
    np.testing.assert_array_equal(x.grad.numpy(), theirs.grad.numpy())  # zeros
    summed = F.cross_entropy(cr.tensor(LOGITS), labels, "sum", **options)
    assert (
        summed.item()
        == TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(labels), reduction="sum").item()
        == 0.0
    )


def test_cross_entropy_options_gradients_match_finite_differences():
    labels = np.where(LABELS < 0, 1, LABELS)
    assert cr.gradcheck(
        lambda x: F.cross_entropy(
            x, labels, weight=CLASS_WEIGHT, ignore_index=2, label_smoothing=0.2
        ),
        [LOGITS],
    )
    assert cr.gradcheck(
        lambda x, p: F.cross_entropy(x, p, "none", weight=CLASS_WEIGHT, label_smoothing=0.2),
        [LOGITS, PROBS],
    )


def test_cross_entropy_options_keep_float32():
    """A float64 weight takes the input's dtype instead of upcasting the loss."""
    x = cr.tensor(LOGITS.astype(np.float32), requires_grad=True)
    for target in (LABELS, PROBS):
        loss = F.cross_entropy(x, target, weight=CLASS_WEIGHT, label_smoothing=0.1)
        loss.backward()
        assert loss.dtype == x.grad.dtype == np.float32
        reference = TF.cross_entropy(
            torch.tensor(LOGITS),
            torch.tensor(target),
            weight=torch.tensor(CLASS_WEIGHT),
            label_smoothing=0.1,
        )
        assert loss.item() == pytest.approx(reference.item(), rel=1e-5)
        x.grad = None


def test_cross_entropy_option_errors_name_the_option():
    x = cr.tensor(LOGITS)
    with pytest.raises(RuntimeError, match="label_smoothing"):
        TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(PROBS), label_smoothing=1.5)
    with pytest.raises(
        ValueRangeError, match=r"cross_entropy: label_smoothing must lie in \[0, 1\]"
    ):
        F.cross_entropy(x, LABELS, label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="weight tensor should be defined"):
        TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(LABELS), weight=torch.ones(3))
    with pytest.raises(ShapeError, match=r"cross_entropy: weight must have one entry per class"):
        F.cross_entropy(x, LABELS, weight=np.ones(3))
    with pytest.raises(GraphError, match="cross_entropy: weight requires grad"):
        F.cross_entropy(x, LABELS, weight=cr.tensor(CLASS_WEIGHT, requires_grad=True))
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(PROBS), ignore_index=1)
    with pytest.raises(ValueRangeError, match="cross_entropy: ignore_index=1 applies to class"):
        F.cross_entropy(x, PROBS, ignore_index=1)
    with pytest.raises(ValueRangeError, match=r"must lie in \[0, 3\] \(or equal ignore_index=0\)"):
        F.cross_entropy(x, LABELS, ignore_index=0)  # -100 is a class then, out of range
    with pytest.raises(ShapeError, match="probability targets must match logits"):
        F.cross_entropy(x, PROBS[:, :1], weight=CLASS_WEIGHT)  # would broadcast
    with pytest.raises(ValueRangeError, match=r"class targets must lie in \[0, 3\]"):
        F.cross_entropy(x, np.array([0, 1, 2, 3, 4, -100]))  # -100 fine, 4 is not


def test_cross_entropy_loss_module_takes_the_options_like_torch():
    options = {"weight": CLASS_WEIGHT, "ignore_index": 3, "label_smoothing": 0.2}
    ours = nn.CrossEntropyLoss("sum", **options)
    theirs = torch.nn.CrossEntropyLoss(reduction="sum", **_torch_options(options))
    labels = np.where(LABELS < 0, 3, LABELS)
    result = _both(lambda x: ours(x, labels), lambda x: theirs(x, torch.tensor(labels)), LOGITS)
    _assert_matches(result)
    assert repr(ours) == "CrossEntropyLoss(reduction='sum', ignore_index=3, label_smoothing=0.2)"


# ---- unbatched input: logits (C,) ----------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "target", [np.array(2), np.array(-100), PROBS[0]], ids=["class", "ignored", "probabilities"]
)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHT, "label_smoothing": 0.2}])
def test_cross_entropy_of_one_unbatched_sample_matches_torch(reduction, target, options):
    result = _both(
        lambda x: F.cross_entropy(x, target, reduction, **options),
        lambda x: TF.cross_entropy(
            x, torch.tensor(target), reduction=reduction, **_torch_options(options)
        ),
        LOGITS[0],
    )
    assert result[0].shape == ()
    _assert_matches(result)


def test_cross_entropy_unbatched_target_shape_is_checked():
    with pytest.raises(ShapeError, match=r"cross_entropy: an unbatched input \(4,\) takes a 0-d"):
        F.cross_entropy(cr.tensor(LOGITS[0]), np.array([2]))
    with pytest.raises(ShapeError, match=r"got a target of shape \(3,\)"):
        F.cross_entropy(cr.tensor(LOGITS[0]), PROBS[0, :3])


# ---- nll_loss: weight, ignore_index, unbatched, empty -----------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"weight": CLASS_WEIGHT},
        {"ignore_index": 2},
        {"weight": CLASS_WEIGHT, "ignore_index": 3},
    ],
)
def test_nll_loss_weight_and_ignore_index_match_torch(reduction, options):
    labels = LABELS if "ignore_index" not in options else np.where(LABELS < 0, 1, LABELS)
    log_probs = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    result = _both(
        lambda x: F.nll_loss(x, labels, reduction, **options),
        lambda x: TF.nll_loss(
            x, torch.tensor(labels), reduction=reduction, **_torch_options(options)
        ),
        log_probs,
    )
    _assert_matches(result)
    module = nn.NLLLoss(reduction, **options)(cr.tensor(log_probs), labels)
    np.testing.assert_allclose(module.numpy(), result[1], rtol=1e-12)


@pytest.mark.parametrize(
    "labels", [np.zeros(0, np.int64), np.full(3, -100)], ids=["empty", "ignored"]
)
def test_nll_loss_mean_of_nothing_is_nan_without_a_warning_like_torch(labels):
    x = cr.tensor(np.zeros((len(labels), 3)), requires_grad=True)
    assert np.isnan(TF.nll_loss(torch.zeros(len(labels), 3), torch.tensor(labels)).item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Mean of empty slice" before
        loss = F.nll_loss(x, labels)
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((len(labels), 3)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_of_one_unbatched_sample_matches_torch(reduction):
    result = _both(
        lambda x: F.nll_loss(x, np.array(1), reduction, weight=CLASS_WEIGHT),
        lambda x: TF.nll_loss(
            x, torch.tensor(1), reduction=reduction, weight=torch.tensor(CLASS_WEIGHT)
        ),
        LOGITS[0],
    )
    assert result[0].shape == ()
    _assert_matches(result)


# ---- L1, smooth L1, Huber ---------------------------------------------------------------------
# differences at the kinks on purpose: 0, +-0.5 and +-1 (each loss's threshold in the cases)
INPUT = np.array([[0.0, 1.0, 2.0, -3.0], [0.5, -0.5, 0.25, 1.75], [2.0, -1.0, 0.1, -0.2]])
TARGET = np.array([[0.0, 0.0, 1.5, -1.0], [0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.3]])
REGRESSION = [
    ("l1_loss", {}),
    ("smooth_l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}),
    ("huber_loss", {}),
    ("huber_loss", {"delta": 0.5}),
    ("huber_loss", {"delta": 2.5}),
]
REGRESSION_IDS = [name + "".join(f"-{k}{v}" for k, v in o.items()) for name, o in REGRESSION]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "options"), REGRESSION, ids=REGRESSION_IDS)
def test_regression_losses_match_torch_kinks_included(reduction, name, options):
    result = _both(
        lambda a, b: getattr(F, name)(a, b, reduction, **options),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **options),
        INPUT,
        TARGET,
        grad_inputs=(0, 1),
    )
    _assert_matches(result)


@pytest.mark.parametrize(("name", "options"), REGRESSION, ids=REGRESSION_IDS)
def test_regression_losses_match_finite_differences_both_modes(name, options):
    a, b = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))  # kinks hit with probability 0
    loss = getattr(F, name)
    assert cr.gradcheck(lambda x, y: loss(x, y, "none", **options), [a, b])
    ta, tb = rng.normal(size=a.shape), rng.normal(size=b.shape)
    _, tangent = jvp(lambda x, y: loss(x, y, **options), (a, b), (ta, tb))
    step = 1e-6
    numeric = (
        loss(cr.tensor(a + step * ta), cr.tensor(b + step * tb), **options).item()
        - loss(cr.tensor(a - step * ta), cr.tensor(b - step * tb), **options).item()
    ) / (2 * step)
    assert tangent.item() == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize(("name", "options"), REGRESSION, ids=REGRESSION_IDS)
def test_regression_losses_keep_float32_and_empty_mean_is_nan(name, options):
    loss = getattr(F, name)
    a = cr.tensor(INPUT.astype(np.float32), requires_grad=True)
    out = loss(a, TARGET, **options)  # a float64 target does not upcast
    out.backward()
    assert out.dtype == a.grad.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(loss(cr.zeros(0), cr.zeros(0), **options).item())
    assert np.isnan(getattr(TF, name)(torch.zeros(0), torch.zeros(0), **options).item())


def test_regression_loss_errors_name_the_loss_and_option():
    a, b = cr.tensor(INPUT), cr.tensor(TARGET)
    with pytest.raises(RuntimeError, match="beta"):
        TF.smooth_l1_loss(torch.tensor(INPUT), torch.tensor(TARGET), beta=-1.0)
    with pytest.raises(ValueRangeError, match="smooth_l1_loss: beta must be >= 0, got -1.0"):
        F.smooth_l1_loss(a, b, beta=-1.0)
    for delta in (0.0, float("nan")):
        with pytest.raises(ValueRangeError, match="huber_loss: delta must be > 0"):
            F.huber_loss(a, b, delta=delta)
    with pytest.raises(ShapeError, match=r"l1_loss: input \(3, 4\) and target \(4,\)"):
        F.l1_loss(a, b[0])
    with pytest.raises(ValueRangeError, match="huber_loss: reduction must be one of"):
        F.huber_loss(a, b, "avg")


@pytest.mark.parametrize(
    ("ours", "theirs", "options"),
    [
        ("L1Loss", "L1Loss", {}),
        ("SmoothL1Loss", "SmoothL1Loss", {"beta": 0.5}),
        ("HuberLoss", "HuberLoss", {"delta": 0.5}),
    ],
)
def test_regression_loss_modules_match_torch(ours, theirs, options):
    result = _both(
        getattr(nn, ours)("sum", **options),
        getattr(torch.nn, theirs)(reduction="sum", **options),
        INPUT,
        TARGET,
    )
    _assert_matches(result)


# ---- ModuleList and Sequential's list methods -------------------------------------------------
def _edit(lib, container):
    """The same list edits on a chainrule or a torch container."""
    container.append(lib.Linear(2, 3))
    container.extend([lib.Linear(3, 3), lib.ReLU()])
    container.insert(1, lib.Linear(2, 2))
    container.insert(len(container), lib.Linear(3, 1))
    container[0] = lib.Linear(2, 2)
    del container[2]
    return container


def test_module_list_edits_index_and_state_dict_like_torch():
    ours = _edit(nn, nn.ModuleList([nn.Linear(2, 2), nn.ReLU()]))
    theirs = _edit(torch.nn, torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.ReLU()]))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours) == len(theirs) == 6
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert ours[-1] is list(ours)[5] and ours[1] is list(ours)[1]
    for index in (slice(1, 4), slice(None, None, 2), slice(-2, None)):
        part, theirs_part = ours[index], theirs[index]
        assert type(part) is nn.ModuleList
        assert list(part.state_dict()) == list(theirs_part.state_dict())  # renumbered from 0
        assert all(a is b for a, b in zip(part, list(ours)[index], strict=True))
    del ours[-2:], theirs[-2:]
    ours += [nn.Tanh()]
    theirs += [torch.nn.Tanh()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]


def test_module_list_registers_its_modules_in_a_model():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList(nn.Linear(3, 3) for _ in range(2))
            self.head = nn.Linear(3, 1)

        def forward(self, x):
            for block in self.blocks:
                x = block(x).relu()
            return self.head(x)

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList(torch.nn.Linear(3, 3) for _ in range(2))
            self.head = torch.nn.Linear(3, 1)

    net = Net()
    assert list(net.state_dict()) == list(TorchNet().state_dict())
    assert [id(p) for p in net.parameters()] == [
        id(p) for block in net.blocks for p in (block.weight, block.bias)
    ] + [id(net.head.weight), id(net.head.bias)]
    net(cr.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.eval()
    assert not any(m.training for m in net.blocks)
    with pytest.raises(NotImplementedError, match="ModuleList must define forward"):
        net.blocks(cr.ones(1, 3))


def test_module_list_refuses_bad_items_and_indices_without_changing():
    ours = nn.ModuleList([nn.ReLU()])
    with pytest.raises(TypeError, match="ModuleList.extend: expected an iterable of modules"):
        ours.extend(nn.Linear(1, 1))
    with pytest.raises(TypeError, match="ModuleList: item 2 is int, not a Module"):
        ours.extend([nn.Tanh(), 3])  # all checked first: the Tanh is not added either
    assert len(ours) == 1
    with pytest.raises(TypeError, match="cannot assign 'int' as submodule '0'"):
        ours[0] = 3
    for bad in (
        lambda: ours[1],
        lambda: ours.__setitem__(-2, nn.ReLU()),
        lambda: ours.__delitem__(1),
    ):
        with pytest.raises(IndexError, match="ModuleList: index -?[12] is out of range for 1"):
            bad()
    with pytest.raises(IndexError, match=r"ModuleList.insert: index 3 is out of range"):
        ours.insert(3, nn.ReLU())  # torch would store it under the name "3", after a gap
    assert list(ours._modules) == ["0"]


def test_sequential_setitem_delitem_insert_extend_like_torch():
    def edited(lib):
        seq = lib.Sequential(lib.Linear(2, 4), lib.ReLU(), lib.Linear(4, 3))
        seq[1] = lib.Tanh()
        seq[-1] = lib.Linear(4, 5)
        seq.insert(-1, lib.Linear(4, 4))
        seq.insert(0, lib.ReLU())
        del seq[0]
        seq.extend(lib.Sequential(lib.ReLU(), lib.Linear(5, 1)))
        del seq[1:2]
        return seq

    ours, theirs = edited(nn), edited(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    # the forward runs through the new order: torch's weights in, torch's output out
    state = {
        k: v.detach().numpy().T if k.endswith("weight") else v.detach().numpy()
        for k, v in theirs.state_dict().items()
    }
    ours.load_state_dict(state)
    x = rng.normal(size=(3, 2)).astype(np.float32)
    expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(cr.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_sequential_del_renumbers_named_modules_like_torch():
    def named(lib):
        return lib.Sequential(
            OrderedDict(hidden=lib.Linear(2, 3), act=lib.ReLU(), out=lib.Linear(3, 1))
        )

    ours, theirs = named(nn), named(torch.nn)
    del ours[1], theirs[1]
    assert (
        list(ours.state_dict())
        == list(theirs.state_dict())
        == ["0.weight", "0.bias", "1.weight", "1.bias"]
    )
    assert not hasattr(ours, "hidden") and ours[0] is ours._modules["0"]
    with pytest.raises(IndexError, match=r"Sequential.insert: index -4 is out of range"):
        ours.insert(-4, nn.ReLU())
    with pytest.raises(TypeError, match="Sequential: item 0 is int, not a Module"):
        ours.insert(0, 3)


# ---- an emptied submodule slot keeps its place -------------------------------------------------
def test_submodule_set_to_none_keeps_its_slot_like_torch():
    def net(lib):
        model = lib.Module()
        model.a, model.b = lib.Linear(2, 3), lib.Linear(3, 1)
        return model

    ours, theirs = net(nn), net(torch.nn)
    ours.a = theirs.a = None
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["b.weight", "b.bias"]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert list(ours.children()) == [ours.b] and ours.a is None
    assert repr(ours) == repr(theirs)
    ours.a, theirs.a = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    assert (
        list(ours.state_dict())
        == list(theirs.state_dict())
        == ["a.weight", "a.bias", "b.weight", "b.bias"]
    )
