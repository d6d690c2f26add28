"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``rand``, ``randn``, ...

Floating results are float32 unless ``dtype`` says otherwise. Random tensors draw from
``generator`` if given, else a fresh generator for ``seed``, else the global one that
``manual_seed`` resets, so every random draw in chainrule is reproducible.
"""

from __future__ import annotations

import operator

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

_NUMERIC_KINDS = "biufc"  # bool, signed and unsigned integer, float, complex
_global = {"generator": np.random.default_rng(0)}


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the global random generator (used by initialisers, dropout and shuffling)."""
    _global["generator"] = np.random.default_rng(seed)
    return _global["generator"]


def default_generator() -> np.random.Generator:
    """The global generator that random ops use when given neither ``seed`` nor ``generator``."""
    return _global["generator"]


def resolve_generator(seed=None, generator=None) -> np.random.Generator:
    """``generator`` if given, else a new one for ``seed``, else the global one."""
    if generator is not None:
        return generator
    if seed is not None:
        return np.random.default_rng(seed)
    return _global["generator"]


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """A new tensor holding a copy of ``data`` (list, scalar, NumPy array or Tensor)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data, dtype=None) -> Tensor:
    """``data`` as a tensor without copying when it already is a NumPy array of ``dtype``
    (or any dtype, if none is given): the tensor shares its memory, as PyTorch's ``as_tensor``.
    Lists, scalars and arrays needing a cast are copied exactly as ``tensor()`` does."""
    if isinstance(data, Tensor):
        data = data.data
    if (
        type(data) is np.ndarray
        and data.dtype.kind in _NUMERIC_KINDS
        and (dtype is None or data.dtype == np.dtype(dtype))
    ):
        return Tensor._wrap(data)
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (PyTorch's ``from_numpy``): no copy, no cast."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise DTypeError(f"from_numpy: cannot make a numeric tensor from dtype {array.dtype}")
    return Tensor._wrap(array)


def _shape(op: str, shape) -> tuple[int, ...]:
    """The sizes given as ints, one int or one sequence, checked to be non-negative integers."""
    try:
        if isinstance(shape, (int, np.integer)):
            shape = (shape,)
        elif len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = shape[0]
        sizes = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(f"{op}: sizes must be integers, got {shape!r}") from None
    if any(n < 0 for n in sizes):
        raise ShapeError(f"{op}: negative size in shape {sizes}")
    return sizes


def _float(dtype):
    return np.float32 if dtype is None else dtype


def _float32_by_default(values: np.ndarray, dtype) -> np.ndarray:
    """``values`` as float32 when NumPy made them float64 and no ``dtype`` was asked for
    (PyTorch's default float); integers and booleans keep their dtype."""
    if dtype is None and values.dtype == np.float64:
        return values.astype(np.float32)
    return values


def _random_float(op: str, dtype):
    """The floating dtype random samples are drawn in: float32 unless ``dtype`` says otherwise."""
    dtype = np.dtype(_float(dtype))
    if dtype.kind != "f":
        raise DTypeError(f"{op}: samples need a floating-point dtype, got {dtype}")
    return dtype


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(
        np.zeros(_shape("zeros", shape), dtype=_float(dtype)), requires_grad=requires_grad
    )


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape("ones", shape), dtype=_float(dtype)), requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """``shape`` filled with ``fill_value``; without ``dtype`` the value's kind decides, as in
    ``torch.full``: a float gives float32, an int int64, a bool bool (NumPy scalars alike)."""
    if isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    if dtype is not None:
        _check_integer_fill(fill_value, np.dtype(dtype))
    values = _float32_by_default(np.full(_shape("full", shape), fill_value, dtype=dtype), dtype)
    return Tensor(values, requires_grad=requires_grad)


def _check_integer_fill(fill_value, dtype: np.dtype, op: str = "full") -> None:
    """Refuse a float outside an integer ``dtype``'s range (nan and inf included), as PyTorch
    does; inside it the float is truncated. NumPy filled with garbage (nan as int64 -2**63,
    -3.7 as uint8 253)."""
    if dtype.kind not in "iu" or not isinstance(fill_value, float):
        return
    info = np.iinfo(dtype)
    if not info.min <= fill_value <= info.max:  # False for nan
        raise ValueRangeError(f"{op}: fill_value {fill_value!r} does not fit in {dtype}")


