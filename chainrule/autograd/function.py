"""``Function``: the one way an op enters the graph, built-in or user-defined.

An op subclasses ``Function`` with two static methods on NumPy arrays:
``forward(ctx, *inputs)`` returns the output and saves what backward needs with
``ctx.save_for_backward``; ``backward(ctx, grad_output)`` returns one gradient per input
(``None`` where ``ctx.needs_input_grad[i]`` is false). An optional ``jvp(ctx, *tangents)``
gives the forward-mode rule: the output's tangent from the inputs' tangents (``None`` for
inputs that carry none). ``apply`` unwraps Tensors, runs ``forward`` and, when any input
requires a gradient and grad mode is on, records the ``Context`` as the output's ``grad_fn``.
"""

from __future__ import annotations

import itertools

import numpy as np

from chainrule.autograd.grad_mode import state as _grad_state
from chainrule.autograd.promotion import FLOAT64, torch_float
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

# A strictly increasing stamp per recorded node: a node's inputs always carry smaller stamps,
# so the engine visits nodes in decreasing stamp order, which is a topological order.
_next_seq = itertools.count().__next__

# Callables ``hook(fn_class, ctx, inputs, output)`` run after every op's forward (forward-mode
# differentiation and graph tracing use them); empty in ordinary use, so the check is one test.
apply_hooks: list = []


