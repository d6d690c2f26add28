"""Activation functions. Where the derivative is cheaper from the output, the output is saved."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.broadcast import sum_to
from chainrule.autograd.function import Function, sum_tangents
from chainrule.autograd.ops.numerics import (
    erfc,
    log_softmax_array,
    max_kept,
    safe_exp,
    stable_sigmoid,
)
from chainrule.autograd.promotion import float32_if_integer


class Tanh(Function):
    """``tanh(x)``.  d/dx = 1 - y**2, from the output."""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(float32_if_integer(x))  # NumPy: float16 for int8, float64 for int64
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (1 - y * y)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx * (1 - y * y)


class Sigmoid(Function):
    """Logistic ``1 / (1 + exp(-x))``, finite for any x.  d/dx = y * (1 - y), from the output."""

    @staticmethod
    def forward(ctx, x):
        y = stable_sigmoid(float32_if_integer(x))  # unsigned -x would wrap around
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1 - y)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx * y * (1 - y)


class ReLU(Function):
    """``max(x, 0)``.  d/dx = 1 for x > 0, else 0 (the subgradient at 0 is 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (y > 0)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx * (y > 0)


class LeakyReLU(Function):
    """``x`` for x > 0, else ``negative_slope * x``.  At 0 the slope is ``negative_slope``."""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad_output, grad_output * ctx.negative_slope)

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, tx, tx * ctx.negative_slope)


class PReLU(Function):
    """``x`` for x > 0, else ``w * x`` with a learnable slope ``w`` of shape (C,) or (1,).

    ``w`` applies along axis 1 (channels) of an input with two or more axes, as PyTorch's prelu.
    d/dx = 1 or w;  d/dw = sum of x over the non-positive entries of its channel.
    """

    @staticmethod
    def forward(ctx, x, w):
        w_b = _channel_view(w, x.ndim)
        ctx.save_for_backward(x, w_b)
        ctx.w_shape = w.shape
        return np.where(x > 0, x, x * w_b)

    @staticmethod
    def backward(ctx, grad_output):
        x, w_b = ctx.saved_tensors
        positive = x > 0
        grad_x = (
            np.where(positive, grad_output, grad_output * w_b) if ctx.needs_input_grad[0] else None
        )
        grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = sum_to(np.where(positive, 0, grad_output * x), w_b.shape).reshape(ctx.w_shape)
        return grad_x, grad_w

    @staticmethod
    def jvp(ctx, tx, tw):
        x, w_b = ctx.saved_tensors
        positive = x > 0
        return sum_tangents(
            None if tx is None else np.where(positive, tx, tx * w_b),
            None if tw is None else np.where(positive, 0, x * _channel_view(tw, x.ndim)),
        )


def _channel_view(w: np.ndarray, ndim: int) -> np.ndarray:
    """``w`` (C,) reshaped to broadcast along axis 1 of an ``ndim``-axis input."""
    if ndim >= 2 and w.size > 1:
        return w.reshape((1, -1) + (1,) * (ndim - 2))
    return w.reshape(()) if w.size == 1 else w


class Softmax(Function):
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the max so it never overflows.

    Probabilities below the dtype's smallest normal number (exp(-87) in float32) are raised
    to it instead of underflowing to 0, so ``log(softmax(x))`` stays finite and its gradient
    (1/y times y) is exact; use ``log_softmax`` for exact log-probabilities.
    d/dx: y * (g - sum(g * y)), from the output.
    """

    @staticmethod
    def forward(ctx, x, axis=-1):
        x = float32_if_integer(x)
        e = safe_exp(x - max_kept(x, axis))
        y = np.asarray(e / e.sum(axis=axis, keepdims=True))  # a 0-d x gives a NumPy scalar
        if y.dtype.kind == "f":
            np.maximum(y, np.finfo(y.dtype).tiny, out=y)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return y * (grad_output - (grad_output * y).sum(axis=ctx.axis, keepdims=True))

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return y * (tx - (tx * y).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """``x - logsumexp(x)`` along ``axis``, stable for any x.  d/dx: g - softmax * sum(g)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        y = log_softmax_array(float32_if_integer(x), axis)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output - safe_exp(y) * grad_output.sum(axis=ctx.axis, keepdims=True)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx - (safe_exp(y) * tx).sum(axis=ctx.axis, keepdims=True)


class ELU(Function):
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``; SELU is ``scale`` times it.

    d/dx = scale for x > 0, else ``scale * alpha * exp(x)`` (at 0 that is ``scale * alpha``,
    as PyTorch); from the input, since ``y + alpha`` loses the small exp(x) to cancellation.
    """

    @staticmethod
    def forward(ctx, x, alpha=1.0, scale=1.0):
        x = float32_if_integer(x)
        ctx.save_for_backward(x)
        ctx.alpha, ctx.scale = alpha, scale
        # exp of min(x, 0) only: exp of a large positive x would overflow in the unused branch
        y = np.where(x > 0, x, np.expm1(np.minimum(x, 0)) * alpha)
        return y * scale if scale != 1.0 else y

    @staticmethod
    def _slope(ctx):
        (x,) = ctx.saved_tensors
        slope = np.where(x > 0, 1, safe_exp(np.minimum(x, 0)) * ctx.alpha).astype(
            x.dtype, copy=False
        )
        return slope * ctx.scale if ctx.scale != 1.0 else slope

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ELU._slope(ctx)

    @staticmethod
    def jvp(ctx, tx):
        return tx * ELU._slope(ctx)


class SiLU(Function):
    """``x * sigmoid(x)`` (swish).  d/dx = s * (1 + x * (1 - s)) with s = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        x = float32_if_integer(x)
        s = stable_sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * (s * (1 + x * (1 - s)))

    @staticmethod
    def jvp(ctx, tx):
        x, s = ctx.saved_tensors
        return tx * (s * (1 + x * (1 - s)))


