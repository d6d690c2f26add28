"""Numerically safe building blocks shared by the activation, reduction and loss ops."""

from __future__ import annotations

import numpy as np

# log of the smallest normal number per float dtype: exp() below it underflows
_EXP_FLOOR = {
    np.dtype(t): float(np.log(np.finfo(t).tiny)) for t in (np.float16, np.float32, np.float64)
}


def safe_exp(z: np.ndarray) -> np.ndarray:
    """``exp(z)`` for ``z <= 0`` that never raises or warns on underflow.

    Under NumPy's default error state underflow is ignored, and this is one ``exp``. When
    underflow is reported (``np.errstate(under='raise')``, 'warn', ...), entries below
    log(smallest normal number) of the dtype are left at 0 rather than computed (their true
    value is below the dtype's normal range): one ``min`` and one ``exp`` when none is that small.
    """
    z = np.asarray(z)
    if np.geterr()["under"] == "ignore":
        return np.exp(z)
    floor = _EXP_FLOOR.get(z.dtype, -700.0)
    if z.size and z.min() > floor:
        return np.exp(z)
    out = np.zeros_like(z)
    np.exp(z, out=out, where=z > floor)
    return out


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow or underflow for any x; keeps x's dtype.

    With ``e = exp(-|x|)`` in (0, 1]: sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) else.
    """
    x = np.asarray(x)
    if x.ndim == 0:  # ufuncs return scalars for 0-d input, and scalars cannot be written into
        return stable_sigmoid(x.reshape(1)).reshape(())
    e = safe_exp(np.negative(np.abs(x)))
    s = np.add(e, 1)
    np.reciprocal(s, out=s)  # sigmoid(|x|)
    np.multiply(e, s, out=e)  # sigmoid(-|x|)
    np.copyto(e, s, where=x >= 0)
    return e


def max_kept(x: np.ndarray, axis) -> np.ndarray:
    """``x.max(axis, keepdims=True)``, the shift of softmax and logsumexp.

    Over an empty axis, where NumPy's max raises, it is -inf (the identity of max), so that
    softmax of nothing is empty and logsumexp of nothing is log(0) = -inf, as in PyTorch.
    """
    if x.size:
        return x.max(axis=axis, keepdims=True)
    kept_shape = np.sum(x, axis=axis, keepdims=True).shape
    return np.full(kept_shape, -np.inf, dtype=x.dtype if x.dtype.kind == "f" else np.float64)


def log_softmax_array(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``x - log(sum(exp(x)))`` along ``axis``, shifted by the max: finite for any finite x."""
    shifted = x - max_kept(x, axis)
    return shifted - np.log(safe_exp(shifted).sum(axis=axis, keepdims=True))
