"""The differentiable ops as functions: ``cr.exp(x)``, ``cr.matmul(a, b)``, ``cr.sum(x, axis=0)``.

Each is a one-line wrapper over a ``Function`` subclass; Tensor operators call these.
"""

from __future__ import annotations

import builtins
import collections
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
    Cos,
    Div,
    Exp,
    Expm1,
    Log,
    Log1p,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Rsqrt,
    Sign,
    Sin,
    Sqrt,
    Square,
    Sub,
    Where,
)
from chainrule.autograd.ops.linalg import Linear, MatMul
from chainrule.autograd.ops.reduce import (
    CumSum,
    LogSumExp,
    Max,
    Mean,
    Min,
    Norm,
    Prod,
    Std,
    Sum,
    Var,
)
from chainrule.autograd.ops.shape import (
    BroadcastTo,
    Concatenate,
    GetItem,
    Reshape,
    Stack,
    Transpose,
)
from chainrule.autograd.ops.special import (
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atan2,
    Atanh,
    Cosh,
    Erf,
    Erfc,
    Remainder,
    Rounding,
    Sinh,
    Tan,
)
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, ShapeError, ValueRangeError


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


def log1p(x):
    return Log1p.apply(x)


def expm1(x):
    return Expm1.apply(x)


def sin(x):
    return Sin.apply(x)


def cos(x):
    return Cos.apply(x)


def square(x):
    return Square.apply(x)


def rsqrt(x):
    return Rsqrt.apply(x)


def sign(x):
    return Sign.apply(x)


def prod(x, dim=None, keepdim: bool = False):
    """Product of all elements, or along the one axis ``dim`` (PyTorch takes one, not a tuple)."""
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod: dim must be one int, got {dim!r}")
    axes = resolve_axes("prod", None, dim, np.ndim(_data(x)))
    return Prod.apply(x, axes=axes, keepdims=keepdim)


def cumsum(x, dim: int):
    """Running sum ``y_i = x_0 + ... + x_i`` along ``dim``; integers and booleans give int64."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"cumsum: dim must be one int, got {dim!r}")
    return CumSum.apply(x, axis=normalize_axis("cumsum", int(dim), np.ndim(_data(x))))


def amax(x, dim=(), keepdim: bool = False):
    """The largest elements over ``dim`` (an int or a tuple; ``()``: all), as ``max``."""
    axes = resolve_axes("amax", None, dim, np.ndim(_data(x)))
    return Max.apply(x, axes=axes, keepdims=keepdim)


def amin(x, dim=(), keepdim: bool = False):
    """The smallest elements over ``dim`` (an int or a tuple; ``()``: all), as ``min``."""
    axes = resolve_axes("amin", None, dim, np.ndim(_data(x)))
    return Min.apply(x, axes=axes, keepdims=keepdim)


def norm(x, p="fro", dim=None, keepdim: bool = False):
    """Vector p-norm ``(sum |x|**p)**(1/p)`` over ``dim`` (all elements by default).

    ``p``: 'fro' or 2 (Euclidean), 1, inf (max |x|), -inf (min |x|), 0 (non-zero count) or any
    other number; 'fro' takes at most two dims, as in PyTorch. Matrix norms ('nuc') are not here.
    """
    data = np.asarray(_data(x))
    if data.dtype.kind != "f":
        raise DTypeError(f"norm: expected a floating-point tensor, got dtype {data.dtype}")
    if isinstance(p, str):
        if p != "fro":
            raise ValueRangeError(f"norm: p={p!r} is not a vector norm; give a number or 'fro'")
        if dim is not None and not isinstance(dim, (int, np.integer)) and len(dim) > 2:
            raise ShapeError(f"norm: p='fro' takes at most 2 dims, got dim={dim}")
        p = 2.0
    elif p is None:
        p = 2.0
    elif isinstance(p, bool) or not isinstance(p, numbers.Real) or math.isnan(p):
        raise ValueRangeError(f"norm: p must be a number or 'fro', got {p!r}")
    axes = resolve_axes("norm", None, dim, data.ndim)
    return Norm.apply(x, axes=axes, keepdims=keepdim, p=float(p))


def all(x, dim=None, keepdim: bool = False):  # noqa: A001 - PyTorch's name
    """Whether every element is non-zero, over ``dim`` (all by default): booleans, no gradient."""
    return _truth("all", x, dim, keepdim)


def any(x, dim=None, keepdim: bool = False):  # noqa: A001 - PyTorch's name
    """Whether some element is non-zero, over ``dim`` (all by default): booleans, no gradient."""
    return _truth("any", x, dim, keepdim)


def _truth(op: str, x, dim, keepdim: bool) -> Tensor:
    data = np.asarray(_data(x))
    if data.dtype.kind not in "biuf":  # e.g. a generator, when the builtin was meant
        raise DTypeError(f"{op}: expected a tensor of numbers, got {type(x).__name__}")
    axes = resolve_axes(op, None, dim, data.ndim)
    return Tensor._wrap(np.asarray(getattr(np, op)(data, axis=axes, keepdims=keepdim)))


def isnan(x) -> Tensor:
    """True where ``x`` is NaN (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.isnan(_data(x))))


