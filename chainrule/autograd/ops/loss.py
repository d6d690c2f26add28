"""Fused loss ops: one node each, reduction included, with the short gradients the maths allows.

Cross-entropy from logits has gradient ``softmax(x) - target``; binary cross-entropy with
logits has ``sigmoid(x) - y``; the squared error has ``2 (x - y)``. Fusing avoids
``log(softmax)`` round trips that overflow for large logits, and folding the reduction
('none', 'sum' or 'mean', as PyTorch) into the same node saves a graph node per loss: the
backward of a reduced loss just scales the per-element gradient by ``grad_output`` (and
``1 / count`` for 'mean').
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function, sum_tangents
from chainrule.autograd.ops.numerics import safe_exp, stable_sigmoid
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(op: str, reduction: str) -> None:
    """Refuse an unknown ``reduction`` with a message naming the op."""
    if reduction not in REDUCTIONS:
        raise ValueRangeError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(losses: np.ndarray, reduction: str, count: int):
    """The per-element ``losses`` summed, averaged over ``count`` elements, or kept."""
    if reduction == "none":
        return losses
    total = losses.sum()
    return total if reduction == "sum" else _average(total, count)


def _average(total, count: int):
    """``total / count``; NaN for an empty input, as PyTorch's 'mean' gives."""
    return total / count if count else np.full((), np.nan, np.asarray(total).dtype)


def _upstream(grad_output: np.ndarray, reduction: str, count: int):
    """dL/d(per-element loss): ``grad_output`` itself ('none'), or the scalar it is spread as
    ('sum'), divided by ``count`` for 'mean'. The mean's factor is a Python float: ten times
    cheaper than 0-d array arithmetic, and a float32 gradient times it stays float32."""
    if reduction == "mean" and count:
        return float(grad_output) / count  # the output of a mean is 0-d
    return grad_output


def _reduce_tangent(tangent, reduction: str, count: int):
    """The forward-mode tangent of the reduced loss from the per-element tangent."""
    if tangent is None or reduction == "none":
        return tangent
    total = np.sum(tangent)
    return _average(total, count) if reduction == "mean" else total  # NaN when empty, as forward


_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


def _as_unsigned(labels: np.ndarray) -> np.ndarray:
    """Integer ``labels`` viewed as unsigned (no copy): negative labels become huge, so one
    test of the largest, ``>= C``, checks both ends of the range [0, C)."""
    unsigned = _UNSIGNED.get(labels.dtype)  # native byte order: the common case, looked up
    return labels.view(unsigned or labels.dtype.str.replace("i", "u"))


class SquaredError(Function):
    """``scale * reduce((x - y)**2)``, the squared error with its reduction in one node.

    ``reduction``: 'none' (per element), 'sum', or 'mean' over all elements; ``scale`` is a
    constant factor (0.5 gives the classic quadratic cost ``1/2 (x - y)**2``). x and y have
    the same shape. d/dx = 2 scale (x - y) times the reduction's factor; d/dy = -d/dx.
    """

    @staticmethod
    def forward(ctx, x, y, reduction="none", scale=1.0):
        check_reduction("mse_loss", reduction)
        if np.shape(x) != np.shape(y):
            raise ShapeError(
                f"mse_loss: input {np.shape(x)} and target {np.shape(y)} must have the same shape"
            )
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.reduction, ctx.scale = reduction, scale
        if reduction == "none":
            squared = diff * diff
            if scale != 1.0:
                squared *= scale  # a fresh array: scaling in place saves one allocation
            return squared
        total = np.vdot(diff, diff) * scale  # the sum of squares as one dot product
        return total if reduction == "sum" else _average(total, diff.size)

    @staticmethod
    def backward(ctx, grad_output):
        (diff,) = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        factor = 2.0 * ctx.scale
        if ctx.reduction == "mean" and diff.size:
            factor /= diff.size
        g = grad_output * factor  # a Python float: float32 stays float32
        grad_x = diff * g if need_x else None
        grad_y = None
        if need_y:
            grad_y = -grad_x if need_x else diff * -g
        return grad_x, grad_y

    @staticmethod
    def jvp(ctx, tx, ty):
        (diff,) = ctx.saved_tensors
        t = sum_tangents(tx, None if ty is None else -ty)
        if t is None:
            return None
        return _reduce_tangent(diff * t * (2.0 * ctx.scale), ctx.reduction, diff.size)


