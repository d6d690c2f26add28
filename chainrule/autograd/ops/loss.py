"""Fused loss ops: one node each, with the short gradients the maths allows.

Cross-entropy from logits has gradient ``softmax(x) - target``; binary cross-entropy with
logits has ``sigmoid(x) - y``. Fusing avoids ``log(softmax)`` round trips that overflow
for large logits. Each op returns the per-sample losses; ``reduction`` is applied outside.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function, sum_tangents
from chainrule.autograd.ops.numerics import log_softmax_array, safe_exp, stable_sigmoid
from chainrule.errors import DTypeError, ShapeError


class CrossEntropy(Function):
    """Per-sample ``-sum_c p_c log softmax(x)_c`` for logits ``x`` (N, C).

    ``target`` is either class indices (N,) of an integer dtype (``p`` one-hot) or
    probabilities (N, C). d/dx = softmax(x) * sum_c p_c - p; d/dp = -log softmax(x).
    """

    @staticmethod
    def forward(ctx, logits, target):
        if logits.ndim != 2:
            raise ShapeError(f"cross_entropy: expected logits of shape (N, C), got {logits.shape}")
        log_probs = log_softmax_array(logits, axis=1)
        ctx.save_for_backward(log_probs)
        target = np.asarray(target)
        ctx.target = target
        if target.dtype.kind in "iu":
            if target.shape != logits.shape[:1]:
                raise ShapeError(
                    f"cross_entropy: class targets must have shape ({logits.shape[0]},), "
                    f"got {target.shape} for logits {logits.shape}"
                )
            if target.size and (target.min() < 0 or target.max() >= logits.shape[1]):
                raise ValueError(
                    f"cross_entropy: class targets must lie in [0, {logits.shape[1] - 1}], "
                    f"got values in [{target.min()}, {target.max()}]"
                )
            ctx.rows = np.arange(len(target))
            return -log_probs[ctx.rows, target]
        if target.dtype.kind != "f":
            raise DTypeError(f"cross_entropy: targets must be integer or float, got {target.dtype}")
        if target.shape != logits.shape:
            raise ShapeError(
                f"cross_entropy: probability targets must match logits {logits.shape}, "
                f"got {target.shape}"
            )
        return -(target * log_probs).sum(axis=1)

    @staticmethod
    def backward(ctx, grad_output):
        (log_probs,) = ctx.saved_tensors
        target = ctx.target
        g = grad_output[:, None]
        grad_logits = grad_target = None
        if target.dtype.kind in "iu":
            if ctx.needs_input_grad[0]:
                grad_logits = safe_exp(log_probs)
                grad_logits[ctx.rows, target] -= 1.0
                grad_logits *= g
            return grad_logits, None
        if ctx.needs_input_grad[0]:
            mass = target.sum(axis=1, keepdims=True)
            grad_logits = (safe_exp(log_probs) * mass - target) * g
        if ctx.needs_input_grad[1]:
            grad_target = -log_probs * g
        return grad_logits, grad_target

    @staticmethod
    def jvp(ctx, t_logits, t_target):
        (log_probs,) = ctx.saved_tensors
        target = ctx.target
        if target.dtype.kind in "iu":
            p = np.zeros_like(log_probs)
            p[ctx.rows, target] = 1.0
        else:
            p = target
        from_logits = None
        if t_logits is not None:
            centred = t_logits - (safe_exp(log_probs) * t_logits).sum(axis=1, keepdims=True)
            from_logits = -(p * centred).sum(axis=1)
        from_target = None if t_target is None else -(t_target * log_probs).sum(axis=1)
        return sum_tangents(from_logits, from_target)


class BinaryCrossEntropyWithLogits(Function):
    """Per-element ``-[y log s(x) + (1 - y) log(1 - s(x))]`` with ``s`` the sigmoid.

    Computed as ``max(x, 0) - x y + log(1 + exp(-|x|))``, finite for any ``x``.
    d/dx = s(x) - y; d/dy = -x.
    """

    @staticmethod
    def forward(ctx, x, y):
        if np.shape(x) != np.shape(y):
            raise ShapeError(
                f"binary_cross_entropy_with_logits: input {np.shape(x)} and target "
                f"{np.shape(y)} must have the same shape"
            )
        ctx.save_for_backward(x, y)
        return np.maximum(x, 0) - x * y + np.log1p(safe_exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_x = (stable_sigmoid(x) - y) * grad_output if ctx.needs_input_grad[0] else None
        grad_y = -x * grad_output if ctx.needs_input_grad[1] else None
        return grad_x, grad_y

    @staticmethod
    def jvp(ctx, tx, ty):
        x, y = ctx.saved_tensors
        return sum_tangents(
            None if tx is None else (stable_sigmoid(x) - y) * tx, None if ty is None else -x * ty
        )


def _clamped_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log p`` and ``log(1 - p)``, each clamped at -100 as PyTorch does."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)


class BinaryCrossEntropy(Function):
    """Per-element ``-[y log p + (1 - y) log(1 - p)]`` for probabilities ``p``.

    As in PyTorch, each log is clamped at -100 so ``p`` of exactly 0 or 1 gives a finite
    loss, and the gradient ``(p - y) / (p (1 - p))`` uses ``max(p (1 - p), 1e-12)``.
    """

    @staticmethod
    def forward(ctx, p, y):
        if np.shape(p) != np.shape(y):
            raise ShapeError(
                f"binary_cross_entropy: input {np.shape(p)} and target {np.shape(y)} "
                "must have the same shape"
            )
        if np.any((p < 0) | (p > 1)):
            raise ValueError("binary_cross_entropy: input probabilities must lie in [0, 1]")
        ctx.save_for_backward(p, y)
        log_p, log_q = _clamped_logs(p)
        return -(y * log_p + (1 - y) * log_q)

    @staticmethod
    def backward(ctx, grad_output):
        p, y = ctx.saved_tensors
        grad_p = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_p = grad_output * (p - y) / np.maximum(p * (1 - p), 1e-12)
        if ctx.needs_input_grad[1]:
            log_p, log_q = _clamped_logs(p)
            grad_y = grad_output * (log_q - log_p)
        return grad_p, grad_y

    @staticmethod
    def jvp(ctx, tp, ty):
        p, y = ctx.saved_tensors
        from_p = None if tp is None else tp * (p - y) / np.maximum(p * (1 - p), 1e-12)
        from_y = None
        if ty is not None:
            log_p, log_q = _clamped_logs(p)
            from_y = ty * (log_q - log_p)
        return sum_tangents(from_p, from_y)
