"""Normalisation: ``(x - mean) / sqrt(var + eps) * w + b`` as one node (LayerNorm, BatchNorm).

One fused op rather than a composition of means, subtractions and divisions: its backward is
the closed form of the chain rule through the statistics, with a third of the temporaries.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.broadcast import sum_to
from chainrule.autograd.function import Function, sum_tangents


class Normalize(Function):
    """``y = (x - mean) / sqrt(var + eps) * w + b``, the mean and biased variance over ``axes``
    (LayerNorm; BatchNorm in training) or given as constants (BatchNorm in eval mode).

    With ``x_hat`` the normalised input, ``rstd = 1 / sqrt(var + eps)`` and ``g = dL/dy * w``:
    ``dL/dx = rstd * (g - mean(g) - x_hat * mean(g * x_hat))`` when the statistics are the
    input's own (the mean over ``axes``), ``rstd * g`` when they are constants;
    ``dL/dw = sum(dL/dy * x_hat)`` and ``dL/db = sum(dL/dy)`` over the axes w is broadcast
    over. Forward mode, with ``t`` the input's tangent and ``c = t - mean(t)``:
    ``dx_hat = rstd * (c - x_hat * mean(x_hat * c))`` (``rstd * t`` for constant statistics).
    ``param_shape`` is w's shape broadcastable against x; w and b may be None.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, axes, eps, param_shape, mean=None, var=None, fixed=False):
        if mean is None:
            mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        if var is None:
            var = (centred * centred).mean(axis=axes, keepdims=True)  # biased, as PyTorch
        rstd = 1.0 / np.sqrt(var + eps)
        x_hat = centred * rstd
        y = x_hat
        if weight is not None:
            y = y * weight.reshape(param_shape)
        if bias is not None:
            y = y + bias.reshape(param_shape)
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.axes, ctx.param_shape, ctx.fixed = axes, param_shape, fixed
        ctx.bias_shape = None if bias is None else bias.shape
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x_hat, rstd, weight = ctx.saved_tensors
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            g = grad_output if weight is None else grad_output * weight.reshape(ctx.param_shape)
            if ctx.fixed:
                grad_x = g * rstd
            else:
                mean_g = g.mean(axis=ctx.axes, keepdims=True)
                mean_gx = (g * x_hat).mean(axis=ctx.axes, keepdims=True)
                grad_x = rstd * (g - mean_g - x_hat * mean_gx)
        if ctx.needs_input_grad[1]:
            grad_w = sum_to(grad_output * x_hat, ctx.param_shape).reshape(weight.shape)
        if ctx.needs_input_grad[2]:
            grad_b = sum_to(grad_output, ctx.param_shape).reshape(ctx.bias_shape)
        return grad_x, grad_w, grad_b

    @staticmethod
    def jvp(ctx, tx, tw, tb):
        x_hat, rstd, weight = ctx.saved_tensors
        from_x = from_w = from_b = None
        if tx is not None:
            if ctx.fixed:
                from_x = tx * rstd
            else:
                centred = tx - tx.mean(axis=ctx.axes, keepdims=True)
                spread = (x_hat * centred).mean(axis=ctx.axes, keepdims=True)
                from_x = rstd * (centred - x_hat * spread)
            if weight is not None:
                from_x = from_x * weight.reshape(ctx.param_shape)
        if tw is not None:
            from_w = x_hat * tw.reshape(ctx.param_shape)
        if tb is not None:
            from_b = tb.reshape(ctx.param_shape)  # broadcast to the output by the engine
        return sum_tangents(from_x, from_w, from_b)
