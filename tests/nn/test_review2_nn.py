"""Second review of chainrule.nn against torch.nn: train() through each child's own train(),
load_state_dict's named result and its refusal of what is not a state dict, repr with an
extra_repr beside children, nll_loss's out-of-range class error."""

import pathlib

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F

torch = pytest.importorskip("torch")


# ---- train() calls each child's own train() ---------------------------------------------------
def _frozen_dropout(lib):
    """A block whose override of train() keeps its dropout in eval mode (the pattern used to
    freeze part of a model), inside a Sequential of library ``lib``."""

    class Block(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.Linear(4, 4)
            self.drop = lib.Dropout(0.5)

        def forward(self, x):
            return self.drop(self.fc(x))

        def train(self, mode=True):
            super().train(mode)
            self.drop.train(False)
            return self

    return lib.Sequential(Block(), lib.ReLU())


def test_module_train_calls_each_childs_own_train_like_torch():
    ours, theirs = _frozen_dropout(nn), _frozen_dropout(torch.nn)
    for switch in ("eval", "train"):
        getattr(ours, switch)()
        getattr(theirs, switch)()
        flags = [m.training for m in ours.modules()]
        assert flags == [m.training for m in theirs.modules()], switch
    assert ours[0].drop.training is False and ours[0].fc.training is True
    # the frozen dropout is the identity: a training-mode forward is deterministic
    x = cr.ones(3, 4)
    np.testing.assert_array_equal(ours(x).numpy(), ours(x).numpy())


# ---- load_state_dict ------------------------------------------------------------------------
def test_module_load_state_dict_result_names_its_keys_like_torch():
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    state = {"0.weight": np.zeros((2, 3), np.float32), "head.bias": np.zeros(1, np.float32)}
    result = ours.load_state_dict(state, strict=False)
    t_result = theirs.load_state_dict(
        {"0.weight": torch.zeros(3, 2), "head.bias": torch.zeros(1)}, strict=False
    )
    assert result.missing_keys == t_result.missing_keys == ["0.bias", "2.weight", "2.bias"]
    assert result.unexpected_keys == t_result.unexpected_keys == ["head.bias"]
    missing, unexpected = result  # still a pair
    assert (missing, unexpected) == (result.missing_keys, result.unexpected_keys)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda model: "model.npz", "cr.load"),
        (lambda model: pathlib.Path("model.npz"), "cr.load"),
        (lambda model: model, "state_dict()"),
        (lambda model: list(model.state_dict().items()), ""),
    ],
    ids=["str", "path", "module", "pairs"],
)
def test_module_load_state_dict_refuses_what_is_not_a_mapping_like_torch(make, hint, strict):
    """A path was searched as a string: its characters came out as unexpected keys (strict)
    or an AttributeError on .items() (strict=False)."""
    t_model = torch.nn.Linear(2, 2)
    with pytest.raises(TypeError, match="dict-like"):
        t_model.load_state_dict(make(t_model), strict=strict)
    model = nn.Sequential(nn.Linear(2, 2))
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TypeError, match="^load_state_dict: expected a mapping") as info:
        model.load_state_dict(make(model), strict=strict)
    assert hint in str(info.value)
    for p, old in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, old)


# ---- repr -----------------------------------------------------------------------------------
def _described(lib, extra, children):
    class Described(lib.Module):
        def __init__(self, kids):
            super().__init__()
            for index, kid in enumerate(kids):
                setattr(self, f"part{index}", kid)

        def extra_repr(self):
            return extra

    kids = [lib.Sequential(lib.Tanh(), Described([lib.ReLU()])) for _ in range(children)]
    return lib.Sequential(Described(kids), lib.Linear(2, 3))


@pytest.mark.parametrize("extra", ["", "width=3", "width=3\ndepth=2"])
@pytest.mark.parametrize("children", [0, 1, 2])
def test_module_repr_shows_extra_repr_beside_children_like_torch(extra, children):
    assert repr(_described(nn, extra, children)) == repr(_described(torch.nn, extra, children))


# ---- nll_loss -------------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_nll_loss_class_out_of_range_is_a_value_range_error(labels):
    """As cross_entropy: a class index outside [0, C) is a ValueRangeError naming the loss."""
    log_probs = np.log(np.full((2, 3), 1 / 3))
    with pytest.raises((IndexError, RuntimeError)):  # torch refuses it too
        torch.nn.functional.nll_loss(torch.tensor(log_probs), torch.tensor(labels))
    with pytest.raises(cr.ValueRangeError, match=r"^nll_loss: class targets must lie in \[0, 2\]"):
        F.nll_loss(cr.tensor(log_probs), np.array(labels))


@pytest.mark.parametrize(
    "name", ["CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]
)
def test_loss_module_unknown_reduction_is_a_value_range_error_like_f(name):
    """F's losses refuse an unknown reduction with a ValueRangeError; the modules raised a
    plain ValueError, which ``except cr.ValueRangeError`` missed."""
    with pytest.raises(ValueError, match="not a valid value for reduction"):  # torch refuses
        getattr(torch.nn, name)(reduction="avg")(torch.zeros(2, 2), torch.zeros(2, 2))
    with pytest.raises(cr.ValueRangeError, match=rf"^{name}: reduction must be one of .*'avg'"):
        getattr(nn, name)(reduction="avg")


def test_dropout_refuses_a_fourth_positional_argument():
    """torch's F.dropout(x, p, training, inplace): a fourth positional argument was taken as
    the generator and failed deep inside ('bool' object has no attribute 'random')."""
    torch = pytest.importorskip("torch")
    torch.nn.functional.dropout(torch.ones(3), 0.5, True, False)  # torch accepts it as inplace
    with pytest.raises(TypeError, match="positional"):
        F.dropout(cr.tensor(np.ones(3, np.float32)), 0.5, True, False)
    out = F.dropout(cr.tensor(np.ones(1000, np.float32)), 0.5, generator=np.random.default_rng(0))
    assert 300 < int((out.data == 0).sum()) < 700
