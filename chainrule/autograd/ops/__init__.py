"""The differentiable ops as functions: ``cr.exp(x)``, ``cr.matmul(a, b)``, ``cr.sum(x, axis=0)``.

Each is a one-line wrapper over a ``Function`` subclass; Tensor operators call these.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from chainrule.autograd.broadcast import broadcast_shapes
from chainrule.autograd.ops.activation import (
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from chainrule.autograd.ops.axes import normalize_axis, resolve_axes
from chainrule.autograd.ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clip,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Sqrt,
    Sub,
    Where,
)
from chainrule.autograd.ops.linalg import Linear, MatMul
from chainrule.autograd.ops.reduce import LogSumExp, Max, Mean, Min, Std, Sum, Var
from chainrule.autograd.ops.shape import (
    BroadcastTo,
    Concatenate,
    GetItem,
    Reshape,
    Stack,
    Transpose,
)
from chainrule.autograd.tensor import Tensor
from chainrule.errors import ShapeError, ValueRangeError


def add(a, b):
    return Add.apply(a, b)


def sub(a, b):
    return Sub.apply(a, b)


def mul(a, b):
    return Mul.apply(a, b)


def div(a, b):
    return Div.apply(a, b)


def neg(x):
    return Neg.apply(x)


def pow(a, b):  # noqa: A001 - the operator's name
    return Pow.apply(a, b)


def exp(x):
    return Exp.apply(x)


def log(x):
    return Log.apply(x)


def sqrt(x):
    return Sqrt.apply(x)


def abs(x):  # noqa: A001 - the operator's name
    return Abs.apply(x)


def clip(x, min=None, max=None):  # noqa: A002 - NumPy/PyTorch names
    """``x`` limited to ``[min, max]``; bounds are numbers, arrays or Tensors (no gradient)."""
    if min is None and max is None:
        raise ValueError("clip: give min, max or both")
    low, high = (_clip_bound(b, name) for b, name in ((min, "min"), (max, "max")))
    return Clip.apply(x, low=low, high=high)


def _clip_bound(bound, name: str):
    """A bound as Clip takes it: a Tensor's array, a NumPy scalar's Python number (see apply)."""
    if isinstance(bound, Tensor):
        if bound.requires_grad:
            raise TypeError(
                f"clip: the {name} bound requires grad, but clip gives its bounds no gradient; "
                "use maximum/minimum to differentiate with respect to the bounds"
            )
        return bound.data
    return bound.item() if isinstance(bound, np.generic) else bound


clamp = clip


def maximum(a, b):
    return Maximum.apply(a, b)


def minimum(a, b):
    return Minimum.apply(a, b)


def where(condition, a, b):
    """``a`` where ``condition`` is true, else ``b`` (broadcast together)."""
    return Where.apply(condition, a, b)


def cast(x, dtype):
    return Cast.apply(x, dtype=dtype)


def tanh(x):
    return Tanh.apply(x)


def sigmoid(x):
    return Sigmoid.apply(x)


def relu(x):
    return ReLU.apply(x)


def leaky_relu(x, negative_slope: float = 0.01):
    # a Python float: a NumPy float64 slope would upcast a float32 tensor (see apply)
    return LeakyReLU.apply(x, negative_slope=float(negative_slope))


def prelu(x, weight):
    """Leaky ReLU with learnable slopes ``weight``: one shared, or one per channel (axis 1)."""
    shape = np.shape(_data(x))
    channels = shape[1] if len(shape) >= 2 else 1
    if np.size(_data(weight)) not in (1, channels):
        raise ShapeError(
            f"prelu: weight of shape {np.shape(_data(weight))} needs 1 or {channels} slopes "
            f"(the channels on axis 1 of the input of shape {shape})"
        )
    return PReLU.apply(x, weight)


def softmax(x, axis=-1, *, dim=None):
    return Softmax.apply(x, axis=one_axis("softmax", x, axis, dim))


def log_softmax(x, axis=-1, *, dim=None):
    return LogSoftmax.apply(x, axis=one_axis("log_softmax", x, axis, dim))


def one_axis(op, x, axis, dim):
    """The one axis ``axis`` or PyTorch's ``dim`` names, non-negative; both given is an error."""
    if dim is not None:
        if axis is not None and axis != -1:  # -1: softmax's default, not a choice
            raise TypeError(f"{op}: give axis or dim, not both")
        axis = dim
    return normalize_axis(op, axis, np.ndim(_data(x)))


def sum(x, axis=None, keepdims: bool = False, *, dim=None):  # noqa: A001
    return Sum.apply(x, axes=resolve_axes("sum", axis, dim, np.ndim(_data(x))), keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False, *, dim=None):
    return Mean.apply(x, axes=resolve_axes("mean", axis, dim, np.ndim(_data(x))), keepdims=keepdims)


def max(x, axis=None, keepdims: bool = False, *, dim=None):  # noqa: A001
    return Max.apply(x, axes=resolve_axes("max", axis, dim, np.ndim(_data(x))), keepdims=keepdims)


def min(x, axis=None, keepdims: bool = False, *, dim=None):  # noqa: A001
    return Min.apply(x, axes=resolve_axes("min", axis, dim, np.ndim(_data(x))), keepdims=keepdims)


def var(
    x, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None, correction=None, unbiased=None
):
    """Variance ``sum((x - mean)**2) / (n - ddof)``. NumPy's ``ddof`` (default 0) or PyTorch's
    keyword ``correction`` (the same number) or ``unbiased`` (True: correction 1)."""
    axes = resolve_axes("var", axis, dim, np.ndim(_data(x)))
    ddof = _degrees_correction("var", ddof, correction, unbiased)
    return Var.apply(x, axes=axes, keepdims=keepdims, ddof=ddof)


