"""``chainrule train --classic``: the classic Network recipe on any of the datasets.

Sigmoid layers ``[inputs, 30, 10]``, quadratic cost, mini-batch 10, eta 3.0, standard-normal
initial weights; the test accuracy is reported after every epoch, as the classic code does.
The trained weights are saved as ``last.npz`` in the same format as every other run, so
``chainrule eval`` and ``chainrule predict`` work on classic runs too.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule.classic import Network
from chainrule.io import atomic_write
from chainrule.train.history import write_history
from chainrule.train.plots import plot_curves
from chainrule.train.run import TrainConfig, build_model, load_dataset, make_folder

CLASSIC = {
    "model": [30],
    "activation": "sigmoid",
    "init": "normal",
    "loss": "mse",
    "optimizer": "sgd",
    "lr": 3.0,
    "batch_size": 10,
    "schedule": "constant",
}
# TrainConfig settings the recipe has no use for: it has no momentum, weight decay or early
# stopping, and trains on the whole training split (nothing held out for validation).
UNUSED = ("momentum", "weight_decay", "patience", "val_fraction")


def _cost_and_accuracy(net: Network, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The quadratic cost ``1/(2n) sum ||a - onehot(y)||^2`` and the accuracy on ``(x, y)``."""
    a = net.feedforward(x)
    target = np.eye(a.shape[1], dtype=a.dtype)[y]
    cost = 0.5 * float(np.square(a - target).sum()) / len(x)
    return cost, float((a.argmax(axis=1) == y).mean())


def classic_config(config: TrainConfig) -> TrainConfig:
    """``config`` with the classic recipe's settings (data, epochs and seed kept)."""
    return dataclasses.replace(config, **CLASSIC)


def _recipe_settings(config: TrainConfig) -> dict:
    """The settings of ``config`` the classic run uses, as saved in its config.json."""
    return {key: value for key, value in dataclasses.asdict(config).items() if key not in UNUSED}


def run_classic(config: TrainConfig, folder: Path, quiet: bool = False, stream=None) -> dict:
    """Train ``Network([inputs, 30, 10])`` with the classic settings; write the run folder.

    Returns the last epoch's history entry (with ``test_acc``).
    """
    stream = stream or sys.stderr
    config = classic_config(config)
    (x_train, y_train), (x_test, y_test) = load_dataset(config.data)
    make_folder(folder)
    with atomic_write(folder / "config.json", "w") as handle:
        json.dump({**_recipe_settings(config), "classic": True}, handle, indent=1)
    n_classes = int(max(y_train.max(), y_test.max()) + 1)
    net = Network([x_train.shape[1], *config.model, n_classes], seed=config.seed)
    history = []
    for epoch in range(1, config.epochs + 1):
        started = time.perf_counter()
        net.SGD((x_train, y_train), 1, config.batch_size, config.lr, verbose=False)
        elapsed = time.perf_counter() - started
        train_loss, train_acc = _cost_and_accuracy(net, x_train, y_train)
        test_loss, test_acc = _cost_and_accuracy(net, x_test, y_test)
        history.append(
            {
                "epoch": epoch,
                "train_loss": train_loss,
                "train_acc": train_acc,
                "test_loss": test_loss,
                "test_acc": test_acc,
                "time": elapsed,
                "samples_per_s": len(x_train) / elapsed,
            }
        )
        if not quiet:
            print(
                f"Epoch {epoch}: {round(test_acc * len(x_test))} / {len(x_test)}  "
                f"(test {100 * test_acc:.2f}%, cost {train_loss:.4f}, {elapsed:.2f}s)",
                file=stream,
                flush=True,
            )
    write_history(history, folder)
    plot_curves(history, folder / "curves.png")
    _save_as_mlp(net, config, folder / "last.npz", history)
    return history[-1]


def _save_as_mlp(net: Network, config: TrainConfig, path: Path, history: list[dict]) -> None:
    """Save the Network's weights as the equivalent ``Sequential`` MLP's checkpoint."""
    model = build_model(config, net.sizes[0], net.sizes[-1])
    linears = [model[i] for i in range(0, len(model), 2)]
    for linear, w, b in zip(linears, net.weights, net.biases, strict=True):
        linear.weight.data[...] = w.data
        linear.bias.data[...] = b.data
    state = {"config": dataclasses.asdict(config), "model": model.state_dict()}
    cr.save({**state, "epoch": history[-1]["epoch"], "history": history, "classic": True}, path)
