"""Reductions over axes: sum, mean, max, min, var, std, logsumexp, prod, norm; and cumsum.

Each reduction takes ``axes`` (a sorted tuple, or None for all) and ``keepdims``; backward
broadcasts the gradient back over the reduced axes. cumsum keeps the shape, along one axis.
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


def _int64_if_integer(x):
    """``x`` as int64 when it holds integers or booleans: PyTorch's prod and cumsum of those are
    int64 (NumPy's of uint8 would be uint64)."""
    return x.astype(np.int64) if x.dtype.kind in "biu" else x


class Prod(Function):
    """Product of ``x`` over ``axes``.  d/dx_i = the product of the other elements.

    With no zero in a product that is ``y / x_i``; with one zero, the zero gets the product of
    the rest and the others 0; with two or more, every element gets 0 (as PyTorch).
    """

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False):
        x = _int64_if_integer(np.asarray(x))
        y_kept = x.prod(axis=axes, keepdims=True)
        ctx.save_for_backward(x, y_kept)
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return y_kept if keepdims else np.squeeze(y_kept, axis=axes)

    @staticmethod
    def backward(ctx, grad_output):
        return expand_reduced(grad_output, ctx.shape, ctx.axes, ctx.keepdims) * _prod_partials(ctx)

    @staticmethod
    def jvp(ctx, tx):
        return (tx * _prod_partials(ctx)).sum(axis=ctx.axes, keepdims=ctx.keepdims)


def _prod_partials(ctx):
    """d prod / dx_i for every element: the product of the other elements of its reduction."""
    x, y_kept = ctx.saved_tensors
    zeros = x == 0
    zero_count = zeros.sum(axis=ctx.axes, keepdims=True)
    others = np.where(zeros, 1, x).prod(axis=ctx.axes, keepdims=True)  # product of the non-zeros
    with np.errstate(divide="ignore", invalid="ignore"):
        without_zeros = y_kept / x
    one_zero = np.where(zeros, others, 0).astype(x.dtype, copy=False)
    return np.where(zero_count == 0, without_zeros, np.where(zero_count == 1, one_zero, 0))


class CumSum(Function):
    """Running sum along ``axis``: ``y_i = x_0 + ... + x_i``.  d/dx_j = the sum of the gradient
    over every i >= j (a running sum from the far end)."""

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        x = _int64_if_integer(np.asarray(x))
        return x.copy() if x.ndim == 0 else np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, grad_output):
        if grad_output.ndim == 0:
            return grad_output
        flipped = np.flip(grad_output, axis=ctx.axis)
        return np.flip(np.cumsum(flipped, axis=ctx.axis), axis=ctx.axis)

    @staticmethod
    def jvp(ctx, tx):
        tx = np.asarray(tx)
        return tx if tx.ndim == 0 else np.cumsum(tx, axis=ctx.axis)


class Norm(Function):
    """Vector p-norm ``(sum |x|**p)**(1/p)`` over ``axes``; p = inf is max |x|, -inf min |x|,
    0 the count of non-zero elements.

    d/dx = sign(x) |x|**(p-1) / y**(p-1): ``x / y`` for p = 2, sign(x) for p = 1, sign(x)
    shared equally by the tied extremes for p = ±inf, 0 for p = 0. Where the norm is 0 the
    gradient is 0 (PyTorch's choice at the zero vector), and 0 at x = 0 for p < 1.
    """

    @staticmethod
    def forward(ctx, x, axes=None, keepdims=False, p=2.0):
        x = np.asarray(x)
        magnitude = np.abs(x)
        if p == 2:
            y_kept = np.sqrt((x * x).sum(axis=axes, keepdims=True))
        elif p == 1:
            y_kept = magnitude.sum(axis=axes, keepdims=True)
        elif p == math.inf:
            y_kept = magnitude.max(axis=axes, keepdims=True)
        elif p == -math.inf:
            y_kept = magnitude.min(axis=axes, keepdims=True)
        elif p == 0:
            y_kept = (x != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
        else:
            with np.errstate(divide="ignore"):  # 0 ** (p < 0) = inf: the norm is 0, as torch's
                y_kept = ((magnitude**p).sum(axis=axes, keepdims=True)) ** (1 / p)
        ctx.save_for_backward(x, y_kept)
        ctx.shape, ctx.axes, ctx.keepdims, ctx.p = x.shape, axes, keepdims, p
        return y_kept if keepdims else np.squeeze(y_kept, axis=axes)

    @staticmethod
    def backward(ctx, grad_output):
        return expand_reduced(grad_output, ctx.shape, ctx.axes, ctx.keepdims) * _norm_partials(ctx)

    @staticmethod
    def jvp(ctx, tx):
        return (tx * _norm_partials(ctx)).sum(axis=ctx.axes, keepdims=ctx.keepdims)


def _norm_partials(ctx):
    """d norm / dx for every element, with PyTorch's values where the norm or x is 0."""
    x, y_kept = ctx.saved_tensors
    p = ctx.p
    sign = np.sign(x)
    if p == 0:
        return np.zeros_like(x)
    if p == 1:
        return sign
    if abs(p) == math.inf:
        # the extremes share the gradient; a NaN counts as one, as in PyTorch
        magnitude = np.abs(x)
        hits = (magnitude == y_kept) | np.isnan(magnitude)
        return sign * hits / hits.sum(axis=ctx.axes, keepdims=True).astype(x.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 2:
            return np.where(y_kept == 0, 0, x / y_kept).astype(x.dtype, copy=False)
        if p < 1:
            # |x|**(p-1) is infinite at x = 0; PyTorch gives those elements 0
            scaled = np.where(x == 0, 0, sign * np.abs(x) ** (p - 1))
            return (scaled * y_kept ** (1 - p)).astype(x.dtype, copy=False)
        scaled = sign * np.abs(x) ** (p - 1)
        return np.where(y_kept == 0, 0, scaled / y_kept ** (p - 1)).astype(x.dtype, copy=False)
