"""Weight initialisers, in place on a Tensor's data (PyTorch's names and formulas).

chainrule stores a Linear weight as ``W (in_features, out_features)``, so for a 2-D tensor
``fan_in = shape[0]`` and ``fan_out = shape[1]`` (PyTorch's layout is the transpose).
Every initialiser takes an optional ``generator`` (a ``numpy.random.Generator``); without
one it uses chainrule's global generator, which ``cr.manual_seed`` resets.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from chainrule.autograd.creation import resolve_generator
from chainrule.autograd.tensor import Tensor
from chainrule.errors import ValueRangeError

# gain 1, as in PyTorch: the linear maps (convolutions included) and sigmoid
_LINEAR_FNS = (
    "linear",
    "identity",
    "sigmoid",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: tanh 5/3, relu sqrt(2), leaky_relu
    sqrt(2 / (1 + a**2)) with slope ``a`` (default 0.01), linear, the convolutions and
    sigmoid 1, selu 3/4."""
    if nonlinearity in _LINEAR_FNS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:  # as PyTorch: True is an int, but not a slope anyone means
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` for a weight of shape (in, out, *receptive_field)."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"init: fan in and fan out need a tensor with at least 2 dimensions, got {shape}"
        )
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[0] * receptive, shape[1] * receptive


def _is_empty(tensor: Tensor) -> bool:
    """A zero-element tensor has no fan (0 in a denominator): like PyTorch, initialising it
    is a no-op, with a warning."""
    if tensor.size:
        return False
    warnings.warn(
        f"init: initialising a zero-element tensor of shape {tensor.shape} is a no-op",
        UserWarning,
        stacklevel=3,
    )
    return True


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    tensor.data[...] = values
    tensor._version[0] += 1
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Samples from U(a, b)."""
    if not (math.isfinite(a) and math.isfinite(b) and a <= b):
        raise ValueRangeError(f"uniform_: expected finite bounds a <= b, got a={a}, b={b}")
    rng = resolve_generator(generator=generator)
    return _fill(tensor, rng.uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Samples from N(mean, std**2)."""
    # NaN or infinite settings (a NaN gain, say) would fill the weights with NaN or inf silently
    if not (math.isfinite(mean) and math.isfinite(std) and std >= 0):
        raise ValueRangeError(
            f"normal_: expected a finite mean and a finite std >= 0, got mean={mean}, std={std}"
        )
    rng = resolve_generator(generator=generator)
    return _fill(tensor, rng.normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio, 2010)."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    if _is_empty(tensor):
        return tensor
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    if _is_empty(tensor):
        return tensor
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)`` (He et al., 2015)."""
    if _is_empty(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """N(0, std**2) with ``std = gain / sqrt(fan)`` (He et al., 2015)."""
    if _is_empty(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)
