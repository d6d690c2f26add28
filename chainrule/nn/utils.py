"""Gradient clipping and flat parameter vectors, as ``torch.nn.utils``.

``clip_grad_norm_`` and ``clip_grad_value_`` change the ``.grad`` arrays in place, the arrays
the optimisers read (``p.grad.data``), so a clip between ``backward()`` and ``step()`` works.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from chainrule.autograd import ops as _ops
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, ShapeError, ValueRangeError


def _tensors(op: str, parameters) -> list[Tensor]:
    """``parameters`` as a list: a single Tensor, or an iterable of them (read once)."""
    if isinstance(parameters, Tensor):
        return [parameters]
    tensors = list(parameters)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise DTypeError(f"{op}: expected Tensors (parameters), got {type(t).__name__}")
    return tensors


def _vector_norm(op: str, x: np.ndarray, p: float) -> np.ndarray:
    """``torch.linalg.vector_norm(x, p)`` of the flattened ``x``, in x's dtype: the p-norm,
    max |x| for inf, min |x| for -inf, the count of non-zeros for 0."""
    if not x.size and math.isinf(p):
        raise ValueRangeError(
            f"{op}: the {p} norm of an empty gradient is undefined (max/min of nothing)"
        )
    return np.asarray(np.linalg.norm(x.ravel(), ord=p))


def clip_grad_norm_(
    parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Tensor:
    """Scale the gradients in place so that their total ``norm_type``-norm is at most
    ``max_norm``; returns that total norm (before clipping) as a 0-d Tensor.

    The total is the norm of the per-gradient norms, as if all gradients were one vector
    (``'inf'``: the largest |g|). When ``c = max_norm / (total + 1e-6)`` is below 1 each
    gradient is multiplied by ``c``, as PyTorch; a NaN total makes every gradient NaN there
    too, unless ``error_if_nonfinite`` raises instead. Parameters without a gradient are
    skipped; without any gradient the total is 0.
    """
    norm_type = float(norm_type)  # 'inf' too, as PyTorch
    grads = [t.grad.data for t in _tensors("clip_grad_norm_", parameters) if t.grad is not None]
    if not grads:
        return Tensor(np.float32(0.0))
    norms = np.stack([_vector_norm("clip_grad_norm_", g, norm_type) for g in grads])
    total = _vector_norm("clip_grad_norm_", norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise ValueRangeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{total}, which cannot be clipped; pass error_if_nonfinite=False to scale the "
            "gradients by it anyway"
        )
    coefficient = float(max_norm) / (total + 1e-6)  # in the norm's dtype, as PyTorch
    if not coefficient >= 1.0:  # NaN too: PyTorch multiplies by min(c, 1) = NaN
        for g in grads:
            np.multiply(g, g.dtype.type(coefficient), out=g)  # c in g's dtype, as PyTorch
    return Tensor(total)


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient in place to ``[-clip_value, clip_value]``; NaN stays NaN."""
    clip_value = float(clip_value)
    for t in _tensors("clip_grad_value_", parameters):
        if t.grad is not None:
            np.clip(t.grad.data, -clip_value, clip_value, out=t.grad.data)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D Tensor, in order;
    differentiable (a reshape and a concatenate), as PyTorch's."""
    tensors = _tensors("parameters_to_vector", parameters)
    if not tensors:
        raise ValueRangeError("parameters_to_vector: expected at least one parameter, got none")
    return _ops.concatenate([_ops.reshape(t, (-1,)) for t in tensors])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give the parameters, in order, consecutive slices of the 1-D ``vec`` as their values
    (the inverse of ``parameters_to_vector``). Each gets a new array of its own shape and
    dtype; entries of ``vec`` beyond the parameters' total size are unused, as PyTorch."""
    if not isinstance(vec, Tensor):
        raise DTypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ShapeError(f"vector_to_parameters: expected a 1-D vector, got shape {vec.shape}")
    tensors = _tensors("vector_to_parameters", parameters)
    needed = sum(t.data.size for t in tensors)
    if vec.shape[0] < needed:
        raise ShapeError(
            f"vector_to_parameters: the parameters hold {needed} values, the vector only "
            f"{vec.shape[0]}"
        )
    start = 0
    for t in tensors:
        size = t.data.size
        t.data = vec.data[start : start + size].reshape(t.data.shape).astype(t.data.dtype)
        start += size
