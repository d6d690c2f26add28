"""Functional forms of the layers, activations and losses: ``F.relu(x)``, ``F.cross_entropy``.

Activations are the engine's ops; losses are the fused ops of ``autograd.ops.loss`` (one graph
node each, the ``reduction`` PyTorch uses -- 'mean', 'sum' or 'none' -- included) or short
compositions of ops: ``nll_loss``, the L1 / smooth L1 / Huber losses, and cross-entropy with
class weights, ignored targets or label smoothing (the fused op with an effective target).
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd import ops as _ops
from chainrule.autograd.creation import resolve_generator
from chainrule.autograd.ops.activation import ELU, GELU, Hardtanh, SiLU, Softplus, Softsign
from chainrule.autograd.ops.loss import REDUCTIONS as REDUCTIONS  # public: the reductions offered
from chainrule.autograd.ops.loss import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CrossEntropy,
    SquaredError,
    check_reduction,
)
from chainrule.autograd.ops.normalization import Normalize
from chainrule.autograd.ops.shape import Embedding
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, GraphError, ShapeError, ValueRangeError

linear = _ops.linear
relu = _ops.relu
sigmoid = _ops.sigmoid
tanh = _ops.tanh
leaky_relu = _ops.leaky_relu
prelu = _ops.prelu
softmax = _ops.softmax
log_softmax = _ops.log_softmax


def _out_of_place(op: str, inplace: bool) -> None:
    """PyTorch's ``inplace`` flag, accepted for its signature; chainrule's activations always
    return a new tensor, so asking for the input to be overwritten is refused, not ignored."""
    if inplace:
        raise ValueRangeError(
            f"{op}: inplace=True is not supported (the result is a new tensor); use inplace=False"
        )


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU: ``x`` for x > 0, else ``alpha * (exp(x) - 1)``."""
    _out_of_place("elu", inplace)
    return ELU.apply(input, alpha=float(alpha))


# PyTorch's SELU constants (Klambauer et al., 2017), for self-normalising networks
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace: bool = False) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with alpha = 1.6732632..., scale = 1.0507009..."""
    _out_of_place("selu", inplace)
    return ELU.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def silu(input, inplace: bool = False) -> Tensor:
    """SiLU (swish): ``x * sigmoid(x)``."""
    _out_of_place("silu", inplace)
    return SiLU.apply(input)


def gelu(input, approximate: str = "none") -> Tensor:
    """GELU: ``x * Phi(x)`` with Phi the standard normal CDF; ``approximate='tanh'`` gives
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``."""
    if approximate not in ("none", "tanh"):
        raise ValueRangeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(input, approximate=approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus: ``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold``."""
    return Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Hardtanh: ``clip(x, min_val, max_val)``; gradient 1 strictly between the bounds, else 0."""
    _out_of_place("hardtanh", inplace)
    if min_val > max_val:
        raise ValueRangeError(
            f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})"
        )
    kind = _array(input).dtype.kind
    if kind == "b":
        raise DTypeError("hardtanh: boolean input is not supported (as in PyTorch)")
    if kind == "u" and min_val < 0:
        raise DTypeError(
            f"hardtanh: an unsigned integer input cannot take the negative bound {min_val}"
        )
    return Hardtanh.apply(input, min_val=float(min_val), max_val=float(max_val))


# ---- activations composed of the ops above (so each has its backward and forward mode) -----
def relu6(input, inplace: bool = False) -> Tensor:
    """ReLU6: ``min(max(x, 0), 6)`` (PyTorch's ``hardtanh(x, 0, 6)``)."""
    _out_of_place("relu6", inplace)
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input, inplace: bool = False) -> Tensor:
    """Hardsigmoid: ``relu6(x + 3) / 6``, 0 below -3 and 1 above 3."""
    _out_of_place("hardsigmoid", inplace)
    return hardtanh(_float_input_tensor(input) + 3.0, 0.0, 6.0) / 6.0