class Context:
    """A node of the computational graph: one op's saved arrays and links to its inputs.

    ``saved_tensors`` holds what ``save_for_backward`` stored (``None`` once freed by a
    backward pass); ``needs_input_grad[i]`` says whether input ``i`` wants a gradient;
    ``parents[i]`` is the input's own node, the leaf Tensor itself, or ``None``; ``hooks``
    the output's gradient hooks and ``retain_grad()`` (``autograd.hooks``), None without.
    Ops may set other attributes (``ctx.axis = ...``) for settings their backward needs.
    """

    __slots__ = (
        "fn",
        "saved_tensors",
        "needs_input_grad",
        "parents",
        "seq",
        "out_shape",
        "out_dtype",
        "versions",
        "hooks",
        "__dict__",  # for op-specific settings (ctx.axis = ...)
        "__weakref__",
    )

    def __init__(self) -> None:
        self.saved_tensors = ()
        self.versions = None
        self.hooks = None

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` (inputs or the output) for ``backward``; released after backward()."""
        self.saved_tensors = arrays

    @property
    def name(self) -> str:
        """The op's class name, e.g. ``Mul``."""
        return self.fn.__name__

    def __repr__(self) -> str:
        return f"<{self.fn.__name__}Backward>"


class Function:
    """Base class of every differentiable op; subclasses define ``forward`` and ``backward``."""

    jvp = None  # optional forward-mode rule: jvp(ctx, *tangents) -> tangent of the output
    # True: a float64 result NumPy made from integers, booleans or a 0-d float64 operand gets
    # PyTorch's dtype instead (chainrule.autograd.promotion); a user's op keeps what it returns
    torch_promotion = False

    @staticmethod
    def forward(ctx: Context, *inputs):
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, grad_output):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *inputs, **settings) -> Tensor:
        """Run the op on Tensors (or scalars/arrays) and record it in the graph when needed."""
        ctx = Context()
        record = False
        args = []
        if _grad_state.enabled:
            needs, parents = [], []
            for x in inputs:
                if isinstance(x, Tensor):
                    args.append(x.data)
                    if x.requires_grad:
                        record = True
                        needs.append(True)
                        parents.append(x.grad_fn or x)
                        continue
                else:
                    # a NumPy scalar as the Python number it holds: np.float64(2) would upcast a
                    # float32 tensor, a Python number (and, in PyTorch, any scalar) does not
                    args.append(x.item() if isinstance(x, np.generic) else x)
                needs.append(False)
                parents.append(None)
            ctx.needs_input_grad = tuple(needs)
        else:
            for x in inputs:
                if isinstance(x, Tensor):
                    args.append(x.data)
                else:
                    args.append(x.item() if isinstance(x, np.generic) else x)  # as above
            ctx.needs_input_grad = (False,) * len(args)

        try:
            out = cls.forward(ctx, *args, **settings)
        except (ShapeError, ValueRangeError, DTypeError):  # already name the op
            raise
        except ValueError as exc:  # NumPy's message, made to name the op and its inputs
            shapes = " and ".join(str(np.shape(a)) for a in args)
            about_shapes = any(w in str(exc) for w in ("shape", "broadcast", "dimension"))
            kind = ShapeError if about_shapes else ValueError  # e.g. int ** -1 is about values
            raise kind(f"{cls.__name__}: {exc} (input shapes {shapes})") from None
        except TypeError as exc:  # NumPy's refusal of a dtype (-bool), made to name the op
            dtypes = " and ".join(str(getattr(a, "dtype", type(a).__name__)) for a in args)
            raise TypeError(f"{cls.__name__}: {exc} (input dtypes {dtypes})") from exc
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if out.dtype is FLOAT64 and cls.torch_promotion:
            out = torch_float(out, args)
        # The output Tensor, built here rather than by Tensor._wrap: one Python call less per op.
        result = object.__new__(Tensor)
        result.data = out
        result.grad = None
        result.tangent = None
        result._version = [0]
        if out.base is not None:  # a view (reshape, slice, transpose) shares its input's version
            _share_version_with_viewed_input(result, inputs)
        if record and out.dtype.kind == "f":  # integer and boolean results carry no gradient
            ctx.fn = cls
            ctx.parents = tuple(parents)
            ctx.seq = _next_seq()
            ctx.out_shape = out.shape
            ctx.out_dtype = out.dtype
            if ctx.saved_tensors:
                _remember_versions(ctx, inputs, args, result)
            result.requires_grad = True
            result.grad_fn = ctx
        else:
            result.requires_grad = False
            result.grad_fn = None
        if apply_hooks:
            for hook in apply_hooks:
                hook(cls, ctx, inputs, result)
        return result


def _share_version_with_viewed_input(result: Tensor, inputs: tuple) -> None:
    """Give a view the version counter of the tensor whose memory it shows."""
    owner = result.data.base
    for t in inputs:
        if isinstance(t, Tensor) and (t.data is owner or t.data.base is owner):
            result._version = t._version
            return


def _remember_versions(ctx: Context, inputs: tuple, args: list, result: Tensor) -> None:
    """Note the version of every tensor whose array was saved, to catch later in-place edits.

    ``ctx.versions`` is a tuple of ``(counter, version at forward time)`` pairs. A saved
    array is found by identity: first at its own position among the inputs (ops save their
    inputs in order), then as the output, then anywhere among the inputs, then as a view of
    an input's or the output's memory (a reshaped weight, a squeezed output). An array the
    op computed itself is seen by no one else and needs no watching.
    """
    watched = []
    out = result.data
    n_args = len(args)
    for i, array in enumerate(ctx.saved_tensors):
        if i < n_args and array is args[i]:
            owner = inputs[i]
            if array is out:  # an op that returned its input array itself: watch both
                watched.append((result._version, result._version[0]))
        elif array is out:
            owner = result
        else:
            owner = _owner_of(array, inputs, args, result)
        if isinstance(owner, Tensor):
            counter = owner._version
            watched.append((counter, counter[0]))
    if watched:
        ctx.versions = tuple(watched)


def _owner_of(array, inputs: tuple, args: list, result: Tensor):
    """The input or output whose array ``array`` is, or whose memory it views; else None."""
    for tensor, arg in zip(inputs, args, strict=True):
        if arg is array:
            return tensor
    if not isinstance(array, np.ndarray):
        return None
    memory = array if array.base is None else array.base
    for tensor, arg in zip((*inputs, result), (*args, result.data), strict=True):
        if isinstance(arg, np.ndarray) and (arg is memory or arg.base is memory):
            return tensor
    return None


def sum_tangents(*tangents):
    """The sum of the forward-mode contributions that exist (``None`` means no contribution)."""
    present = [t for t in tangents if t is not None]
    if not present:
        return None
    total = present[0]
    for t in present[1:]:
        total = total + t
    return total
