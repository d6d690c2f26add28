"""Shape ops: reshape, transpose, broadcast, concatenate, stack and indexing.

None of them changes values, so each backward only moves the gradient back into place.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.broadcast import sum_to
from chainrule.autograd.function import Function
from chainrule.errors import ShapeError


class Reshape(Function):
    """The same elements in a new ``shape`` (squeeze and unsqueeze are reshapes too)."""

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        try:
            y = x.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into {shape}"
            ) from None
        ctx.new_shape = y.shape
        return y

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.in_shape)

    @staticmethod
    def jvp(ctx, tx):
        return tx.reshape(ctx.new_shape)


class Transpose(Function):
    """Axes permuted by ``axes`` (None: reversed).  Backward applies the inverse permutation."""

    @staticmethod
    def forward(ctx, x, axes=None):
        ctx.axes = tuple(range(x.ndim))[::-1] if axes is None else axes
        return x.transpose(ctx.axes)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.transpose(np.argsort(ctx.axes))

    @staticmethod
    def jvp(ctx, tx):
        return tx.transpose(ctx.axes)


class BroadcastTo(Function):
    """``x`` repeated along new or size-1 axes to ``shape``.  Backward sums the copies."""

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad_output):
        return sum_to(grad_output, ctx.in_shape)

    @staticmethod
    def jvp(ctx, tx):
        return tx


class Concatenate(Function):
    """Inputs joined along an existing ``axis``.  Backward splits the gradient at the seams."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        ctx.sizes = [x.shape[axis] for x in xs]
        ctx.shapes = [x.shape for x in xs]
        out = np.concatenate(xs, axis=axis)
        ctx.dtype = out.dtype
        return out

    @staticmethod
    def backward(ctx, grad_output):
        pieces = np.split(grad_output, np.cumsum(ctx.sizes)[:-1], axis=ctx.axis)
        needs = ctx.needs_input_grad
        return tuple(p if need else None for p, need in zip(pieces, needs, strict=True))

    @staticmethod
    def jvp(ctx, *tangents):
        full = [
            np.zeros(shape, ctx.dtype) if t is None else t
            for t, shape in zip(tangents, ctx.shapes, strict=True)
        ]
        return np.concatenate(full, axis=ctx.axis)


class Stack(Function):
    """Inputs of one shape stacked along a new ``axis``.  Backward takes each slice back."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        ctx.shape = xs[0].shape
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, grad_output):
        return tuple(
            np.take(grad_output, i, axis=ctx.axis) if need else None
            for i, need in enumerate(ctx.needs_input_grad)
        )

    @staticmethod
    def jvp(ctx, *tangents):
        full = [np.zeros(ctx.shape) if t is None else t for t in tangents]
        return np.stack(full, axis=ctx.axis)


class GetItem(Function):
    """``x[index]``: slices, integers, integer arrays, boolean masks, None and Ellipsis.

    Backward scatters the gradient into zeros of x's shape. With integer arrays an element
    may be picked several times; its gradients are then added (``np.add.at``).
    """

    @staticmethod
    def forward(ctx, x, index=()):
        ctx.in_shape = x.shape
        ctx.index = index = _own_copy(index)
        ctx.advanced = _has_integer_array(index)
        try:
            return x[index]
        except IndexError as exc:
            raise IndexError(f"getitem: {exc} (tensor of shape {x.shape})") from None

    @staticmethod
    def backward(ctx, grad_output):
        grad = np.zeros(ctx.in_shape, dtype=grad_output.dtype)
        if ctx.advanced:
            np.add.at(grad, ctx.index, grad_output)  # repeated indices accumulate
        else:
            grad[ctx.index] = grad_output  # slices and masks pick each element at most once
        return grad

    @staticmethod
    def jvp(ctx, tx):
        return tx[ctx.index]


def _own_copy(index):
    """``index`` with its arrays and lists copied, so that changing them in place after the op
    ran cannot move the gradient to other elements. An empty list selects nothing, as in
    PyTorch (NumPy reads it as a float array and refuses it)."""
    parts = index if isinstance(index, tuple) else (index,)
    copied = tuple(_array_copy(p) if isinstance(p, (np.ndarray, list)) else p for p in parts)
    return copied if isinstance(index, tuple) else copied[0]


def _array_copy(part) -> np.ndarray:
    copied = np.array(part)
    if isinstance(part, list) and copied.size == 0:
        return copied.astype(np.intp)  # NumPy makes [] float64
    return copied


def _has_integer_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(
        isinstance(p, (np.ndarray, list)) and np.asarray(p).dtype.kind in "iu" for p in parts
    )


class Embedding(Function):
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by integer ``indices``:
    ``y = weight[indices]``, of shape ``indices.shape + (embedding_dim,)``. d/dweight: each
    row gets the sum of the gradients of the positions that picked it (``np.add.at``, so
    repeated indices add up); the ``padding_idx`` row gets none."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        ctx.save_for_backward(indices)
        ctx.weight_shape, ctx.padding_idx = weight.shape, padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        grad_w = np.zeros(ctx.weight_shape, grad_output.dtype)
        np.add.at(grad_w, indices.reshape(-1), grad_output.reshape(-1, ctx.weight_shape[1]))
        if ctx.padding_idx is not None:
            grad_w[ctx.padding_idx] = 0
        return grad_w, None

    @staticmethod
    def jvp(ctx, tw, ti):
        (indices,) = ctx.saved_tensors
        return None if tw is None else tw[indices]
