"""The backward pass: the chain rule applied once to every node between the loss and the leaves.

Nodes are visited in decreasing creation stamp (``Context.seq``), which is a topological
order: every consumer of a value is processed before the value's own node, so each node's
``grad_output`` is complete (the sum over all paths) when its ``backward`` runs. The walk
uses a heap, never recursion, so a 100,000-op chain works; while only one node is pending
(a chain, the common case) it goes straight to it without the heap. Intermediate gradients
live in a per-pass table; only leaves get ``.grad``.
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np

from chainrule.autograd.function import Context
from chainrule.autograd.tensor import Tensor
from chainrule.errors import GraphError, ShapeError

_wrap = Tensor._wrap  # a new Tensor around an array, without checks


def run_backward(root: Tensor, gradient: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf), weighted by ``gradient``, into every reachable leaf's grad."""
    leaf_grads: dict[Tensor, np.ndarray] = {}  # leaf -> its gradient summed over paths
    start = root.grad_fn
    if start is None:
        leaf_grads[root] = gradient
    else:
        pending = {start: gradient}  # node -> its grad_output so far
        heap = []  # (-seq, node) for pending nodes, except `node` itself and `follow`
        node = start
        while node is not None:
            grad_output = pending.pop(node)
            follow = None  # the next node, when it is the only one pending (a chain)
            if node.retained is not None:
                _store_retained_grad(node, grad_output)
            results = _call_backward(node, grad_output)
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
    _assign_leaf_grads(leaf_grads)


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
        if type(grad) is not np.ndarray:  # a 0-d sum of two paths is a NumPy scalar
            grad = np.array(grad, dtype=leaf.data.dtype)
        previous = leaf.grad
        if previous is not None:  # the sum is a fresh array of its own
            leaf.grad = _wrap(previous.data + grad)
            continue
        if grad.base is not None or id(grad) in handed_out or not grad.flags.writeable:
            grad = grad.copy()
        handed_out.add(id(grad))
        leaf.grad = _wrap(grad)


def _store_retained_grad(node: Context, grad_output) -> None:
    """Fill ``.grad`` of a non-leaf tensor that asked for it with ``retain_grad()``."""
    tensor = node.retained()
    if tensor is not None:
        grad = np.array(grad_output, dtype=node.out_dtype)
        tensor.grad = _wrap(grad if tensor.grad is None else tensor.grad.data + grad)
