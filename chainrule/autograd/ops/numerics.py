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


# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
# (1969) 631-637: erf(x) = x R_a(x**2) for |x| <= 0.5; erfc(x) = exp(-x**2) R_c(x) on [0.5, 4];
# erfc(x) = exp(-x**2) / x (1/sqrt(pi) + R_p(1/x**2) / x**2) beyond 4. The coefficients are
# those of the double-precision (about 18 digits) approximations, each R a ratio of polynomials
# whose denominator's leading coefficient is 1; listed from the highest power down.
_ERF_A = (
    1.85777706184603153e-1,
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
)
_ERF_B = (
    1.0,
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_ERFC_C = (
    2.15311535474403846e-8,
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
)
_ERFC_D = (
    1.0,
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERFC_P = (
    1.63153871373020978e-2,
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
)
_ERFC_Q = (
    1.0,
    2.56852019228982242e00,
    1.87295284992346725e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_ERF_SMALL = 0.46875  # Cody's split between the two first intervals
_ERFC_ZERO = 27.3  # erfc(x) rounds to 0 in float64 beyond this (erfc(27.3) < 5e-324 / 2)


def _ratio(numerator, denominator, z: np.ndarray) -> np.ndarray:
    """``numerator(z) / denominator(z)`` by Horner's rule; coefficients from the highest power."""
    top = np.full_like(z, numerator[0])
    bottom = np.full_like(z, denominator[0])
    for a in numerator[1:]:
        top = top * z + a
    for b in denominator[1:]:
        bottom = bottom * z + b
    return top / bottom


def _erf_pieces(x: np.ndarray):
    """float64 ``x``, erf where |x| <= 0.46875, erfc(|x|) elsewhere, and that mask."""
    y = np.abs(x)
    small = y <= _ERF_SMALL
    near = np.minimum(y, _ERF_SMALL)
    erf_small = x * _ratio(_ERF_A, _ERF_B, near * near)
    far = np.clip(y, _ERF_SMALL, _ERFC_ZERO)  # no overflow of 1/x**2 and exp for huge |x|
    with np.errstate(under="ignore", divide="ignore", invalid="ignore"):
        middle = _ratio(_ERFC_C, _ERFC_D, far)
        inv_sq = 1.0 / (far * far)
        tail = (0.5641895835477562869 - inv_sq * _ratio(_ERFC_P, _ERFC_Q, inv_sq)) / far
        rational = np.where(far <= 4.0, middle, tail)
        # exp(-x**2) as exp(-r**2) exp(-(x - r)(x + r)) with r = x rounded down to 1/16:
        # r**2 is exact, so the rounding error of x**2 is not magnified by exp
        r = np.floor(far * 16.0) / 16.0
        erfc_abs = np.exp(-r * r) * np.exp(-(far - r) * (far + r)) * rational
    erfc_abs = np.where(y >= _ERFC_ZERO, 0.0, erfc_abs)
    return erf_small, erfc_abs, small


def erf(x: np.ndarray) -> np.ndarray:
    """The error function ``2/sqrt(pi) int_0^x exp(-t**2) dt``, vectorised (NumPy has none);
    accurate to float64 rounding, in x's floating dtype (float32 for integers)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    wide = x.astype(np.float64)
    erf_small, erfc_abs, small = _erf_pieces(wide)
    far = np.copysign(1.0 - erfc_abs, wide)
    return np.asarray(np.where(small, erf_small, far), dtype=dtype)


def erfc(x: np.ndarray) -> np.ndarray:
    """``1 - erf(x)`` without the cancellation for large x (e.g. erfc(10) = 2.1e-45, not 0);
    in x's floating dtype (float32 for integers)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    wide = x.astype(np.float64)
    erf_small, erfc_abs, small = _erf_pieces(wide)
    far = np.where(wide < 0, 2.0 - erfc_abs, erfc_abs)
    return np.asarray(np.where(small, 1.0 - erf_small, far), dtype=dtype)