def isinf(x) -> Tensor:
    """True where ``x`` is +inf or -inf (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.isinf(_data(x))))


def isfinite(x) -> Tensor:
    """True where ``x`` is neither NaN nor infinite (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.isfinite(_data(x))))


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether ``|a - b| <= atol + rtol * |b|`` everywhere (broadcast); the dtypes must match,
    as in PyTorch. Equal infinities are close; NaNs only with ``equal_nan``."""
    a, b = np.asarray(_data(a)), np.asarray(_data(b))
    if a.dtype != b.dtype:
        raise DTypeError(f"allclose: dtypes differ: {a.dtype} and {b.dtype}")
    broadcast_shapes("allclose", a.shape, b.shape)
    return bool(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan).all())


def equal(a, b) -> bool:
    """Whether ``a`` and ``b`` have the same shape and the same elements (NaN equals nothing)."""
    a, b = np.asarray(_data(a)), np.asarray(_data(b))
    return a.shape == b.shape and bool(np.array_equal(a, b))


def mm(a, b):
    """Matrix product of two matrices, ``a (n, m) @ b (m, p) -> (n, p)``; no broadcasting."""
    shape_a, shape_b = np.shape(_data(a)), np.shape(_data(b))
    if len(shape_a) != 2 or len(shape_b) != 2:
        raise ShapeError(f"mm: expected two matrices (2-D), got shapes {shape_a} and {shape_b}")
    if shape_a[1] != shape_b[0]:
        raise ShapeError(f"mm: inner dimensions differ: {shape_a} @ {shape_b}")
    _same_dtype("mm", a, b)
    return MatMul.apply(a, b)


def dot(a, b):
    """Inner product ``sum(a * b)`` of two vectors of the same length (1-D only)."""
    shape_a, shape_b = np.shape(_data(a)), np.shape(_data(b))
    if len(shape_a) != 1 or len(shape_b) != 1:
        raise ShapeError(f"dot: expected two 1-D tensors, got shapes {shape_a} and {shape_b}")
    if shape_a != shape_b:
        raise ShapeError(f"dot: the vectors' lengths differ: {shape_a} and {shape_b}")
    _same_dtype("dot", a, b)
    return MatMul.apply(a, b)


def _same_dtype(op: str, a, b) -> None:
    """PyTorch's mm and dot refuse operands of different dtypes rather than promote them."""
    dtype_a, dtype_b = np.asarray(_data(a)).dtype, np.asarray(_data(b)).dtype
    if dtype_a != dtype_b:
        raise DTypeError(f"{op}: expected operands of one dtype, got {dtype_a} and {dtype_b}")


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
    return GetItem.apply(x, index=index_arrays(index))


def _data(x):
    return x.data if isinstance(x, Tensor) else x


# ---- copies, flips, tiling, splitting, gathering and sorting --------------------------------


def clone(x):
    """A differentiable copy of ``x``: the gradient flows back to ``x``, the memory is new
    (with x's memory layout, as PyTorch's ``clone``). A cast to x's own dtype copies."""
    return Cast.apply(x, dtype=np.asarray(_data(x)).dtype)


def flip(x, dims):
    """``x`` with the elements' order reversed along each axis in ``dims`` (a copy, as
    PyTorch's): a reversed slice, copied."""
    ndim = np.ndim(_data(x))
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    axes = resolve_axes("flip", dims, None, ndim) or ()
    index = tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(ndim))
    return clone(GetItem.apply(x, index=index))


