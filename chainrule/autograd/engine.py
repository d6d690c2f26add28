"""The backward pass: the chain rule applied once to every node between the loss and the leaves.

Nodes are visited in decreasing creation stamp (``Context.seq``), which is a topological
order: every consumer of a value is processed before the value's own node, so each node's
``grad_output`` is complete (the sum over all paths) when its ``backward`` runs. The walk
uses a heap, never recursion, so a 100,000-op chain works; while only one node is pending
(a chain, the common case) it goes straight to it without the heap. Intermediate gradients
live in a per-pass table; ``backward()`` gives leaves their ``.grad``, ``grad()`` returns the
gradients instead.
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np

from chainrule.autograd.anomaly import check_gradients
from chainrule.autograd.anomaly import state as anomaly_state
from chainrule.autograd.function import Context
from chainrule.autograd.hooks import leaf_hooks, leaf_hooks_of
from chainrule.autograd.tensor import Tensor
from chainrule.errors import GraphError, ShapeError

_wrap = Tensor._wrap  # a new Tensor around an array, without checks


def run_backward(root: Tensor, gradient: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf), weighted by ``gradient``, into every reachable leaf's grad."""
    if root.grad_fn is None:  # a leaf is its own gradient's only destination
        _assign_leaf_grads({root: gradient})
    else:
        _assign_leaf_grads(propagate({root.grad_fn: gradient}, retain_graph))


def seed(tensor: Tensor, gradient, caller: str, argument: str) -> np.ndarray:
    """The array a backward pass starts from at ``tensor``: a copy of ``gradient`` checked
    against it, or 1 for a scalar; the errors name ``caller`` and its ``argument``."""
    if not tensor.requires_grad:
        raise GraphError(
            f"{caller}: this tensor does not require grad and has no grad_fn; create the "
            "inputs with requires_grad=True (and not under no_grad())"
        )
    data = tensor.data
    if gradient is None:
        if data.size != 1:
            raise GraphError(
                f"{caller}: a tensor of shape {data.shape} is not a scalar; reduce it "
                f"(e.g. .sum() or .mean()) or pass {argument}= with the same shape"
            )
        gradient = np.empty(data.shape, data.dtype)  # np.ones costs twice as much
        gradient.fill(1)
        return gradient
    gradient = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if gradient.shape != data.shape:
        raise ShapeError(
            f"{caller}: {argument} of shape {gradient.shape} given for a tensor of shape "
            f"{data.shape}"
        )
    # a copy in the tensor's dtype: ops may pass the seed on unchanged (Add), and no leaf's
    # .grad may share memory with the caller's array (zero_grad would zero it, as PyTorch never)
    return np.array(gradient, dtype=data.dtype)


def propagate(pending: dict, retain_graph: bool = False, leaf_grads: dict | None = None) -> dict:
    """The chain rule from the graph nodes in ``pending`` back to the leaves.

    ``pending`` maps nodes to the gradients of their outputs (the seeds); ``leaf_grads``, the
    gradients already known for leaves, is extended and returned: leaf -> its gradient summed
    over all paths. ``pending`` may be a dict subclass that records the complete gradient of a
    node as it is popped (``grad`` with respect to non-leaf tensors).
    """
    if leaf_grads is None:
        leaf_grads = {}
    heap = []  # (-seq, node) for pending nodes, except `node` itself and `follow`
    if len(pending) == 1:
        (node,) = pending
    else:
        for node in pending:
            heappush(heap, (-node.seq, node))
        node = heappop(heap)[1]
    check = check_gradients if anomaly_state.enabled else None  # detect_anomaly() is on
    while node is not None:
        grad_output = pending.pop(node)
        follow = None  # the next node, when it is the only one pending (a chain)
        if node.hooks is not None:  # register_hook() or retain_grad() on this node's tensor
            grad_output = node.hooks.run(grad_output, node.out_dtype)
        results = _call_backward(node, grad_output)
        if check is not None:
            check(node, results)
        for parent, grad in zip(node.parents, results, strict=False):  # lengths checked
            if parent is None or grad is None:
                continue
            if type(parent) is Context:
                if (
                    type(grad) is not np.ndarray
                    or grad.shape != parent.out_shape
                    or grad.dtype is not parent.out_dtype  # identical in the common case
                ):
                    grad = _checked(node, grad, parent.out_shape, parent.out_dtype)
                earlier = pending.get(parent)
                if earlier is None:
                    pending[parent] = grad
                    if follow is None and not heap:
                        follow = parent
                    else:
                        heappush(heap, (-parent.seq, parent))
                else:
                    pending[parent] = earlier + grad  # never mutate the first arrival
            else:
                data = parent.data
                if (
                    type(grad) is not np.ndarray
                    or grad.shape != data.shape
                    or grad.dtype is not data.dtype
                ):
                    grad = _checked(node, grad, data.shape, data.dtype)
                earlier = leaf_grads.get(parent)
                leaf_grads[parent] = grad if earlier is None else earlier + grad
        if not retain_graph and node.saved_tensors:
            node.saved_tensors = None
        if follow is not None and heap:  # other nodes are pending too: the heap orders them
            heappush(heap, (-follow.seq, follow))
            follow = None
        node = follow if follow is not None else heappop(heap)[1] if heap else None
    return leaf_grads