def hardswish(input, inplace: bool = False) -> Tensor:
    """Hardswish: ``x * relu6(x + 3) / 6`` (Howard et al., MobileNetV3)."""
    _out_of_place("hardswish", inplace)
    x = _float_input_tensor(input)
    return x * hardsigmoid(x)


def mish(input, inplace: bool = False) -> Tensor:
    """Mish: ``x * tanh(softplus(x))`` (Misra, 2019)."""
    _out_of_place("mish", inplace)
    x = _float_input_tensor(input)
    return x * _ops.tanh(softplus(x))


def softsign(input) -> Tensor:
    """Softsign: ``x / (1 + |x|)``."""
    return Softsign.apply(input)


def logsigmoid(input) -> Tensor:
    """LogSigmoid: ``log(sigmoid(x)) = -softplus(-x)``, finite for any x (no linear cut-off)."""
    return -softplus(-_float_input_tensor(input), threshold=np.inf)


def celu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU: ``max(0, x) + min(0, alpha (exp(x / alpha) - 1))``, i.e. ``alpha elu(x / alpha)``."""
    _out_of_place("celu", inplace)
    if alpha == 0:
        raise ValueRangeError("celu: alpha must not be 0 (it divides x)")
    return elu(_float_input_tensor(input) / float(alpha)) * float(alpha)


def glu(input, dim: int = -1) -> Tensor:
    """GLU: the halves ``a, b`` of x along ``dim``, then ``a * sigmoid(b)``."""
    x = _float_input_tensor(input)
    if x.ndim == 0:
        raise ShapeError("glu: a 0-d tensor has no dimension to halve")
    size = x.shape[dim % x.ndim] if -x.ndim <= dim < x.ndim else None
    if size is None or size % 2:
        raise ShapeError(f"glu: dimension {dim} of a tensor of shape {x.shape} must be even")
    a, b = _ops.chunk(x, 2, dim)
    return a * _ops.sigmoid(b)


def tanhshrink(input) -> Tensor:
    """Tanhshrink: ``x - tanh(x)``."""
    x = _float_input_tensor(input)
    return x - _ops.tanh(x)


def softmin(input, dim: int | None = None) -> Tensor:
    """Softmin: ``softmax(-x)`` along ``dim``."""
    return softmax(-_float_input_tensor(input), dim=-1 if dim is None else dim)


def threshold(input, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Threshold: ``x`` where ``x > threshold``, else ``value``."""
    _out_of_place("threshold", inplace)
    x = _float_input_tensor(input)
    return _ops.where(x.data > threshold, x, float(value))