def repeat(x, sizes):
    """``x`` tiled ``sizes[i]`` times along axis ``i`` (PyTorch's ``Tensor.repeat``, which is
    NumPy's ``tile``, not ``np.repeat``); extra leading sizes add axes."""
    shape = np.shape(_data(x))
    sizes = tuple(_sizes("repeat", sizes))
    if len(sizes) < len(shape):
        raise ShapeError(
            f"repeat: {len(sizes)} repeat sizes {sizes} for a tensor with {len(shape)} "
            "dimensions; give at least one per dimension"
        )
    if builtins.any(n < 0 for n in sizes):
        raise ValueRangeError(f"repeat: negative repeat size in {sizes}")
    # tiling is a broadcast: x as (1, n0, 1, n1, ...) stretched to (r0, n0, r1, n1, ...), then
    # merged to (r0 * n0, r1 * n1, ...); backward sums the copies (BroadcastTo's sum_to)
    padded = (1,) * (len(sizes) - len(shape)) + shape
    pairs = [(r, n) for r, n in zip(sizes, padded, strict=True)]
    interleaved = Reshape.apply(x, shape=tuple(m for _, n in pairs for m in (1, n)))
    stretched = BroadcastTo.apply(interleaved, shape=tuple(m for pair in pairs for m in pair))
    y = Reshape.apply(stretched, shape=tuple(r * n for r, n in pairs))
    # a merge that needed no copy is a read-only view of x: PyTorch's repeat always copies
    return clone(y) if np.may_share_memory(y.data, _data(x)) else y


def _sizes(op: str, sizes) -> list[int]:
    """``sizes`` (an int or a sequence of ints) as a list of Python ints."""
    if isinstance(sizes, (int, np.integer)):
        sizes = [sizes]
    if not isinstance(sizes, (tuple, list)) or not builtins.all(
        isinstance(n, (int, np.integer)) for n in sizes
    ):
        raise TypeError(f"{op}: sizes must be integers, got {sizes!r}")
    return [int(n) for n in sizes]


def _split_axis(op: str, x, dim) -> tuple[tuple[int, ...], int]:
    """x's shape and ``dim`` as a non-negative axis; a 0-d tensor has nothing to split."""
    shape = np.shape(_data(x))
    if not shape:
        raise ShapeError(f"{op}: a 0-d tensor has no dimension to split")
    return shape, normalize_axis(op, dim, len(shape))


def _pieces(x, axis: int, sizes) -> tuple:
    """The consecutive slices of ``x`` along ``axis`` with lengths ``sizes`` (views)."""
    before = (slice(None),) * axis
    ends = np.cumsum(sizes).tolist()
    return tuple(
        GetItem.apply(x, index=before + (slice(end - n, end),))
        for n, end in zip(sizes, ends, strict=True)
    )


def split(x, split_size_or_sections, dim: int = 0) -> tuple:
    """``x`` cut along ``dim`` into pieces of ``split_size_or_sections`` (the last may be
    shorter), or of the lengths in a list of them, which must add up to the axis length."""
    shape, axis = _split_axis("split", x, dim)
    length = shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and length):
            raise ValueRangeError(
                f"split: split size must be positive (0 only for an empty axis), got {size}"
            )
        if length == 0:
            return _pieces(x, axis, [0])  # one empty piece, as PyTorch
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
        return _pieces(x, axis, sizes)
    sizes = _sizes("split", split_size_or_sections)
    if builtins.any(n < 0 for n in sizes) or builtins.sum(sizes) != length:
        raise ValueRangeError(
            f"split: section lengths {sizes} must be non-negative and add up to {length}, "
            f"the length of axis {axis} of the tensor of shape {shape}"
        )
    return _pieces(x, axis, sizes)


