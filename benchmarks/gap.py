"""``python -m benchmarks.gap [--batch N]``: where the time between chainrule and the floor goes.

Four measurements; the contenders take turns in pieces of each run, as in the main
benchmark, and each figure is the median (and the fastest) of ``--reps`` runs:

1. Fixed cost per step. A tiny MLP (8-8-8-4, batch 4), where NumPy's arithmetic is
   negligible, trained by the floor, by chainrule, and by chainrule's own op functions
   (``Linear.forward``, ``ReLU.backward``, ...) called in order by hand: no graph, modules,
   ``backward()`` or optimiser. chainrule minus "ops only" is the engine's cost per step;
   "ops only" minus the floor is what the op bodies do beyond the floor's NumPy calls
   (input checks, bookkeeping, extra temporaries).
2. The benchmark's MLP at ``--batch`` (default 10): the floor and chainrule each with the
   floor's in-place update (``g *= lr; p -= g``) and with ``p -= lr * g``, the form an
   optimiser must use because ``.grad`` still holds the gradient after ``step()``
   (chainrule's in-place variant is for this measurement only), and "ops only" with
   ``p -= lr * g``: the same split of the rest into op bodies and engine at full size.
3. The update alone: the floor's two forms and ``optim.SGD.step()`` on the MLP's
   parameters, alternated, hot in the cache.
4. Costs outside the arithmetic: garbage-collector passes and page faults (fresh memory
   from the kernel) during one run of the floor and of chainrule on that MLP; where both
   are zero, neither explains a difference in time.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time

import numpy as np

import chainrule as cr
import chainrule.optim as optim
from benchmarks import chainrule_mlp, numpy_mlp
from benchmarks.__main__ import (
    PIECES,
    SIZES,
    _limit_blas_threads,
    alternate,
    check_agree,
    check_losses,
    init_weights,
    load_data,
)
from benchmarks.pieces import run_to_end, split
from chainrule.autograd.function import Context
from chainrule.autograd.ops.activation import ReLU
from chainrule.autograd.ops.linalg import Linear
from chainrule.autograd.ops.loss import CrossEntropy


def train_ops_only(init, x, y, batches, lr: float):
    """SGD on the MLP with chainrule's op functions called directly; final loss and params."""
    return run_to_end(ops_only_training(init, x, y, batches, lr))


def ops_only_training(init, x, y, batches, lr: float, pieces: int = 1):
    """``train_ops_only`` as a generator that pauses after each of ``pieces`` runs of batches."""
    params = [p.copy() for p in init]
    n_layers = len(params) // 2
    seed = np.ones((), np.float32)
    loss = None
    for piece in split(batches, pieces):
        for idx in piece:
            a, nodes = x[idx], []
            for i in range(n_layers):
                ctx = Context()
                ctx.needs_input_grad = (i > 0, True, True)
                a = Linear.forward(ctx, a, params[2 * i], params[2 * i + 1])
                nodes.append((Linear, ctx))
                if i < n_layers - 1:
                    ctx = Context()
                    ctx.needs_input_grad = (True,)
                    a = ReLU.forward(ctx, a)
                    nodes.append((ReLU, ctx))
            ctx = Context()
            ctx.needs_input_grad = (True, False)
            loss = CrossEntropy.forward(ctx, a, y[idx], reduction="mean")
            (g, _) = CrossEntropy.backward(ctx, seed)
            grads = []
            for op, ctx in reversed(nodes):
                if op is ReLU:
                    g = op.backward(ctx, g)
                else:
                    g, grad_w, grad_b = op.backward(ctx, g)
                    grads[:0] = [grad_w, grad_b]
            for p, grad in zip(params, grads, strict=True):
                p -= lr * grad
        yield
    return float(loss), params