def softshrink(input, lambd: float = 0.5) -> Tensor:
    """Softshrink: ``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    if lambd < 0:
        raise ValueRangeError(f"softshrink: lambd must be at least 0, got {lambd}")
    x = _float_input_tensor(input)
    shrunk = _ops.where(x.data > lambd, x - float(lambd), x + float(lambd))
    return _ops.where(np.abs(x.data) > lambd, shrunk, 0.0)


def hardshrink(input, lambd: float = 0.5) -> Tensor:
    """Hardshrink: ``x`` where ``|x| > lambd``, else 0."""
    x = _float_input_tensor(input)
    return _ops.where(np.abs(x.data) > lambd, x, 0.0)


# ---- vector utilities ------------------------------------------------------------------------
def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) as int64 one-hot rows: shape ``tensor.shape + (C,)``, with
    ``C = num_classes``, or the largest index + 1 when it is -1 (PyTorch's default)."""
    labels = _array(tensor)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"one_hot: expects integer class indices, got dtype {labels.dtype}")
    if labels.size and labels.min() < 0:
        raise ValueRangeError(f"one_hot: class values must be non-negative, got {labels.min()}")
    if num_classes == -1:
        if not labels.size:
            raise ValueRangeError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(labels.max()) + 1
    if num_classes < 1 or (labels.size and labels.max() >= num_classes):
        raise ValueRangeError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, got "
            f"{labels.max() if labels.size else 'none'}"
        )
    return Tensor(np.eye(num_classes, dtype=np.int64)[labels])


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``: unit p-norm vectors, zero vectors left at 0."""
    x = _float_input_tensor(input)
    return x / _ops.clip(_ops.norm(x, p, dim=dim, keepdim=True), min=eps)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 * x2) / (max(||x1||, eps) max(||x2||, eps))`` along ``dim``, after
    broadcasting x1 and x2 together: each vector normalised first, as PyTorch computes it."""
    a, b = _float_input_tensor(x1), _float_input_tensor(x2)
    shape = np.broadcast_shapes(a.shape, b.shape)
    a, b = _ops.broadcast_to(a, shape), _ops.broadcast_to(b, shape)
    unit_a = a / _ops.clip(_ops.norm(a, 2, dim=dim, keepdim=True), min=eps)
    unit_b = b / _ops.clip(_ops.norm(b, 2, dim=dim, keepdim=True), min=eps)
    return (unit_a * unit_b).sum(axis=dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension (eps keeps the norm differentiable
    where x1 = x2, as PyTorch)."""
    difference = _float_input_tensor(x1) - _float_input_tensor(x2) + eps
    return _ops.norm(difference, p, dim=-1, keepdim=keepdim)


def _float_input_tensor(input) -> Tensor:
    """``input`` as a Tensor; an integer one as float32, as PyTorch's activations compute."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    return x if x.dtype.kind == "f" else x.float()


def _array(value) -> np.ndarray:
    """The NumPy array of a Tensor, an array or anything array-like."""
    return value.data if isinstance(value, Tensor) else np.asarray(value)


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
    array = _array(target)
    if array.dtype.kind in "biu":
        return array.astype(input.dtype)
    return _target(op, input, target)


def cross_entropy(
    input,
    target,
    reduction: str = "mean",
    *,
    weight=None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy from logits (N, C), or (C,) for one sample; targets are class
    indices (N,) (0-d for one sample) or probabilities of the logits' shape. Fused: the
    gradient is ``softmax(input) - target``.

    Options as PyTorch's: ``weight`` (C,) scales each class's terms, and 'mean' then divides
    by the summed weights of the counted class targets (by N for probabilities); a class
    target equal to ``ignore_index`` counts for nothing ('mean' of nothing is NaN);
    ``label_smoothing`` eps in [0, 1] takes ``(1 - eps) target + eps / C`` as the target.
    """
    check_reduction("cross_entropy", reduction)
    target = _target("cross_entropy", input, target)
    if weight is None and ignore_index == -100 and not label_smoothing:
        try:
            return CrossEntropy.apply(input, target, reduction=reduction)
        except (ShapeError, ValueRangeError):
            # the fused op takes batches of classes in [0, C) only: PyTorch's unbatched form
            # and its -100 (padding) targets are done below, at no cost to the common call
            if input.ndim != 1 and not np.any(_array(target) == ignore_index):
                raise
    if input.ndim == 1:
        return _unbatched(
            cross_entropy,
            "cross_entropy",
            input,
            target,
            reduction,
            weight=weight,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )
    return _cross_entropy_with_options(
        input, target, reduction, weight, ignore_index, label_smoothing
    )


def _cross_entropy_with_options(
    input, target, reduction: str, weight, ignore_index: int, label_smoothing: float
) -> Tensor:
    """Cross-entropy with weights, ignored targets or smoothing, as the fused op's cross-entropy
    against an effective target ``t``: its gradient ``softmax(x) sum_c t_c - t`` is PyTorch's.
    For a class target y, ``t = w_y (1 - eps) onehot(y) + w eps / C``, zero if y is ignored."""
    if input.ndim != 2:
        raise ShapeError(f"cross_entropy: expected logits of shape (N, C), got {input.shape}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueRangeError(
            f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing}"
        )
    label_smoothing = float(label_smoothing)  # a NumPy float64 would upcast a float32 target
    count, classes = input.shape
    class_weight = _class_weight("cross_entropy", weight, classes, input.dtype)
    target_array = _array(target)
    if target_array.dtype.kind in "iu":
        labels, kept = _class_targets("cross_entropy", input, target_array, ignore_index)
        target_weight = class_weight[labels] * kept
        effective = np.zeros(input.shape, input.dtype)
        effective[np.arange(count), labels] = target_weight * (1.0 - label_smoothing)
        if label_smoothing:
            effective += (label_smoothing / classes) * class_weight * kept[:, None]
        if reduction == "mean":
            summed = CrossEntropy.apply(input, effective, reduction="sum")
            return _mean_over(summed, target_weight.sum(), counted=kept.any())
        return CrossEntropy.apply(input, effective, reduction=reduction)
    if target_array.dtype.kind != "f":
        raise DTypeError(f"cross_entropy: targets must be integer or float, got {target.dtype}")
    if ignore_index >= 0:  # a negative one cannot name a class: ignored, as PyTorch does
        raise ValueRangeError(
            f"cross_entropy: ignore_index={ignore_index} applies to class targets only, "
            "not to probabilities (as in PyTorch)"
        )
    if target_array.shape != input.shape:  # before broadcasting with the weights hides it
        raise ShapeError(
            f"cross_entropy: probability targets must match logits {input.shape}, "
            f"got {target_array.shape}"
        )
    if label_smoothing:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    if weight is not None:
        target = target * class_weight
    return CrossEntropy.apply(input, target, reduction=reduction)  # 'mean' over N, as PyTorch


def _unbatched(loss, op: str, input, target, reduction: str, **options) -> Tensor:
    """``loss`` of one sample, PyTorch's unbatched form: input (C,) with a 0-d class target or
    probabilities (C,), computed as a batch of one; 'none' gives the 0-d loss."""
    if not isinstance(target, Tensor):
        target = np.asarray(target)
    expected = () if target.dtype.kind in "iu" else input.shape
    if target.shape != expected:
        raise ShapeError(
            f"{op}: an unbatched input {input.shape} takes a 0-d class target or probabilities "
            f"of shape {input.shape}, got a target of shape {target.shape}"
        )
    batch = loss(input.reshape(1, -1), target.reshape((1, *expected)), reduction, **options)
    return batch.reshape(()) if reduction == "none" else batch


def _class_weight(op: str, weight, classes: int, dtype) -> np.ndarray:
    """The per-class ``weight`` as an array (C,) in the input's dtype; ones when None."""
    if weight is None:
        return np.ones(classes, dtype)
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise GraphError(  # as PyTorch: the loss is not differentiable with respect to it
            f"{op}: weight requires grad, but no gradient flows to it; pass weight.detach()"
        )
    array = _array(weight)
    if array.dtype.kind not in "iuf":
        raise DTypeError(f"{op}: weight must be a real number per class, got {array.dtype}")
    if array.shape != (classes,):
        raise ShapeError(
            f"{op}: weight must have one entry per class, shape ({classes},), got {array.shape}"
        )
    return array.astype(dtype, copy=False)


def _class_targets(op: str, input, target: np.ndarray, ignore_index: int):
    """Checked class targets (N,): the labels (0 where ignored) and the mask of those kept."""
    count, classes = input.shape
    if target.shape != (count,):
        raise ShapeError(
            f"{op}: class targets must have shape ({count},), got {target.shape} for input "
            f"{input.shape}"
        )
    kept = target != ignore_index
    labels = np.where(kept, target, 0)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        counted = target[kept]
        raise ValueRangeError(
            f"{op}: class targets must lie in [0, {classes - 1}] (or equal "
            f"ignore_index={ignore_index}), got values in [{counted.min()}, {counted.max()}]"
        )
    return labels, kept


def _mean_over(summed: Tensor, count, *, counted: bool = False) -> Tensor:
    """PyTorch's 'mean', ``summed / count``, the count of elements or the summed weights of
    the counted targets. A zero count gives NaN, 0 / 0, without NumPy's warning, and PyTorch's
    gradient: 0 when nothing was ``counted`` (an empty batch, every target ignored: every term
    was weighted 0 already), NaN when the weights of counted targets sum to 0."""
    if count:
        return summed / float(count)
    return summed * float("nan") if counted else summed + float("nan")


def nll_loss(
    input, target, reduction: str = "mean", *, weight=None, ignore_index: int = -100
) -> Tensor:
    """Negative log-likelihood ``-w[y_n] input[n, y_n]`` for log-probabilities (N, C), or (C,)
    with a 0-d target; ``weight`` and ``ignore_index`` as ``cross_entropy``'s."""
    check_reduction("nll_loss", reduction)
    target = _array(target)
    if target.dtype.kind not in "iu":
        raise DTypeError(f"nll_loss: targets must be integer class indices, got {target.dtype}")
    if input.ndim == 1:
        return _unbatched(
            nll_loss, "nll_loss", input, target, reduction, weight=weight, ignore_index=ignore_index
        )
    if input.ndim != 2 or target.shape != input.shape[:1]:
        raise ShapeError(
            f"nll_loss: expected input (N, C) and target (N,), got {input.shape} and {target.shape}"
        )
    class_weight = _class_weight("nll_loss", weight, input.shape[1], input.dtype)
    labels, kept = _class_targets("nll_loss", input, target, ignore_index)
    target_weight = class_weight[labels] * kept
    losses = -input[np.arange(len(labels)), labels] * target_weight
    if reduction == "mean":
        return _mean_over(losses.sum(), target_weight.sum(), counted=kept.any())
    return losses.sum() if reduction == "sum" else losses


def _value_loss_target(op: str, input, target, reduction: str):
    """The checks of a loss comparing values elementwise, and its target in the input's dtype."""
    check_reduction(op, reduction)
    _same_shape(op, input, target)
    return _value_target(op, input, target)


def mse_loss(input, target, reduction: str = "mean", half: bool = False) -> Tensor:
    """Squared error ``(input - target)**2``; ``half=True`` gives the classic quadratic cost
    ``1/2 (input - target)**2`` whose derivative is simply ``input - target``. Fused: one
    node whose gradient ``(input - target) * scale`` is computed directly."""
    target = _value_loss_target("mse_loss", input, target, reduction)
    return SquaredError.apply(input, target, reduction=reduction, scale=0.5 if half else 1.0)


def _smooth_absolute_error(
    op: str, input, target, reduction: str, beta: float, scale: float = 1.0
) -> Tensor:
    """``scale * reduce(s(d))`` for ``d = input - target``, with PyTorch's smooth L1
    ``s(d) = d**2 / (2 beta)`` for ``|d| < beta``, else ``|d| - beta / 2`` (``|d|`` for
    beta = 0). Composed of Abs and Where, whose gradients give ``scale * clip(d / beta, -1, 1)``
    (``sign(d)`` for beta = 0: 0 at d = 0, as PyTorch's subgradient)."""
    target = _value_loss_target(op, input, target, reduction)
    diff = _ops.sub(input, target)
    size = _ops.abs(diff)
    losses = size
    if beta > 0:
        losses = _ops.where(size.data < beta, diff * diff * (0.5 / beta), size - 0.5 * beta)
    if scale != 1.0:
        losses = losses * scale
    if reduction == "none":
        return losses
    summed = losses.sum()
    return summed if reduction == "sum" else _mean_over(summed, losses.data.size)


def check_kl_reduction(owner: str, reduction: str) -> None:
    """Refuse a reduction ``kl_div`` does not know (it has PyTorch's 'batchmean' besides)."""
    if reduction not in ("none", "sum", "mean", "batchmean"):
        raise ValueRangeError(
            f"{owner}: reduction must be 'none', 'sum', 'mean' or 'batchmean', got {reduction!r}"
        )


def kl_div(input, target, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence ``target * (log(target) - input)`` per element, ``input``
    being log-probabilities (``log_target``: the target too, ``exp(t) * (t - input)``), 0
    where the target is 0. ``reduction``: 'none', 'sum', 'mean' over all elements, or
    'batchmean', the sum over the first dimension's size (the divergence per sample)."""
    check_kl_reduction("kl_div", reduction)
    _same_shape("kl_div", input, target)
    target = _value_target("kl_div", input, target)
    if log_target:
        losses = _ops.exp(target) * (target - input)
    else:
        t = target if isinstance(target, Tensor) else Tensor(target)
        positive = t.data > 0
        log_t = _ops.log(_ops.where(positive, t, 1.0))  # log 1 = 0 where the target is 0
        losses = _ops.where(positive, t * log_t, 0.0) - t * input
    if reduction == "none":
        return losses
    summed = losses.sum()
    if reduction == "sum":
        return summed
    count = losses.data.size if reduction == "mean" else (losses.shape[0] if losses.ndim else 1)
    return _mean_over(summed, count)


def l1_loss(input, target, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``; its subgradient at 0 is 0, as PyTorch's."""
    return _smooth_absolute_error("l1_loss", input, target, reduction, beta=0.0)


def smooth_l1_loss(input, target, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1: ``d**2 / (2 beta)`` for ``|d| < beta``, else ``|d| - beta / 2``, with
    ``d = input - target``; ``beta = 0`` is ``l1_loss``. Gradient ``clip(d / beta, -1, 1)``."""
    if not beta >= 0:  # NaN too
        raise ValueRangeError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    return _smooth_absolute_error("smooth_l1_loss", input, target, reduction, beta)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: ``d**2 / 2`` for ``|d| < delta``, else ``delta (|d| - delta / 2)``, with
    ``d = input - target``: ``delta`` times ``smooth_l1_loss`` with ``beta = delta``.
    Gradient ``clip(d, -delta, delta)``."""
    if not delta > 0:  # NaN too
        raise ValueRangeError(f"huber_loss: delta must be > 0, got {delta}")
    return _smooth_absolute_error("huber_loss", input, target, reduction, delta, scale=delta)


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


# ---- normalization and embedding --------------------------------------------------------------
def _norm_parameter(op: str, name: str, value, shape: tuple, dtype):
    """``value`` (weight, bias, running statistic) checked to have ``shape`` and ``dtype``."""
    if value is None:
        return None
    array = _array(value)
    if array.shape != shape:
        raise ShapeError(f"{op}: {name} must have shape {shape}, got {array.shape}")
    if array.dtype != dtype:
        # as PyTorch ("mixed dtype"): a float32 weight would make float64 gradients or outputs
        raise DTypeError(f"{op}: {name} has dtype {array.dtype} but the input {dtype}")
    return value


def _float_input(op: str, input) -> np.ndarray:
    array = _array(input)
    if array.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a floating-point input, got {array.dtype}")
    return array


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, ``(x - mean) / sqrt(var + eps)``
    with the biased variance, then ``* weight + bias`` (each of shape ``normalized_shape``).
    x (*, *normalized_shape) -> y of x's shape. One fused node, ``Normalize``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = _float_input("layer_norm", input)
    if not shape:
        raise ShapeError("layer_norm: normalized_shape must have at least one dimension, got ()")
    if x.shape[x.ndim - len(shape) :] != shape or x.ndim < len(shape):
        raise ShapeError(
            f"layer_norm: normalized_shape {shape} expects an input of shape (*, "
            f"{', '.join(map(str, shape))}), got {x.shape}"
        )
    weight = _norm_parameter("layer_norm", "weight", weight, shape, x.dtype)
    bias = _norm_parameter("layer_norm", "bias", bias, shape, x.dtype)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    return Normalize.apply(input, weight, bias, axes=axes, eps=float(eps), param_shape=shape)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise x (N, C, *) over each group of ``C / num_groups`` channels (and the other
    dims) of each sample, by its mean and biased variance, then ``* weight + bias`` (each (C,),
    per channel). Wu & He, 2018; one Normalize node for the statistics."""
    x = _float_input("group_norm", input)
    if x.ndim < 2:
        raise ShapeError(f"group_norm: expected an input of shape (N, C, *), got {x.shape}")
    channels = x.shape[1]
    if num_groups < 1 or channels % num_groups:
        raise ValueRangeError(
            f"group_norm: the {channels} channels must divide into num_groups={num_groups} groups"
        )
    weight = _norm_parameter("group_norm", "weight", weight, (channels,), x.dtype)
    bias = _norm_parameter("group_norm", "bias", bias, (channels,), x.dtype)
    grouped = _ops.reshape(input, (x.shape[0], num_groups, -1))
    y = Normalize.apply(grouped, None, None, axes=(2,), eps=float(eps), param_shape=None)
    y = _ops.reshape(y, x.shape)
    per_channel = (channels,) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * _ops.reshape(weight, per_channel)
    if bias is not None:
        y = y + _ops.reshape(bias, per_channel)
    return y


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) of x (N, C, *) over the batch and the other dims, then
    ``* weight + bias`` (each (C,)).

    ``training``: by the batch's mean and biased variance, and the running statistics (C,),
    when given, are updated in place, outside the graph, to ``(1 - momentum) * running +
    momentum * batch`` with the batch's unbiased variance, as PyTorch. Otherwise by
    ``running_mean`` and ``running_var``, constants of the graph."""
    x = _float_input("batch_norm", input)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C, *), got {x.shape}")
    channels = x.shape[1]
    param_shape = (channels,) + (1,) * (x.ndim - 2)
    axes = (0, *range(2, x.ndim))
    weight, bias, running_mean, running_var = (
        _norm_parameter("batch_norm", name, value, (channels,), x.dtype)
        for name, value in (
            ("weight", weight),
            ("bias", bias),
            ("running_mean", running_mean),
            ("running_var", running_var),
        )
    )
    settings = {"axes": axes, "eps": float(eps), "param_shape": param_shape}
    if not training:
        if running_mean is None or running_var is None:
            raise ValueRangeError(
                "batch_norm: running_mean and running_var are needed in evaluation mode "
                "(training=False)"
            )
        mean = _array(running_mean).reshape(param_shape)
        var = _array(running_var).reshape(param_shape)
        return Normalize.apply(input, weight, bias, mean=mean, var=var, fixed=True, **settings)
    count = x.size // channels if channels else 0
    if count == 1:
        raise ValueRangeError(
            f"batch_norm: expected more than 1 value per channel when training, got input "
            f"of shape {x.shape}"
        )
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    momentum = float(momentum)  # a NumPy float64 would upcast float32 statistics
    for running, batch in (
        (running_mean, mean),
        (running_var, var * (count / (count - 1)) if count > 1 else var),  # unbiased
    ):
        if running is not None:
            array = running.data if isinstance(running, Tensor) else running
            np.copyto(array, (1.0 - momentum) * array + momentum * batch.reshape(channels))
            if isinstance(running, Tensor):
                running._version[0] += 1
    return Normalize.apply(input, weight, bias, mean=mean, var=var, **settings)


class _IndexRangeError(ValueRangeError, IndexError):
    """An index beyond a table: a ValueRangeError, and an IndexError as PyTorch raises."""


def embedding(input, weight, padding_idx: int | None = None) -> Tensor:
    """Look up the rows of ``weight`` (num_embeddings, embedding_dim) at the integer indices
    ``input`` (any shape): y of shape ``input.shape + (embedding_dim,)``. ``padding_idx``
    (negative counts from the end) names a row that gets no gradient, as PyTorch."""
    indices = _array(input)
    if indices.dtype.kind not in "iu":
        raise DTypeError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    if np.ndim(_array(weight)) != 2:
        raise ShapeError(
            f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape "
            f"{np.shape(_array(weight))}"
        )
    count = _array(weight).shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= count):
        raise _IndexRangeError(
            f"embedding: indices must lie in [0, {count - 1}] for {count} embeddings, got "
            f"values in [{indices.min()}, {indices.max()}]"
        )
    if padding_idx is not None:
        if not -count <= padding_idx < count:
            raise ValueRangeError(
                f"embedding: padding_idx must lie in [{-count}, {count - 1}] for {count} "
                f"embeddings, got {padding_idx}"
            )
        padding_idx %= count
    return Embedding.apply(weight, indices, padding_idx=padding_idx)
