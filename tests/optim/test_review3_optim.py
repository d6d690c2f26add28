"""Review of today's schedulers: settings the parity tests skip, each against PyTorch 2.13
(or, where torch fails, the published 1cycle formula)."""

import math
import warnings

import pytest

import chainrule as cr
from chainrule import optim
from chainrule.errors import ValueRangeError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.fixture(autouse=True)
def _quiet_torch():
    with warnings.catch_warnings():  # torch's warnings about the order of step() calls
        warnings.simplefilter("ignore", UserWarning)
        yield


def _sgd(lib, lr=0.1, momentum=0.9):
    if lib == "torch":
        return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=momentum)
    return optim.SGD([cr.zeros(1, requires_grad=True)], lr=lr, momentum=momentum)


def _lrs(opt, scheduler, steps):
    """``get_last_lr()[0]`` after construction and after each of ``steps`` epochs."""
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def test_chained_scheduler_built_from_an_iterator_keeps_every_schedule():
    # the first schedule, read to find the optimizer, was dropped from the chain: its decay
    # stopped after the constructor while torch's list-built chain kept compounding both
    theirs_opt = _sgd("torch")
    L = torch.optim.lr_scheduler
    theirs = L.ChainedScheduler([L.ExponentialLR(theirs_opt, 0.5), L.StepLR(theirs_opt, 2, 0.1)])
    ours_opt = _sgd("chainrule")
    L = optim.lr_scheduler
    ours = L.ChainedScheduler(
        s for s in (L.ExponentialLR(ours_opt, 0.5), L.StepLR(ours_opt, 2, 0.1))
    )
    assert _lrs(ours_opt, ours, 5) == _lrs(theirs_opt, theirs, 5)


def test_one_cycle_lr_with_pct_start_1_takes_its_last_step_like_torch_without_dividing_by_0():
    # the last phase has no steps: torch (and chainrule) raised ZeroDivisionError on the
    # total_steps-th scheduler.step(), the last call of a training loop
    total = 12
    theirs_opt = _sgd("torch")
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, 1.0, total_steps=total, pct_start=1.0)
    theirs_lrs = _lrs(theirs_opt, theirs, total - 1)
    theirs_opt.step()
    with pytest.raises(ZeroDivisionError):
        theirs.step()
    ours_opt = _sgd("chainrule")
    ours = optim.lr_scheduler.OneCycleLR(ours_opt, 1.0, total_steps=total, pct_start=1.0)
    ours_lrs = _lrs(ours_opt, ours, total)
    assert ours_lrs[:total] == theirs_lrs
    assert ours_lrs[total] == 1.0 / 25 / 1e4  # the annealing's end, min_lr, at once


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
def test_one_cycle_lr_with_a_warm_up_of_one_step_follows_the_annealing_formula(anneal_strategy):
    # pct_start * total_steps == 1: the warm-up ends at step 0, and the constructor raised
    # ZeroDivisionError (as torch's does)
    total, max_lr, low, high = 10, 0.8, 0.85, 0.95
    theirs_opt = _sgd("torch")
    with pytest.raises(ZeroDivisionError):
        torch.optim.lr_scheduler.OneCycleLR(theirs_opt, max_lr, total_steps=total, pct_start=0.1)
    opt = _sgd("chainrule")
    scheduler = optim.lr_scheduler.OneCycleLR(
        opt, max_lr, total_steps=total, pct_start=0.1, anneal_strategy=anneal_strategy
    )
    min_lr = max_lr / 25 / 1e4
    for t in range(total):
        # phase 2 of 1cycle from step 0 to total_steps - 1: lr falls from max_lr to min_lr
        # while the momentum rises from base_momentum to max_momentum
        fraction = t / (total - 1)
        if anneal_strategy == "cos":
            weight = (1 + math.cos(math.pi * fraction)) / 2
        else:
            weight = 1 - fraction
        assert scheduler.get_last_lr()[0] == pytest.approx(min_lr + (max_lr - min_lr) * weight)
        assert opt.param_groups[0]["momentum"] == pytest.approx(high + (low - high) * weight)
        opt.step()
        scheduler.step()


def test_constant_lr_refuses_factor_0_which_it_divides_by_at_total_iters():
    # torch takes factor=0, then fails with ZeroDivisionError total_iters epochs into training
    theirs_opt = _sgd("torch")
    theirs = torch.optim.lr_scheduler.ConstantLR(theirs_opt, factor=0.0, total_iters=3)
    with pytest.raises(ZeroDivisionError):
        _lrs(theirs_opt, theirs, 3)
    with pytest.raises(ValueRangeError, match=r"^ConstantLR: factor must be in \(0, 1\], got 0.0$"):
        optim.lr_scheduler.ConstantLR(_sgd("chainrule"), factor=0.0, total_iters=3)


@pytest.mark.parametrize("combination", ["ChainedScheduler", "SequentialLR"])
def test_sequential_lr_refuses_a_combination_that_would_have_to_restart(combination):
    def make(L, opt, inner_first):
        parts = [L.ConstantLR(opt, factor=0.5, total_iters=2), L.ExponentialLR(opt, 0.9)]
        if combination == "ChainedScheduler":
            inner = L.ChainedScheduler(parts)
        else:
            inner = L.SequentialLR(opt, parts, [1])
        other = L.StepLR(opt, 2, 0.5)
        return L.SequentialLR(opt, [inner, other] if inner_first else [other, inner], [3])

    # torch raises a bare NotImplementedError at the milestone, epochs into training
    theirs_opt = _sgd("torch")
    theirs = make(torch.optim.lr_scheduler, theirs_opt, inner_first=False)
    with pytest.raises(NotImplementedError):
        _lrs(theirs_opt, theirs, 3)
    with pytest.raises(ValueError, match=rf"^SequentialLR: schedulers\[1\] is a {combination}, "):
        make(optim.lr_scheduler, _sgd("chainrule"), inner_first=False)
    # first, it never restarts, and it follows torch's trajectory
    theirs_opt, ours_opt = _sgd("torch"), _sgd("chainrule")
    theirs = make(torch.optim.lr_scheduler, theirs_opt, inner_first=True)
    ours = make(optim.lr_scheduler, ours_opt, inner_first=True)
    assert _lrs(ours_opt, ours, 8) == _lrs(theirs_opt, theirs, 8)