def zeros_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return Tensor(np.zeros_like(data, dtype=dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return Tensor(np.ones_like(data, dtype=dtype), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop), or [0, start) when ``stop`` is omitted, as
    ``torch.arange``; integers stay int64, floats become float32."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueRangeError("arange: step must be nonzero")
    if (stop - start) * step < 0:  # NumPy returns an empty tensor, PyTorch refuses
        raise ValueRangeError(
            f"arange: cannot go from {start} to {stop} with step {step}, which points the other way"
        )
    values = np.arange(start, stop, step)
    return Tensor(_float32_by_default(values, dtype), dtype=dtype, requires_grad=requires_grad)


def rand(*shape, dtype=None, requires_grad: bool = False, seed=None, generator=None) -> Tensor:
    """Uniform samples in [0, 1)."""
    sample_dtype = _random_float("rand", dtype)
    rng = resolve_generator(seed, generator)
    values = rng.random(_shape("rand", shape), dtype=np.float64).astype(sample_dtype)
    return Tensor(values, requires_grad=requires_grad)


def randn(*shape, dtype=None, requires_grad: bool = False, seed=None, generator=None) -> Tensor:
    """Standard normal samples."""
    sample_dtype = _random_float("randn", dtype)
    rng = resolve_generator(seed, generator)
    values = rng.standard_normal(_shape("randn", shape)).astype(sample_dtype)
    return Tensor(values, requires_grad=requires_grad)


def eye(n: int, m=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The ``n x m`` identity matrix (ones on the diagonal; ``m`` defaults to ``n``)."""
    m = n if m is None else m
    rows, cols = _shape("eye", (n, m))
    return Tensor(np.eye(rows, cols, dtype=_float(dtype)), requires_grad=requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32 unless
    ``dtype`` says otherwise; an integer dtype truncates, as ``torch.linspace``)."""
    (count,) = _shape("linspace", (steps,))
    values = np.linspace(start, end, count, dtype=np.float64)
    return Tensor(values.astype(_float(dtype)), requires_grad=requires_grad)


def randint(
    *args,
    low=None,
    high=None,
    size=None,
    dtype=None,
    requires_grad: bool = False,
    seed=None,
    generator=None,
) -> Tensor:
    """Uniform integers in ``[low, high)`` of shape ``size`` (int64 unless ``dtype`` says
    otherwise): ``randint(high, size)`` with ``low`` 0, or ``randint(low, high, size)``."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint: give the size, e.g. randint(10, (3,))")
        size = args.pop()
    bounds = args + [b for b in (low, high) if b is not None]
    if len(bounds) == 1:
        low, high = 0, bounds[0]
    elif len(bounds) == 2:
        low, high = bounds
    else:
        raise TypeError(f"randint: give high, or low and high, then size; got {len(bounds)} bounds")
    if isinstance(size, (int, np.integer)):
        raise TypeError(f"randint: size must be a tuple of ints, got {size!r}")
    if not low < high:
        raise ValueRangeError(f"randint: low ({low}) must be less than high ({high})")
    rng = resolve_generator(seed, generator)
    values = rng.integers(low, high, _shape("randint", tuple(size)), dtype=np.int64)
    return Tensor(values, dtype=np.int64 if dtype is None else dtype, requires_grad=requires_grad)


def randperm(n: int, dtype=None, requires_grad: bool = False, seed=None, generator=None) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise)."""
    (count,) = _shape("randperm", (n,))
    values = resolve_generator(seed, generator).permutation(count)
    return Tensor(values, dtype=np.int64 if dtype is None else dtype, requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of t's shape and dtype (unless ``dtype`` is given) filled with ``fill_value``;
    a float into an integer dtype truncates, as ``torch.full_like``."""
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    dtype = np.dtype(data.dtype if dtype is None else dtype)
    if isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    _check_integer_fill(fill_value, dtype, "full_like")
    return Tensor(np.full(data.shape, fill_value, dtype=dtype), requires_grad=requires_grad)


def empty(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are not to be relied on (zeros here, so runs stay reproducible)."""
    return Tensor(
        np.zeros(_shape("empty", shape), dtype=_float(dtype)), requires_grad=requires_grad
    )


def empty_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    """``empty`` with t's shape and dtype (unless ``dtype`` is given)."""
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad)