def chunk(x, chunks: int, dim: int = 0) -> tuple:
    """``x`` cut along ``dim`` into ``chunks`` pieces of ``ceil(n / chunks)`` elements (the
    last shorter), so fewer than ``chunks`` when the length does not allow them (PyTorch)."""
    shape, axis = _split_axis("chunk", x, dim)
    if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueRangeError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    length = shape[axis]
    if length == 0:
        return _pieces(x, axis, [0] * int(chunks))
    return split(x, -(-length // int(chunks)), axis)


def unbind(x, dim: int = 0) -> tuple:
    """The slices of ``x`` along ``dim``, that axis removed: ``x[i]`` for dim 0."""
    shape, axis = _split_axis("unbind", x, dim)
    before = (slice(None),) * axis
    return tuple(GetItem.apply(x, index=before + (i,)) for i in range(shape[axis]))


def _index(op: str, index) -> np.ndarray:
    """``index`` (a Tensor, array or list) as an integer array, else a DTypeError."""
    index = np.asarray(_data(index))
    if index.dtype.kind not in "iu":
        raise DTypeError(f"{op}: index must be an integer tensor, got dtype {index.dtype}")
    return index


def _check_bounds(op: str, index: np.ndarray, length: int, axis: int) -> None:
    """Every entry of ``index`` in ``[0, length)``; negative entries are refused, as PyTorch
    refuses them in gather and index_select."""
    if index.size and (index.min() < 0 or index.max() >= length):
        bad = index.min() if index.min() < 0 else index.max()
        raise ValueRangeError(
            f"{op}: index {bad} is out of range for axis {axis} of length {length}"
        )


def gather(x, dim: int, index):
    """``out[i][j] = x[i][index[i][j]]`` for ``dim`` 1 (PyTorch's ``gather``): index has x's
    number of dimensions and is no longer than x on the other axes; out has index's shape."""
    shape = np.shape(_data(x))
    index = _index("gather", index)
    axis = normalize_axis("gather", dim, len(shape))
    if index.ndim != len(shape):
        raise ShapeError(
            f"gather: index of shape {index.shape} needs as many dimensions as the input "
            f"of shape {shape}"
        )
    longer = [d for d, (i, n) in enumerate(zip(index.shape, shape, strict=True)) if i > n]
    if builtins.any(d != axis for d in longer):
        raise ShapeError(
            f"gather: index of shape {index.shape} is longer than the input of shape {shape} "
            f"on an axis other than {axis}"
        )
    _check_bounds("gather", index, shape[axis] if shape else 1, axis)
    return GetItem.apply(x, index=_gather_picks(index, axis))


def _gather_picks(index: np.ndarray, axis: int) -> tuple:
    """The advanced index that gathers: ``index`` on ``axis``, a broadcast ``arange`` on the
    other axes (index's own position there). GetItem copies it and, in backward, adds the
    gradients of an element picked twice."""
    if index.ndim == 0:  # a 0-d input, whose one element a 0-d index (checked 0) names
        return ()
    picks = []
    for d, n in enumerate(index.shape):
        shape = [1] * index.ndim
        shape[d] = n
        picks.append(index if d == axis else np.arange(n).reshape(shape))
    return tuple(picks)


def index_select(x, dim: int, index):
    """The entries ``index`` (a vector of integers) of ``x`` along ``dim``; that axis takes
    index's length. Repeated entries are allowed; their gradients add up."""
    shape = np.shape(_data(x))
    index = _index("index_select", index)
    axis = normalize_axis("index_select", dim, len(shape))
    if index.ndim > 1:
        raise ShapeError(f"index_select: index must be a vector, got shape {index.shape}")
    if not shape:
        _check_bounds("index_select", index, 1, axis)
        return reshape(x, index.shape)
    _check_bounds("index_select", index, shape[axis], axis)
    return GetItem.apply(x, index=(slice(None),) * axis + (index.reshape(-1).copy(),))


def masked_fill(x, mask, value):
    """``value`` where the boolean ``mask`` is true, else ``x`` (mask broadcast with x); the
    result keeps x's dtype. ``value`` is a number or a 0-d Tensor (which gets a gradient)."""
    mask = np.asarray(_data(mask))
    if mask.dtype != np.bool_:
        raise DTypeError(f"masked_fill: mask must be boolean, got dtype {mask.dtype}")
    if np.ndim(_data(value)) != 0:
        raise ShapeError(
            f"masked_fill: value must be a number or a 0-d tensor, got shape "
            f"{np.shape(_data(value))}"
        )
    broadcast_shapes("masked_fill", np.shape(_data(x)), mask.shape)
    dtype = np.asarray(_data(x)).dtype
    if isinstance(value, Tensor):
        value = value if value.dtype == dtype else cast(value, dtype)
    else:
        value = np.asarray(value).astype(dtype)  # x's dtype: 2.7 fills an int64 tensor with 2
    return Where.apply(mask.copy(), value, x)


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    """Axes ``start_dim`` to ``end_dim`` (both included) merged into one (``Tensor.flatten``)."""
    return (x if isinstance(x, Tensor) else Tensor(x)).flatten(start_dim, end_dim)


SortResult = collections.namedtuple("sort", ["values", "indices"])
TopKResult = collections.namedtuple("topk", ["values", "indices"])


def argsort(x, dim: int = -1, descending: bool = False, stable: bool = False):
    """The int64 indices that sort ``x`` along ``dim`` (no gradient). Ties keep their order
    (always stable); NaN counts as the largest value, as in PyTorch."""
    data = _data(x)
    data = data if isinstance(data, np.ndarray) else np.asarray(data)
    axis = normalize_axis("argsort", dim, data.ndim)
    values = np.atleast_1d(data)
    if descending:
        # a stable ascending sort of the reversed axis, read backwards: largest first, ties
        # in their original order, NaN (sorted last by NumPy) first, as in PyTorch
        reversed_order = np.argsort(np.flip(values, axis), axis=axis, kind="stable")
        order = values.shape[axis] - 1 - np.flip(reversed_order, axis)
    else:
        order = np.argsort(values, axis=axis, kind="stable")
    return Tensor._wrap(order.astype(np.int64).reshape(data.shape))


def sort(x, dim: int = -1, descending: bool = False, stable: bool = False):
    """``(values, indices)``: ``x`` sorted along ``dim`` and where each value came from;
    values are differentiable (their gradient goes back to the places they came from)."""
    indices = argsort(x, dim, descending, stable)
    axis = normalize_axis("sort", dim, np.ndim(_data(x)))
    # GetItem keeps its own copy: changing the returned indices cannot move the gradient
    return SortResult(GetItem.apply(x, index=_gather_picks(indices.data, axis)), indices)


def topk(x, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) entries along
    ``dim``, in sorted order whatever ``sorted`` says (PyTorch leaves the order open then)."""
    shape = np.shape(_data(x))
    axis = normalize_axis("topk", dim, len(shape))
    length = shape[axis] if shape else 1
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= length:
        raise ValueRangeError(f"topk: k must be in [0, {length}] for axis {axis}, got {k!r}")
    order = argsort(x, axis, descending=largest).data
    if shape:
        order = np.take(order, np.arange(k), axis=axis)
    values = GetItem.apply(x, index=_gather_picks(order, axis))
    return TopKResult(values, Tensor._wrap(order))


def index_arrays(index):
    """``index`` with the Tensors in it as their arrays, for NumPy indexing (``x[index] = v``)."""
    if isinstance(index, tuple):
        return tuple(_data(i) if isinstance(i, Tensor) else i for i in index)
    return _data(index)


# ---- trigonometric, hyperbolic, error functions and rounding (ops/special.py) ---------------
def tan(x):
    return Tan.apply(x)


def asin(x):
    return Asin.apply(x)


def acos(x):
    return Acos.apply(x)


def atan(x):
    return Atan.apply(x)


def sinh(x):
    return Sinh.apply(x)


def cosh(x):
    return Cosh.apply(x)


def asinh(x):
    return Asinh.apply(x)


def acosh(x):
    return Acosh.apply(x)


def atanh(x):
    return Atanh.apply(x)


def erf(x):
    return Erf.apply(x)


def erfc(x):
    return Erfc.apply(x)


def atan2(a, b):
    """The angle of the point (b, a) in (-pi, pi]: ``atan(a / b)`` in the right quadrant."""
    return Atan2.apply(a, b)


def floor(x):
    return Rounding.apply(x, mode="floor")


def ceil(x):
    return Rounding.apply(x, mode="ceil")


def trunc(x):
    return Rounding.apply(x, mode="trunc")


def round(x, decimals: int = 0):  # noqa: A001 - PyTorch's name
    """To the nearest integer (half to even), or to ``decimals`` places; zero gradient."""
    return Rounding.apply(x, mode="round", decimals=int(decimals))


def frac(x):
    """``x - trunc(x)``, the fractional part with x's sign; gradient 1."""
    return Sub.apply(x, trunc(x))


def clamp_min(x, min):  # noqa: A002 - PyTorch's name
    return clip(x, min=min)


def clamp_max(x, max):  # noqa: A002 - PyTorch's name
    return clip(x, max=max)


def lerp(start, end, weight):
    """``start + weight (end - start)``; ``weight`` a number or a tensor (differentiable)."""
    return Add.apply(start, Mul.apply(weight, Sub.apply(end, start)))


def addcmul(input, tensor1, tensor2, *, value=1):  # noqa: A002 - PyTorch's names
    """``input + value * tensor1 * tensor2``."""
    return Add.apply(input, Mul.apply(Mul.apply(tensor1, tensor2), value))


def addcdiv(input, tensor1, tensor2, *, value=1):  # noqa: A002 - PyTorch's names
    """``input + value * tensor1 / tensor2``."""
    return Add.apply(input, Mul.apply(Div.apply(tensor1, tensor2), value))


def nan_to_num(x, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None):
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and lowest finite values); gradient 1 where x was finite, else 0."""
    data = np.asarray(_data(x))
    if data.dtype.kind != "f":
        return Tensor._wrap(data.copy())
    info = np.finfo(data.dtype)
    high = info.max if posinf is None else posinf
    low = info.min if neginf is None else neginf
    replaced = np.nan_to_num(data, nan=nan, posinf=high, neginf=low)  # the constants, as x's dtype
    return Where.apply(np.isfinite(data), x, replaced)


def logical_and(a, b) -> Tensor:
    """True where both are non-zero (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.logical_and(_data(a), _data(b))))


