"""Review of the nn module layer against torch.nn: attribute slots, state loading, Sequential
names, value targets of integer dtype, apply and requires_grad_."""

from collections import OrderedDict

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.errors import DTypeError

torch = pytest.importorskip("torch")


def _pair():
    """The same 2-3-1 network in chainrule and in torch (torch's weights are the transpose)."""
    ours = nn.Sequential(
        nn.Linear(2, 3, dtype=np.float64), nn.Tanh(), nn.Linear(3, 1, dtype=np.float64)
    )
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    theirs.double()
    with torch.no_grad():
        for (_, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
            t.copy_(torch.tensor(p.data.T))
    return ours, theirs


# ---- replacing a registered slot ------------------------------------------------------------
def test_module_replacing_a_sequential_layer_keeps_its_place_like_torch():
    ours, theirs = _pair()
    new_weight = np.arange(6, dtype=np.float64).reshape(2, 3) / 10
    replacement = nn.Linear(2, 3, dtype=np.float64)
    replacement.weight.data[...] = new_weight
    replacement.bias.data[...] = 0.5
    setattr(ours, "0", replacement)
    theirs_replacement = torch.nn.Linear(2, 3).double()
    with torch.no_grad():
        theirs_replacement.weight.copy_(torch.tensor(new_weight.T))
        theirs_replacement.bias.fill_(0.5)
    setattr(theirs, "0", theirs_replacement)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 2))
    expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(cr.tensor(x)).numpy(), expected, rtol=1e-12)


def test_module_replacing_a_parameter_keeps_its_place_like_torch():
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    ours.weight = nn.Parameter(np.zeros((2, 3), np.float32))
    theirs.weight = torch.nn.Parameter(torch.zeros(3, 2))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_module_assigning_a_non_module_to_a_submodule_is_a_type_error_like_torch():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 2)

    with pytest.raises(TypeError, match="child module 'fc'"):
        TorchNet().fc = torch.zeros(2)
    net = Net()
    layer = net.fc
    for value in (cr.zeros(2), np.zeros(2), 3):
        with pytest.raises(TypeError, match=r"Net: cannot assign '\w+' as submodule 'fc'"):
            net.fc = value
        assert net.fc is layer and list(net.state_dict()) == ["fc.weight", "fc.bias"]


# ---- load_state_dict leaves the model untouched on failure ---------------------------------
@pytest.mark.parametrize("bad", [np.array(["a", "b", "c"]), np.ones(3) * 1j])
def test_module_load_state_dict_with_a_bad_dtype_changes_nothing(bad):
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    before = {name: p.data.copy() for name, p in model.named_parameters()}
    state = {"0.weight": np.ones((2, 3)), "0.bias": bad}
    with pytest.raises(DTypeError, match=r"load_state_dict: 0.bias has dtype"):
        model.load_state_dict(state)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[name])


# ---- Sequential names: slices, OrderedDict, append ------------------------------------------
@pytest.mark.parametrize("index", [slice(1, None), slice(None, None, 2), slice(-1, None)])
def test_sequential_slice_keeps_the_names_like_torch(index):
    ours, theirs = _pair()
    part, theirs_part = ours[index], theirs[index]
    assert list(part.state_dict()) == list(theirs_part.state_dict())
    assert all(a is b for a, b in zip(part, list(ours)[index], strict=True))
    # the slice's state loads back into the whole model by name, as in torch
    assert ours.load_state_dict(part.state_dict(), strict=False)[1] == []


def test_sequential_from_an_ordered_dict_and_append_like_torch():
    ours = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 3), act=nn.ReLU()))
    theirs = torch.nn.Sequential(OrderedDict(hidden=torch.nn.Linear(2, 3), act=torch.nn.ReLU()))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.append(nn.Linear(3, 1)) is ours
    theirs.append(torch.nn.Linear(3, 1))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours(cr.ones(4, 2)).shape == (4, 1)
    with pytest.raises(KeyError, match="'a.b' is no valid new module name"):
        nn.Sequential(OrderedDict([("a.b", nn.ReLU())]))
    with pytest.raises(KeyError, match="'forward' is no valid new module name"):
        nn.Sequential(OrderedDict(forward=nn.ReLU()))
    # torch would silently replace the slice's module "2" here; it is refused
    tail = ours[1:]
    with pytest.raises(KeyError, match="'2' is no valid new module name"):
        tail.append(nn.ReLU())


