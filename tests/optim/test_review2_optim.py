"""Second review round for chainrule.optim: each regression checked against torch.optim 2.13."""

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.errors import ValueRangeError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", dict(lr=0.05)),
        ("SGD", dict(lr=0.05, momentum=0.9)),
        ("Adam", dict(lr=0.05, amsgrad=True)),
        ("RMSprop", dict(lr=0.01, centered=True)),
        ("Adagrad", dict(lr=0.1)),
    ],
)
def test_zero_grad_in_place_zeroes_a_scalar_parameter_every_step_as_torch(name, options):
    # from the second backward on, a 0-d gradient is a NumPy scalar, which fill(0) left as it
    # was: with set_to_none=False the gradients of every step piled up
    finals = []
    for lib, module in ((cr, optim), (torch, torch.optim)):
        scalar = lib.tensor(np.array(1.5), requires_grad=True)
        vector = lib.tensor(np.array([0.5, -1.0]), requires_grad=True)
        opt = getattr(module, name)([scalar, vector], **options)
        for _ in range(6):
            opt.zero_grad(set_to_none=False)
            assert float(scalar.grad if scalar.grad is not None else 0.0) == 0.0
            (scalar**4 / 4 + scalar + (vector * vector * scalar).sum()).backward()
            opt.step()
        finals.append([float(scalar.data), *np.asarray(vector.data).tolist()])
    np.testing.assert_allclose(finals[0], finals[1], rtol=1e-12)


def test_a_parameter_repeated_in_a_group_is_refused():
    # it was updated once per appearance: plain SGD took twice the step, momentum compounded
    t = torch.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.optim.SGD([t, t], lr=0.1)
    assert any("duplicate parameters" in str(w.message) for w in caught)
    p, q = cr.ones(2, requires_grad=True), cr.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match=r"^SGD: parameter 2 of a group is the same Tensor as "):
        optim.SGD([p, q, p], lr=0.1, momentum=0.9)
    opt = optim.Adam([q])
    with pytest.raises(ValueError, match="Adam: parameter 1 of a group .* as parameter 0"):
        opt.add_param_group({"params": [p, p]})
    assert len(opt.param_groups) == 1  # the refused group left the optimiser as it was


@pytest.mark.parametrize(
    ("name", "option", "value"),
    [("SGD", "lr", "0.1"), ("Adam", "lr", None), ("RMSprop", "momentum", None)],
)
def test_a_hyper_parameter_that_is_not_a_number_is_refused_by_name(name, option, value):
    # the TypeError came from a comparison and named neither the optimiser nor the option
    with pytest.raises(TypeError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **{option: value})
    with pytest.raises(
        TypeError, match=rf"^{name}: {option} must be a number, got {type(value).__name__} "
    ):
        getattr(optim, name)([cr.zeros(2, requires_grad=True)], **{option: value})


@pytest.mark.parametrize("betas", [0.9, ("0.9", 0.999)])
def test_betas_that_are_not_a_pair_of_numbers_are_refused_by_name(betas):
    with pytest.raises(TypeError):
        torch.optim.Adam([torch.zeros(2, requires_grad=True)], betas=betas)
    with pytest.raises(ValueRangeError, match=r"^AdamW: betas must be a pair \(beta1, beta2\)"):
        optim.AdamW([cr.zeros(2, requires_grad=True)], betas=betas)


def test_nesterov_refusal_names_the_values_it_got():
    with pytest.raises(ValueError):
        torch.optim.SGD(
            [torch.zeros(2, requires_grad=True)], momentum=0.9, dampening=0.1, nesterov=True
        )
    with pytest.raises(ValueError, match=r"got momentum=0.9, dampening=0.1$"):
        optim.SGD([cr.zeros(2, requires_grad=True)], momentum=0.9, dampening=0.1, nesterov=True)


@pytest.mark.parametrize(
    ("name", "option"), [("StepLR", "step_size"), ("CosineAnnealingLR", "T_max")]
)
def test_a_nan_schedule_period_is_refused(name, option):
    # NaN passed the "< 1" check: StepLR never decayed, CosineAnnealingLR set every lr to NaN
    # (as torch does, which checks nothing)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    schedule = getattr(torch.optim.lr_scheduler, name)(theirs, **{option: math.nan})
    theirs.step()
    schedule.step()
    if name == "CosineAnnealingLR":
        assert math.isnan(schedule.get_last_lr()[0])
    ours = optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueRangeError, match=rf"^{name}: {option} must be >= 1, got nan$"):
        getattr(optim.lr_scheduler, name)(ours, **{option: math.nan})
    with pytest.raises(TypeError, match=rf"^{name}: {option} must be a number, got str '10'$"):
        getattr(optim.lr_scheduler, name)(ours, **{option: "10"})


def _cosine_after(epochs: int):
    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(epochs):
        opt.step()
        schedule.step()
    return opt, schedule


def test_scheduler_load_state_dict_refuses_a_foreign_state_dict():
    # an optimiser's state_dict (or another schedule's) was taken in without a word, and the
    # "resumed" schedule started again from epoch 0
    opt, schedule = _cosine_after(4)
    step_lr = optim.lr_scheduler.StepLR(opt, step_size=3)
    with pytest.raises(ValueError, match=r"^CosineAnnealingLR.load_state_dict: not a .*'T_max'"):
        schedule.load_state_dict(step_lr.state_dict())
    with pytest.raises(ValueError, match=r"unexpected \['param_groups', 'state'\]$"):
        schedule.load_state_dict(opt.state_dict())
    with pytest.raises(TypeError, match=r"^CosineAnnealingLR.load_state_dict: expected a dict"):
        schedule.load_state_dict(None)
    assert schedule.last_epoch == 4  # nothing was changed by the refusals

    # its own state_dict still resumes it exactly, as in torch
    resumed_opt, resumed = _cosine_after(0)
    resumed_opt.load_state_dict(opt.state_dict())
    resumed.load_state_dict(schedule.state_dict())
    theirs_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(theirs_opt, T_max=10)
    for _ in range(12):
        theirs_opt.step()
        theirs.step()
    for _ in range(12 - 4):
        resumed_opt.step()
        resumed.step()
    assert resumed.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