def grad(
    outputs, inputs, grad_outputs=None, retain_graph: bool = False, allow_unused: bool = False
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    PyTorch's ``torch.autograd.grad``: with weights g_i for the outputs y_i (``grad_outputs``;
    None means 1, for scalar outputs) it returns d(sum_i <y_i, g_i>)/dx for each input x, leaf or
    not, as a tuple of Tensors, and leaves every leaf's ``.grad`` as it was (a tensor that called
    ``retain_grad()`` still gets its ``.grad``, as in PyTorch). An input the outputs do not
    depend on is an error unless ``allow_unused`` (then its gradient is None). As in PyTorch the
    gradients may share memory with ``grad_outputs`` or with one another.
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs given for {len(outputs)} outputs")
    wanted = set()  # the nodes of non-leaf inputs
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            raise GraphError(f"grad: input {i} is not a Tensor that requires grad")
        if x.grad_fn is not None:
            wanted.add(x.grad_fn)
    pending, leaf_grads = _RecordingPending(wanted), {}
    for y, g in zip(outputs, grad_outputs, strict=True):
        g = seed(y, g, "grad", "grad_outputs")
        table, key = (leaf_grads, y) if y.grad_fn is None else (pending, y.grad_fn)
        table[key] = g if key not in table else table[key] + g
    if pending:
        propagate(pending, retain_graph, leaf_grads)
    results = []
    for i, x in enumerate(inputs):
        if x.grad_fn is None:  # a leaf's hooks act on its gradient, as when it accumulates
            g = leaf_grads.get(x)
            hooks = leaf_hooks_of(x) if g is not None else None
            if hooks is not None:
                g = hooks.run(g, x.data.dtype)
        else:  # a non-leaf input's gradient as it arrived, before its own hooks (PyTorch)
            g = pending.recorded.get(x.grad_fn)
        if type(g) is np.ndarray:
            results.append(_wrap(g))
        elif g is not None:  # a 0-d sum of two paths is a NumPy scalar
            results.append(_wrap(np.array(g, dtype=x.data.dtype)))
        elif allow_unused:
            results.append(None)
        else:
            raise GraphError(
                f"grad: input {i} was not used to compute the outputs; pass "
                "allow_unused=True to get None as its gradient"
            )
    return tuple(results)


class _RecordingPending(dict):
    """``propagate``'s table of pending gradients that also keeps, in ``recorded``, the complete
    gradient of each ``wanted`` node when the walk takes it out to run its backward."""

    def __init__(self, wanted: set) -> None:
        super().__init__()
        self.wanted = wanted
        self.recorded: dict = {}

    def pop(self, node):
        grad_output = super().pop(node)
        if node in self.wanted:
            self.recorded[node] = grad_output
        return grad_output


def _as_tuple(tensors) -> tuple:
    """A sequence of tensors as a tuple; one tensor (or array) as a tuple of one."""
    return tuple(tensors) if isinstance(tensors, (list, tuple)) else (tensors,)


def _call_backward(node: Context, grad_output) -> tuple:
    """Run one node's backward, after checking that its saved arrays are still there and
    unchanged since the op ran; one gradient per input."""
    if node.saved_tensors is None:
        raise GraphError(
            f"backward: the saved arrays of {node.name} were freed by an earlier backward(); "
            "pass retain_graph=True to the first backward() to run it again"
        )
    versions = node.versions
    if versions is not None:
        for counter, version in versions:
            if counter[0] != version:
                raise GraphError(
                    f"backward: an array saved by {node.name} for its gradient was modified "
                    "in place after the op ran; the gradient would be wrong. Use an "
                    "out-of-place op (y = y + 1) instead"
                )
    results = node.fn.backward(node, grad_output)
    if type(results) is not tuple:
        results = (results,)
    if len(results) != len(node.parents):
        raise GraphError(
            f"{node.name}.backward returned {len(results)} gradients for {len(node.parents)} inputs"
        )
    return results


def _checked(node: Context, grad, shape: tuple, dtype) -> np.ndarray:
    """The gradient for an input of ``shape``/``dtype``; a wrong shape is the op's bug: raise.

    A different float dtype (an op that promoted float32 with a float64 operand) is cast back
    to the input's dtype, as PyTorch does; the engine never sums or reshapes to make a fit.
    """
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.shape != shape:
        index = next(i for i, g in enumerate(node.parents) if g is not None)
        raise ShapeError(
            f"{node.name}.backward returned a gradient of shape {tuple(grad.shape)} "
            f"for an input of shape {shape} (input {index} or later)"
        )
    if grad.dtype != dtype:
        grad = np.asarray(grad, dtype=dtype)
    return grad


def _assign_leaf_grads(leaf_grads: dict) -> None:
    """Give each leaf its gradient, added to any earlier one (PyTorch's accumulation).

    A gradient that is a view, read-only, or handed to another leaf already is copied once,
    so no two ``.grad`` arrays share memory and every ``.grad`` can be edited safely.
    """
    handed_out: set[int] = set()
    for leaf, grad in leaf_grads.items():
        hooks = leaf_hooks_of(leaf) if leaf_hooks else None  # empty unless a leaf has hooks
        if hooks is not None:
            grad = hooks.run(grad, leaf.data.dtype)
        if type(grad) is not np.ndarray:  # a 0-d sum of two paths is a NumPy scalar
            grad = np.array(grad, dtype=leaf.data.dtype)
        previous = leaf.grad
        if previous is not None:  # the sum is a fresh array of its own (0-d: a NumPy scalar)
            leaf.grad = _wrap(np.asarray(previous.data + grad))
        else:
            if grad.base is not None or id(grad) in handed_out or not grad.flags.writeable:
                grad = grad.copy()
            handed_out.add(id(grad))
            leaf.grad = _wrap(grad)
        if hooks is not None and hooks.post:
            hooks.after_accumulation(leaf)