def logical_or(a, b) -> Tensor:
    """True where either is non-zero (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.logical_or(_data(a), _data(b))))


def logical_xor(a, b) -> Tensor:
    """True where exactly one is non-zero (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.logical_xor(_data(a), _data(b))))


def logical_not(x) -> Tensor:
    """True where x is zero (a boolean tensor, no gradient)."""
    return Tensor._wrap(np.asarray(np.logical_not(_data(x))))


def argmax(x, dim=None, keepdim: bool = False) -> Tensor:
    """Indices (int64) of the largest entries along ``dim``, or in the flattened tensor."""
    return _tensor(x).argmax(dim=dim, keepdim=keepdim)


def argmin(x, dim=None, keepdim: bool = False) -> Tensor:
    """Indices (int64) of the smallest entries along ``dim``, or in the flattened tensor."""
    return _tensor(x).argmin(dim=dim, keepdim=keepdim)


def _tensor(x) -> Tensor:
    """``x`` itself if it is a Tensor, else its array wrapped (not copied)."""
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))


# ---- differences and NaN-aware sums -------------------------------------------------------
def diff(x, n: int = 1, dim: int = -1, prepend=None, append=None):
    """The ``n``-th forward difference ``x[i + 1] - x[i]`` along ``dim``, after putting
    ``prepend`` / ``append`` before / after x along it (PyTorch's signature)."""
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueRangeError(f"diff: n must be a non-negative integer, got {n!r}")
    _, axis = _split_axis("diff", x, dim)
    parts = [p for p in (prepend, x, append) if p is not None]
    y = concatenate(parts, axis) if len(parts) > 1 else x
    for _ in range(n):
        length = np.shape(_data(y))[axis]
        later = (builtins.slice(None),) * axis + (builtins.slice(1, None),)
        earlier = (builtins.slice(None),) * axis + (builtins.slice(0, builtins.max(length - 1, 0)),)
        y = Sub.apply(GetItem.apply(y, index=later), GetItem.apply(y, index=earlier))
    return y


