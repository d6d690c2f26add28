"""Review regressions for chainrule.optim, each checked against torch.optim 2.13."""

import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F  # noqa: N812
from chainrule import optim
from chainrule.errors import ValueRangeError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _scalar_run(lib, make_opt, steps, resume_at=None):
    """Minimise ``p**4 / 4 + p`` from p = 1.5; with ``resume_at``, hand the optimiser state to
    a fresh optimiser (state_dict -> load_state_dict) after that many steps."""
    p = lib.tensor(np.array(1.5), requires_grad=True)
    opt = make_opt([p])
    for i in range(steps):
        if i == resume_at:
            p = lib.tensor(np.array(float(p.data)), requires_grad=True)
            saved = opt.state_dict()
            opt = make_opt([p])
            opt.load_state_dict(saved)
        opt.zero_grad()
        (p**4 / 4 + p).backward()
        opt.step()
    return float(p.data)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", dict(lr=0.05, momentum=0.9)),
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
        ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
        ("Adagrad", dict(lr=0.1)),
    ],
)
def test_load_state_dict_resumes_a_scalar_parameter_like_torch(name, options):
    # a 0-d buffer used to come back as a Python float, which step() then never updated
    make_ours = lambda p: getattr(optim, name)(p, **options)  # noqa: E731
    make_theirs = lambda p: getattr(torch.optim, name)(p, **options)  # noqa: E731
    resumed = _scalar_run(cr, make_ours, steps=8, resume_at=3)
    np.testing.assert_allclose(resumed, _scalar_run(torch, make_theirs, steps=8), rtol=1e-12)


def test_load_state_dict_refuses_a_scalar_buffer_for_a_vector_parameter():
    # the 0-d buffer used to be taken for a count and loaded as a float
    a = cr.tensor(np.array(2.0), requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.zero_grad()
    (a * a).backward()
    opt.step()
    other = optim.SGD([cr.zeros(3, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"SGD.load_state_dict: buffer 'momentum_buffer'"):
        other.load_state_dict(opt.state_dict())


def test_a_set_of_parameters_is_refused():
    # a set's order changes between runs, so state_dict indices would name other parameters;
    # torch refuses it in a group (its constructor lets a bare set through)
    theirs = torch.optim.Adam([torch.zeros(2, requires_grad=True)])
    with pytest.raises(TypeError):
        theirs.add_param_group({"params": {torch.zeros(3, requires_grad=True)}})
    ours = optim.Adam([cr.zeros(2, requires_grad=True)])
    with pytest.raises(TypeError, match="Adam: parameters must come in an ordered collection"):
        ours.add_param_group({"params": {cr.zeros(3, requires_grad=True)}})
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": {cr.zeros(2, requires_grad=True)}}], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({cr.zeros(2, requires_grad=True)}, lr=0.1)


def test_a_single_tensor_as_params_is_refused_as_by_torch():
    with pytest.raises(TypeError):
        torch.optim.SGD(torch.zeros(2, 2, requires_grad=True), lr=0.1)
    with pytest.raises(TypeError, match=r"single Tensor of shape \(2, 2\)"):
        optim.SGD(cr.zeros(2, 2, requires_grad=True), lr=0.1)


def test_add_param_group_names_a_malformed_group():
    opt = optim.SGD([cr.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="SGD.add_param_group: expected a dict, got list"):
        opt.add_param_group([cr.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match=r"no 'params' entry, only \['lr'\]"):
        opt.add_param_group({"lr": 0.1})


BAD_HYPER_PARAMETERS = [
    ("SGD", "lr", -0.1),
    ("SGD", "momentum", -0.5),
    ("SGD", "weight_decay", -1e-4),
    ("Adam", "lr", -1.0),
    ("Adam", "eps", -1e-8),
    ("AdamW", "weight_decay", -0.01),
    ("Adagrad", "lr_decay", -0.1),
    ("Adagrad", "initial_accumulator_value", -1.0),
    ("Adagrad", "eps", -1e-10),
    ("RMSprop", "alpha", -0.9),
    ("RMSprop", "momentum", -0.1),
]


@pytest.mark.parametrize(("name", "option", "value"), BAD_HYPER_PARAMETERS)
def test_negative_hyper_parameter_is_refused_naming_it_and_its_value(name, option, value):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **{option: value})
    with pytest.raises(ValueRangeError, match=rf"^{name}: {option} must be >= 0, got {value}$"):
        getattr(optim, name)([cr.zeros(2, requires_grad=True)], **{option: value})


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adagrad", "RMSprop"])
def test_nan_learning_rate_is_refused_as_by_torch(name):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=math.nan)
    with pytest.raises(ValueRangeError, match=f"{name}: lr must be >= 0, got nan"):
        getattr(optim, name)([cr.zeros(2, requires_grad=True)], lr=math.nan)


def test_betas_must_be_a_pair():
    with pytest.raises(IndexError):  # torch reads betas[1]
        torch.optim.Adam([torch.zeros(2, requires_grad=True)], betas=(0.9,))
    with pytest.raises(ValueRangeError, match=r"Adam: betas must be a pair .* got \(0\.9,\)"):
        optim.Adam([cr.zeros(2, requires_grad=True)], betas=(0.9,))


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01)),
]


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")
@pytest.mark.parametrize(("name", "options"), SCHEDULERS)
@pytest.mark.parametrize("last_epoch", [0, 2, 3, 5])
def test_scheduler_resumed_with_last_epoch_follows_torch(name, options, last_epoch):
    # torch 2.13's constructor step keeps the loaded lr (ExponentialLR, CosineAnnealingLR);
    # ours applied one more decay, and every later lr was off by it
    curves = []
    for lib, module in ((cr, optim), (torch, torch.optim)):
        opt = module.SGD([lib.zeros(1, requires_grad=True)], lr=0.07)
        opt.param_groups[0]["initial_lr"] = 0.1  # as an optimiser state_dict restores it
        scheduler = getattr(module.lr_scheduler, name)(opt, last_epoch=last_epoch, **options)
        curve = [(scheduler.last_epoch, scheduler.get_last_lr()[0])]
        for _ in range(12):
            scheduler.step()
            curve.append((scheduler.last_epoch, scheduler.get_last_lr()[0]))
        curves.append(curve)
    np.testing.assert_allclose(curves[0], curves[1], rtol=1e-12)