def update_costs(sizes, reps: int, calls: int = 200) -> dict:
    """µs per SGD update of the parameters of an MLP of ``sizes`` (lr 0.05, gradients of their
    shapes), median and fastest of ``reps`` runs of ``calls`` updates, the three forms
    alternated: the floor's in-place ``g *= lr; p -= g`` (with lr 1: the same passes over
    memory, and gradients scaled on every call would sink into slow subnormal numbers), the
    floor's ``p -= lr * g`` that keeps the gradients, and ``optim.SGD.step()`` (one pass,
    ``add_scaled_``), which keeps them too."""
    init = init_weights(sizes, np.random.default_rng(3))
    grads = [np.full_like(p, 1e-3) for p in init]
    tensors = [cr.tensor(p.copy(), requires_grad=True) for p in init]
    for t, g in zip(tensors, grads, strict=True):
        t.grad = cr.tensor(g.copy())
    floor_params = [p.copy() for p in init]
    floor_in_place = numpy_mlp.SGD(floor_params, 1.0)
    floor_keep = numpy_mlp.SGD(floor_params, 0.05, keep_grads=True)
    optimizer = optim.SGD(tensors, lr=0.05)

    def timed(step):
        start = time.perf_counter()
        for _ in range(calls):
            step()
        return time.perf_counter() - start

    forms = {
        "floor, in place": lambda: timed(lambda: floor_in_place.step(grads)),
        "floor, p -= lr * g": lambda: timed(lambda: floor_keep.step(grads)),
        "optim.SGD": lambda: timed(optimizer.step),
    }
    times = {name: [] for name in forms}
    for _ in range(reps):
        for name, run in forms.items():
            times[name].append(run())
    return _per_step(times, calls)


def side_costs(run) -> dict:
    """Call ``run()`` once, counting the garbage collector's passes and the process's minor
    page faults meanwhile."""
    passes = []

    def callback(phase: str, info: dict) -> None:
        if phase == "stop":
            passes.append(info["generation"])

    gc.callbacks.append(callback)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    try:
        run()
    finally:
        gc.callbacks.remove(callback)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return {"gc_passes": len(passes), "page_faults": faults}


