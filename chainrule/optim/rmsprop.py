"""RMSprop: gradients scaled by a running root-mean-square, optionally centred, with momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """``v <- alpha v + (1 - alpha) g**2``; with ``centered``, ``v - gbar**2`` replaces ``v``
    where ``gbar <- alpha gbar + (1 - alpha) g``; ``step = g / (sqrt(v) + eps)``;
    with momentum ``buf <- momentum buf + step`` and ``p <- p - lr buf``, else
    ``p <- p - lr step`` (Hinton's lecture 6e; PyTorch's form)."""

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        maximize: bool = False,
    ) -> None:
        self._check_non_negative(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum
        )
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            alpha = group["alpha"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(p.data)
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = np.zeros_like(p.data)
                    if group["centered"]:
                        state["grad_avg"] = np.zeros_like(p.data)
                state["step"] += 1
                g = -grad if group["maximize"] else grad
                if group["weight_decay"]:
                    g = g + group["weight_decay"] * p.data
                square_avg = state["square_avg"]
                square_avg *= alpha
                square_avg += (1 - alpha) * g * g
                if group["centered"]:
                    grad_avg = state["grad_avg"]
                    grad_avg *= alpha
                    grad_avg += (1 - alpha) * g
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += group["eps"]
                if group["momentum"] > 0:
                    buf = state["momentum_buffer"]
                    buf *= group["momentum"]
                    buf += g / avg
                    p.data -= group["lr"] * buf
                else:
                    p.data -= group["lr"] * g / avg
                p._version[0] += 1  # changed in place: arrays saved from it are stale
        return loss
