"""Gradient hooks: ``t.register_hook(fn)`` and ``t.register_post_accumulate_grad_hook(fn)``.

PyTorch's rules. A tensor hook ``fn(grad)`` runs once per backward pass, when the tensor's
gradient is complete (summed over every path); a Tensor or array it returns replaces that
gradient for the rest of the pass, so it is what flows on to the inputs and what a leaf
accumulates into ``.grad``. Hooks run in the order they were registered, and a non-leaf
tensor's ``retain_grad()`` keeps the gradient after all of them. A leaf's post-accumulate hook
``fn(tensor)`` runs after its ``.grad`` was updated (an optimiser step per parameter during
backward, say). A non-leaf tensor keeps its hooks on its graph node, a leaf in ``leaf_hooks``,
which is empty in ordinary use, so a backward pass pays one test for the feature.

The gradient a hook sees is read-only: it may be shared with other paths of the graph.
Hooks run under ``no_grad``, so what they compute is never recorded.
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.grad_mode import state as grad_state
from chainrule.autograd.tensor import Tensor
from chainrule.errors import DTypeError, GraphError, ShapeError

_next_key = itertools.count().__next__

# id(leaf) -> (a weak reference to the leaf, its GradHooks); an entry goes when its leaf does.
# Not a WeakKeyDictionary: that compares keys with ==, which is elementwise for Tensors.
leaf_hooks: dict = {}


class RemovableHandle:
    """What ``register_*hook`` returns: ``remove()`` takes the hook out (twice is harmless);
    also a context manager that removes it on exit, as PyTorch's handle."""

    def __init__(self, table: HookTable, key: int) -> None:
        self._table = weakref.ref(table)  # a handle does not keep a dropped tensor's hooks
        self.id = key

    def remove(self) -> None:
        table = self._table()
        if table is not None:
            table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


class HookTable(OrderedDict):
    """An ordered key -> hook table (unlike a dict, an OrderedDict takes weak references)."""


def add_hook(table: HookTable, hook, owner: str) -> RemovableHandle:
    """Put ``hook`` at the end of ``table`` and return its handle; ``owner`` names the call."""
    if not callable(hook):
        raise TypeError(f"{owner}: the hook must be callable, got {type(hook).__name__}")
    key = _next_key()
    table[key] = hook
    return RemovableHandle(table, key)


class GradHooks:
    """The hooks of one tensor: ``pre`` (gradient hooks), ``post`` (after accumulation, leaves
    only) and, for a non-leaf tensor that called ``retain_grad()``, a weak reference to it."""

    __slots__ = ("pre", "post", "retained")

    def __init__(self) -> None:
        self.pre = HookTable()
        self.post = HookTable()
        self.retained = None

    def run(self, grad, dtype) -> np.ndarray:
        """The gradient after every hook in ``pre``; then keep it in ``.grad`` if retained."""
        if self.pre:
            grad = np.asarray(grad, dtype=dtype)  # a 0-d sum of two paths is a NumPy scalar
            with no_grad():
                for hook in list(self.pre.values()):
                    result = hook(_read_only(grad))
                    if result is not None:
                        grad = _replacement(hook, result, grad)
        if self.retained is not None:
            tensor = self.retained()
            if tensor is not None:
                kept = np.array(grad, dtype=dtype)
                tensor.grad = Tensor._wrap(
                    kept if tensor.grad is None else np.asarray(tensor.grad.data + kept)
                )
        return grad

    def after_accumulation(self, tensor: Tensor) -> None:
        """Call every post-accumulate hook with the leaf itself."""
        with no_grad():
            for hook in list(self.post.values()):
                hook(tensor)


def hooks_of(tensor: Tensor, owner: str) -> GradHooks:
    """The hooks of ``tensor`` (created on first use); it must require a gradient."""
    if not tensor.requires_grad:
        raise GraphError(
            f"{owner}: this tensor does not require grad, so backward() never computes its "
            "gradient (was it made under cr.no_grad(), or from constants?)"
        )
    node = tensor.grad_fn
    if node is None:
        hooks = leaf_hooks_of(tensor)
        if hooks is None:
            key = id(tensor)
            hooks = GradHooks()
            leaf_hooks[key] = (weakref.ref(tensor, lambda _, key=key: leaf_hooks.pop(key)), hooks)
    else:
        hooks = node.hooks
        if hooks is None:
            hooks = node.hooks = GradHooks()
    return hooks