# ---- integer targets of value losses ---------------------------------------------------------
@pytest.mark.parametrize(
    ("ours", "theirs", "squash"),
    [
        (F.mse_loss, torch.nn.functional.mse_loss, False),
        (F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy, True),
        (
            F.binary_cross_entropy_with_logits,
            torch.nn.functional.binary_cross_entropy_with_logits,
            False,
        ),
    ],
    ids=["mse", "bce", "bce_logits"],
)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_integer_targets_keep_float32(ours, theirs, squash, reduction):
    rng = np.random.default_rng(3)
    x_np = rng.standard_normal((5, 4)).astype(np.float32)
    if squash:
        x_np = 1 / (1 + np.exp(-x_np))
    labels = rng.integers(0, 2, (5, 4))
    x = cr.tensor(x_np, requires_grad=True)
    loss = ours(x, labels, reduction)
    assert loss.dtype == np.float32
    loss.sum().backward()
    assert x.grad.dtype == np.float32
    tx = torch.tensor(x_np, requires_grad=True)
    expected = theirs(tx, torch.tensor(labels, dtype=torch.float32), reduction=reduction)
    expected.sum().backward()
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    # a bool target is a 0/1 label as well
    assert ours(x, labels.astype(bool), reduction).dtype == np.float32


# ---- apply and requires_grad_ ----------------------------------------------------------------
def test_module_apply_visits_children_first_like_torch():
    inner = nn.Linear(2, 2)
    ours = nn.Sequential(nn.Sequential(inner, nn.ReLU()), inner, nn.Linear(2, 1))
    t_inner = torch.nn.Linear(2, 2)
    theirs = torch.nn.Sequential(
        torch.nn.Sequential(t_inner, torch.nn.ReLU()), t_inner, torch.nn.Linear(2, 1)
    )
    seen, t_seen = [], []
    assert ours.apply(lambda m: seen.append(type(m).__name__)) is ours
    theirs.apply(lambda m: t_seen.append(type(m).__name__))
    assert seen == t_seen

    def init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.ones_(module.weight)

    ours.apply(init_weights)
    assert all(np.all(m.weight.data == 1) for m in ours.modules() if isinstance(m, nn.Linear))


def test_module_requires_grad_freezes_parameters_like_torch():
    ours, theirs = _pair()
    assert ours[0].requires_grad_(False) is ours[0]
    theirs[0].requires_grad_(False)
    x = np.ones((3, 2))
    ours(cr.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    for (name, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert p.requires_grad == t.requires_grad, name
        if t.grad is None:
            assert p.grad is None, name
        else:
            np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy().T, rtol=1e-12, err_msg=name)
    ours.requires_grad_()
    assert all(p.requires_grad for p in ours.parameters())


# ---- initialisers refuse settings that cannot give finite weights ----------------------------
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("normal_", {"std": -1.0}),
        ("normal_", {"std": float("nan")}),
        ("xavier_normal_", {"gain": float("nan")}),
        ("kaiming_normal_", {"a": float("nan")}),
        ("uniform_", {"a": 1.0, "b": 0.0}),
        ("uniform_", {"b": float("nan")}),
        ("xavier_uniform_", {"gain": float("inf")}),
    ],
)
def test_init_refuses_settings_that_cannot_give_finite_weights_like_torch(name, kwargs):
    with pytest.raises(RuntimeError):  # torch refuses each of them too
        getattr(torch.nn.init, name)(torch.zeros(3, 4), **kwargs)
    weight = nn.Parameter(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"(normal|uniform)_: expected (a )?finite"):
        getattr(nn.init, name)(weight, **kwargs)
    assert np.all(weight.data == 0)


def test_init_normal_refuses_a_mean_that_is_not_finite():
    """torch fills the weights with NaN or inf here; a weight like that cannot be meant."""
    weight = nn.Parameter(np.zeros((4, 3), np.float32))
    for mean in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="normal_: expected a finite mean"):
            nn.init.normal_(weight, mean=mean)
    assert np.all(weight.data == 0)


def test_binary_cross_entropy_refuses_a_nan_probability_as_torch():
    # NaN passed the [0, 1] check (both comparisons are false) and gave a NaN loss
    p = np.array([0.5, np.nan])
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(
            torch.tensor(p), torch.zeros(2, dtype=torch.float64)
        )
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input probabilities must lie"):
        F.binary_cross_entropy(cr.tensor(p), np.zeros(2))
