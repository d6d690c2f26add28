"""Elementwise arithmetic and maths ops, with NumPy broadcasting.

Each op's ``backward`` reduces its gradients to the inputs' own shapes with ``sum_to``;
each ``jvp`` (forward mode) returns a tangent broadcastable to the output's shape.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.broadcast import shape_of, sum_to
from chainrule.autograd.function import Function, sum_tangents
from chainrule.autograd.promotion import float32_if_integer


class Add(Function):
    """``a + b``.  d/da = 1, d/db = 1."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (shape_of(a), shape_of(b))
        return a + b

    @staticmethod
    def backward(ctx, grad_output):
        shape_a, shape_b = ctx.shapes
        grad_a = sum_to(grad_output, shape_a) if ctx.needs_input_grad[0] else None
        grad_b = sum_to(grad_output, shape_b) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        return sum_tangents(ta, tb)


class Sub(Function):
    """``a - b``.  d/da = 1, d/db = -1."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (shape_of(a), shape_of(b))
        return a - b

    @staticmethod
    def backward(ctx, grad_output):
        shape_a, shape_b = ctx.shapes
        grad_a = sum_to(grad_output, shape_a) if ctx.needs_input_grad[0] else None
        grad_b = -sum_to(grad_output, shape_b) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        return sum_tangents(ta, None if tb is None else -tb)


class Mul(Function):
    """Elementwise product ``a * b``.  d/da = b, d/db = a."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = sum_to(grad_output * b, shape_of(a)) if ctx.needs_input_grad[0] else None
        grad_b = sum_to(grad_output * a, shape_of(b)) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return sum_tangents(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    """Elementwise quotient ``a / b``.  d/da = 1 / b, d/db = -a / b**2."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = sum_to(grad_output / b, shape_of(a)) if ctx.needs_input_grad[0] else None
        grad_b = (
            sum_to(-grad_output * a / (b * b), shape_of(b)) if ctx.needs_input_grad[1] else None
        )
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return sum_tangents(
            None if ta is None else ta / b, None if tb is None else -tb * a / (b * b)
        )


class Neg(Function):
    """``-x``.  d/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output

    @staticmethod
    def jvp(ctx, tx):
        return -tx


class Pow(Function):
    """``a ** b``.  d/da = b * a**(b-1) (0 where b == 0), d/db = a**b * log(a) (0 where a == 0)."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        y = a**b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        a, b, y = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to(grad_output * _power_rule(a, b), shape_of(a))
        if ctx.needs_input_grad[1]:
            grad_b = sum_to(grad_output * y * _log_or_zero(a), shape_of(b))
        return grad_a, grad_b

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b, y = ctx.saved_tensors
        return sum_tangents(
            None if ta is None else ta * _power_rule(a, b),
            None if tb is None else tb * y * _log_or_zero(a),
        )


def _power_rule(a, b):
    """b * a**(b-1), and 0 where b == 0 (d/da a**0 = 0 even at a = 0, as in PyTorch)."""
    if np.ndim(b) == 0 and b != 0:
        return b * a ** (b - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(b) == 0, 0, b * a ** (b - 1))


def _log_or_zero(a):
    """log(a) where a != 0, and 0 at a == 0 (the limit of a**b * log(a) for b > 0).

    A Python-scalar base (``2.0 ** x``) gives a Python float, which keeps x's float32.
    """
    if isinstance(a, (int, float)):
        return float(np.log(a)) if a != 0 else 0.0
    a = np.asarray(a)
    out = np.zeros_like(a, dtype=np.result_type(a, np.float32))
    np.log(a, out=out, where=a != 0)
    return out


class Exp(Function):
    """``exp(x)``.  d/dx = exp(x), taken from the saved output."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(float32_if_integer(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx * y


class Log(Function):
    """Natural logarithm ``log(x)`` for x > 0.  d/dx = 1 / x."""

    @staticmethod
    def forward(ctx, x):
        x = float32_if_integer(x)
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / x

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx / x


class Sqrt(Function):
    """``sqrt(x)`` for x >= 0.  d/dx = 1 / (2 sqrt(x)), from the saved output."""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(float32_if_integer(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output / (2 * y)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx / (2 * y)


class Abs(Function):
    """``|x|``.  d/dx = sign(x); the subgradient at 0 is 0 (as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.sign(x)

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * np.sign(x)


class Clip(Function):
    """``x`` limited to ``[low, high]`` (either may be None, or an array broadcast with x).

    d/dx = 1 inside the interval, boundaries included (as PyTorch's clamp), 0 outside.
    """

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, x, low=None, high=None):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return sum_to(grad_output * _inside(x, ctx.low, ctx.high), shape_of(x))

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * _inside(x, ctx.low, ctx.high)


def _inside(x, low, high):
    """True where ``low <= x <= high``, in the shape of x broadcast with array bounds."""
    above = np.ones(shape_of(x), dtype=bool) if low is None else x >= low
    return above if high is None else above & (x <= high)


class Maximum(Function):
    """Elementwise ``max(a, b)``.  The larger input gets the gradient; ties split it in half."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return _pick_backward(ctx, grad_output, a, b, np.greater)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return _pick_jvp(ta, tb, a, b, np.greater)


class Minimum(Function):
    """Elementwise ``min(a, b)``.  The smaller input gets the gradient; ties split it in half."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return _pick_backward(ctx, grad_output, a, b, np.less)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return _pick_jvp(ta, tb, a, b, np.less)


def _pick_weights(a, b, wins):
    """Shares of the gradient for ``a`` and ``b``: 1 to the input that wins, 0 to the one that
    loses, 1/2 each on ties. Where a NaN makes every comparison false (the result is NaN) both
    get 1, as in PyTorch, whose rule is "all of it unless the input lost"."""
    dtype = np.result_type(a, b)
    half_tie = 0.5 * (a == b)
    weight_a = (1 - wins(b, a) - half_tie).astype(dtype, copy=False)
    weight_b = (1 - wins(a, b) - half_tie).astype(dtype, copy=False)
    return weight_a, weight_b


def _pick_backward(ctx, grad_output, a, b, wins):
    weight_a, weight_b = _pick_weights(a, b, wins)
    grad_a = sum_to(grad_output * weight_a, shape_of(a)) if ctx.needs_input_grad[0] else None
    grad_b = sum_to(grad_output * weight_b, shape_of(b)) if ctx.needs_input_grad[1] else None
    return grad_a, grad_b


def _pick_jvp(ta, tb, a, b, wins):
    weight_a, weight_b = _pick_weights(a, b, wins)
    return sum_tangents(
        None if ta is None else ta * weight_a, None if tb is None else tb * weight_b
    )


class Where(Function):
    """``a`` where ``condition`` holds, else ``b``.  The condition gets no gradient."""

    torch_promotion = True  # NumPy's float64 from ints or a 0-d operand: PyTorch's dtype

    @staticmethod
    def forward(ctx, condition, a, b):
        condition = np.asarray(condition, dtype=bool)
        ctx.save_for_backward(condition)
        ctx.shapes = (shape_of(a), shape_of(b))
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad_output):
        (condition,) = ctx.saved_tensors
        shape_a, shape_b = ctx.shapes
        zero = np.zeros((), dtype=grad_output.dtype)
        grad_a = (
            sum_to(np.where(condition, grad_output, zero), shape_a)
            if ctx.needs_input_grad[1]
            else None
        )
        grad_b = (
            sum_to(np.where(condition, zero, grad_output), shape_b)
            if ctx.needs_input_grad[2]
            else None
        )
        return None, grad_a, grad_b

    @staticmethod
    def jvp(ctx, tc, ta, tb):
        (condition,) = ctx.saved_tensors
        return sum_tangents(
            None if ta is None else np.where(condition, ta, 0),
            None if tb is None else np.where(condition, 0, tb),
        )


class Cast(Function):
    """A copy of ``x`` as ``dtype``; the gradient is cast back to the input's dtype."""

    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.in_dtype = x.dtype
        ctx.dtype = np.dtype(dtype)
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.astype(ctx.in_dtype)

    @staticmethod
    def jvp(ctx, tx):
        return tx.astype(ctx.dtype)


class Log1p(Function):
    """``log(1 + x)`` for x > -1, accurate for small x.  d/dx = 1 / (1 + x)."""

    @staticmethod
    def forward(ctx, x):
        x = float32_if_integer(x)
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x)

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx / (1 + x)


class Expm1(Function):
    """``exp(x) - 1``, accurate for small x.  d/dx = exp(x) = y + 1, from the saved output."""

    @staticmethod
    def forward(ctx, x):
        y = np.expm1(float32_if_integer(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (y + 1)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx * (y + 1)


class Sin(Function):
    """``sin(x)``.  d/dx = cos(x)."""

    @staticmethod
    def forward(ctx, x):
        x = float32_if_integer(x)
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.cos(x)

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * np.cos(x)


class Cos(Function):
    """``cos(x)``.  d/dx = -sin(x)."""

    @staticmethod
    def forward(ctx, x):
        x = float32_if_integer(x)
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * np.sin(x)

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return -tx * np.sin(x)


class Square(Function):
    """``x * x``.  d/dx = 2 x. Integers stay integers and booleans become int64, as in PyTorch."""

    @staticmethod
    def forward(ctx, x):
        if isinstance(x, np.ndarray) and x.dtype == np.bool_:
            x = x.astype(np.int64)
        ctx.save_for_backward(x)
        return np.square(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * 2 * x


class Rsqrt(Function):
    """``1 / sqrt(x)`` for x > 0 (inf at 0).  d/dx = -y**3 / 2, from the saved output."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):  # rsqrt(0) = inf, as PyTorch, without a warning
            y = 1 / np.sqrt(float32_if_integer(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (-0.5 * y * y * y)

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return tx * (-0.5 * y * y * y)


class _PiecewiseConstant(Function):
    """Base of ops whose value is constant between jumps (sign, rounding): gradient and
    tangent 0 everywhere, PyTorch's choice at the jumps too."""

    @staticmethod
    def backward(ctx, grad_output):
        return np.zeros_like(grad_output)

    @staticmethod
    def jvp(ctx, tx):
        return np.zeros_like(tx)


class Sign(_PiecewiseConstant):
    """``sign(x)``: -1, 0 or 1 in x's dtype (0 for NaN, as PyTorch; booleans stay as they are).

    d/dx = 0 everywhere, the step's derivative away from 0 and PyTorch's choice at 0."""

    @staticmethod
    def forward(ctx, x):
        if isinstance(x, np.ndarray) and x.dtype == np.bool_:
            return x.copy()
        y = np.sign(x)
        return np.where(np.isnan(y), 0, y).astype(y.dtype, copy=False) if y.dtype.kind == "f" else y
