"""Adamax, NAdam and RAdam: Adam's moment estimates with another step, as ``torch.optim``.

Each keeps ``exp_avg`` (m) as PyTorch does, ``m <- m + (1 - b1) (g - m)``; ``g`` is the
gradient (negated with ``maximize``), plus ``wd * p`` with L2 weight decay.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.optim.adam import checked_betas
from chainrule.optim.optimizer import Optimizer


class _AdamVariant(Optimizer):
    """What the three share: hyper-parameter checks, the decayed gradient, the first moment."""

    def __init__(self, params, lr, betas, eps, weight_decay, **options) -> None:
        self._check_non_negative(lr=lr, eps=eps, weight_decay=weight_decay)
        defaults = dict(
            lr=lr,
            betas=checked_betas(type(self).__name__, betas),
            eps=eps,
            weight_decay=weight_decay,
            **options,
        )
        super().__init__(params, defaults)

    @staticmethod
    def _gradient(p, grad: np.ndarray, group: dict) -> np.ndarray:
        """The gradient the update uses; decoupled weight decay shrinks ``p`` here instead."""
        g = -grad if group["maximize"] else grad
        wd = group["weight_decay"]
        if wd and group.get("decoupled_weight_decay"):
            p.data *= 1 - group["lr"] * wd
        elif wd:
            g = g + wd * p.data
        return g

    @staticmethod
    def _first_moment(state: dict, g: np.ndarray, beta1: float) -> np.ndarray:
        """``m <- m + (1 - b1) (g - m)`` in place (PyTorch's lerp); returns m."""
        exp_avg = state["exp_avg"]
        exp_avg += (1 - beta1) * (g - exp_avg)
        return exp_avg

    @staticmethod
    def _second_moment(state: dict, g: np.ndarray, beta2: float) -> np.ndarray:
        """``v <- b2 v + (1 - b2) g**2`` in place; returns v."""
        exp_avg_sq = state["exp_avg_sq"]
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (g * g)
        return exp_avg_sq


class Adamax(_AdamVariant):
    """Adam with the infinity norm (Kingma & Ba, 2015, section 7.1):
    ``u <- max(b2 u, |g| + eps)``, ``p <- p - lr / (1 - b1**t) * m / u``."""

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, maximize=maximize)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(p.data))
                    state["exp_inf"] = np.zeros_like(p.data)
                state["step"] += 1
                g = self._gradient(p, grad, group)
                exp_avg = self._first_moment(state, g, beta1)
                exp_inf = state["exp_inf"]
                exp_inf *= beta2
                np.maximum(exp_inf, np.abs(g) + group["eps"], out=exp_inf)
                p.data -= group["lr"] / (1 - beta1 ** state["step"]) * (exp_avg / exp_inf)
                p._version[0] += 1
        return loss


class NAdam(_AdamVariant):
    """Adam with Nesterov momentum (Dozat, 2016), PyTorch's schedule: with
    ``mu_t = b1 (1 - 0.5 * 0.96**(t psi))`` (psi = ``momentum_decay``) and their running product
    ``P_t``, ``p <- p - lr [(1 - mu_t) / (1 - P_t) g + mu_{t+1} / (1 - P_t mu_{t+1}) m] / d``,
    ``d = sqrt(v / (1 - b2**t)) + eps``. ``decoupled_weight_decay`` gives NAdamW."""

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        maximize: bool = False,
    ) -> None:
        self._check_non_negative(momentum_decay=momentum_decay)
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), psi = group["lr"], group["betas"], group["momentum_decay"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state.update(step=0, mu_product=1.0, exp_avg=np.zeros_like(p.data))
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                state["step"] += 1
                t = state["step"]
                g = self._gradient(p, grad, group)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
                state["mu_product"] *= mu
                product = state["mu_product"]
                exp_avg = self._first_moment(state, g, beta1)
                exp_avg_sq = self._second_moment(state, g, beta2)
                denom = np.sqrt(exp_avg_sq / (1 - beta2**t)) + group["eps"]
                p.data -= (lr * (1 - mu) / (1 - product)) * (g / denom)
                p.data -= (lr * mu_next / (1 - product * mu_next)) * (exp_avg / denom)
                p._version[0] += 1
        return loss


class RAdam(_AdamVariant):
    """Rectified Adam (Liu et al., 2020): with ``rho_inf = 2 / (1 - b2) - 1`` and
    ``rho_t = rho_inf - 2 t b2**t / (1 - b2**t)``, the step is SGD with momentum,
    ``lr m / (1 - b1**t)``, while ``rho_t <= 5``, and afterwards Adam's times the variance
    rectification ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2)
    rho_t))``. ``decoupled_weight_decay`` gives RAdamW."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = group["lr"], group["betas"]
            rho_inf = 2 / (1 - beta2) - 1
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(p.data))
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                state["step"] += 1
                t = state["step"]
                g = self._gradient(p, grad, group)
                exp_avg = self._first_moment(state, g, beta1)
                exp_avg_sq = self._second_moment(state, g, beta2)
                corrected = exp_avg / (1 - beta1**t)
                bias_correction2 = 1 - beta2**t
                rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
                if rho_t > 5.0:
                    rect = math.sqrt(
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    )
                    adaptive = math.sqrt(bias_correction2) / (np.sqrt(exp_avg_sq) + group["eps"])
                    p.data -= corrected * lr * adaptive * rect
                else:
                    p.data -= corrected * lr
                p._version[0] += 1
        return loss
