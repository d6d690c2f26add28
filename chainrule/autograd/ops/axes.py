"""Axis arguments shared by reductions and shape ops: ``axis`` (NumPy) with ``dim`` as an alias."""

from __future__ import annotations

import numpy as np

from chainrule.errors import ShapeError


def normalize_axis(op: str, axis: int, ndim: int) -> int:
    """``axis`` as a non-negative index into ``ndim`` axes, or a ShapeError naming ``op``.

    A 0-d tensor takes axis 0 or -1, as in PyTorch, where it acts as a one-element vector.
    """
    size = max(ndim, 1)
    if not -size <= axis < size:
        raise ShapeError(f"{op}: axis {axis} is out of range for a tensor with {ndim} dimensions")
    return axis % size


def resolve_axes(
    op: str, axis, dim, ndim: int, empty_dim_is_all: bool = True
) -> tuple[int, ...] | None:
    """Merge ``axis``/``dim`` into a sorted tuple of non-negative axes (None: all axes).

    Each keyword keeps its library's meaning of an empty tuple: NumPy's ``axis=()`` names no
    axis, PyTorch's ``dim=()`` reduces over all of them (``empty_dim_is_all``; squeeze, where
    PyTorch's ``dim=()`` drops nothing, passes False). For a 0-d tensor a valid axis gives
    ``()``: reducing over it leaves the one element as is.
    """
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: give axis or dim, not both")
        if empty_dim_is_all and not isinstance(dim, (int, np.integer)) and len(dim) == 0:
            return None
        axis = dim
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = tuple(sorted(normalize_axis(op, int(a), ndim) for a in axes))
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return normalized if ndim else ()


def expand_reduced(
    grad: np.ndarray, shape: tuple, axes: tuple | None, keepdims: bool
) -> np.ndarray:
    """Broadcast the gradient of a reduction back over the reduced axes (a read-only view)."""
    if not keepdims:
        grad = np.expand_dims(grad, axes if axes is not None else tuple(range(len(shape))))
    return np.broadcast_to(grad, shape)


def reduced_count(shape: tuple, axes: tuple | None) -> int:
    """How many elements each output of a reduction over ``axes`` combines."""
    if axes is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))
