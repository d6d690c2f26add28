"""Learning-rate schedules: call ``scheduler.step()`` once per epoch, after ``optimizer.step()``
(``ReduceLROnPlateau.step(metric)`` with the validation metric; ``OneCycleLR`` once per batch).

As in PyTorch, each step changes every group's current ``'lr'`` (rather than recomputing it
from ``'initial_lr'``, recorded on creation), so schedulers on one optimiser chain and an lr
set by hand carries on. A resumed run restores the lrs with ``optimizer.load_state_dict``
and ``last_epoch`` with ``scheduler.load_state_dict``, then continues bit for bit.
"""

from __future__ import annotations

import math
import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from numbers import Integral

from chainrule.errors import ValueRangeError
from chainrule.optim.optimizer import Optimizer, check_at_least

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "OneCycleLR",
]


def _check_optimizer(owner: str, optimizer) -> Optimizer:
    """``optimizer``, refused unless it is an Optimizer."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an Optimizer, got {optimizer!r}")
    return optimizer


def _check_unit(owner: str, name: str, value, *, open_low: bool = False, open_high: bool = False):
    """Refuse ``value`` outside [0, 1] (without 0 or 1 where that end is open), NaN or a
    non-number, naming ``owner`` and the option."""
    check_at_least(owner, 0, **{name: value})
    if value > 1 or (open_low and value == 0) or (open_high and value == 1):
        interval = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
        raise ValueRangeError(f"{owner}: {name} must be in {interval}, got {value}")


def _check_choice(owner: str, name: str, value, choices: tuple[str, ...]) -> None:
    """Refuse ``value`` unless it is one of ``choices``, naming ``owner`` and the option."""
    if value not in choices:
        raise ValueRangeError(f"{owner}: {name} must be one of {choices}, got {value!r}")


def _check_milestones(owner: str, milestones, *, ordered: bool = False) -> list[int]:
    """``milestones`` as a list of epoch numbers; refused if not integers (or, where the
    schedule looks epochs up by bisection, not in ascending order)."""
    try:
        values = list(milestones)
    except TypeError:
        values = None
    if values is None or not all(isinstance(m, Integral) for m in values):
        raise TypeError(f"{owner}: milestones must be a list of integers, got {milestones!r}")
    if ordered and values != sorted(values):
        raise ValueRangeError(f"{owner}: milestones must be in ascending order, got {values}")
    return values


def _per_group(owner: str, name: str, optimizer: Optimizer, value) -> list:
    """One ``value`` for each parameter group: a list or tuple as given (one per group), any
    other value repeated."""
    count = len(optimizer.param_groups)
    if not isinstance(value, (list, tuple)):
        return [value] * count
    if len(value) != count:
        raise ValueError(
            f"{owner}: expected one {name} per parameter group ({count}), got {len(value)}"
        )
    return list(value)


class LRScheduler:
    """Base class: subclasses give ``get_lr()``, the new lr of each group for ``last_epoch``.

    The constructor takes the first step (``_step_count`` becomes 1). With ``last_epoch=k``
    (resuming a run whose optimiser state, ``'initial_lr'`` included, is loaded) it moves
    ``last_epoch`` to ``k + 1``; as in PyTorch 2.13, that step leaves the lrs as they are,
    except where the schedule itself sets them at epoch ``k + 1`` (StepLR's and MultiStepLR's
    milestones, ConstantLR's end, LambdaLR and OneCycleLR, which compute the lr afresh).

    A schedule with a closed form (``_closed_form_lr()``, from ``base_lrs``) uses it when
    SequentialLR starts it again at epoch 0."""

    # True during the constructor's step only (never saved): PyTorch's schedules that update
    # the lr recursively leave it as it is on that step, so that a resumed one does not
    # move ahead of itself
    _is_initial = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = _check_optimizer(type(self).__name__, optimizer)
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                # resuming: without the saved optimizer state the schedule would restart
                # from whatever lr the group has now
                raise KeyError(
                    f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr' although "
                    f"last_epoch={last_epoch} resumes a schedule; load the optimizer's "
                    "state_dict first"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step, which SequentialLR repeats when it takes a schedule over."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set each group's lr for it."""
        self._step_count += 1
        self.last_epoch += 1
        self._set_lrs(self.get_lr())

    def _restart(self) -> None:
        """Jump to epoch 0 (SequentialLR, at a milestone): the closed form from ``base_lrs``
        where the schedule has one, else its ordinary step."""
        self.last_epoch = 0
        self._set_lrs(getattr(self, "_closed_form_lr", self.get_lr)())

    def _set_lrs(self, lrs: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lr of each group as the last step set it."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute but the optimiser, as in PyTorch."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict()`` saved. A dict with other entries (an optimiser's, another
        schedule's) is refused: taking it in would let the schedule restart or mix two kinds."""
        self._check_state_dict(state_dict)
        self.__dict__.update(state_dict)

    def _check_state_dict(self, state_dict) -> None:
        """Refuse anything but a dict with exactly the entries this schedule's state_dict has."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{name}.load_state_dict: expected a dict, got {type(state_dict).__name__}"
            )
        expected = set(self.state_dict())
        missing, unexpected = expected - set(state_dict), set(state_dict) - expected
        if missing or unexpected:
            raise ValueError(
                f"{name}.load_state_dict: not a {name}'s state_dict: missing {sorted(missing)}, "
                f"unexpected {sorted(unexpected)}"
            )

    def _check_list_entry(self, state_dict: dict, key: str, count: int) -> list:
        """``state_dict[key]``, refused unless it is a list of ``count`` entries."""
        saved = state_dict[key]
        if not isinstance(saved, (list, tuple)) or len(saved) != count:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected a list of {count} entries "
                f"as {key!r}, got {saved!r}"
            )
        return saved


class _LambdaScheduler(LRScheduler):
    """A schedule driven by ``lr_lambda``, one function of the epoch for all groups or a list
    with one per group. As in PyTorch, ``state_dict`` cannot hold a function or lambda (None
    stands in its place; the schedule keeps its own on loading), only the attributes of a
    callable object."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        self.lr_lambdas = _per_group(name, "lr_lambda", optimizer, lr_lambda)
        for i, function in enumerate(self.lr_lambdas):
            if not callable(function):
                raise TypeError(
                    f"{name}: lr_lambda must be a function of the epoch, got "
                    f"{type(function).__name__} for parameter group {i}"
                )
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["lr_lambdas"] = [
            None
            if isinstance(f, types.FunctionType) or not hasattr(f, "__dict__")
            else dict(vars(f))
            for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        self._check_state_dict(state_dict)
        self.__dict__.update({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for function, attributes in zip(self.lr_lambdas, state_dict["lr_lambdas"], strict=True):
            if attributes is not None:
                vars(function).update(attributes)

    def _check_state_dict(self, state_dict) -> None:
        super()._check_state_dict(state_dict)
        self._check_list_entry(state_dict, "lr_lambdas", len(self.lr_lambdas))


class LambdaLR(_LambdaScheduler):
    """``lr = initial_lr * lr_lambda(epoch)``, for each group."""

    def get_lr(self) -> list[float]:
        return [
            base * f(self.last_epoch)
            for f, base in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]


class MultiplicativeLR(_LambdaScheduler):
    """``lr <- lr * lr_lambda(epoch)`` every epoch after the first, for each group."""

    def get_lr(self) -> list[float]:
        current = self._current_lrs()
        if self._is_initial:
            return current
        return [lr * f(self.last_epoch) for f, lr in zip(self.lr_lambdas, current, strict=True)]


class StepLR(LRScheduler):
    """``lr <- gamma * lr`` every ``step_size`` epochs: ``initial_lr * gamma ** (epoch //
    step_size)`` when nothing else changes the lr."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        check_at_least("StepLR", 1, step_size=step_size)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = self._current_lrs()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current
        return [lr * self.gamma for lr in current]

    def _closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``lr <- gamma * lr`` at each epoch in ``milestones`` (``gamma ** n`` at a milestone
    listed n times): ``initial_lr * gamma ** (milestones passed)`` when nothing else changes
    the lr."""

    def __init__(
        self, optimizer, milestones: Sequence[int], gamma: float = 0.1, last_epoch: int = -1
    ):
        self.milestones = Counter(_check_milestones("MultiStepLR", milestones))
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = self._current_lrs()
        if self.last_epoch not in self.milestones:
            return current
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in current]

    def _closed_form_lr(self) -> list[float]:
        passed = sum(n for epoch, n in self.milestones.items() if epoch <= self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """``lr = initial_lr * factor`` for epochs 0 to ``total_iters - 1``, then ``initial_lr``
    again (a warm-up): the lr is multiplied by ``factor`` at epoch 0 and divided by it at
    ``total_iters``, so other changes to it carry on."""

    def __init__(
        self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1
    ):
        # the lr is divided by factor at total_iters: 0 would fail there, epochs into training
        _check_unit("ConstantLR", "factor", factor, open_low=True)
        check_at_least("ConstantLR", 1, total_iters=total_iters)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = self._current_lrs()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in current]
        if self.last_epoch != self.total_iters:
            return current
        return [lr * (1.0 / self.factor) for lr in current]

    def _closed_form_lr(self) -> list[float]:
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base * factor for base in self.base_lrs]


class LinearLR(LRScheduler):
    """The lr's factor goes in a straight line from ``start_factor`` at epoch 0 to
    ``end_factor`` at ``total_iters`` and stays there: ``lr = initial_lr * (start + (end -
    start) * min(epoch, total_iters) / total_iters)``, reached by multiplying the current lr."""

    def __init__(
        self,
        optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ):
        _check_unit("LinearLR", "start_factor", start_factor, open_low=True)
        _check_unit("LinearLR", "end_factor", end_factor)
        check_at_least("LinearLR", 1, total_iters=total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = self._current_lrs()
        start, end, epoch = self.start_factor, self.end_factor, self.last_epoch
        if epoch == 0:
            return [lr * start for lr in current]
        if self._is_initial or epoch > self.total_iters:
            return current
        # the ratio of the factors at epoch and at epoch - 1
        ratio = 1.0 + (end - start) / (self.total_iters * start + (epoch - 1) * (end - start))
        return [lr * ratio for lr in current]

    def _closed_form_lr(self) -> list[float]:
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        factor = start + (end - start) * min(total, self.last_epoch) / total
        return [base * factor for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``lr <- gamma * lr`` every epoch: ``initial_lr * gamma ** epoch`` when nothing else
    changes the lr."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = self._current_lrs()
        if self._is_initial:
            return current
        return [lr * self.gamma for lr in current]

    def _closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine from ``initial_lr`` down to ``eta_min`` over ``T_max`` epochs (SGDR, Loshchilov &
    Hutter, 2017). Like PyTorch it updates the current lr recursively,
    ``lr_t = eta_min + (lr_{t-1} - eta_min) (1 + cos(pi t / T)) / (1 + cos(pi (t - 1) / T))``,
    so a change made to the lr by hand carries on; past ``T_max`` it rises again."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):  # noqa: N803
        check_at_least("CosineAnnealingLR", 1, T_max=T_max)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, period, low = self.last_epoch, self.T_max, self.eta_min
        current = self._current_lrs()
        if self._is_initial:
            return current
        if (t - 1 - period) % (2 * period) == 0:
            return [
                lr + (base - low) * (1 - math.cos(math.pi / period)) / 2
                for lr, base in zip(current, self.base_lrs, strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [low + (lr - low) * ratio for lr in current]

    def _closed_form_lr(self) -> list[float]:
        low, cosine = self.eta_min, math.cos(math.pi * self.last_epoch / self.T_max)
        return [low + (base - low) * (1 + cosine) / 2 for base in self.base_lrs]


class _ScheduleOfSchedules(LRScheduler):
    """A schedule made of others on the same optimiser (SequentialLR, ChainedScheduler); its
    state_dict holds theirs under ``'_schedulers'``."""

    def _check_schedulers(self, schedulers, optimizer) -> list[LRScheduler]:
        """``schedulers`` as a list, refused if empty, not schedules, a ReduceLROnPlateau
        (its step needs the metric) or on another optimiser."""
        name = type(self).__name__
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{name}: expected at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(
                    f"{name}: schedulers[{i}] is a {type(scheduler).__name__}, not a scheduler"
                )
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(
                    f"{name}: schedulers[{i}] is a ReduceLROnPlateau, whose step() needs the "
                    "metric; step it on its own"
                )
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{name}: schedulers[{i}] ({type(scheduler).__name__}) drives another "
                    "optimizer than this one"
                )
        return schedulers

    def state_dict(self) -> dict:
        state = {k: v for k, v in super().state_dict().items() if k != "_schedulers"}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        self._check_state_dict(state_dict)
        self.__dict__.update({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for scheduler, state in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            scheduler.load_state_dict(state)

    def _check_state_dict(self, state_dict) -> None:
        """The inner schedules' states too: a refusal leaves every schedule as it was."""
        super()._check_state_dict(state_dict)
        saved = self._check_list_entry(state_dict, "_schedulers", len(self._schedulers))
        for scheduler, state in zip(self._schedulers, saved, strict=True):
            scheduler._check_state_dict(state)


class SequentialLR(_ScheduleOfSchedules):
    """``schedulers[i]`` drives the lr from epoch ``milestones[i - 1]`` (from 0 for the
    first) until the next milestone; at its milestone a schedule starts again from epoch 0
    and ``initial_lr`` (so only the first may itself combine schedules). E.g. warm-up, then
    decay:
    ``SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5), ExponentialLR(opt, 0.9)], [5])``."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = _check_optimizer("SequentialLR", optimizer)
        self._schedulers = self._check_schedulers(schedulers, optimizer)
        for i, scheduler in enumerate(self._schedulers[1:], start=1):
            # it would fail at its milestone, after those epochs of training: a combination
            # has no lr of its own to start again from
            if isinstance(scheduler, _ScheduleOfSchedules):
                raise ValueError(
                    f"SequentialLR: schedulers[{i}] is a {type(scheduler).__name__}, which cannot "
                    "start again from epoch 0 at its milestone; only schedulers[0] may be one"
                )
        self._milestones = _check_milestones("SequentialLR", milestones, ordered=True)
        if len(self._milestones) != len(self._schedulers) - 1:
            raise ValueError(
                f"SequentialLR: expected one milestone fewer than schedulers, got "
                f"{len(self._schedulers)} schedulers and milestones {self._milestones}"
            )
        self.last_epoch = last_epoch + 1
        # the schedules' constructors took their first steps: undo them all, then take the
        # first step of the one that runs at epoch 0
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_first_steps(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    @staticmethod
    def _undo_first_steps(combined: _ScheduleOfSchedules) -> None:
        """Move each schedule inside ``combined``, at any depth, back by its constructor's step."""
        for inner in combined._schedulers:
            if isinstance(inner, _ScheduleOfSchedules):
                SequentialLR._undo_first_steps(inner)
            else:
                inner.last_epoch -= 1

    def step(self) -> None:
        """Step the schedule whose turn it is (at its milestone, start it from epoch 0)."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_ScheduleOfSchedules):
    """Every schedule in ``schedulers`` steps in turn on each ``step()``, so their changes to
    the lr compound (e.g. a ConstantLR warm-up over an ExponentialLR decay)."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        # read once: an iterator would lose the schedule read to find the optimizer
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._schedulers = self._check_schedulers(schedulers, optimizer)
        self.optimizer = _check_optimizer("ChainedScheduler", optimizer)
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        """Step every schedule, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()


class ReduceLROnPlateau(LRScheduler):
    """``lr <- max(lr * factor, min_lr)`` once the metric passed to ``step(metric)`` has not
    improved for more than ``patience`` epochs, then ``cooldown`` epochs of rest.

    Improving means below ``best * (1 - threshold)`` (``mode='min'``, ``threshold_mode='rel'``),
    below ``best - threshold`` (``'abs'``), or above ``best * (1 + threshold)`` /
    ``best + threshold`` with ``mode='max'``. A reduction smaller than ``eps`` is skipped."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        name = "ReduceLROnPlateau"
        self.optimizer = _check_optimizer(name, optimizer)
        _check_choice(name, "mode", mode, ("min", "max"))
        _check_choice(name, "threshold_mode", threshold_mode, ("rel", "abs"))
        _check_unit(name, "factor", factor, open_high=True)
        check_at_least(name, 0, patience=patience, cooldown=cooldown, threshold=threshold, eps=eps)
        self.min_lrs = _per_group(name, "min_lr", optimizer, min_lr)
        check_at_least(name, 0, **{f"min_lr[{i}]": lr for i, lr in enumerate(self.min_lrs)})
        # a single min_lr also holds for groups added later
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    def step(self, metrics: float) -> None:
        """Count the epoch as good or bad by ``metrics`` (a number or a one-element Tensor)
        and reduce the lrs once there have been more than ``patience`` bad ones."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lrs()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        """Whether the epochs of rest after a reduction are still running."""
        return self.cooldown_counter > 0

    def _is_better(self, value: float) -> bool:
        best, threshold = self.best, self.threshold
        if self.mode == "min":
            return value < (
                best * (1.0 - threshold) if self.threshold_mode == "rel" else best - threshold
            )
        return value > (
            best * (threshold + 1.0) if self.threshold_mode == "rel" else best + threshold
        )

    def _reduce_lrs(self) -> None:
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise ValueError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but "
                    f"min_lr gave {len(self.min_lrs)}; set min_lrs to one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2017), stepped once per batch: the lr rises from
    ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of ``total_steps`` and
    then falls to ``initial_lr / final_div_factor`` (with ``three_phase``, back to the initial
    lr first, then down), by cosine or linear annealing. With ``cycle_momentum`` the momentum
    (or Adam's beta1) moves the opposite way, between ``max_momentum`` and ``base_momentum``."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        name = "OneCycleLR"
        _check_optimizer(name, optimizer)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError(f"{name}: give total_steps, or both epochs and steps_per_epoch")
            self._check_count(epochs=epochs, steps_per_epoch=steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        self._check_count(total_steps=total_steps)
        _check_unit(name, "pct_start", pct_start)
        _check_choice(name, "anneal_strategy", anneal_strategy, ("cos", "linear"))
        if cycle_momentum and not {"momentum", "betas"} & set(optimizer.defaults):
            raise ValueError(
                f"{name}: cycle_momentum needs an optimizer with momentum or betas, got "
                f"{type(optimizer).__name__}; pass cycle_momentum=False"
            )
        self.total_steps = total_steps
        self.anneal_strategy = anneal_strategy
        self.cycle_momentum = cycle_momentum
        self.use_beta1 = "betas" in optimizer.defaults
        # each phase: the step it ends at, and the group entries it goes from and to
        rise = float(pct_start * total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                [rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"],
                [
                    float(2 * pct_start * total_steps) - 2,
                    "max_lr",
                    "initial_lr",
                    "base_momentum",
                    "max_momentum",
                ],
                [total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"],
            ]
        else:
            self._schedule_phases = [
                [rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"],
                [total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"],
            ]
        max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                highs = _per_group(name, "max_momentum", optimizer, max_momentum)
                lows = _per_group(name, "base_momentum", optimizer, base_momentum)
                for group, high, low in zip(optimizer.param_groups, highs, lows, strict=True):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _check_count(self, **counts) -> None:
        for option, value in counts.items():
            if not isinstance(value, Integral) or value <= 0:
                raise ValueRangeError(
                    f"OneCycleLR: {option} must be a positive integer, got {value!r}"
                )

    def _set_momentum(self, group: dict, momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def _anneal(self, start: float, end: float, fraction: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueRangeError(
                f"OneCycleLR: step() called {step} times, beyond total_steps={self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, (end_step, lr_from, lr_to, momentum_from, momentum_to) in enumerate(
                self._schedule_phases
            ):
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    # a phase of no steps (the warm-up when pct_start * total_steps == 1, the
                    # last one at step total_steps when pct_start == 1) is over at once, at
                    # its end value, as every phase is at its end step; torch divides by 0
                    length = end_step - start_step
                    fraction = (step - start_step) / length if length else 1.0
                    lrs.append(self._anneal(group[lr_from], group[lr_to], fraction))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[momentum_from], group[momentum_to], fraction)
                        self._set_momentum(group, momentum)
                    break
                start_step = end_step
        return lrs