def nansum(x, dim=None, keepdim: bool = False):
    """The sum with NaNs counted as 0; their gradient is 0, the others' 1 (PyTorch's)."""
    data = np.asarray(_data(x))
    kept = Where.apply(np.isnan(data), 0.0, x) if data.dtype.kind == "f" else x
    return sum(kept, dim, keepdim)


def nanmean(x, dim=None, keepdim: bool = False):
    """The mean of the non-NaN entries, NaN where there are none (as PyTorch)."""
    data = np.asarray(_data(x))
    if data.dtype.kind != "f":
        raise DTypeError(f"nanmean: expected a floating-point tensor, got dtype {data.dtype}")
    axes = resolve_axes("nanmean", dim, None, data.ndim)
    counts = np.sum(~np.isnan(data), axis=axes, keepdims=keepdim).astype(data.dtype)
    mean = Div.apply(nansum(x, dim, keepdim), np.maximum(counts, 1))
    # an all-NaN slice: NaN, with gradient 0 (PyTorch's is NaN there, from 0 * (1 / 0))
    return Where.apply(counts > 0, mean, np.nan)


def count_nonzero(x, dim=None) -> Tensor:
    """How many entries are non-zero, over ``dim`` (all by default); int64, no gradient."""
    data = np.asarray(_data(x))
    axes = resolve_axes("count_nonzero", dim, None, data.ndim)
    return Tensor._wrap(np.asarray(np.count_nonzero(data, axis=axes), dtype=np.int64))


# ---- triangles, diagonals, products of vectors and batches, rolls and views ----------------
def _matrix_dims(op: str, x) -> tuple[int, ...]:
    shape = np.shape(_data(x))
    if len(shape) < 2:
        raise ShapeError(f"{op}: expected a tensor with at least 2 dimensions, got shape {shape}")
    return shape


def tril(x, diagonal: int = 0):
    """The lower triangle of the last two dims: entries with ``col - row <= diagonal``; 0 else."""
    rows, cols = _matrix_dims("tril", x)[-2:]
    return Where.apply(np.tri(rows, cols, diagonal, dtype=bool), x, 0)


