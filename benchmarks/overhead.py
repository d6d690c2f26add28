"""Per-op overhead (200-op chain of tiny tensors) and long chains (time and memory growth).

The chain alternates ``y = y * c`` and ``y = y + c`` on a 4-element float32 vector, then
``y.sum().backward()``; the time of forward + backward divided by the op count is µs/op.
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


def us_per_op(contender: str, n_ops: int = 200, repeat: int = 50) -> tuple[float, float]:
    """Median µs/op over ``repeat`` chains, and the gradient the chain computed."""
    run = _chain_chainrule if contender == "chainrule" else _chain_torch
    times = []
    grad = float("nan")
    for _ in range(repeat):
        start = time.perf_counter()
        grad = run(n_ops)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) / n_ops * 1e6, grad


def long_chain(n_ops: int) -> dict:
    """Forward+backward time of an ``n_ops`` chainrule chain, and its traced peak memory."""
    start = time.perf_counter()
    grad = _chain_chainrule(n_ops)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    _chain_chainrule(n_ops)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"ops": n_ops, "seconds": seconds, "peak_mib": peak / 2**20, "grad": grad}
