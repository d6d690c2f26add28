"""Reductions over axes: sum, mean, max, min, var, std, logsumexp.

Each takes ``axes`` (a sorted tuple, or None for all) and ``keepdims``; backward broadcasts
the gradient back over the reduced axes.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.axes import expand_reduced, reduced_count
from chainrule.autograd.ops.numerics import max_kept, safe_exp
from chainrule.autograd.promotion import float32_if_integer


class Sum(Function):
    """``sum(x)`` over ``axes``.  d/dx = 1 for every element."""

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad_output):
        return expand_reduced(grad_output, ctx.shape, ctx.axes, ctx.keepdims)

    @staticmethod
    def jvp(ctx, tx):
        return tx.sum(axis=ctx.axes, keepdims=ctx.keepdims)


class Mean(Function):
    """``mean(x)`` over ``axes``.  d/dx = 1 / n, n the number of elements averaged."""

    torch_promotion = True  # integers give float32, not NumPy's float64

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad_output):
        n = reduced_count(ctx.shape, ctx.axes)
        return expand_reduced(grad_output / n, ctx.shape, ctx.axes, ctx.keepdims)

    @staticmethod
    def jvp(ctx, tx):
        return tx.mean(axis=ctx.axes, keepdims=ctx.keepdims)


class Max(Function):
    """``max(x)`` over ``axes``.  The maximum gets the gradient; tied maxima share it equally
    (as PyTorch's ``amax``)."""

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False):
        return _extreme_forward(ctx, x, x.max(axis=axes, keepdims=True), axes, keepdims)

    @staticmethod
    def backward(ctx, grad_output):
        return _extreme_backward(ctx, grad_output)

    @staticmethod
    def jvp(ctx, tx):
        return _extreme_jvp(ctx, tx)


class Min(Function):
    """``min(x)`` over ``axes``.  The minimum gets the gradient; ties share it equally."""

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False):
        return _extreme_forward(ctx, x, x.min(axis=axes, keepdims=True), axes, keepdims)

    @staticmethod
    def backward(ctx, grad_output):
        return _extreme_backward(ctx, grad_output)

    @staticmethod
    def jvp(ctx, tx):
        return _extreme_jvp(ctx, tx)


def _extreme_forward(ctx, x, extreme_kept, axes, keepdims):
    ctx.save_for_backward(x, extreme_kept)
    ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
    return extreme_kept if keepdims else np.squeeze(extreme_kept, axis=axes)


def _share(ctx):
    """Each element's share of its reduction's gradient: 1/k for the k tied extremes, else 0."""
    x, extreme_kept = ctx.saved_tensors
    hits = x == extreme_kept
    return hits / hits.sum(axis=ctx.axes, keepdims=True).astype(x.dtype)


def _extreme_backward(ctx, grad_output):
    return expand_reduced(grad_output, ctx.shape, ctx.axes, ctx.keepdims) * _share(ctx)


def _extreme_jvp(ctx, tx):
    return (tx * _share(ctx)).sum(axis=ctx.axes, keepdims=ctx.keepdims)


class Var(Function):
    """Variance ``sum((x - mean)**2) / (n - ddof)`` over ``axes`` (NumPy's ``ddof=0`` default;
    PyTorch's ``correction`` is the same number).

    d/dx = 2 (x - mean) / (n - ddof). With ``ddof >= n`` the divisor is 0, as in NumPy and
    PyTorch: the variance is inf (nan where all values are equal), and so is its gradient.
    """

    torch_promotion = True  # integers give float32, not NumPy's float64

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False, ddof=0):
        centred, variance = _centred_variance(ctx, x, axes, keepdims, ddof)
        ctx.save_for_backward(centred)
        return variance

    @staticmethod
    def backward(ctx, grad_output):
        (centred,) = ctx.saved_tensors
        return _variance_backward(ctx, centred, grad_output)

    @staticmethod
    def jvp(ctx, tx):
        (centred,) = ctx.saved_tensors
        return _variance_jvp(ctx, centred, tx)


class Std(Function):
    """Standard deviation ``sqrt(var(x))`` over ``axes``, ``ddof`` as in Var.

    d/dx = (x - mean) / ((n - ddof) std). Where the std is 0 (all values equal) the gradient
    is 0, as in PyTorch, not sqrt's 0/0; with ``ddof >= n`` the std is inf or nan and its
    gradient nan, as in PyTorch.
    """

    torch_promotion = True  # integers give float32, not NumPy's float64

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False, ddof=0):
        centred, variance = _centred_variance(ctx, x, axes, keepdims, ddof)
        y = np.sqrt(variance)
        ctx.save_for_backward(centred, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        centred, y = ctx.saved_tensors
        return _variance_backward(ctx, centred, _over_twice_std(grad_output, y))

    @staticmethod
    def jvp(ctx, tx):
        centred, y = ctx.saved_tensors
        return _over_twice_std(_variance_jvp(ctx, centred, tx), y)


def _centred_variance(ctx, x, axes, keepdims, ddof):
    """``x - mean`` (kept for backward) and the variance; notes the settings on ``ctx``."""
    centred = x - x.mean(axis=axes, keepdims=True)
    ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
    ctx.divisor = max(reduced_count(x.shape, axes) - ddof, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return centred, (centred * centred).sum(axis=axes, keepdims=keepdims) / ctx.divisor


def _variance_backward(ctx, centred, grad_output):
    """d var/dx = 2 (x - mean) / divisor, times the gradient broadcast back over ``axes``."""
    grad = expand_reduced(grad_output, ctx.shape, ctx.axes, ctx.keepdims)
    with np.errstate(invalid="ignore"):
        return grad * centred * _twice_inverse(ctx.divisor)


def _variance_jvp(ctx, centred, tx):
    """The variance's tangent: sum(2 (x - mean) t_x) / divisor over ``axes``."""
    tangent = (tx * centred).sum(axis=ctx.axes, keepdims=ctx.keepdims)
    with np.errstate(invalid="ignore"):
        return tangent * _twice_inverse(ctx.divisor)


def _twice_inverse(divisor: int) -> float:
    """``2 / divisor``, inf for a divisor of 0 (no degrees of freedom left)."""
    return 2 / divisor if divisor else math.inf


def _over_twice_std(grad: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``grad / (2 y)``, the chain rule through ``y = sqrt(var)``; 0 where ``y`` is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0, grad / (2 * y))


class LogSumExp(Function):
    """``log(sum(exp(x)))`` over ``axes``, shifted by the max so it stays finite.

    d/dx = softmax(x) = exp(x - y).
    """

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False):
        x = float32_if_integer(x)
        top = max_kept(x, axes)
        top = np.where(np.isfinite(top), top, 0)  # no shift by an infinite max: keep the limit
        y_kept = top + np.log(safe_exp(x - top).sum(axis=axes, keepdims=True))
        ctx.save_for_backward(x, y_kept)
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return y_kept if keepdims else np.squeeze(y_kept, axis=axes)

    @staticmethod
    def backward(ctx, grad_output):
        x, y_kept = ctx.saved_tensors
        return expand_reduced(grad_output, ctx.shape, ctx.axes, ctx.keepdims) * safe_exp(x - y_kept)

    @staticmethod
    def jvp(ctx, tx):
        x, y_kept = ctx.saved_tensors
        return (tx * safe_exp(x - y_kept)).sum(axis=ctx.axes, keepdims=ctx.keepdims)