class CrossEntropy(Function):
    """``-sum_c p_c log softmax(x)_c`` per sample for logits ``x`` (N, C), then ``reduction``.

    ``target`` is either class indices (N,) of an integer dtype (``p`` one-hot) or
    probabilities (N, C); 'mean' divides the sum by N (PyTorch's rule for both kinds).
    Per sample, d/dx = softmax(x) * sum_c p_c - p and d/dp = -log softmax(x). The softmax
    computed by forward is saved, so backward needs no second exp.
    """

    @staticmethod
    def forward(ctx, logits, target, reduction="none"):
        check_reduction("cross_entropy", reduction)
        if logits.ndim != 2:
            raise ShapeError(f"cross_entropy: expected logits of shape (N, C), got {logits.shape}")
        target = np.asarray(target)
        classes = target.dtype.kind in "iu"
        if classes:
            if target.shape != logits.shape[:1]:
                raise ShapeError(
                    f"cross_entropy: class targets must have shape ({logits.shape[0]},), "
                    f"got {target.shape} for logits {logits.shape}"
                )
            labels = _as_unsigned(target)  # the largest by argmax: a third of max()'s cost
            if target.size and labels[labels.argmax()] >= logits.shape[1]:
                raise ValueRangeError(
                    f"cross_entropy: class targets must lie in [0, {logits.shape[1] - 1}], "
                    f"got values in [{target.min()}, {target.max()}]"
                )
        elif target.dtype.kind != "f":
            raise DTypeError(f"cross_entropy: targets must be integer or float, got {target.dtype}")
        elif target.shape != logits.shape:
            raise ShapeError(
                f"cross_entropy: probability targets must match logits {logits.shape}, "
                f"got {target.shape}"
            )
        ctx.reduction = reduction  # the target is saved: an in-place change to it is caught
        shifted = logits - logits.max(axis=1, keepdims=True)  # <= 0: exp cannot overflow
        probs = safe_exp(shifted)
        total = probs.sum(axis=1, keepdims=True)  # >= 1: its log is finite
        probs /= total  # softmax(x)
        log_total = np.log(total)
        if classes:
            ctx.rows = np.arange(len(target))
            ctx.save_for_backward(probs, target)
            # -log softmax(x)_t = log sum_c exp(shifted_c) - shifted_t
            losses = log_total[:, 0] - shifted[ctx.rows, target]
        else:
            log_probs = shifted - log_total
            ctx.save_for_backward(probs, target, log_probs)
            losses = -(target * log_probs).sum(axis=1)
        return _reduce(losses, reduction, len(logits))

    @staticmethod
    def backward(ctx, grad_output):
        probs, target = ctx.saved_tensors[:2]
        per_sample = _upstream(grad_output, ctx.reduction, len(probs))  # (N,) or a scalar
        g = per_sample[:, None] if ctx.reduction == "none" else per_sample  # against (N, C)
        grad_logits = grad_target = None
        if target.dtype.kind in "iu":
            if ctx.needs_input_grad[0]:
                # (softmax(x) - onehot) * g as softmax(x) * g - g at the targets: one pass
                # fewer than a copy, and the saved softmax stays intact
                grad_logits = probs * g
                grad_logits[ctx.rows, target] -= per_sample
            return grad_logits, None
        if ctx.needs_input_grad[0]:
            mass = target.sum(axis=1, keepdims=True)
            grad_logits = (probs * mass - target) * g
        if ctx.needs_input_grad[1]:
            grad_target = -ctx.saved_tensors[2] * g
        return grad_logits, grad_target

    @staticmethod
    def jvp(ctx, t_logits, t_target):
        probs, target = ctx.saved_tensors[:2]
        if target.dtype.kind in "iu":
            p = np.zeros_like(probs)
            p[ctx.rows, target] = 1.0
        else:
            p = target
        from_logits = None
        if t_logits is not None:
            centred = t_logits - (probs * t_logits).sum(axis=1, keepdims=True)
            from_logits = -(p * centred).sum(axis=1)
        from_target = None
        if t_target is not None:
            from_target = -(t_target * ctx.saved_tensors[2]).sum(axis=1)
        per_sample = sum_tangents(from_logits, from_target)
        return _reduce_tangent(per_sample, ctx.reduction, len(probs))


