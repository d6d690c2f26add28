"""Numerically safe building blocks shared by the activation, reduction and loss ops."""

from __future__ import annotations

import numpy as np


def safe_exp(z: np.ndarray) -> np.ndarray:
    """``exp(z)`` for ``z <= 0``: exact zeros instead of raising or warning on underflow.

    Entries below log(smallest normal number) of the dtype are left at 0 rather than computed:
    their true value is below the dtype's normal range, and computing them would set NumPy's
    underflow flag (an error under ``np.errstate(all='raise')``).
    """
    z = np.asarray(z)
    floor = np.log(np.finfo(z.dtype).tiny) if np.issubdtype(z.dtype, np.floating) else -700.0
    out = np.zeros_like(z)
    np.exp(z, out=out, where=z > floor)
    return out


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow or underflow for any x; keeps x's dtype."""
    e = safe_exp(-np.abs(x))  # in (0, 1]: exp(-|x|) never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def log_softmax_array(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``x - log(sum(exp(x)))`` along ``axis``, shifted by the max: finite for any finite x."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(safe_exp(shifted).sum(axis=axis, keepdims=True))