def triu(x, diagonal: int = 0):
    """The upper triangle of the last two dims: entries with ``col - row >= diagonal``; 0 else."""
    rows, cols = _matrix_dims("triu", x)[-2:]
    return Where.apply(~np.tri(rows, cols, diagonal - 1, dtype=bool), x, 0)


def _diagonal_index(rows: int, cols: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) indices of diagonal ``offset`` of a rows x cols matrix."""
    start_row, start_col = builtins.max(-offset, 0), builtins.max(offset, 0)
    length = builtins.max(builtins.min(rows - start_row, cols - start_col), 0)
    steps = np.arange(length)
    return start_row + steps, start_col + steps


def diagonal(x, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """Diagonal ``offset`` of the matrices in dims ``dim1``, ``dim2``, as the last dimension."""
    return _diagonal(x, offset, dim1, dim2)


def _diagonal(x, offset: int, dim1: int, dim2: int):
    """``diagonal``, under a name that ``diag``'s argument ``diagonal`` does not hide."""
    shape = _matrix_dims("diagonal", x)
    a, b = (normalize_axis("diagonal", d, len(shape)) for d in (dim1, dim2))
    if a == b:
        raise ShapeError(f"diagonal: dim1 and dim2 must differ, both are {a}")
    rest = [d for d in range(len(shape)) if d not in (a, b)]
    moved = Transpose.apply(x, axes=(*rest, a, b))  # the matrices last
    rows, cols = _diagonal_index(shape[a], shape[b], offset)
    return GetItem.apply(moved, index=(Ellipsis, rows, cols))


def diag(x, diagonal: int = 0):
    """A 1-D tensor as a square matrix with it on diagonal ``diagonal`` (0 elsewhere); a 2-D
    tensor's diagonal ``diagonal`` as a 1-D one (PyTorch's ``diag``)."""
    shape = np.shape(_data(x))
    if len(shape) == 2:
        return _diagonal(x, diagonal, 0, 1)
    if len(shape) != 1:
        raise ShapeError(f"diag: expected a 1-D or 2-D tensor, got shape {shape}")
    size = shape[0] + builtins.abs(diagonal)
    rows, cols = _diagonal_index(size, size, diagonal)
    spread = np.zeros((size, size), dtype=np.int64)
    spread[rows, cols] = np.arange(shape[0])  # which entry of x each cell shows
    on = np.zeros((size, size), dtype=bool)
    on[rows, cols] = True
    if not shape[0]:  # nothing to place: zeros (x has no entry to get a gradient)
        return Tensor._wrap(np.zeros((size, size), np.asarray(_data(x)).dtype))
    return Where.apply(on, GetItem.apply(x, index=spread), 0)


def trace(x):
    """The sum of the main diagonal of a 2-D tensor."""
    if len(np.shape(_data(x))) != 2:
        raise ShapeError(f"trace: expected a 2-D tensor, got shape {np.shape(_data(x))}")
    return sum(diagonal(x))


def outer(a, b):
    """``a[i] * b[j]`` for 1-D ``a`` and ``b``."""
    for name, v in (("input", a), ("vec2", b)):
        if np.ndim(_data(v)) != 1:
            raise ShapeError(f"outer: {name} must be 1-D, got shape {np.shape(_data(v))}")
    return Mul.apply(unsqueeze(a, 1), unsqueeze(b, 0))


def bmm(a, b):
    """Batched matrix product of (B, n, m) and (B, m, p) tensors."""
    shapes = np.shape(_data(a)), np.shape(_data(b))
    if len(shapes[0]) != 3 or len(shapes[1]) != 3 or shapes[0][0] != shapes[1][0]:
        raise ShapeError(
            f"bmm: expected (B, n, m) and (B, m, p) tensors, got {shapes[0]} and {shapes[1]}"
        )
    return MatMul.apply(a, b)


def mv(a, v):
    """Matrix-vector product of an (n, m) matrix and an (m,) vector."""
    shapes = np.shape(_data(a)), np.shape(_data(v))
    if len(shapes[0]) != 2 or len(shapes[1]) != 1:
        raise ShapeError(
            f"mv: expected an (n, m) matrix and an (m,) vector, got {shapes[0]} and {shapes[1]}"
        )
    return MatMul.apply(a, v)


