"""Activation functions. Where the derivative is cheaper from the output, the output is saved."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.broadcast import sum_to
from chainrule.autograd.function import Function, sum_tangents
from chainrule.autograd.ops.numerics import (
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