def _per_step(times: dict, steps: int) -> dict:
    """µs per step of each contender: (median, fastest) over the repetitions."""
    return {k: (statistics.median(t) / steps * 1e6, min(t) / steps * 1e6) for k, t in times.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gap", description=__doc__)
    parser.add_argument("--reps", type=int, default=7, help="repetitions (default 7)")
    parser.add_argument("--threads", type=int, default=1, help="NumPy BLAS threads (default 1)")
    parser.add_argument("--batch", type=int, default=10, help="batch of parts 2 and 4 (default 10)")
    args = parser.parse_args(argv)
    if args.reps < 1 or args.threads < 1 or args.batch < 1:
        parser.error("--reps, --threads and --batch must be >= 1")
    _limit_blas_threads(args.threads)

    rng = np.random.default_rng(1)
    tiny = init_weights((8, 8, 8, 4), rng)
    x = rng.random((20000, 8), dtype=np.float32)
    y = rng.integers(0, 4, 20000)
    batches = [np.arange(i, i + 4) for i in range(0, 20000, 4)]
    runs = {  # in turns of PIECES runs of batches, as the main benchmark
        "floor": lambda: numpy_mlp.training(tiny, x, y, batches, "sgd", 0.05, PIECES),
        "chainrule": lambda: chainrule_mlp.training(tiny, x, y, batches, "sgd", 0.05, PIECES),
        "ops only": lambda: ops_only_training(tiny, x, y, batches, 0.05, PIECES),
    }
    _, results, times = alternate(runs, args.reps)
    for name, (_, params) in results.items():  # a fast wrong result must not count
        for a, b in zip(results["floor"][1], params, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5, err_msg=name)
    per_step = _per_step(times, len(batches))
    print(f"tiny MLP 8-8-8-4, batch 4, {len(batches)} steps (µs per step, median and fastest):")
    for name, (median, fastest) in per_step.items():
        print(f"  {name:10s} {median:6.1f} ({fastest:.1f})")
    engine = per_step["chainrule"][0] - per_step["ops only"][0]
    checks = per_step["ops only"][0] - per_step["floor"][0]
    print(
        f"  engine, modules, backward() and step(): {engine:.1f} µs; "
        f"op bodies beyond the floor: {checks:.1f} µs"
    )

    images, labels, source = load_data()
    init = init_weights(SIZES, np.random.default_rng(1))
    order = np.random.default_rng(2).permutation(len(images))[: 2000 * args.batch]
    batches = [order[i : i + args.batch] for i in range(0, len(order), args.batch)]
    updates = {  # (contender, update) -> (its module, its optimizer name)
        ("floor", "in place"): (numpy_mlp, "sgd"),
        ("floor", "keep"): (numpy_mlp, "sgd_keep_grads"),
        ("chainrule", "in place"): (chainrule_mlp, "sgd_in_place"),
        ("chainrule", "keep"): (chainrule_mlp, "sgd"),
    }
    runs = {
        key: lambda m=module, o=opt: m.training(init, images, labels, batches, o, 0.05, PIECES)
        for key, (module, opt) in updates.items()
    }
    runs["ops only", "keep"] = lambda: ops_only_training(
        init, images, labels, batches, 0.05, PIECES
    )
    _, results, times = alternate(runs, args.reps)
    # The two updates must compute the same weights: bit for bit in the floor; in chainrule
    # up to rounding (optim.SGD's axpy rounds the multiply-add once, the in-place update
    # twice), which over 2000 steps drifts as the main benchmark's contenders do, so the
    # same checks apply: weights after 20 steps, then the final loss.
    for a, b in zip(results["floor", "in place"][1], results["floor", "keep"][1], strict=True):
        np.testing.assert_array_equal(b, a, err_msg="floor")
    first = {
        opt: chainrule_mlp.train(init, images, labels, batches[:20], opt, 0.05)[1]
        for opt in ("sgd", "sgd_in_place")
    }
    check_agree("chainrule's two updates (first 20 steps)", first, reference="sgd", tol=1e-4)
    check_losses(
        "chainrule's two updates",
        {k: results["chainrule", k][0] for k in ("keep", "in place")},
        reference="keep",
    )
    # "ops only" rounds the cross-entropy's gradient otherwise than the floor: over thousands
    # of steps the weights drift apart as the contenders' do, so the same checks apply
    first = {
        "floor": numpy_mlp.train(init, images, labels, batches[:20], "sgd_keep_grads", 0.05)[1],
        "ops only": train_ops_only(init, images, labels, batches[:20], 0.05)[1],
    }
    check_agree("ops only (first 20 steps)", first, reference="floor", tol=1e-4)
    check_losses(
        "ops only",
        {"floor": results["floor", "keep"][0], "ops only": results["ops only", "keep"][0]},
        reference="floor",
    )
    per_step = _per_step(times, len(batches))
    print(
        f"MLP {'-'.join(map(str, SIZES))}, batch {args.batch}, {len(batches)} steps, {source} "
        "(µs per step, median and fastest):"
    )
    for who in ("floor", "chainrule"):
        (in_place, fast_in), (keep, fast_keep) = (per_step[who, k] for k in ("in place", "keep"))
        print(
            f"  {who:10s} update in place {in_place:6.1f} ({fast_in:.1f}), p -= lr * g "
            f"{keep:6.1f} ({fast_keep:.1f})  (+{keep - in_place:.1f}: keeping .grad)"
        )
    ops, fast_ops = per_step["ops only", "keep"]
    print(
        f"  ops only   p -= lr * g {ops:6.1f} ({fast_ops:.1f}): op bodies "
        f"{ops - per_step['floor', 'keep'][0]:+.1f}, engine "
        f"{per_step['chainrule', 'keep'][0] - ops:+.1f} µs per step"
    )

    print(f"one SGD update of the MLP's {len(init)} parameters (µs, median and fastest):")
    for name, (median, fastest) in update_costs(SIZES, args.reps * 3).items():
        print(f"  {name:20s} {median:6.1f} ({fastest:.1f})")

    contenders = {"floor": numpy_mlp, "chainrule": chainrule_mlp}
    for module in contenders.values():  # warm up: first-use allocations are not the steady state
        module.train(init, images, labels, batches[:50], "sgd", 0.05)
    print(f"the same MLP, one run of {len(batches)} steps each:")
    for name, module in contenders.items():
        costs = side_costs(lambda m=module: m.train(init, images, labels, batches, "sgd", 0.05))
        print(
            f"  {name:10s} garbage-collector passes {costs['gc_passes']}, "
            f"page faults {costs['page_faults'] / len(batches):.2f} per step"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
