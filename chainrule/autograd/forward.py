"""Forward mode and Jacobians: ``jvp`` (one forward pass), ``vjp`` (one backward), ``jacobian``.

Forward mode carries a tangent ``t_x = dx/ds`` beside every value, like a dual number
``x + t_x eps``: each op's ``jvp(ctx, *tangents)`` rule gives its output's tangent from its
inputs' tangents, so one pass computes the Jacobian-vector product ``J v``. Reverse mode
(``vjp``) computes ``v^T J`` in one backward pass. A full Jacobian takes one pass per input
element in forward mode and one per output element in reverse mode, which is why the gradient
of a scalar loss with respect to many parameters is computed in reverse (backpropagation).
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from chainrule.autograd import function as _function
from chainrule.autograd.grad_mode import enable_grad, no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.errors import GraphError, ShapeError


class _ForwardMode(threading.local):
    """Whether this thread is inside a jvp's forward pass. Per thread, as grad mode: a jvp in
    one thread must neither refuse a jvp or vjp in another as nested nor slow its ops."""

    active = False


_this_thread = _ForwardMode()
_hook_lock = threading.Lock()  # guards the hook's install and removal by concurrent jvps
_threads_in_forward_mode = 0


def _propagate_tangent(fn_class, ctx, inputs, output) -> None:
    """The ``apply`` hook of forward mode: give ``output`` its tangent from its inputs'."""
    if not _this_thread.active:
        return
    tangents = [x.tangent if isinstance(x, Tensor) else None for x in inputs]
    if all(t is None for t in tangents) or output.dtype.kind != "f":
        return
    if fn_class.jvp is None:
        raise GraphError(
            f"jvp: {fn_class.__name__} has no forward-mode rule; define "
            f"{fn_class.__name__}.jvp(ctx, *tangents) to use it under forward mode"
        )
    tangent = fn_class.jvp(ctx, *tangents)
    if tangent is None:
        return
    tangent = np.asarray(tangent, dtype=output.dtype)
    if tangent.shape != output.shape:  # rules may return a tangent broadcastable to the output
        try:
            tangent = np.broadcast_to(tangent, output.shape)
        except ValueError:
            raise ShapeError(
                f"jvp: {fn_class.__name__}.jvp returned a tangent of shape {tangent.shape} "
                f"for an output of shape {output.shape}"
            ) from None
    output.tangent = tangent


def _refuse_nesting(what: str) -> None:
    """Raise inside the ``f`` of a jvp: tangents carry no level, so a nested derivative's
    result would silently lose (or mix up) the outer tangent."""
    if _this_thread.active:
        raise GraphError(
            f"{what}: cannot be called inside the function given to jvp; nested "
            "differentiation under forward mode is not supported"
        )


@contextlib.contextmanager
def _forward_mode():
    """Forward mode in this thread for one forward pass; the tangent hook stays installed
    while any thread is in forward mode."""
    global _threads_in_forward_mode
    with _hook_lock:
        if _threads_in_forward_mode == 0:
            _function.apply_hooks.append(_propagate_tangent)
        _threads_in_forward_mode += 1
    _this_thread.active = True
    try:
        yield
    finally:
        _this_thread.active = False
        with _hook_lock:
            _threads_in_forward_mode -= 1
            if _threads_in_forward_mode == 0:
                _function.apply_hooks.remove(_propagate_tangent)


def _as_tuple(inputs) -> tuple[tuple, bool]:
    """``inputs`` as a tuple, and whether the caller gave a tuple or list (PyTorch's rule)."""
    if isinstance(inputs, (tuple, list)):
        return tuple(inputs), True
    return (inputs,), False


def _array(x, what: str, i: int) -> np.ndarray:
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind != "f":
        raise TypeError(f"{what}: input {i} must be a floating-point tensor, got {data.dtype}")
    return data


def _check_output(what: str, out) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"{what}: f must return a Tensor, got {type(out).__name__}")
    return out


def _check_cotangent(v, out: Tensor) -> None:
    """``v`` checked against ``f``'s output here: a constant output runs no backward pass
    that would notice a wrong ``v``."""
    if v is None and out.data.size != 1:
        raise ShapeError(
            f"vjp: f's output has shape {out.shape}; v may be omitted only for an output "
            "with one element, so give v of the output's shape"
        )
    shape = v.shape if isinstance(v, Tensor) else np.shape(v)
    if v is not None and shape != out.shape:
        raise ShapeError(f"vjp: v has shape {shape}, f's output has shape {out.shape}")


