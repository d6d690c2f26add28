"""Functional forms of the layers, activations and losses: ``F.relu(x)``, ``F.cross_entropy``.

Activations are the engine's ops; losses are the fused ops of ``autograd.ops.loss`` (one graph
node each, the ``reduction`` PyTorch uses -- 'mean', 'sum' or 'none' -- included) or, for
``nll_loss``, a short composition.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd import ops as _ops
from chainrule.autograd.creation import resolve_generator
from chainrule.autograd.ops.loss import REDUCTIONS as REDUCTIONS  # public: the reductions offered
from chainrule.autograd.ops.loss import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CrossEntropy,
    SquaredError,
    check_reduction,
)
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

linear = _ops.linear
relu = _ops.relu
sigmoid = _ops.sigmoid
tanh = _ops.tanh
leaky_relu = _ops.leaky_relu
prelu = _ops.prelu
softmax = _ops.softmax
log_softmax = _ops.log_softmax


def _reduce(losses: Tensor, reduction: str, op: str) -> Tensor:
    check_reduction(op, reduction)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _same_shape(op: str, input, target) -> None:
    if np.shape(input.data if isinstance(input, Tensor) else input) != np.shape(
        target.data if isinstance(target, Tensor) else target
    ):
        raise ShapeError(
            f"{op}: input {tuple(input.shape)} and target {tuple(np.shape(target))} "
            "must have the same shape"
        )


def _target(op: str, input, target):
    """A floating target in the input's dtype, so a float32 loss stays float32 (no silent
    upcast by a float64 target); a target that needs its own gradient must already match."""
    if isinstance(target, Tensor):
        if target.dtype.kind != "f" or target.dtype == input.dtype:
            return target
        if target.requires_grad:
            raise DTypeError(
                f"{op}: target of dtype {target.dtype} requires grad but the input is "
                f"{input.dtype}; cast one of them"
            )
        target = target.data
    target = np.asarray(target)
    return target.astype(input.dtype, copy=False) if target.dtype.kind == "f" else target


def _value_target(op: str, input, target):
    """``_target`` for a loss whose target is a value like the input, not a class index: an
    integer or bool target (0/1 labels) is cast to the input's dtype too, so it does not
    turn a float32 loss into float64."""
    array = target.data if isinstance(target, Tensor) else np.asarray(target)
    if array.dtype.kind in "biu":
        return array.astype(input.dtype)
    return _target(op, input, target)


def cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from logits (N, C); targets are class indices (N,) or
    probabilities (N, C). Fused: the gradient is ``softmax(input) - target``."""
    check_reduction("cross_entropy", reduction)
    target = _target("cross_entropy", input, target)
    return CrossEntropy.apply(input, target, reduction=reduction)


def nll_loss(input, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-input[n, target[n]]`` for log-probabilities (N, C)."""
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if input.ndim != 2 or target.shape != input.shape[:1]:
        raise ShapeError(
            f"nll_loss: expected input (N, C) and target (N,), got {input.shape} and {target.shape}"
        )
    if target.dtype.kind not in "iu":
        raise DTypeError(f"nll_loss: targets must be integer class indices, got {target.dtype}")
    if target.size and (target.min() < 0 or target.max() >= input.shape[1]):
        raise ValueRangeError(  # as cross_entropy: the shapes were fine, a value was not
            f"nll_loss: class targets must lie in [0, {input.shape[1] - 1}], "
            f"got values in [{target.min()}, {target.max()}]"
        )
    return _reduce(-input[np.arange(len(target)), target], reduction, "nll_loss")


def mse_loss(input, target, reduction: str = "mean", half: bool = False) -> Tensor:
    """Squared error ``(input - target)**2``; ``half=True`` gives the classic quadratic cost
    ``1/2 (input - target)**2`` whose derivative is simply ``input - target``. Fused: one
    node whose gradient ``(input - target) * scale`` is computed directly."""
    check_reduction("mse_loss", reduction)
    _same_shape("mse_loss", input, target)
    target = _value_target("mse_loss", input, target)
    return SquaredError.apply(input, target, reduction=reduction, scale=0.5 if half else 1.0)


def binary_cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy for probabilities in [0, 1] (logs clamped at -100, as PyTorch)."""
    check_reduction("binary_cross_entropy", reduction)
    target = _value_target("binary_cross_entropy", input, target)
    return BinaryCrossEntropy.apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits."""
    check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _value_target("binary_cross_entropy_with_logits", input, target)
    return BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction)


def dropout(input, p: float = 0.5, training: bool = True, *, generator=None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    ``generator`` is keyword-only: PyTorch's fourth positional argument is ``inplace``, and
    ``dropout(x, 0.5, True, False)`` must be refused, not taken as a generator."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = resolve_generator(generator=generator).random(input.shape) >= p
    return input * (keep.astype(input.dtype) / np.asarray(1.0 - p, input.dtype))
