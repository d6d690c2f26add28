"""Adam and AdamW: moment estimates of the gradient with bias correction."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.errors import ValueRangeError
from chainrule.optim.optimizer import Optimizer


def checked_betas(owner: str, betas) -> tuple[float, float]:
    """``betas`` as a pair of numbers in [0, 1); anything else is refused, naming ``owner``."""
    try:
        pair = tuple(betas)
        valid = len(pair) == 2 and all(0.0 <= b < 1.0 for b in pair)
    except (TypeError, ValueError):  # not a sequence (betas=0.9), or not numbers
        valid = False
    if not valid:
        raise ValueRangeError(
            f"{owner}: betas must be a pair (beta1, beta2) in [0, 1), got {betas!r}"
        )
    return pair


class Adam(Optimizer):
    """``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g**2``,
    ``p <- p - lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``
    (Kingma & Ba, 2015); ``amsgrad`` uses the running maximum of ``v`` (Reddi et al., 2018).
    ``weight_decay`` adds ``wd * p`` to the gradient (L2) or, with ``decoupled_weight_decay``
    (AdamW's form), shrinks ``p <- p (1 - lr wd)`` before the update; as in PyTorch the choice is
    stored in each parameter group."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        maximize: bool = False,
        *,
        decoupled_weight_decay: bool = False,
    ) -> None:
        self._check_non_negative(lr=lr, eps=eps, weight_decay=weight_decay)
        defaults = dict(
            lr=lr,
            betas=checked_betas(type(self).__name__, betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(p.data)
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros_like(p.data)
                state["step"] += 1
                t = state["step"]
                g = -grad if group["maximize"] else grad
                if wd and group["decoupled_weight_decay"]:
                    p.data *= 1 - lr * wd
                elif wd:
                    g = g + wd * p.data
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                # one scratch array per parameter and step instead of six temporaries (asarray:
                # for a 0-d parameter the product is a NumPy scalar, which out= cannot take)
                scratch = np.asarray(np.multiply(g, 1 - beta1))
                exp_avg *= beta1
                exp_avg += scratch
                np.multiply(g, g, out=scratch)
                scratch *= 1 - beta2
                exp_avg_sq *= beta2
                exp_avg_sq += scratch
                if group["amsgrad"]:
                    second = np.maximum(
                        state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"]
                    )
                else:
                    second = exp_avg_sq
                denom = np.sqrt(second, out=scratch)
                denom /= math.sqrt(1 - beta2**t)
                denom += group["eps"]
                np.divide(exp_avg, denom, out=denom)
                denom *= lr / (1 - beta1**t)
                p.data -= denom
                p._version[0] += 1  # changed in place: arrays saved from it are stale
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay ``p <- p (1 - lr wd)`` (Loshchilov & Hutter, 2019)."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay=True
        )

    def load_state_dict(self, state_dict: dict) -> None:
        """As PyTorch's AdamW: the decay stays decoupled whatever the saved groups say."""
        groups = [{**group, "decoupled_weight_decay": True} for group in state_dict["param_groups"]]
        super().load_state_dict({**state_dict, "param_groups": groups})
