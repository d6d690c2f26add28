"""``Tensor``: a NumPy array that remembers how it was computed.

A Tensor wraps ``data`` (a NumPy array). When it ``requires_grad`` and was made by an op,
``grad_fn`` is that op's graph node; ``backward()`` fills ``.grad`` of every leaf it depends
on. Operators and methods are thin wrappers over the ops in ``chainrule.autograd.ops``.
"""

from __future__ import annotations

import operator
import weakref

import numpy as np

from chainrule.autograd.grad_mode import state as _grad_state
from chainrule.errors import DTypeError, GraphError, ShapeError, ValueRangeError


class Tensor:
    """An n-dimensional array with an optional gradient and the graph node that produced it."""

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_version", "tangent", "__weakref__")
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray * Tensor -> Tensor
    __hash__ = object.__hash__  # == is elementwise, so identity hashing is restored explicitly

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        array = _as_array(data, dtype)
        self.data = array
        self.grad = None
        self.grad_fn = None
        self._version = [0]
        self.tangent = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(array: np.ndarray) -> Tensor:
        """A new leaf around ``array`` without copying or checking it (engine-internal)."""
        t = object.__new__(Tensor)
        t.data = array
        t.grad = None
        t.requires_grad = False
        t.grad_fn = None
        t._version = [0]
        t.tangent = None
        return t

    # ---- attributes -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements (NumPy's ``size``)."""
        return self.data.size

    def numel(self) -> int:
        """Number of elements (PyTorch's name)."""
        return self.data.size

    def dim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that recorded a node."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        """All axes reversed (NumPy's ``.T``); the usual transpose for a matrix."""
        return _ops.transpose(self)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ShapeError(f"item: only a one-element tensor has an item, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same data as a new leaf that requires no gradient (and the same version counter,
        so an in-place change through it is still caught by the graph)."""
        t = Tensor._wrap(self.data)
        t._version = self._version
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place; only floating tensors can require gradients."""
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise DTypeError(
                f"requires_grad: only floating-point tensors can require gradients, "
                f"got dtype {self.data.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise GraphError(
                "requires_grad_: a non-leaf tensor cannot stop requiring grad; detach()"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward() (a leaf that
        requires grad keeps it anyway); a tensor that requires no grad never gets one."""
        if not self.requires_grad:
            raise GraphError(
                "retain_grad: this tensor does not require grad, so backward() gives it no "
                "gradient to keep (was it made under cr.no_grad(), or from constants?)"
            )
        if self.grad_fn is not None:
            _hooks.hooks_of(self, "retain_grad").retained = weakref.ref(self)
        return self

    def register_hook(self, hook) -> _hooks.RemovableHandle:
        """Call ``hook(grad)`` each time backward computes this tensor's gradient (once per
        pass, summed over all paths); a returned Tensor replaces that gradient, for the inputs
        further back and for a leaf's ``.grad``. Returns a handle: ``handle.remove()``."""
        table = _hooks.hooks_of(self, "register_hook").pre
        return _hooks.add_hook(table, hook, "register_hook")

    def register_post_accumulate_grad_hook(self, hook) -> _hooks.RemovableHandle:
        """Call ``hook(tensor)`` after backward has updated this leaf's ``.grad`` (e.g. to step
        an optimiser per parameter during backward). Returns a handle: ``handle.remove()``."""
        if self.grad_fn is not None:
            raise GraphError(
                "register_post_accumulate_grad_hook: only a leaf tensor accumulates a .grad; "
                "this one was computed by an op (use register_hook)"
            )
        table = _hooks.hooks_of(self, "register_post_accumulate_grad_hook").post
        return _hooks.add_hook(table, hook, "register_post_accumulate_grad_hook")

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        """The sub-tensors along the first axis (each differentiable, as ``t[i]``)."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor; use .item()")
        return (self[i] for i in range(len(self.data)))

    def __contains__(self, value) -> bool:
        """``value in t``: whether any element equals ``value`` (PyTorch's meaning)."""
        return bool(_compare("in", operator.eq, self, value).data.any())

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """The data for NumPy (``np.asarray(t)``), shared unless a copy or a dtype is asked."""
        return np.array(self.data, dtype=dtype, copy=copy)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.data.dtype != np.float32:
            extras.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if not np.issubdtype(self.data.dtype, np.integer):
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())

    # ---- the backward pass --------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires it.

        A non-scalar tensor needs ``gradient`` (same shape): the vector in the
        vector-Jacobian product. Saved arrays are freed unless ``retain_graph=True``.
        """
        gradient = _engine.seed(self, gradient, "backward", "gradient")
        _engine.run_backward(self, gradient, retain_graph)

    def zero_(self) -> Tensor:
        """Set every element to zero in place."""
        return self._in_place("zero_", lambda d: d.fill(0))

    def fill_(self, value) -> Tensor:
        return self._in_place("fill_", lambda d: d.fill(value))

    def copy_(self, src) -> Tensor:
        source = src.data if isinstance(src, Tensor) else np.asarray(src)
        return self._in_place("copy_", lambda d: np.copyto(d, source, casting="same_kind"), src)

    def add_(self, other, alpha=1) -> Tensor:
        value = other.data if isinstance(other, Tensor) else other
        return self._in_place(
            "add_",
            lambda d: np.add(d, value * alpha if alpha != 1 else value, out=d, casting="same_kind"),
            other,
        )

    def sub_(self, other) -> Tensor:
        value = other.data if isinstance(other, Tensor) else other
        return self._in_place(
            "sub_", lambda d: np.subtract(d, value, out=d, casting="same_kind"), other
        )

    def mul_(self, other) -> Tensor:
        value = other.data if isinstance(other, Tensor) else other
        return self._in_place(
            "mul_", lambda d: np.multiply(d, value, out=d, casting="same_kind"), other
        )

    def div_(self, other) -> Tensor:
        value = other.data if isinstance(other, Tensor) else other
        return self._in_place(
            "div_", lambda d: np.divide(d, value, out=d, casting="same_kind"), other
        )

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def _in_place(self, op: str, update, other=None) -> Tensor:
        """Apply ``update`` to the array in place and bump the version that saved arrays check.

        Under forward mode (``jvp``) a tensor carrying a tangent, or taking a value that carries
        one, is refused: in-place ops have no tangent rule, so the tangent would go stale."""
        if self.requires_grad and _grad_state.enabled:
            raise GraphError(
                f"{op}: in-place change of a tensor that requires grad would corrupt the graph; "
                "use an out-of-place op (x = x + y) or wrap the update in cr.no_grad()"
            )
        if self.tangent is not None or (isinstance(other, Tensor) and other.tangent is not None):
            raise GraphError(
                f"{op}: in-place change under forward mode (jvp) would leave the tangent stale; "
                "use an out-of-place op (y = y + x)"
            )
        try:
            update(self.data)
        except ValueError as exc:
            raise ShapeError(f"{op}: {exc} (tensor of shape {self.shape})") from None
        self._version[0] += 1
        return self

    # ---- operators --------------------------------------------------------------------------
    # They call the op's Function directly (one Python call less than ``cr.add``: hot path).
    def __add__(self, other):
        return _ops.Add.apply(self, other)

    def __radd__(self, other):
        return _ops.Add.apply(other, self)

    def __sub__(self, other):
        return _ops.Sub.apply(self, other)

    def __rsub__(self, other):
        return _ops.Sub.apply(other, self)

    def __mul__(self, other):
        return _ops.Mul.apply(self, other)

    def __rmul__(self, other):
        return _ops.Mul.apply(other, self)

    def __truediv__(self, other):
        return _ops.Div.apply(self, other)

    def __rtruediv__(self, other):
        return _ops.Div.apply(other, self)

    def __pow__(self, other):
        return _ops.Pow.apply(self, other)

    def __rpow__(self, other):
        return _ops.Pow.apply(other, self)

    def __matmul__(self, other):
        return _ops.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return _ops.MatMul.apply(other, self)

    def __neg__(self):
        return _ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # Comparisons give boolean tensors that carry no gradient.
    def __lt__(self, other):
        return _compare("<", operator.lt, self, other)

    def __le__(self, other):
        return _compare("<=", operator.le, self, other)

    def __gt__(self, other):
        return _compare(">", operator.gt, self, other)

    def __ge__(self, other):
        return _compare(">=", operator.ge, self, other)

    def __eq__(self, other):
        return _compare("==", operator.eq, self, other)

    def __ne__(self, other):
        return _compare("!=", operator.ne, self, other)

    # ---- methods ----------------------------------------------------------------------------
    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def abs(self):
        return _ops.abs(self)

    def tanh(self):
        return _ops.tanh(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def relu(self):
        return _ops.relu(self)

    def leaky_relu(self, negative_slope: float = 0.01):
        return _ops.leaky_relu(self, negative_slope)

    def clip(self, min=None, max=None):  # noqa: A002 - NumPy/PyTorch names
        return _ops.clip(self, min, max)

    clamp = clip

    def maximum(self, other):
        return _ops.maximum(self, other)

    def minimum(self, other):
        return _ops.minimum(self, other)

    # PyTorch's elementwise maths, reductions, predicates and aliases of the operators
    def log1p(self):
        return _ops.log1p(self)

    def expm1(self):
        return _ops.expm1(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def square(self):
        return _ops.square(self)

    def rsqrt(self):
        return _ops.rsqrt(self)

    def sign(self):
        return _ops.sign(self)

    def prod(self, dim=None, keepdim: bool = False):
        return _ops.prod(self, dim, keepdim)

    def cumsum(self, dim: int):
        return _ops.cumsum(self, dim)

    def amax(self, dim=(), keepdim: bool = False):
        return _ops.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim: bool = False):
        return _ops.amin(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim: bool = False):
        return _ops.norm(self, p, dim, keepdim)

    def all(self, dim=None, keepdim: bool = False):
        return _ops.all(self, dim, keepdim)

    def any(self, dim=None, keepdim: bool = False):
        return _ops.any(self, dim, keepdim)

    # ---- trigonometric, hyperbolic, error functions and rounding (ops/special.py) -----------
    def tan(self):
        return _ops.tan(self)

    def asin(self):
        return _ops.asin(self)

    def acos(self):
        return _ops.acos(self)

    def atan(self):
        return _ops.atan(self)

    def sinh(self):
        return _ops.sinh(self)

    def cosh(self):
        return _ops.cosh(self)

    def asinh(self):
        return _ops.asinh(self)

    def acosh(self):
        return _ops.acosh(self)

    def atanh(self):
        return _ops.atanh(self)

    def erf(self):
        return _ops.erf(self)

    def erfc(self):
        return _ops.erfc(self)

    def atan2(self, other):
        return _ops.atan2(self, other)

    def floor(self):
        return _ops.floor(self)

    def ceil(self):
        return _ops.ceil(self)

    def trunc(self):
        return _ops.trunc(self)

    def round(self, decimals: int = 0):
        return _ops.round(self, decimals)

    def frac(self):
        return _ops.frac(self)

    def clamp_min(self, min):  # noqa: A002 - PyTorch's name
        return _ops.clamp_min(self, min)

    def clamp_max(self, max):  # noqa: A002 - PyTorch's name
        return _ops.clamp_max(self, max)

    def lerp(self, end, weight):
        return _ops.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def nan_to_num(self, nan: float = 0.0, posinf=None, neginf=None):
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def logical_and(self, other):
        return _ops.logical_and(self, other)

    def logical_or(self, other):
        return _ops.logical_or(self, other)

    def logical_xor(self, other):
        return _ops.logical_xor(self, other)

    def logical_not(self):
        return _ops.logical_not(self)

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        return _ops.diff(self, n, dim, prepend, append)

    def nansum(self, dim=None, keepdim: bool = False):
        return _ops.nansum(self, dim, keepdim)

    def nanmean(self, dim=None, keepdim: bool = False):
        return _ops.nanmean(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return _ops.count_nonzero(self, dim)

    # ---- triangles, diagonals, products, rolls and views -----------------------------------
    def tril(self, diagonal: int = 0):
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0):
        return _ops.triu(self, diagonal)

    def diag(self, diagonal: int = 0):
        return _ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        return _ops.diagonal(self, offset, dim1, dim2)

    def trace(self):
        return _ops.trace(self)

    def outer(self, vec2):
        return _ops.outer(self, vec2)

    def bmm(self, other):
        return _ops.bmm(self, other)

    def mv(self, vec):
        return _ops.mv(self, vec)

    def roll(self, shifts, dims=None):
        return _ops.roll(self, shifts, dims)

    def movedim(self, source, destination):
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int):
        return _ops.swapaxes(self, axis0, axis1)

    swapdims = swapaxes

    def narrow(self, dim: int, start: int, length: int):
        return _ops.narrow(self, dim, start, length)

    def fmod(self, other):
        return _ops.fmod(self, other)

    def remainder(self, other):
        return _ops.remainder(self, other)

    def logit(self, eps=None):
        return _ops.logit(self, eps)

    def median(self, dim=None, keepdim: bool = False):
        return _ops.median(self, dim, keepdim)

    def isnan(self):
        return _ops.isnan(self)

    def isinf(self):
        return _ops.isinf(self)

    def isfinite(self):
        return _ops.isfinite(self)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def add(self, other, alpha=1):
        """``self + alpha * other``."""
        return _ops.Add.apply(self, _scaled("add", self, other, alpha))

    def sub(self, other, alpha=1):
        """``self - alpha * other``."""
        return _ops.Sub.apply(self, _scaled("sub", self, other, alpha))

    def mul(self, other):
        return _ops.Mul.apply(self, other)

    def div(self, other, rounding_mode=None):
        """True division ``self / other``; PyTorch's rounding modes are not supported."""
        if rounding_mode is not None:
            raise ValueRangeError(
                f"div: rounding_mode={rounding_mode!r} is not supported; only true division "
                "(rounding_mode=None)"
            )
        return _ops.Div.apply(self, other)

    def pow(self, exponent):
        return _ops.Pow.apply(self, exponent)

    def neg(self):
        return _ops.Neg.apply(self)

    def t(self):
        """The transpose of a matrix; a vector or a 0-d tensor stays as it is (PyTorch)."""
        if self.ndim > 2:
            raise ShapeError(
                f"t: expects a tensor with at most 2 dimensions, got shape {self.shape}"
            )
        return _ops.transpose(self)

    def mm(self, other):
        return _ops.mm(self, other)

    def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        """Limit every element to ``[min, max]`` in place (no gradient: see ``_in_place``)."""
        if min is None and max is None:
            raise ValueError("clamp_: give min, max or both")
        low, high = _raw(min), _raw(max)
        bounds = [b for b in (low, high) if b is not None]
        if not np.can_cast(np.result_type(self.data, *bounds), self.dtype, "same_kind"):
            raise DTypeError(
                f"clamp_: bounds {min!r}, {max!r} cannot be stored in a tensor of dtype "
                f"{self.dtype}"
            )
        other = min if isinstance(min, Tensor) else max
        return self._in_place("clamp_", lambda d: np.clip(d, low, high, out=d), other)

    # Reductions take NumPy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``.
    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        return _ops.sum(self, axis, _keepdims("sum", keepdims, keepdim), dim=dim)

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        return _ops.mean(self, axis, _keepdims("mean", keepdims, keepdim), dim=dim)

    def max(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """The largest elements (values only); ``t.max(other)`` with a Tensor is the
        elementwise ``maximum`` (PyTorch)."""
        if isinstance(axis, Tensor):
            return _ops.maximum(self, axis)
        return _ops.max(self, axis, _keepdims("max", keepdims, keepdim), dim=dim)

    def min(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """The smallest elements (values only); ``t.min(other)`` with a Tensor is the
        elementwise ``minimum`` (PyTorch)."""
        if isinstance(axis, Tensor):
            return _ops.minimum(self, axis)
        return _ops.min(self, axis, _keepdims("min", keepdims, keepdim), dim=dim)

    # NumPy's ``ddof`` (default 0), or PyTorch's ``correction``/``unbiased``: see ops.var
    def var(
        self,
        axis=None,
        keepdims: bool = False,
        ddof: int = 0,
        *,
        dim=None,
        keepdim=None,
        correction=None,
        unbiased=None,
    ):
        keepdims = _keepdims("var", keepdims, keepdim)
        return _ops.var(
            self, axis, keepdims, ddof, dim=dim, correction=correction, unbiased=unbiased
        )

    def std(
        self,
        axis=None,
        keepdims: bool = False,
        ddof: int = 0,
        *,
        dim=None,
        keepdim=None,
        correction=None,
        unbiased=None,
    ):
        keepdims = _keepdims("std", keepdims, keepdim)
        return _ops.std(
            self, axis, keepdims, ddof, dim=dim, correction=correction, unbiased=unbiased
        )

    def logsumexp(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        return _ops.logsumexp(self, axis, _keepdims("logsumexp", keepdims, keepdim), dim=dim)

    def softmax(self, axis=-1, *, dim=None):
        return _ops.softmax(self, axis, dim=dim)

    def log_softmax(self, axis=-1, *, dim=None):
        return _ops.log_softmax(self, axis, dim=dim)

    def argmax(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        return self._arg_extreme("argmax", axis, dim, _keepdims("argmax", keepdims, keepdim))

    def argmin(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        return self._arg_extreme("argmin", axis, dim, _keepdims("argmin", keepdims, keepdim))

    def _arg_extreme(self, op: str, axis, dim, keepdims: bool) -> Tensor:
        """Indices (int64, no gradient) of the extremes along one axis, or of the flattened
        tensor when no axis is given."""
        if axis is not None or dim is not None:
            axis = _ops.one_axis(op, self, axis, dim)
        try:
            indices = getattr(self.data, op)(axis=axis, keepdims=keepdims)
        except ValueError:  # NumPy's "attempt to get argmax of an empty sequence"
            where = "the tensor" if axis is None else f"axis {axis}"
            raise ShapeError(f"{op}: {where} of shape {self.shape} has no elements") from None
        return Tensor._wrap(np.asarray(indices))

    def reshape(self, *shape):
        return _ops.reshape(
            self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        )

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Axes ``start_dim`` to ``end_dim`` (both included) merged into one, as in PyTorch;
        a 0-d tensor becomes shape (1,)."""
        start, end = (_ops.normalize_axis("flatten", a, self.ndim) for a in (start_dim, end_dim))
        if start > end:
            raise ShapeError(
                f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                f"for a tensor of shape {self.shape}"
            )
        # the merged length is given, not -1, so that a zero-length axis elsewhere still works
        merged = int(np.prod(self.shape[start : end + 1], dtype=np.int64))
        return _ops.reshape(self, self.shape[:start] + (merged,) + self.shape[end + 1 :])

    def transpose(self, *axes):
        """No axes: reverse them all. Two ints (PyTorch's ``transpose(0, 1)``): swap those two.
        A tuple or three or more ints: a permutation (NumPy's ``transpose``)."""
        if len(axes) == 1 and not isinstance(axes[0], int):
            return _ops.transpose(self, tuple(axes[0]))
        if len(axes) == 2:
            order = list(range(self.ndim))
            i, j = (_ops.normalize_axis("transpose", a, self.ndim) for a in axes)
            if order:  # a 0-d tensor takes axes 0 and -1 and stays as it is (PyTorch)
                order[i], order[j] = order[j], order[i]
            axes = tuple(order)
        return _ops.transpose(self, axes or None)

    def permute(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes)

    def squeeze(self, axis=None, *, dim=None):
        return _ops.squeeze(self, axis, dim=dim)

    def unsqueeze(self, axis=None, *, dim=None):
        return _ops.unsqueeze(self, axis, dim=dim)

    def broadcast_to(self, shape):
        return _ops.broadcast_to(self, shape)

    def expand(self, *shape):
        return _ops.broadcast_to(
            self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        )

    def matmul(self, other):
        return _ops.MatMul.apply(self, other)

    def astype(self, dtype):
        """A copy with another dtype (not differentiable across float/int boundaries)."""
        return _ops.cast(self, dtype)

    def float(self):
        return self.astype(np.float32)

    def double(self):
        return self.astype(np.float64)

    # ---- copies, dtype and device moves, views of other shapes ---------------------------------
    def clone(self):
        """A differentiable copy: the gradient flows back to ``self``, the memory is new."""
        return _ops.clone(self)

    def contiguous(self):
        """``self`` when its memory is C-ordered already, else a differentiable C-ordered copy
        (flattening copies in C order; the reshape back is a view of that copy)."""
        if self.data.flags.c_contiguous:
            return self
        return _ops.reshape(_ops.reshape(self, (self.data.size,)), self.shape)

    def is_contiguous(self) -> bool:
        return bool(self.data.flags.c_contiguous)

    def nelement(self) -> int:
        return self.data.size

    def element_size(self) -> int:
        """Bytes per element."""
        return self.data.itemsize

    def to(self, *args, dtype=None, device=None, copy: bool = False, non_blocking: bool = False):
        """``self`` in another dtype (through the differentiable cast), as PyTorch's ``to``:
        ``to(dtype)``, ``to("cpu")``, ``to("cpu", dtype)`` or ``to(other)`` (other's dtype).
        ``self`` itself when nothing changes and ``copy`` is false. Only the CPU exists here."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str):
                device = arg
            else:
                dtype = arg
        if device is not None and str(device).split(":")[0] != "cpu":
            raise ValueRangeError(
                f"to: chainrule computes on the CPU only, so it cannot move a tensor to {device!r}"
            )
        if dtype is not None:
            try:
                dtype = np.dtype(dtype)
            except TypeError:
                raise DTypeError(f"to: {dtype!r} is not a dtype") from None
        if dtype is None or dtype == self.data.dtype:
            return _ops.clone(self) if copy else self
        return _ops.cast(self, dtype)

    def type_as(self, other: Tensor):
        """``self`` in other's dtype (``self`` when it has it already)."""
        return self.to(other.dtype)

    def new_zeros(self, *size, dtype=None, requires_grad: bool = False):
        return self._new(np.zeros, "new_zeros", size, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad: bool = False):
        return self._new(np.ones, "new_ones", size, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad: bool = False):
        """A tensor whose values are not to be relied on (zeros here)."""
        return self._new(np.zeros, "new_empty", size, dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad: bool = False):
        dtype = self.data.dtype if dtype is None else dtype
        return _creation.full(size, fill_value, dtype=dtype, requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad: bool = False):
        """A new tensor holding a copy of ``data``, in self's dtype unless ``dtype`` is given."""
        return Tensor(data, requires_grad, self.data.dtype if dtype is None else dtype)

    def _new(self, make, op: str, size, dtype, requires_grad: bool) -> Tensor:
        """``make(shape, dtype)`` as a new leaf, in self's dtype unless ``dtype`` is given."""
        shape = _creation._shape(op, size)
        values = make(shape, dtype=self.data.dtype if dtype is None else dtype)
        return Tensor._wrap(values).requires_grad_(requires_grad)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The last two axes swapped (a batch of matrices, each transposed)."""
        if self.ndim < 2:
            raise ShapeError(
                f"mT: needs a matrix or a batch of matrices, got a tensor of shape {self.shape}"
            )
        return self.transpose(-2, -1)

    def view_as(self, other: Tensor):
        return _ops.reshape(self, other.shape)

    def reshape_as(self, other: Tensor):
        return _ops.reshape(self, other.shape)

    def expand_as(self, other: Tensor):
        return _ops.broadcast_to(self, other.shape)

    def __setitem__(self, index, value) -> None:
        """``self[index] = value`` in place (value broadcast to the selection, cast to self's
        dtype), under the rules of the other in-place methods (see ``_in_place``)."""
        if _grad_state.enabled and self.grad_fn is not None:
            raise GraphError(
                "setitem: writing into a tensor computed by the graph would corrupt its "
                "gradient; build the new values out of place instead, with "
                "cr.where(mask, value, x) or x.masked_fill(mask, value)"
            )
        if _grad_state.enabled and isinstance(value, Tensor) and value.requires_grad:
            raise GraphError(
                "setitem: the value requires grad, but an in-place write records no gradient "
                "for it; use cr.where(mask, value, x) or cr.cat to build the tensor out of place"
            )
        index = _ops.index_arrays(index)
        source = _raw(value)

        def write(data: np.ndarray) -> None:
            try:
                data[index] = source
            except IndexError as exc:
                raise IndexError(f"setitem: {exc} (tensor of shape {self.shape})") from None

        self._in_place("setitem", write, value)

    # ---- flips, tiling, splitting, gathering and sorting ----------------------------------------
    def flip(self, *dims):
        if len(dims) == 1 and not isinstance(dims[0], int):
            dims = dims[0]
        return _ops.flip(self, dims)

    def repeat(self, *sizes):
        """``self`` tiled ``sizes[i]`` times along axis ``i`` (NumPy's ``tile``)."""
        if len(sizes) == 1 and not isinstance(sizes[0], int):
            sizes = sizes[0]
        return _ops.repeat(self, sizes)

    def split(self, split_size, dim: int = 0):
        return _ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0):
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0):
        return _ops.unbind(self, dim)

    def gather(self, dim: int, index):
        return _ops.gather(self, dim, index)

    def index_select(self, dim: int, index):
        return _ops.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return _ops.masked_fill(self, mask, value)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (``cr.where``, self second)."""
        return _ops.where(condition, self, other)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return _ops.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return _ops.argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        return _ops.topk(self, k, dim, largest, sorted)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _scaled(op: str, tensor: Tensor, other, alpha):
    """``alpha * other`` for add/sub; a float alpha with integer operands is refused (PyTorch)."""
    if alpha == 1:
        return other
    integral = tensor.dtype.kind in "biu" and np.asarray(_raw(other)).dtype.kind in "biu"
    if integral and isinstance(alpha, (float, np.floating)):
        raise DTypeError(f"{op}: alpha must be an integer for integer tensors, got {alpha!r}")
    return other * alpha


def _keepdims(op: str, keepdims: bool, keepdim) -> bool:
    """NumPy's ``keepdims`` or PyTorch's ``keepdim``, whichever the caller gave."""
    if keepdim is None:
        return keepdims
    if keepdims:
        raise TypeError(f"{op}: give keepdims or keepdim, not both")
    return bool(keepdim)


def _compare(op: str, compare, tensor: Tensor, other) -> Tensor:
    """``compare(tensor, other)`` elementwise as a boolean tensor (no gradient); shapes that do
    not broadcast get a ShapeError naming the comparison rather than NumPy's message."""
    value = _raw(other)
    try:
        return _boolean(compare(tensor.data, value))
    except ValueError:
        raise ShapeError(
            f"{op}: cannot compare a tensor of shape {tensor.shape} with shape {np.shape(value)}"
        ) from None


def _boolean(values) -> Tensor:
    """A comparison's result as a Tensor around an array (a 0-d comparison gives a NumPy bool
    scalar, which in-place methods such as ``fill_`` could not change)."""
    return Tensor._wrap(np.asarray(values))


def _as_array(data, dtype) -> np.ndarray:
    """A fresh array from ``data``: Python floats become float32, NumPy arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
    else:
        try:
            array = np.array(data)
        except ValueError as exc:  # ragged nested lists
            raise ShapeError(f"tensor: nested lists of unequal lengths ({exc})") from None
        if array.dtype == np.float64:
            array = array.astype(np.float32)
    if array.dtype.kind not in "biufc":
        raise DTypeError(
            f"tensor: cannot make a numeric tensor from {type(data).__name__} data "
            f"of dtype {array.dtype}"
        )
    return array


from chainrule.autograd import creation as _creation  # noqa: E402
from chainrule.autograd import engine as _engine  # noqa: E402  (engine and ops need Tensor)
from chainrule.autograd import hooks as _hooks  # noqa: E402
from chainrule.autograd import ops as _ops  # noqa: E402
