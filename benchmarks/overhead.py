"""Per-op overhead (200-op chain of tiny tensors) and long chains (time and memory growth).

The chain alternates ``y = y * c`` and ``y = y + c`` on a 4-element float32 vector, then
``y.sum().backward()``; the time of forward + backward divided by the op count is µs/op.
The contenders alternate chain by chain (``benchmarks.__main__.chain_workload``): a shared
machine's speed can move by 1.8x for minutes, which two back-to-back blocks of chains would
turn into a ratio.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

import chainrule as cr


def _chain_chainrule(n_ops: int) -> float:
    x = cr.tensor(np.ones(4, np.float32), requires_grad=True)
    y = x
    for i in range(n_ops):
        y = y * 1.0001 if i % 2 == 0 else y + 0.5
    y.sum().backward()
    return float(x.grad.data[0])


def _chain_torch(n_ops: int) -> float:
    import torch

    x = torch.ones(4, requires_grad=True)
    y = x
    for i in range(n_ops):
        y = y * 1.0001 if i % 2 == 0 else y + 0.5
    y.sum().backward()
    return float(x.grad[0])


# contender -> chain(n_ops) returning d(sum y)/dx[0], the product of the multipliers
CHAINS = {"chainrule": _chain_chainrule, "torch": _chain_torch}


def _build_chain(n_ops: int):
    x = cr.tensor(np.ones(4, np.float32), requires_grad=True)
    y = x
    for i in range(n_ops):
        y = y * 1.0001 if i % 2 == 0 else y + 0.5
    return x, y.sum()


def long_chain(n_ops: int, repeat: int = 3) -> dict:
    """Forward and backward times of an ``n_ops`` chainrule chain, timed apart (the fastest of
    ``repeat`` runs: a shared machine's noise only ever adds time, and one slow run made
    10k-vs-100k look non-linear), then (in a traced run: tracemalloc slows Python down) the
    graph's memory after the forward pass and the peak during backward.

    The issue's linearity target is about backward; the forward pass also pays for Python's
    cyclic garbage collector, which scans the growing graph's objects now and then.
    """
    forward = backward = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        x, loss = _build_chain(n_ops)
        forward = min(forward, time.perf_counter() - start)
        start = time.perf_counter()
        loss.backward()
        backward = min(backward, time.perf_counter() - start)
        grad = float(x.grad.data[0])
        del x, loss
    tracemalloc.start()
    _, loss = _build_chain(n_ops)
    graph_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    loss.backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "ops": n_ops,
        "forward_s": forward,
        "backward_s": backward,
        "backward_us_per_op": backward / n_ops * 1e6,
        "graph_mib": graph_bytes / 2**20,
        "backward_peak_mib": peak / 2**20,
        "grad": grad,
    }
