"""``as_tensor`` and ``from_numpy`` share memory with NumPy arrays, as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import DTypeError


def test_from_numpy_shares_memory_and_keeps_dtype():
    array = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = cr.from_numpy(array)
    assert t.dtype == np.float64 and np.shares_memory(t.data, array)
    array[0, 0] = 42.0
    assert t.data[0, 0] == 42.0


def test_from_numpy_refuses_non_arrays_and_non_numeric_dtypes():
    with pytest.raises(TypeError, match="from_numpy"):
        cr.from_numpy([1.0, 2.0])
    with pytest.raises(DTypeError, match="from_numpy"):
        cr.from_numpy(np.array(["a", "b"]))


def test_as_tensor_shares_when_no_cast_is_needed_and_copies_otherwise():
    array = np.ones((2, 2), np.float32)
    assert np.shares_memory(cr.as_tensor(array).data, array)
    assert np.shares_memory(cr.as_tensor(array, dtype=np.float32).data, array)
    cast = cr.as_tensor(array, dtype=np.float64)
    assert cast.dtype == np.float64 and not np.shares_memory(cast.data, array)
    from_list = cr.as_tensor([[1.0, 2.0]])
    assert from_list.dtype == np.float32  # the same rules as cr.tensor for Python data
    with pytest.raises(DTypeError):
        cr.as_tensor(np.array(["x"]))