def std(
    x, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None, correction=None, unbiased=None
):
    """Standard deviation ``sqrt(var(x))``, with var's ``ddof``, ``correction`` or ``unbiased``."""
    axes = resolve_axes("std", axis, dim, np.ndim(_data(x)))
    ddof = _degrees_correction("std", ddof, correction, unbiased)
    return Std.apply(x, axes=axes, keepdims=keepdims, ddof=ddof)


def _degrees_correction(op: str, ddof, correction, unbiased):
    """The one ``n - divisor`` that ``ddof``, ``correction`` or ``unbiased`` asks for.

    ``ddof`` other than its default 0 beside a PyTorch keyword, or both PyTorch keywords, is
    refused (PyTorch refuses ``correction`` with ``unbiased``): which one was meant is unclear.
    """
    candidates = {"ddof": ddof or None, "correction": correction, "unbiased": unbiased}
    given = [name for name, value in candidates.items() if value is not None]
    if len(given) > 1:
        both = " and ".join(given)
        raise TypeError(f"{op}: give one of ddof, correction and unbiased, got {both}")
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{op}: unbiased must be True or False, got {unbiased!r}")
        return int(unbiased)
    name, value = ("ddof", ddof) if correction is None else ("correction", correction)
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{op}: {name} must be a number, got {value!r}")
    if math.isnan(value):
        raise ValueRangeError(f"{op}: {name} must be a number, got nan")
    return value


def logsumexp(x, axis=None, keepdims: bool = False, *, dim=None):
    axes = resolve_axes("logsumexp", axis, dim, np.ndim(_data(x)))
    return LogSumExp.apply(x, axes=axes, keepdims=keepdims)


def matmul(a, b):
    return MatMul.apply(a, b)


def linear(x, weight, bias=None):
    """Fused ``x @ weight + bias`` with weight (in_features, out_features)."""
    return Linear.apply(x, weight, bias)


def reshape(x, shape):
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return Reshape.apply(x, shape=shape)


def transpose(x, axes=None):
    ndim = np.ndim(_data(x))
    if axes is not None:
        axes = tuple(normalize_axis("transpose", a, ndim) for a in axes)
        if sorted(axes) != list(range(ndim)):
            raise ShapeError(f"transpose: {axes} is not a permutation of {ndim} axes")
    return Transpose.apply(x, axes=axes)


permute = transpose


def squeeze(x, axis=None, *, dim=None):
    """Drop axes of length 1: all of them, or those of the named axes (an int or a tuple) that
    have length 1; a named axis of another length stays, as in PyTorch."""
    shape = np.shape(_data(x))
    axes = resolve_axes("squeeze", axis, dim, len(shape), empty_dim_is_all=False)
    if axes is None:
        axes = range(len(shape))
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes or n != 1))


def unsqueeze(x, axis=None, *, dim=None):
    """Insert an axis of length 1 at ``axis``."""
    axis = dim if dim is not None else axis
    if axis is None:
        raise TypeError("unsqueeze: give the position of the new axis")
    shape = np.shape(_data(x))
    position = normalize_axis("unsqueeze", axis, len(shape) + 1)
    return reshape(x, shape[:position] + (1,) + shape[position:])


def broadcast_to(x, shape):
    """``x`` repeated along new or size-1 axes to ``shape``; -1 keeps an axis (PyTorch)."""
    in_shape = np.shape(_data(x))
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    lead = len(shape) - len(in_shape)
    if -1 in shape[: builtins.max(lead, 0)]:
        raise ShapeError(
            f"broadcast_to: -1 in {shape} cannot keep the size of a new leading axis "
            f"(the input has shape {in_shape})"
        )
    if lead >= 0:
        shape = shape[:lead] + tuple(
            kept if n == -1 else n for n, kept in zip(shape[lead:], in_shape, strict=True)
        )
    target = broadcast_shapes("broadcast_to", in_shape, shape)
    if target != shape:
        raise ShapeError(f"broadcast_to: cannot broadcast shape {in_shape} to {shape}")
    return BroadcastTo.apply(x, shape=shape)


def concatenate(tensors, axis: int = 0, *, dim=None):
    axis = dim if dim is not None else axis
    shapes = [np.shape(_data(t)) for t in tensors]
    if not shapes:
        raise ValueError("concatenate: needs at least one tensor")
    ndim = len(shapes[0])
    if ndim == 0:
        raise ShapeError("concatenate: 0-d tensors cannot be concatenated; use stack")
    axis = normalize_axis("concatenate", axis, ndim)
    for s in shapes:
        if len(s) != ndim or s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :]:
            raise ShapeError(f"concatenate: shapes {shapes} differ outside axis {axis}")
    return Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors, axis: int = 0, *, dim=None):
    axis = dim if dim is not None else axis
    shapes = [np.shape(_data(t)) for t in tensors]
    if not shapes:
        raise ValueError("stack: needs at least one tensor")
    if builtins.any(s != shapes[0] for s in shapes):
        raise ShapeError(f"stack: all tensors need the same shape, got {shapes}")
    return Stack.apply(*tensors, axis=normalize_axis("stack", axis, len(shapes[0]) + 1))


def getitem(x, index):
    """``x[index]``; Tensors inside the index are used as arrays."""
    if isinstance(index, tuple):
        index = tuple(_data(i) if isinstance(i, Tensor) else i for i in index)
    elif isinstance(index, Tensor):
        index = index.data
    return GetItem.apply(x, index=index)


def _data(x):
    return x.data if isinstance(x, Tensor) else x