@pytest.mark.parametrize(("name", "options"), SCHEDULERS)
def test_scheduler_resume_without_initial_lr_is_refused_as_by_torch(name, options):
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError):
        getattr(torch.optim.lr_scheduler, name)(theirs, last_epoch=4, **options)
    ours = optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError, match=rf"{name}: param_groups\[0\] has no 'initial_lr'"):
        getattr(optim.lr_scheduler, name)(ours, last_epoch=4, **options)


@pytest.mark.parametrize(
    ("name", "first", "second", "added"),
    [
        ("SGD", dict(momentum=0.9, nesterov=True), dict(lr=0.01, weight_decay=0.1), {}),
        ("Adam", dict(amsgrad=True), dict(betas=(0.5, 0.9), weight_decay=0.1), dict(lr=0.01)),
        ("RMSprop", dict(centered=True, momentum=0.9), dict(alpha=0.5), dict(maximize=True)),
    ],
)
def test_per_group_settings_and_a_group_added_later_follow_torch(name, first, second, added):
    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=2)]
    finals = []
    for lib, module in ((cr, optim), (torch, torch.optim)):
        params = [lib.tensor(a, requires_grad=True) for a in arrays]
        groups = [{"params": [params[0]], **first}, {"params": [params[1]], **second}]
        opt = getattr(module, name)(groups, lr=0.05)
        for step in range(20):
            if step == 5:
                opt.add_param_group({"params": [params[2]], **added})
            opt.zero_grad(set_to_none=step % 2 == 0)
            sum(((p * p).sum() + p.tanh().sum()) for p in params).backward()
            opt.step()
        finals.append([p.detach().numpy() if lib is torch else p.data for p in params])
    for ours, theirs in zip(*finals, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_a_frozen_parameter_is_accepted_and_left_alone_as_by_torch():
    # requires_grad_(False) on a layer used to make every optimiser refuse model.parameters()
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    ours = nn.Sequential(
        nn.Linear(3, 4, dtype=np.float64), nn.ReLU(), nn.Linear(4, 2, dtype=np.float64)
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)
    ).double()
    with torch.no_grad():
        for p, t in zip(ours.parameters(), theirs.parameters(), strict=True):
            t.copy_(torch.tensor(p.data.T))
    ours[0].requires_grad_(False)
    theirs[0].requires_grad_(False)
    frozen = ours[0].weight.data.copy()
    opt, topt = optim.SGD(ours.parameters(), lr=0.5), torch.optim.SGD(theirs.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        F.cross_entropy(ours(cr.tensor(x)), y).backward()
        opt.step()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        topt.step()
    np.testing.assert_array_equal(ours[0].weight.data, frozen)
    np.testing.assert_allclose(ours[2].weight.data, theirs[2].weight.detach().numpy().T, rtol=1e-12)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_steps_a_scalar_parameter_as_torch(name, amsgrad):
    # a 0-d parameter used to crash the first step ("return arrays must be of ArrayType")
    options = dict(lr=0.1, amsgrad=amsgrad, weight_decay=0.01)
    ours = _scalar_run(cr, lambda p: getattr(optim, name)(p, **options), steps=6)
    theirs = _scalar_run(torch, lambda p: getattr(torch.optim, name)(p, **options), steps=6)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
