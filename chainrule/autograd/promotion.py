"""PyTorch's result dtype where NumPy's promotion would make float64.

NumPy makes float64 from integers or booleans with a Python float, from integer true
division, from int32/int64 with float32, and lets a 0-d float64 upcast a float32 array.
PyTorch takes the floating dtype of the operands that have dimensions, else of the 0-d
ones, else its default float32. ``Function.apply`` calls ``torch_float`` for the ops that
declare ``torch_promotion`` (the binary arithmetic, maximum/minimum, clip, where, matmul,
linear, mean, var and std), only when NumPy returned float64: float32 work pays one dtype
test per op. A float function of one input (exp, log, sqrt, tanh, sigmoid, softmax,
log_softmax, logsumexp) calls ``float32_if_integer`` on its input instead: for booleans,
int8 and uint8 NumPy makes float16, not float64, which a cast afterwards cannot repair.
"""

from __future__ import annotations

import numpy as np

FLOAT64 = np.dtype(np.float64)


def torch_float(out: np.ndarray, operands) -> np.ndarray:
    """``out`` (float64) in the dtype PyTorch would give an op on ``operands``. A result of
    Python numbers alone (a constant: no array among the operands) stays float64, as NumPy's."""
    arrays = [x for x in operands if isinstance(x, np.ndarray)]
    if not arrays:
        return out
    floats = [x for x in arrays if x.dtype.kind == "f"]
    chosen = [x.dtype for x in floats if x.ndim] or [x.dtype for x in floats] or [np.float32]
    dtype = np.result_type(*chosen)
    return out if dtype == FLOAT64 else out.astype(dtype)


def float32_if_integer(x):
    """``x``, or for an integer or boolean array ``x`` as float32 (PyTorch's result dtype), before
    a float function of it: NumPy's ``exp`` of bool, int8 or uint8 is float16 (exp(int8 100)
    overflows), an unsigned ``x - max`` wraps around and boolean ``-`` is refused."""
    return x.astype(np.float32) if isinstance(x, np.ndarray) and x.dtype.kind in "biu" else x
