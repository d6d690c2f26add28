"""``chainrule train --classic``: the classic Network recipe on any of the datasets.

Sigmoid layers ``[inputs, 30, 10]``, quadratic cost, mini-batch 10, eta 3.0, standard-normal
initial weights; the test accuracy is reported after every epoch, as the classic code does.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from chainrule.classic import Network
from chainrule.io import atomic_write
from chainrule.train.history import write_history
from chainrule.train.plots import plot_curves
from chainrule.train.run import TrainConfig, load_dataset

CLASSIC = {
    "model": [30],
    "activation": "sigmoid",
    "loss": "mse",
    "optimizer": "sgd",
    "lr": 3.0,
    "batch_size": 10,
    "init": "normal",
}


def run_classic(config: TrainConfig, folder: Path, quiet: bool = False) -> int:
    """Train ``Network([inputs, 30, 10])`` with the classic settings; write the run folder."""
    config = dataclasses.replace(config, **CLASSIC)
    (x_train, y_train), (x_test, y_test) = load_dataset(config.data)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_write(folder / "config.json", "w") as handle:
        json.dump({**dataclasses.asdict(config), "classic": True}, handle, indent=1)
    net = Network([x_train.shape[1], 30, 10], seed=config.seed)
    history = []
    for epoch in range(1, config.epochs + 1):
        started = time.perf_counter()
        net.SGD((x_train, y_train), 1, config.batch_size, config.lr, verbose=False)
        elapsed = time.perf_counter() - started
        train_acc = net.evaluate((x_train, y_train)) / len(x_train)
        test_acc = net.evaluate((x_test, y_test)) / len(x_test)
        history.append(
            {
                "epoch": epoch,
                "train_acc": train_acc,
                "val_acc": test_acc,
                "train_loss": float("nan"),
                "val_loss": float("nan"),
                "time": elapsed,
            }
        )
        if not quiet:
            print(
                f"Epoch {epoch}: {round(test_acc * len(x_test))} / {len(x_test)}  "
                f"({100 * test_acc:.2f}%, {elapsed:.2f}s)",
                flush=True,
            )
    write_history(history, folder)
    plot_curves(history, folder / "curves.png")
    print(
        f"classic Network test accuracy {100 * history[-1]['val_acc']:.2f}%\nrun folder: {folder}"
    )
    return 0
