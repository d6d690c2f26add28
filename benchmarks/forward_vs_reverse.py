"""Why backpropagation: the full gradient of a scalar loss by forward mode vs reverse mode.

The loss of a small MLP, L(θ) = mean((tanh(x W1 + b1) W2 + b2 − y)²), is a function of a flat
parameter vector θ with n entries. Forward mode gets ∂L/∂θ_k from one jvp per k, so n forward
passes; reverse mode gets all n entries from one forward and one backward pass. The table and
the figure show the forward-mode cost growing linearly in n while reverse mode stays flat.

    python benchmarks/forward_vs_reverse.py            # n from 11 to 2001
    python benchmarks/forward_vs_reverse.py --quick    # n up to 501, a few seconds
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule.autograd import jvp
from chainrule.io.atomic import atomic_write

INPUTS, BATCH = 8, 32
HIDDEN_FULL = (1, 2, 5, 10, 20, 50, 100, 200)
HIDDEN_QUICK = (1, 5, 20, 50)


def make_loss(hidden: int, seed: int = 0):
    """``(loss(θ), θ0)`` for the MLP INPUTS -> hidden -> 1 on a fixed random batch."""
    rng = np.random.default_rng(seed)
    x = cr.tensor(rng.standard_normal((BATCH, INPUTS)).astype(np.float32))
    y = cr.tensor(rng.standard_normal((BATCH, 1)).astype(np.float32))
    sizes = [(INPUTS, hidden), (hidden,), (hidden, 1), (1,)]
    bounds = np.cumsum([0] + [int(np.prod(s)) for s in sizes])

    def loss(theta):
        w1, b1, w2, b2 = (
            theta[int(lo) : int(hi)].reshape(shape)
            for lo, hi, shape in zip(bounds[:-1], bounds[1:], sizes, strict=True)
        )
        return ((cr.linear(cr.linear(x, w1, b1).tanh(), w2, b2) - y) ** 2).mean()

    theta0 = (rng.standard_normal(int(bounds[-1])) * 0.5).astype(np.float32)
    return loss, theta0


def forward_mode_gradient(loss, theta: np.ndarray) -> np.ndarray:
    """∂L/∂θ one entry at a time: a jvp with each unit vector e_k gives ∂L/∂θ_k."""
    grad = np.empty_like(theta)
    basis = np.zeros_like(theta)
    for k in range(theta.size):
        basis[k] = 1
        grad[k] = jvp(loss, theta, basis)[1].item()
        basis[k] = 0
    return grad


def reverse_mode_gradient(loss, theta: np.ndarray) -> np.ndarray:
    """∂L/∂θ in one forward and one backward pass."""
    leaf = cr.tensor(theta, requires_grad=True)
    loss(leaf).backward()
    return leaf.grad.data


def best_time(repeats: int, fn, *args) -> float:
    """The fastest of ``repeats`` calls of ``fn(*args)``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def measure(hidden_sizes) -> list[dict]:
    rows = []
    for hidden in hidden_sizes:
        loss, theta = make_loss(hidden)
        forward = forward_mode_gradient(loss, theta)
        reverse = reverse_mode_gradient(loss, theta)
        if not np.allclose(forward, reverse, rtol=1e-3, atol=1e-5):
            raise AssertionError(f"n={theta.size}: forward and reverse gradients disagree")
        t_forward = best_time(3, forward_mode_gradient, loss, theta)
        t_reverse = best_time(20, reverse_mode_gradient, loss, theta)
        rows.append(dict(n=theta.size, forward=t_forward, reverse=t_reverse))
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'n params':>9} {'forward (s)':>12} {'reverse (s)':>12} {'forward/reverse':>16}")
    for r in rows:
        ratio = r["forward"] / r["reverse"]
        print(f"{r['n']:>9} {r['forward']:>12.5f} {r['reverse']:>12.6f} {ratio:>16.1f}")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.plot(n, [r["forward"] for r in rows], "o-", label="forward mode: n jvp passes")
    ax.plot(n, [r["reverse"] for r in rows], "s-", label="reverse mode: one backward pass")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of parameters n")
    ax.set_ylabel("time for the full gradient (s)")
    ax.set_title("Gradient of a scalar loss: forward vs reverse mode")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_write(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=120)
    plt.close(fig)


# with the suite's other results, out of the repository's tracked files
DEFAULT_FIGURE = Path(__file__).parent / "results" / "forward_vs_reverse.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (n up to 501)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_FIGURE,
        help="figure path (default: benchmarks/results/forward_vs_reverse.png)",
    )
    args = parser.parse_args()
    rows = measure(HIDDEN_QUICK if args.quick else HIDDEN_FULL)
    print_table(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    plot(rows, args.out)
    print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
