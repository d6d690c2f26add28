"""``add_scaled_(y, x, alpha)``: ``y += alpha * x`` in place, in one pass over memory.

NumPy has no fused multiply-add of two arrays: ``y -= lr * x`` writes a temporary as large as
the parameter and reads it back. BLAS's ``axpy`` (``y <- alpha x + y``) does it in one pass,
which is what PyTorch's ``param.add_(grad, alpha=-lr)`` does too; for the MLP's 784x256 weight
that is about half the time of the temporary (``benchmarks/NOTES.md``, change 23).

The BLAS is NumPy's own: the OpenBLAS that NumPy's Linux wheels bundle in ``numpy.libs``
(64-bit integers, symbols ``scipy_cblas_saxpy64_`` / ``scipy_cblas_daxpy64_``), loaded with
ctypes — the library NumPy has already loaded, so its thread limits apply. Where that library
is not there (another NumPy build or platform), or for arrays that are small, not contiguous,
read-only, of another dtype or shape, the NumPy expression is used: the same values up to rounding
(axpy may fuse the multiply and add, a difference of at most one unit in the last place).
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

# Below this many elements the ctypes call and its checks (~2 µs) cost about as much as NumPy's
# temporary: break-even near 32k float32 elements on the benchmark machine when they took
# ~4 µs, and axpy from 16k elements on gained nothing in the training loop (benchmarks/NOTES.md).
MIN_SIZE = 65536

_KINDS = ((np.float32, "s", ctypes.c_float), (np.float64, "d", ctypes.c_double))
_INT, _POINTER = ctypes.c_int64, ctypes.c_void_p


def _load_axpy() -> tuple[str | None, dict]:
    """The OpenBLAS bundled with NumPy and, per dtype, its axpy; (None, {}) if there is none."""
    pattern = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas64_*")
    for path in sorted(glob.glob(pattern)):
        try:
            library = ctypes.CDLL(path)
            functions = {}
            for dtype, letter, scalar in _KINDS:
                function = getattr(library, f"scipy_cblas_{letter}axpy64_")
                function.restype = None
                # n, alpha, x, incx, y, incy
                function.argtypes = [_INT, scalar, _POINTER, _INT, _POINTER, _INT]
                functions[np.dtype(dtype)] = function
            return os.path.realpath(path), functions
        except (OSError, AttributeError):  # not loadable, or not the symbols we know
            continue
    return None, {}


# The library add_scaled_ calls (None: NumPy's expression everywhere), and its axpy per dtype.
LIBRARY, _AXPY = _load_axpy()


def add_scaled_(y: np.ndarray, x: np.ndarray, alpha: float) -> None:
    """``y += alpha * x`` in place (y and x arrays of the same shape and float dtype)."""
    function = _AXPY.get(y.dtype) if y.size >= MIN_SIZE else None
    if (
        function is not None
        and x.dtype == y.dtype
        and x.shape == y.shape
        and not np.may_share_memory(x, y)
    ):
        try:
            x_address, y_address = _address(x), _address(y)
        except TypeError:  # not C-contiguous, or read-only: NumPy's expression below
            pass
        else:
            function(y.size, alpha, x_address, 1, y_address, 1)
            return
    y += alpha * x


def _address(array: np.ndarray) -> int:
    """Where ``array``'s data start; TypeError unless it is C-contiguous and writeable.

    A ctypes view of the buffer costs a third of ``array.ctypes.data`` (which builds a Python
    object per call) and checks both conditions on the way."""
    return ctypes.addressof(ctypes.c_char.from_buffer(array))