class BinaryCrossEntropyWithLogits(Function):
    """``-[y log s(x) + (1 - y) log(1 - s(x))]`` per element, ``s`` the sigmoid, then reduced.

    Computed as ``max(x, 0) - x y + log(1 + exp(-|x|))``, finite for any ``x``.
    Per element, d/dx = s(x) - y and d/dy = -x; 'mean' averages over all elements.
    """

    @staticmethod
    def forward(ctx, x, y, reduction="none"):
        check_reduction("binary_cross_entropy_with_logits", reduction)
        if np.shape(x) != np.shape(y):
            raise ShapeError(
                f"binary_cross_entropy_with_logits: input {np.shape(x)} and target "
                f"{np.shape(y)} must have the same shape"
            )
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        losses = np.maximum(x, 0) - x * y + np.log1p(safe_exp(-np.abs(x)))
        return _reduce(losses, reduction, np.size(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        g = _upstream(grad_output, ctx.reduction, np.size(x))
        grad_x = (stable_sigmoid(x) - y) * g if ctx.needs_input_grad[0] else None
        grad_y = -x * g if ctx.needs_input_grad[1] else None
        return grad_x, grad_y

    @staticmethod
    def jvp(ctx, tx, ty):
        x, y = ctx.saved_tensors
        per_element = sum_tangents(
            None if tx is None else (stable_sigmoid(x) - y) * tx, None if ty is None else -x * ty
        )
        return _reduce_tangent(per_element, ctx.reduction, np.size(x))


def _clamped_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log p`` and ``log(1 - p)``, each clamped at -100 as PyTorch does."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)


class BinaryCrossEntropy(Function):
    """``-[y log p + (1 - y) log(1 - p)]`` per element for probabilities ``p``, then reduced.

    As in PyTorch, each log is clamped at -100 so ``p`` of exactly 0 or 1 gives a finite
    loss, and the gradient ``(p - y) / (p (1 - p))`` uses ``max(p (1 - p), 1e-12)``.
    """

    @staticmethod
    def forward(ctx, p, y, reduction="none"):
        check_reduction("binary_cross_entropy", reduction)
        if np.shape(p) != np.shape(y):
            raise ShapeError(
                f"binary_cross_entropy: input {np.shape(p)} and target {np.shape(y)} "
                "must have the same shape"
            )
        if not np.all((p >= 0) & (p <= 1)):  # NaN fails both tests, as in PyTorch's check
            raise ValueRangeError("binary_cross_entropy: input probabilities must lie in [0, 1]")
        ctx.save_for_backward(p, y)
        ctx.reduction = reduction
        log_p, log_q = _clamped_logs(p)
        return _reduce(-(y * log_p + (1 - y) * log_q), reduction, np.size(p))

    @staticmethod
    def backward(ctx, grad_output):
        p, y = ctx.saved_tensors
        g = _upstream(grad_output, ctx.reduction, np.size(p))
        grad_p = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_p = g * (p - y) / np.maximum(p * (1 - p), 1e-12)
        if ctx.needs_input_grad[1]:
            log_p, log_q = _clamped_logs(p)
            grad_y = g * (log_q - log_p)
        return grad_p, grad_y

    @staticmethod
    def jvp(ctx, tp, ty):
        p, y = ctx.saved_tensors
        from_p = None if tp is None else tp * (p - y) / np.maximum(p * (1 - p), 1e-12)
        from_y = None
        if ty is not None:
            log_p, log_q = _clamped_logs(p)
            from_y = ty * (log_q - log_p)
        return _reduce_tangent(sum_tangents(from_p, from_y), ctx.reduction, np.size(p))
