"""PyTorch parity of the Module API: buffers (register_buffer, named_buffers, the state dict's
order and load_state_dict), add_module / register_parameter / get_submodule / get_parameter /
get_buffer, to / float / double, and ModuleDict, each checked against torch 2.13's own
behaviour on the same model structure."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.optim as optim
from chainrule.errors import DTypeError

torch = pytest.importorskip("torch")


def _build(lib, tensor):
    """The same structure in chainrule (lib=nn) and torch (lib=torch.nn): parameters and
    buffers at several depths, a shared submodule, a non-persistent buffer, a None buffer."""

    class Block(lib.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("scale", tensor(np.full(2, 2.0)))
            self.lin = lib.Linear(2, 2)
            self.register_buffer("cache", tensor(np.zeros(1)), persistent=False)
            self.register_buffer("empty", None)

    root = lib.Module()
    root.register_buffer("step", tensor(np.array(0, np.int64)))
    root.first = Block()
    root.norm = lib.BatchNorm1d(2)
    root.again = root.first  # shared: listed under both paths in the state dict
    return root


def _models():
    return _build(nn, cr.tensor), _build(torch.nn, torch.tensor)


def test_state_dict_keys_and_buffer_listing_match_torch():
    ours, theirs = _models()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for kwargs in ({}, {"prefix": "m"}, {"recurse": False}, {"remove_duplicate": False}):
        assert [n for n, _ in ours.named_buffers(**kwargs)] == [
            n for n, _ in theirs.named_buffers(**kwargs)
        ]
        assert [n for n, _ in ours.named_parameters(**kwargs)] == [
            n for n, _ in theirs.named_parameters(**kwargs)
        ]
    assert len(list(ours.buffers())) == len(list(theirs.buffers())) == 6
    assert len(list(ours.parameters(recurse=False))) == 0
    assert ours.state_dict()["step"].dtype == np.int64


def test_load_state_dict_copies_buffers_and_reports_keys_like_torch():
    ours, theirs = _models()
    state = {k: cr.tensor(v.numpy() + 1) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)
    assert ours.step.item() == 1 and ours.step.dtype == np.int64
    np.testing.assert_array_equal(ours.first.scale.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(ours.first.cache.numpy(), [0.0])  # not persistent: untouched
    partial = {k: v for k, v in state.items() if k != "norm.running_var"}
    partial["extra"] = cr.zeros(1)
    theirs_result = theirs.load_state_dict(
        {k: torch.tensor(v.numpy()) for k, v in partial.items()}, strict=False
    )
    result = ours.load_state_dict(partial, strict=False)
    assert result.missing_keys == theirs_result.missing_keys == ["norm.running_var"]
    assert result.unexpected_keys == theirs_result.unexpected_keys == ["extra"]
    with pytest.raises(KeyError, match="missing keys.*norm.running_var"):
        ours.load_state_dict(partial)


def test_buffer_assignment_replaces_and_checks_like_torch():
    ours, theirs = _models()
    ours.first.scale = cr.ones(2)
    theirs.first.scale = torch.ones(2)
    assert ours.first._buffers["scale"] is ours.first.scale
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with pytest.raises(TypeError, match="as buffer"):
        theirs.first.scale = 3
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'scale'"):
        ours.first.scale = 3
    ours.first.scale, theirs.first.scale = None, None
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.first.scale = nn.Parameter(np.ones(2))  # a Parameter takes the slot, as torch
    theirs.first.scale = torch.nn.Parameter(torch.ones(2))
    assert "scale" not in ours.first._buffers and "scale" in ours.first._parameters
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    del ours.first.cache
    assert "cache" not in ours.first._buffers


def test_registration_errors_like_torch():
    for module, t in ((nn.Module(), cr.zeros), (torch.nn.Module(), torch.zeros)):
        with pytest.raises(TypeError, match="should be a string"):
            module.register_buffer(1, None)
        for bad in ("a.b", ""):
            with pytest.raises(KeyError):
                module.register_buffer(bad, None)
        with pytest.raises(KeyError, match="'training' already exists"):
            module.register_buffer("training", None)
        with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'x'"):
            module.register_buffer("x", 3)
        with pytest.raises(TypeError, match="int is not a Module"):
            module.add_module("q", 3)
        with pytest.raises(TypeError, match="object to parameter 'q'"):
            module.register_parameter("q", t(1))
        module.register_parameter("p", None)
        module.register_module("child", None)
        assert list(module.named_parameters()) == [] and list(module.children()) == []


def test_add_module_register_parameter_and_getters_like_torch():
    ours, theirs = nn.Module(), torch.nn.Module()
    ours.add_module("body", nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)))
    theirs.add_module("body", torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3)))
    ours.register_parameter("gain", nn.Parameter(np.ones(1)))
    theirs.register_parameter("gain", torch.nn.Parameter(torch.ones(1)))
    ours.register_module("head", nn.Linear(3, 1))
    theirs.register_module("head", torch.nn.Linear(3, 1))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.get_submodule("") is ours and ours.get_submodule("body.1") is ours.body[1]
    assert ours.get_parameter("body.0.weight") is ours.body[0].weight
    assert ours.get_parameter("gain") is ours.gain
    assert ours.get_buffer("body.1.running_mean") is ours.body[1].running_mean
    for getter, target in (
        ("get_submodule", "body.5"),
        ("get_parameter", "body.1.running_mean"),
        ("get_buffer", "body.0.weight"),
    ):
        with pytest.raises(AttributeError):
            getattr(theirs, getter)(target)
        with pytest.raises(AttributeError, match="has no"):
            getattr(ours, getter)(target)


def test_to_double_float_keep_parameters_and_match_torch_training():
    rng = np.random.default_rng(0)
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Tanh(), torch.nn.Linear(4, 1)
    )
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            array = (
                value.numpy().T if name.endswith("weight") and value.ndim == 2 else value.numpy()
            )
            theirs.state_dict()[name].copy_(torch.tensor(array))
    params = list(ours.parameters())
    opt = optim.SGD(ours.parameters(), lr=0.1)
    assert ours.double() is ours and theirs.double() is theirs
    assert [p is q for p, q in zip(params, ours.parameters(), strict=True)] == [True] * 6
    assert all(p.dtype == np.float64 for p in ours.parameters())
    assert ours[1].running_mean.dtype == np.float64
    assert ours[1].num_batches_tracked.dtype == np.int64  # integer buffers stay
    topt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        x = rng.standard_normal((5, 3))
        loss, tloss = ours(cr.tensor(x)).sum(), theirs(torch.tensor(x)).sum()
        opt.zero_grad(), topt.zero_grad()
        loss.backward(), tloss.backward()
        opt.step(), topt.step()  # the optimiser still updates the cast parameters
    np.testing.assert_allclose(
        ours[3].weight.numpy(), theirs[3].weight.detach().numpy().T, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        ours[1].running_var.numpy(), theirs[1].running_var.numpy(), rtol=1e-5, atol=1e-6
    )
    assert ours[0].weight.grad.dtype == np.float64
    assert ours.float() is ours and ours.to(np.float32) is ours
    assert ours[0].weight.dtype == ours[0].weight.grad.dtype == np.float32
    assert ours.to(dtype="float64")[1].running_mean.dtype == np.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        theirs.to(torch.int64)
    for bad in (np.int64, None, "cpu"):
        with pytest.raises(DTypeError, match="Module.to: expected a floating-point dtype"):
            ours.to(bad)


def test_apply_visits_children_first_like_torch():
    ours = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    theirs = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sequential(torch.nn.ReLU()))
    seen, torch_seen = [], []
    ours.apply(lambda m: seen.append(type(m).__name__))
    theirs.apply(lambda m: torch_seen.append(type(m).__name__))
    assert seen == torch_seen


def test_module_dict_methods_match_torch():
    def make(lib):
        return lib.ModuleDict({"b": lib.Linear(2, 2), "a": lib.ReLU()})

    ours, theirs = make(nn), make(torch.nn)
    for d, lib in ((ours, nn), (theirs, torch.nn)):
        d.update([("c", lib.Linear(2, 1)), ["a", lib.Tanh()]])  # "a" replaced in its place
        d["d"] = lib.Sigmoid()
        d.update(lib.ModuleDict({"e": lib.ReLU()}))
    assert list(ours) == list(theirs) == ["b", "a", "c", "d", "e"]
    assert list(ours.keys()) == list(theirs.keys())
    assert [type(m).__name__ for m in ours.values()] == [type(m).__name__ for m in theirs.values()]
    assert [k for k, _ in ours.items()] == list(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours) == len(theirs) == 5 and "c" in ours and "z" not in ours
    assert isinstance(ours["a"], nn.Tanh)
    popped = ours.pop("c")
    theirs.pop("c")
    assert isinstance(popped, nn.Linear) and "c" not in ours and not hasattr(ours, "c")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    del ours["b"]
    del theirs["b"]
    assert list(ours) == list(theirs) and list(ours.parameters()) == []
    with pytest.raises(KeyError):
        ours["b"]
    ours.clear()
    theirs.clear()
    assert len(ours) == len(theirs) == 0 and not hasattr(ours, "a")
    for d in (ours, theirs):
        with pytest.raises(KeyError, match="'keys' already exists"):
            d["keys"] = nn.ReLU() if d is ours else torch.nn.ReLU()
        with pytest.raises(TypeError):
            d.update(3)
        with pytest.raises((TypeError, ValueError)):
            d.update([("x",)])
    assert isinstance(nn.ModuleDict(), nn.Module) and len(nn.ModuleDict()) == 0
