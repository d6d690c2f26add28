"""Peak memory (max RSS) of an MLP SGD run per contender, each in its own subprocess.

The peak RSS is a process-lifetime maximum, so each contender runs alone in a fresh
interpreter; the baseline (interpreter, imports, data) is reported separately per process
so the training's own peak can be compared. Run as
``python -m benchmarks.memory CONTENDER BATCH N_BATCHES``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np


def _max_rss_mib() -> float:
    """This process's peak RSS (VmHWM). Not ``getrusage``: its ru_maxrss carries over the
    parent's peak across fork + exec, so every child would report the parent's figure."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # KiB
    raise OSError("benchmarks.memory: no VmHWM in /proc/self/status (Linux only)")


def measure(contender: str, batch: int, n_batches: int) -> dict:
    """Run ``contender`` in a subprocess: its max RSS before and after training, in MiB."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", contender, str(batch), str(n_batches)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _child(contender: str, batch: int, n_batches: int) -> None:
    import importlib

    from benchmarks.__main__ import SIZES, init_weights, load_data

    module = importlib.import_module(f"benchmarks.{contender}_mlp")
    if contender == "torch":
        import torch  # noqa: F401 - imported before the baseline, like the others' imports
    x, y, _ = load_data()
    rng = np.random.default_rng(1)
    init = init_weights(SIZES, rng)
    order = rng.permutation(len(x))[: batch * n_batches]
    batches = [order[i : i + batch] for i in range(0, len(order), batch)]
    before = _max_rss_mib()
    module.train(init, x, y, batches, "sgd", 0.1)
    print(json.dumps({"contender": contender, "baseline_mib": before, "peak_mib": _max_rss_mib()}))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
