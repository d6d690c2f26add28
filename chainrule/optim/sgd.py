"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.optim.axpy import add_scaled_
from chainrule.optim.optimizer import Optimizer


class SGD(Optimizer):
    """``p <- p - lr * g`` where, as in PyTorch, ``g = grad + weight_decay * p`` and with
    momentum ``buf <- momentum * buf + (1 - dampening) * g`` (``buf = g`` on the first step),
    then ``g = buf`` or, with Nesterov, ``g + momentum * buf``. The update is one pass over
    memory (``add_scaled_``, BLAS axpy) where that is faster than NumPy's temporary.

    With momentum 0 and the whole training set as one batch this is the full-batch
    gradient descent of the classic derivations.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        self._check_non_negative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "SGD: nesterov needs momentum > 0 and dampening 0, "
                f"got momentum={momentum}, dampening={dampening}"
            )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
            if not (momentum or wd or group["maximize"]):  # plain SGD: no state, one update
                for p in group["params"]:
                    grad = p.grad
                    if grad is not None:
                        add_scaled_(p.data, grad.data, -lr)
                        p._version[0] += 1  # changed in place: arrays saved from it are stale
                continue
            for p, grad, state in self._params_with_grad(group):
                g = -grad if group["maximize"] else grad
                if wd:
                    g = g + wd * p.data
                if momentum:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(g, copy=True)
                    else:
                        buf *= momentum
                        buf += (1 - group["dampening"]) * g
                    g = g + momentum * buf if group["nesterov"] else buf
                add_scaled_(p.data, g, -lr)
                p._version[0] += 1
        return loss