_SQRT_HALF = 0.7071067811865476  # 1 / sqrt(2)
_INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)
_SQRT_2_OVER_PI = 0.7978845608028654  # sqrt(2 / pi)
_GELU_CUBIC = 0.044715


class GELU(Function):
    """``x * Phi(x)``, Phi the standard normal CDF, or with ``approximate='tanh'`` PyTorch's
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``.

    Phi(x) = erfc(-x / sqrt(2)) / 2, free of the cancellation in 1 + erf(x / sqrt(2)) for x << 0.
    d/dx = Phi(x) + x phi(x), phi the normal density; for 'tanh', with 1 + tanh(u) = 2 s,
    s = sigmoid(2u): y = x s and d/dx = s + 2 x s (1 - s) u'(x).
    """

    @staticmethod
    def forward(ctx, x, approximate="none"):
        x = float32_if_integer(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            # x clipped in the cubic, which would overflow for huge |x|: s is 1 above 20, and
            # set to 0 below -20 (exp(-600) or less there), else x * s(-20) would not vanish
            c = np.clip(x, -20, 20)
            s = stable_sigmoid(2 * _SQRT_2_OVER_PI * (c + _GELU_CUBIC * c * c * c))
            s = np.where(x < -20, 0, s)
            ctx.save_for_backward(x, s)
            return x * s
        cdf = erfc(x * -_SQRT_HALF) * 0.5
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def _slope(ctx):
        x, p = ctx.saved_tensors
        if ctx.approximate == "tanh":
            c = np.clip(x, -20, 20)
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * c * c)
            return p + du * p * (1 - p) * 2 * x  # x last: 0 * x, not (2 x) * 0 = inf * 0
        c = np.minimum(np.abs(x), 40)  # phi(40) is 0 in float64; x**2 would overflow for huge x
        return p + x * (safe_exp(c * c * -0.5) * _INV_SQRT_2PI)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * GELU._slope(ctx)

    @staticmethod
    def jvp(ctx, tx):
        return tx * GELU._slope(ctx)


class Softplus(Function):
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (PyTorch's
    linear region).  d/dx = sigmoid(beta x) there, 1 in the linear region."""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        x = float32_if_integer(x)
        with np.errstate(over="ignore"):  # +-inf lands in the linear region or at 0, as PyTorch
            z = x * beta
        ctx.save_for_backward(z)
        ctx.threshold = threshold
        with np.errstate(divide="ignore"):  # beta = 0 gives inf, as PyTorch
            smooth = np.logaddexp(0, z) / beta  # log(1 + exp(z)) that never overflows
        return np.where(z > threshold, x, smooth)

    @staticmethod
    def _slope(ctx):
        (z,) = ctx.saved_tensors
        return np.where(z > ctx.threshold, 1, stable_sigmoid(z)).astype(z.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * Softplus._slope(ctx)

    @staticmethod
    def jvp(ctx, tx):
        return tx * Softplus._slope(ctx)


class Hardtanh(Function):
    """``clip(x, min_val, max_val)``.  d/dx = 1 strictly inside, 0 elsewhere (PyTorch gives 0 at
    the bounds too). Integers stay integers, with the bounds truncated to integers as PyTorch."""

    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        x = np.asarray(x)
        if x.dtype.kind in "iu":
            return np.clip(x, int(min_val), int(max_val)).astype(x.dtype, copy=False)
        ctx.save_for_backward(x)
        ctx.bounds = min_val, max_val
        return np.clip(x, min_val, max_val)

    @staticmethod
    def _inside(ctx):
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        return (x > low) & (x < high)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * Hardtanh._inside(ctx)

    @staticmethod
    def jvp(ctx, tx):
        return tx * Hardtanh._inside(ctx)


class Softsign(Function):
    """``x / (1 + |x|)``.  d/dx = 1 / (1 + |x|)**2, computed as such: the quotient rule through
    the composition cancels to a few correct digits in float32 for large |x|."""

    @staticmethod
    def forward(ctx, x):
        x = float32_if_integer(x)
        denominator = np.abs(x) + 1
        ctx.save_for_backward(denominator)
        return x / denominator

    @staticmethod
    def backward(ctx, grad_output):
        (denominator,) = ctx.saved_tensors
        return grad_output / (denominator * denominator)

    @staticmethod
    def jvp(ctx, tx):
        (denominator,) = ctx.saved_tensors
        return tx / (denominator * denominator)
