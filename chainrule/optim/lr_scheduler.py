"""Learning-rate schedules: call ``scheduler.step()`` once per epoch, after ``optimizer.step()``.

As in PyTorch, each step changes every group's current ``'lr'`` (rather than recomputing it
from ``'initial_lr'``, recorded on creation), so schedulers on one optimiser chain and an lr
set by hand carries on. A resumed run restores the lrs with ``optimizer.load_state_dict``
and ``last_epoch`` with ``scheduler.load_state_dict``, then continues bit for bit.
"""

from __future__ import annotations

import math

from chainrule.optim.optimizer import Optimizer, check_at_least


class LRScheduler:
    """Base class: subclasses give ``get_lr()``, the new lr of each group for ``last_epoch``.

    The constructor takes the first step (``_step_count`` becomes 1). With ``last_epoch=k``
    (resuming a run whose optimiser state, ``'initial_lr'`` included, is loaded) it moves
    ``last_epoch`` to ``k + 1``; as in PyTorch 2.13, that step leaves the lrs as they are,
    except where the schedule itself falls on epoch ``k + 1`` (StepLR)."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got {optimizer!r}")
        self.optimizer = optimizer
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
        self._step_count = 0
        self.step()

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict()`` saved. A dict with other entries (an optimiser's, another
        schedule's) is refused: taking it in would let the schedule restart or mix two kinds."""
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
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """``lr <- gamma * lr`` every ``step_size`` epochs: ``initial_lr * gamma ** (epoch //
    step_size)`` when nothing else changes the lr."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        check_at_least("StepLR", 1, step_size=step_size)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current
        return [lr * self.gamma for lr in current]


class ExponentialLR(LRScheduler):
    """``lr <- gamma * lr`` every epoch: ``initial_lr * gamma ** epoch`` when nothing else
    changes the lr."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = [group["lr"] for group in self.optimizer.param_groups]
        if self._step_count == 1:  # the constructor's step
            return current
        return [lr * self.gamma for lr in current]


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
        current = [group["lr"] for group in self.optimizer.param_groups]
        if self._step_count == 1:  # the constructor's step
            return current
        if (t - 1 - period) % (2 * period) == 0:
            return [
                lr + (base - low) * (1 - math.cos(math.pi / period)) / 2
                for lr, base in zip(current, self.base_lrs, strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [low + (lr - low) * ratio for lr in current]
