"""Peak memory (max RSS) of an MLP SGD run per contender, each in its own subprocess.

The peak RSS is a process-lifetime maximum, so each contender runs alone in a fresh
interpreter. Loading the data peaks higher than training (decompressed bytes and the float
conversion), so the peak is reset after loading (``/proc/self/clear_refs``) and measured
over the training alone; the RSS before training (interpreter, imports, data) and the
training's increment over it are reported too. Run as
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


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


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
    peak_before = _max_rss_mib()  # loading the data has its own, higher peak: forget it
    reset = _reset_peak()
    before = _max_rss_mib()
    module.train(init, x, y, batches, "sgd", 0.1)
    peak = _max_rss_mib()
    print(
        json.dumps(
            {
                "contender": contender,
                "baseline_mib": before,
                "peak_mib": peak,
                "training_mib": peak - before,
                "peak_reset": reset,
                "load_peak_mib": peak_before,
            }
        )
    )


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
