"""The classic Network([784, 30, 10]) recipe: sigmoid layers, quadratic cost, mini-batch SGD.

Three versions from the same weights over the same mini-batches: the per-sample algorithm
as the classic code writes it (backprop one example at a time, sum the gradients), the same
algorithm vectorised over the mini-batch in NumPy, and ``chainrule.classic.Network``.
Backprop: delta_L = (a_L - y) * s'(z_L), delta_l = (delta_{l+1} W_{l+1}^T) * s'(z_l),
dW_l = a_{l-1}^T delta_l, db_l = sum delta_l; each step W -= eta/m * dW.
"""

from __future__ import annotations

import numpy as np

from benchmarks.pieces import run_to_end, split
from chainrule.classic import Network


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _backprop(weights, biases, x, y):
    """Gradients of 1/2 ||a_L - y||^2 summed over the rows of ``x`` (one row or many)."""
    acts, zs, a = [x], [], x
    for w, b in zip(weights, biases, strict=True):
        z = a @ w + b
        zs.append(z)
        a = _sigmoid(z)
        acts.append(a)
    delta = (a - y) * a * (1 - a)
    dws, dbs = [None] * len(weights), [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        dws[i] = acts[i].T @ delta
        dbs[i] = delta.sum(axis=0)
        if i > 0:
            s = acts[i]
            delta = (delta @ weights[i].T) * s * (1 - s)
    return dws, dbs


def per_sample_training(weights, biases, x, y, batches, eta, pieces=1):
    """The classic algorithm, one sample at a time, from copies of the weights; a generator
    that pauses after each of ``pieces`` runs of batches (``benchmarks.pieces``)."""
    weights, biases = [w.copy() for w in weights], [b.copy() for b in biases]
    for piece in split(batches, pieces):
        for idx in piece:
            dws = [np.zeros_like(w) for w in weights]
            dbs = [np.zeros_like(b) for b in biases]
            for i in idx:  # the classic per-sample loop, kept on purpose: it is the baseline
                sw, sb = _backprop(weights, biases, x[i : i + 1], y[i : i + 1])
                for acc, g in zip(dws + dbs, sw + sb, strict=True):
                    acc += g
            scale = np.float32(eta / len(idx))
            for p, g in zip(weights + biases, dws + dbs, strict=True):
                p -= scale * g
        yield
    return weights, biases


def vectorised_training(weights, biases, x, y, batches, eta, pieces=1):
    """The same algorithm over whole mini-batches in NumPy (the floor); a generator as above."""
    weights, biases = [w.copy() for w in weights], [b.copy() for b in biases]
    for piece in split(batches, pieces):
        for idx in piece:
            dws, dbs = _backprop(weights, biases, x[idx], y[idx])
            scale = np.float32(eta / len(idx))
            for p, g in zip(weights + biases, dws + dbs, strict=True):
                p -= scale * g
        yield
    return weights, biases


def chainrule_training(weights, biases, x, y, batches, eta, pieces=1):
    """``chainrule.classic.Network`` from the same weights; a generator as above."""
    net = Network([x.shape[1], *(w.shape[1] for w in weights)], seed=0)
    for p, v in zip(net.weights + net.biases, weights + biases, strict=True):
        p.data[...] = v
    for piece in split(batches, pieces):
        for idx in piece:
            net.update_mini_batch(x[idx], y[idx], eta)
        yield
    return [w.data for w in net.weights], [b.data for b in net.biases]


def train_per_sample(weights, biases, x, y, batches, eta):
    return run_to_end(per_sample_training(weights, biases, x, y, batches, eta))


def train_vectorised(weights, biases, x, y, batches, eta):
    return run_to_end(vectorised_training(weights, biases, x, y, batches, eta))


def train_chainrule(weights, biases, x, y, batches, eta):
    return run_to_end(chainrule_training(weights, biases, x, y, batches, eta))


def main(argv=None) -> int:
    """``python -m benchmarks.classic [--reps R] [--batches B]``: only the classic workload,
    measured exactly as ``python -m benchmarks`` measures it (same data, order and checks)."""
    import argparse

    from benchmarks.__main__ import classic_workload, load_data

    parser = argparse.ArgumentParser(prog="python -m benchmarks.classic", description=main.__doc__)
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--batches", type=int, default=None, help="batches (default an epoch)")
    args = parser.parse_args(argv)
    if args.reps < 1 or (args.batches is not None and args.batches < 1):
        parser.error("--reps and --batches must be >= 1")
    x, y, source = load_data()
    row = classic_workload(x, y, args.batches, args.reps)
    print(f"data: {source}\n{row['workload']}")
    for name in ("numpy", "chainrule", "per_sample"):
        print(f"  {name:10s} {row[name]:.3f} s")
    print(
        f"chainrule / vectorised NumPy: {row['chainrule'] / row['numpy']:.2f}x; "
        f"{row['speedup_vs_per_sample']:.1f}x faster than per-sample"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