def roll(x, shifts, dims=None):
    """Entries shifted by ``shifts`` along ``dims``, wrapping around (all flattened when
    ``dims`` is None, as PyTorch)."""
    shape = np.shape(_data(x))
    if dims is None:
        flat = reshape(x, (-1,))
        return reshape(roll(flat, shifts, 0), shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ShapeError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
    y = x
    for shift, dim in zip(shifts, dims, strict=True):
        axis = normalize_axis("roll", dim, len(shape))
        order = np.roll(np.arange(shape[axis]), shift)
        y = GetItem.apply(y, index=(builtins.slice(None),) * axis + (order,))
    return y


def movedim(x, source, destination):
    """Dims ``source`` moved to positions ``destination``, the others keeping their order."""
    ndim = np.ndim(_data(x))
    source = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    destination = (
        (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    )
    if len(source) != len(destination):
        raise ShapeError(f"movedim: {len(source)} source dims for {len(destination)} destinations")
    src = [normalize_axis("movedim", d, ndim) for d in source]
    dst = [normalize_axis("movedim", d, ndim) for d in destination]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ShapeError(f"movedim: repeated dims in {source} or {destination}")
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return Transpose.apply(x, axes=tuple(order))


moveaxis = movedim


def swapaxes(x, axis0: int, axis1: int):
    """Dims ``axis0`` and ``axis1`` exchanged (PyTorch's ``swapaxes`` / ``swapdims``)."""
    ndim = np.ndim(_data(x))
    order = list(range(ndim))
    i, j = normalize_axis("swapaxes", axis0, ndim), normalize_axis("swapaxes", axis1, ndim)
    order[i], order[j] = order[j], order[i]
    return Transpose.apply(x, axes=tuple(order))


swapdims = swapaxes


def narrow(x, dim: int, start: int, length: int):
    """``length`` entries from ``start`` along ``dim`` (a view, as a slice)."""
    shape = np.shape(_data(x))
    axis = normalize_axis("narrow", dim, len(shape))
    start = start + shape[axis] if start < 0 else start
    if not (0 <= start and length >= 0 and start + length <= shape[axis]):
        raise ValueRangeError(
            f"narrow: start {start} and length {length} do not fit in dimension {dim} of "
            f"size {shape[axis]}"
        )
    return GetItem.apply(
        x, index=(builtins.slice(None),) * axis + (builtins.slice(start, start + length),)
    )


def hstack(tensors):
    """Concatenated along dim 1, or dim 0 for 1-D tensors."""
    tensors = list(tensors)
    one_dimensional = builtins.all(np.ndim(_data(t)) == 1 for t in tensors)
    return concatenate(tensors, 0 if one_dimensional else 1)


def vstack(tensors):
    """Concatenated along dim 0, 1-D tensors taken as rows (1, n)."""
    rows = [reshape(t, (1, -1)) if np.ndim(_data(t)) < 2 else t for t in tensors]
    return concatenate(rows, 0)


# ---- remainders, logit and the median --------------------------------------------------------
def fmod(a, b):
    """``a - trunc(a / b) b``: the remainder with the sign of ``a`` (C's fmod)."""
    return Remainder.apply(a, b)


def remainder(a, b):
    """``a - floor(a / b) b``: the remainder with the sign of ``b`` (Python's ``%``)."""
    return Remainder.apply(a, b, floored=True)


def logit(x, eps: float | None = None):
    """``log(p / (1 - p))``; with ``eps``, p clamped to [eps, 1 - eps] first (no gradient
    where it was clamped, as PyTorch)."""
    p = x if eps is None else clip(x, min=eps, max=1 - eps)
    return Sub.apply(log(p), Log1p.apply(Neg.apply(p)))


MedianResult = collections.namedtuple("median", ["values", "indices"])


def median(x, dim: int | None = None, keepdim: bool = False):
    """The lower median (of an even count, the smaller middle value), as PyTorch: of all
    elements as a 0-d tensor, or along ``dim`` as ``(values, indices)``. The gradient goes to
    the median element."""
    data = np.asarray(_data(x))
    if dim is None:
        flat = reshape(x, (-1,))
        if not data.size:
            raise ShapeError("median: the tensor has no elements")
        return reshape(median(flat, 0).values, ())
    axis = normalize_axis("median", dim, data.ndim)
    length = data.shape[axis] if data.ndim else 1
    if not length:
        raise ShapeError(f"median: dimension {dim} has no elements")
    order = argsort(x, axis).data
    middle = np.take(order, [(length - 1) // 2], axis=axis) if data.ndim else order
    values = GetItem.apply(x, index=_gather_picks(middle, axis))
    if not keepdim and data.ndim:
        values, middle = squeeze(values, axis), np.squeeze(middle, axis)
    return MedianResult(values, Tensor._wrap(middle))