def jvp(f, inputs, tangents):
    """``(f(*inputs), J v)``: the Jacobian-vector product in ONE forward pass.

    ``tangents`` has one array per input, each of that input's shape (``v``). Every op on
    the way applies its ``jvp`` rule; no graph is recorded for backward. Returns Tensors;
    the second has the output's shape. As ``torch.autograd.functional.jvp``.
    """
    _refuse_nesting("jvp")
    xs, _ = _as_tuple(inputs)
    vs, _ = _as_tuple(tangents)
    if len(xs) != len(vs):
        raise ValueError(f"jvp: {len(xs)} inputs but {len(vs)} tangents")
    leaves = []
    for i, (x, v) in enumerate(zip(xs, vs, strict=True)):
        data = _array(x, "jvp", i)
        v = np.asarray(v.data if isinstance(v, Tensor) else v, dtype=data.dtype)
        if v.shape != data.shape:
            raise ShapeError(f"jvp: tangent {i} has shape {v.shape}, input {i} has {data.shape}")
        leaf = Tensor._wrap(data)
        leaf.tangent = v
        leaves.append(leaf)
    with no_grad(), _forward_mode():
        out = _check_output("jvp", f(*leaves))
    tangent = out.tangent if out.tangent is not None else np.zeros_like(out.data)
    return Tensor._wrap(out.data), Tensor._wrap(np.array(tangent))


def vjp(f, inputs, v=None):
    """``(f(*inputs), v^T J)``: the vector-Jacobian product by one backward pass.

    ``v`` has the output's shape (may be omitted for an output of one element), checked even
    when the output is a constant, as PyTorch does. The products come back
    as a tuple when ``inputs`` is a tuple or list, else as one Tensor (PyTorch's convention).
    """
    _refuse_nesting("vjp")
    xs, as_tuple = _as_tuple(inputs)
    leaves = [Tensor(_array(x, "vjp", i), requires_grad=True) for i, x in enumerate(xs)]
    with enable_grad():
        out = _check_output("vjp", f(*leaves))
        _check_cotangent(v, out)
        if out.requires_grad:
            out.backward(v)
    grads = tuple(
        Tensor._wrap(leaf.grad.data if leaf.grad is not None else np.zeros_like(leaf.data))
        for leaf in leaves
    )
    return Tensor._wrap(out.data), grads if as_tuple else grads[0]


def jacobian(f, x, mode: str = "reverse") -> Tensor:
    """The Jacobian ``dy/dx`` of ``y = f(x)`` as a Tensor of shape ``y.shape + x.shape``.

    ``mode='forward'``: one ``jvp`` per element of ``x`` (columns of J);
    ``mode='reverse'``: one backward pass per element of ``y`` (rows of J), on one graph.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"jacobian: mode must be 'forward' or 'reverse', got {mode!r}")
    _refuse_nesting("jacobian")
    data = _array(x, "jacobian", 0)
    if mode == "forward":
        with no_grad():
            out_shape = _check_output("jacobian", f(Tensor._wrap(data))).shape
        columns = np.zeros((int(np.prod(out_shape)), data.size), dtype=data.dtype)
        basis = np.zeros(data.size, dtype=data.dtype)
        for k in range(data.size):
            basis[k] = 1
            columns[:, k] = jvp(f, data, basis.reshape(data.shape))[1].data.reshape(-1)
            basis[k] = 0
        return Tensor._wrap(columns.reshape(out_shape + data.shape))
    leaf = Tensor(data, requires_grad=True)
    with enable_grad():
        out = _check_output("jacobian", f(leaf))
    rows = np.zeros((out.data.size, data.size), dtype=data.dtype)
    if out.requires_grad:
        seed = np.zeros(out.data.size, dtype=out.dtype)
        for j in range(out.data.size):
            seed[j] = 1
            leaf.grad = None
            out.backward(seed.reshape(out.shape), retain_graph=True)
            seed[j] = 0
            if leaf.grad is not None:
                rows[j] = leaf.grad.data.reshape(-1)
    return Tensor._wrap(rows.reshape(out.shape + data.shape))
