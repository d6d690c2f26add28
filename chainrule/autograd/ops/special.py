"""More elementwise maths: trigonometric and hyperbolic functions and their inverses, erf and
erfc, ``atan2``, and rounding (floor, ceil, round, trunc), with PyTorch's derivatives.

A smooth unary op is written as its function and its derivative, both of the input
(``_Smooth``); the backward multiplies the gradient by the derivative, the forward mode the
tangent. Rounding is piecewise constant: its gradient is 0 everywhere, as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.broadcast import shape_of, sum_to
from chainrule.autograd.function import Function, sum_tangents
from chainrule.autograd.ops.elementwise import _PiecewiseConstant
from chainrule.autograd.ops.numerics import erf, erfc
from chainrule.autograd.promotion import float32_if_integer

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class _Smooth(Function):
    """An elementwise op given by ``function(x)`` and ``derivative(x)`` (NumPy, x's dtype)."""

    function = None
    derivative = None

    @classmethod
    def forward(cls, ctx, x):
        x = float32_if_integer(x)
        ctx.save_for_backward(x)
        return cls.function(x)

    @classmethod
    def backward(cls, ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * cls.derivative(x)

    @classmethod
    def jvp(cls, ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * cls.derivative(x)


class Tan(_Smooth):
    """``tan(x)``.  d/dx = 1 + tan(x)**2."""

    function = staticmethod(np.tan)
    derivative = staticmethod(lambda x: 1 + np.square(np.tan(x)))


class Asin(_Smooth):
    """``asin(x)`` for |x| <= 1.  d/dx = 1 / sqrt(1 - x**2)."""

    function = staticmethod(np.arcsin)
    derivative = staticmethod(lambda x: 1 / np.sqrt(1 - x * x))


class Acos(_Smooth):
    """``acos(x)`` for |x| <= 1.  d/dx = -1 / sqrt(1 - x**2)."""

    function = staticmethod(np.arccos)
    derivative = staticmethod(lambda x: -1 / np.sqrt(1 - x * x))


class Atan(_Smooth):
    """``atan(x)``.  d/dx = 1 / (1 + x**2)."""

    function = staticmethod(np.arctan)
    derivative = staticmethod(lambda x: 1 / (1 + x * x))


class Sinh(_Smooth):
    """``sinh(x)``.  d/dx = cosh(x)."""

    function = staticmethod(np.sinh)
    derivative = staticmethod(np.cosh)


class Cosh(_Smooth):
    """``cosh(x)``.  d/dx = sinh(x)."""

    function = staticmethod(np.cosh)
    derivative = staticmethod(np.sinh)


class Asinh(_Smooth):
    """``asinh(x)``.  d/dx = 1 / sqrt(x**2 + 1)."""

    function = staticmethod(np.arcsinh)
    derivative = staticmethod(lambda x: 1 / np.sqrt(x * x + 1))


class Acosh(_Smooth):
    """``acosh(x)`` for x >= 1.  d/dx = 1 / sqrt(x**2 - 1)."""

    function = staticmethod(np.arccosh)
    derivative = staticmethod(lambda x: 1 / np.sqrt(x * x - 1))


class Atanh(_Smooth):
    """``atanh(x)`` for |x| < 1.  d/dx = 1 / (1 - x**2)."""

    function = staticmethod(np.arctanh)
    derivative = staticmethod(lambda x: 1 / (1 - x * x))


class Erf(_Smooth):
    """``erf(x)``.  d/dx = 2 / sqrt(pi) exp(-x**2)."""

    function = staticmethod(erf)
    derivative = staticmethod(lambda x: _TWO_OVER_SQRT_PI * np.exp(-x * x))


class Erfc(_Smooth):
    """``erfc(x) = 1 - erf(x)``, exact in the far tail.  d/dx = -2 / sqrt(pi) exp(-x**2)."""

    function = staticmethod(erfc)
    derivative = staticmethod(lambda x: -_TWO_OVER_SQRT_PI * np.exp(-x * x))


class Atan2(Function):
    """``atan2(a, b)``, the angle of the point (b, a).  d/da = b / (a**2 + b**2),
    d/db = -a / (a**2 + b**2)."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        a, b = float32_if_integer(a), float32_if_integer(b)
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def _partials(ctx):
        a, b = ctx.saved_tensors
        radius2 = a * a + b * b
        return b / radius2, -a / radius2

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        da, db = Atan2._partials(ctx)
        grad_a = sum_to(grad_output * da, shape_of(a)) if ctx.needs_input_grad[0] else None
        grad_b = sum_to(grad_output * db, shape_of(b)) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        da, db = Atan2._partials(ctx)
        return sum_tangents(None if ta is None else ta * da, None if tb is None else tb * db)


_ROUNDINGS = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc}


class Rounding(_PiecewiseConstant):
    """``floor``, ``ceil``, ``trunc`` or ``round`` (half to even, to ``decimals`` places, as
    PyTorch), by ``mode``. Piecewise constant: the gradient is 0. Integers stay integers."""

    @staticmethod
    def forward(ctx, x, mode="floor", decimals=0):
        x = np.asarray(x)
        if x.dtype.kind in "iub":
            return x.copy()
        if mode == "round":
            return np.round(x, decimals)
        return _ROUNDINGS[mode](x)


class Remainder(Function):
    """``fmod(a, b)`` (the sign of a, C's) or, with ``floored``, ``remainder(a, b)`` (the sign
    of b, Python's %): ``a - q b`` with ``q`` = trunc or floor of a / b. As PyTorch, d/da = 1
    and d/db = -q (q is piecewise constant)."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b, floored=False):
        ctx.shapes = (shape_of(a), shape_of(b))
        ctx.save_for_backward(a, b)
        ctx.floored = floored
        return np.remainder(a, b) if floored else np.fmod(a, b)

    @staticmethod
    def _quotient(ctx):
        a, b = ctx.saved_tensors
        return (np.floor if ctx.floored else np.trunc)(np.divide(a, b))

    @staticmethod
    def backward(ctx, grad_output):
        shape_a, shape_b = ctx.shapes
        grad_a = sum_to(grad_output, shape_a) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            grad_b = sum_to(-grad_output * Remainder._quotient(ctx), shape_b)
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        return sum_tangents(ta, None if tb is None else -tb * Remainder._quotient(ctx))