def leaf_hooks_of(leaf: Tensor) -> GradHooks | None:
    """The hooks registered on ``leaf``, or None."""
    entry = leaf_hooks.get(id(leaf))
    return entry[1] if entry is not None and entry[0]() is leaf else None


def _read_only(grad: np.ndarray) -> Tensor:
    """``grad`` as a Tensor whose array cannot be written (it may be shared)."""
    view = grad.view()
    view.flags.writeable = False
    return Tensor._wrap(view)


def _replacement(hook, result, grad: np.ndarray) -> np.ndarray:
    """The array of a hook's returned gradient, which must keep the gradient's shape and dtype."""
    name = getattr(hook, "__name__", type(hook).__name__)
    array = result.data if isinstance(result, Tensor) else np.asarray(result)
    if array.shape != grad.shape:
        raise ShapeError(
            f"hook {name!r} returned a gradient of shape {array.shape} for a tensor of shape "
            f"{grad.shape}"
        )
    if array.dtype != grad.dtype:
        raise DTypeError(
            f"hook {name!r} returned a gradient of dtype {array.dtype} for a tensor of dtype "
            f"{grad.dtype}"
        )
    return array


class ModuleBackwardCall:
    """One call of a module with full backward hooks (``register_full_backward_hook``).

    PyTorch's rules: ``hook(module, grad_input, grad_output)`` runs once per backward pass,
    when the gradient with respect to the module's input is complete; ``grad_input`` has one
    entry per positional argument (None for non-tensors and tensors without a gradient;
    keyword arguments are not in it), ``grad_output`` one per output tensor, and a tuple the
    hook returns replaces ``grad_input``. The input is seen through an alias of its own graph
    node (a reshape to its shape), so its gradient is the one through this module only. When
    no input needs a gradient, the hooks run as soon as the outputs' gradients are known.
    One input that needs a gradient is supported; several are refused.
    """

    def __init__(self, module, inputs: tuple) -> None:
        self.module, self.count = module, len(inputs)
        self.grad_output: list = []
        recording = grad_state.enabled  # under no_grad nothing is recorded, nothing to watch
        wanting = [
            i
            for i, x in enumerate(inputs)
            if recording and isinstance(x, Tensor) and x.requires_grad
        ]
        if len(wanting) > 1:
            raise NotImplementedError(
                f"{type(module).__name__}: full backward hooks are supported for modules with one "
                f"input that requires grad, got {len(wanting)}"
            )
        self.index = wanting[0] if wanting else None
        self.inputs = inputs
        if self.index is not None:
            x = inputs[self.index]
            alias = x.reshape(x.shape)
            alias.register_hook(self._at_input)
            self.inputs = (*inputs[: self.index], alias, *inputs[self.index + 1 :])

    def watch(self, output):
        """Register the hooks that keep the gradient of each output tensor; return ``output``."""
        outputs = output if isinstance(output, tuple) else (output,)
        self.grad_output = [None] * len(outputs)
        watched = [i for i, y in enumerate(outputs) if isinstance(y, Tensor) and y.requires_grad]
        for i in watched:
            last = self.index is None and i == watched[-1]  # then the hooks run from here
            outputs[i].register_hook(lambda g, i=i, last=last: self._at_output(i, g, last))
        return output

    def _at_output(self, i: int, grad: Tensor, last: bool) -> None:
        self.grad_output[i] = grad
        if last:
            self._run_hooks(None)

    def _at_input(self, grad: Tensor):
        return self._run_hooks(grad)

    def _run_hooks(self, grad):
        """Call the module's hooks; the input's gradient they leave (None: unchanged)."""
        grad_input = [None] * self.count
        if self.index is not None:
            grad_input[self.index] = grad
        replaced = None
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, tuple(grad_input), tuple(self.grad_output))
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(result) != self.count:
                    raise ValueError(
                        f"{type(self.module).__name__}: a full backward hook returned "
                        f"{len(result)} gradients for {self.count} inputs"
                    )
                grad_input = list(result)
                replaced = grad_input[self.index] if self.index is not None else None
        return replaced
