"""Errors NumPy raises inside an op's forward come out naming the op, with the right class."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ShapeError


def test_a_value_error_that_is_not_about_shapes_is_not_called_a_shape_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="negative integer powers"):
        torch.tensor([1, 2]) ** -1  # torch refuses it too
    with pytest.raises(ValueError, match=r"^Pow: Integers to negative integer powers") as info:
        cr.tensor(np.array([1, 2])) ** -1
    assert not isinstance(info.value, ShapeError)  # it used to be reported as one


def test_a_dtype_refused_by_numpy_names_the_op():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="bool tensor is not supported"):
        -torch.tensor([True])
    with pytest.raises(TypeError, match=r"^Neg: .* \(input dtypes bool\)"):
        -cr.tensor(np.array([True]))  # it used to be NumPy's message alone


def test_a_broadcasting_error_is_still_a_shape_error_naming_the_op():
    with pytest.raises(ShapeError, match=r"^Add: .*input shapes \(3,\) and \(2,\)"):
        cr.tensor(np.ones(3)) + cr.tensor(np.ones(2))
