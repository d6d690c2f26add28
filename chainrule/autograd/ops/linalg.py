"""Matrix products: ``matmul`` (1-D, 2-D and batched) and the fused affine map ``linear``."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.broadcast import shape_of, sum_to
from chainrule.autograd.function import Function, sum_tangents
from chainrule.errors import ShapeError


class MatMul(Function):
    """Matrix product ``a @ b`` with NumPy's rules for 1-D and batched operands.

    d/da = g @ b^T, d/db = a^T @ g (batch axes summed back to each operand's shape).
    """

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        _check_inner("matmul", shape_of(a), shape_of(b))
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the reshaping below
            grad_a = grad_output @ b.T if ctx.needs_input_grad[0] else None
            grad_b = a.T @ grad_output if ctx.needs_input_grad[1] else None
            return grad_a, grad_b
        if a.ndim == 1 and b.ndim == 1:  # inner product: a scalar output
            grad_a = grad_output * b if ctx.needs_input_grad[0] else None
            grad_b = grad_output * a if ctx.needs_input_grad[1] else None
            return grad_a, grad_b
        # Treat a 1-D operand as a matrix (a row for a, a column for b), as matmul does.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad_output
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return sum_tangents(None if ta is None else ta @ b, None if tb is None else a @ tb)


def _check_inner(op: str, shape_a: tuple, shape_b: tuple) -> None:
    """Raise a ShapeError naming both shapes unless ``a @ b`` is defined."""
    if len(shape_a) == 0 or len(shape_b) == 0:
        raise ShapeError(f"{op}: both operands need at least 1 dimension: {shape_a} @ {shape_b}")
    inner_b = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    if shape_a[-1] != inner_b:
        raise ShapeError(f"{op}: inner dimensions differ: {shape_a} @ {shape_b}")
    batch_a, batch_b = shape_a[:-2], shape_b[:-2]
    if not (batch_a and batch_b):  # at most one operand has batch axes: nothing to broadcast
        return
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise ShapeError(
            f"{op}: batch dimensions do not broadcast: {shape_a} @ {shape_b}"
        ) from None


class Linear(Function):
    """Fused affine map ``y = x @ W + b`` (``b`` may be None).

    x (..., in_features) -> y (..., out_features); W (in_features, out_features); b broadcastable
    to (out_features,). Gradients: dx = g @ W^T, dW = x^T @ g, db = g summed over the batch.
    """

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, x, w, b=None):
        try:
            y = x @ w
        except ValueError:  # checked on failure only: NumPy's message names neither shape
            _check_inner("linear", shape_of(x), shape_of(w))
            raise
        ctx.save_for_backward(x, w)
        if b is not None:
            ctx.b_shape = shape_of(b)
            y += b  # y is a fresh array: adding in place saves one allocation
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        need_b = len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]
        if x.ndim == 2:
            g2, x2 = grad_output, x
        else:  # (..., in) inputs: the batch axes flattened into rows
            g2, x2 = grad_output.reshape(-1, grad_output.shape[-1]), x.reshape(-1, x.shape[-1])
        grad_x = (grad_output @ w.T) if need_x else None
        grad_w = x2.T @ g2 if need_w else None
        grad_b = None
        if need_b:  # b (out,) or () from the rows' sum; a b with more axes, from the whole gradient
            b_shape = ctx.b_shape
            grad_b = sum_to(g2.sum(axis=0) if len(b_shape) < 2 else grad_output, b_shape)
        return grad_x, grad_w, grad_b

    @staticmethod
    def jvp(ctx, tx, tw, tb):
        x, w = ctx.saved_tensors
        return sum_tangents(None if tx is None else tx @ w, None if tw is None else x @ tw, tb)
