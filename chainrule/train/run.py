"""A training run from a configuration: data, model, optimiser, run folder, checkpoints.

The run folder holds ``config.json`` (enough to rerun), ``history.csv``/``.json``,
``curves.png``, and the checkpoints ``last.npz`` (every epoch) and ``best.npz`` (lowest
validation loss). A checkpoint holds the model, the optimiser state, the epoch, the
shuffle and dropout generators' states and the history, so ``resume`` continues exactly.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import numpy as np

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.data import DataLoader, load_digits, load_fashion_mnist, load_mnist
from chainrule.data.split import stratified_split
from chainrule.io import atomic_write
from chainrule.train.callbacks import EarlyStopping, ProgressReporter
from chainrule.train.history import write_history
from chainrule.train.loop import Callback, fit

ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "prelu": nn.PReLU,
}
INITS = ("default", "normal", "xavier", "kaiming")
LOSSES = ("cross_entropy", "mse")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "adagrad": 0.05, "rmsprop": 1e-3, "adam": 1e-3}


@dataclasses.dataclass
class TrainConfig:
    """Every choice a run makes; saved as ``config.json`` in the run folder."""

    data: str = "digits"
    model: list[int] = dataclasses.field(default_factory=lambda: [512, 256])
    activation: str = "relu"
    init: str = "default"
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    lr: float | None = None
    momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 32
    epochs: int = 30
    seed: int = 0
    patience: int | None = None
    val_fraction: float = 0.1

    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimizer]

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad option."""
        checks = [
            (self.activation in ACTIVATIONS, "--activation", self.activation, list(ACTIVATIONS)),
            (self.init in INITS, "--init", self.init, list(INITS)),
            (self.loss in LOSSES, "--loss", self.loss, list(LOSSES)),
            (self.optimizer in OPTIMIZERS, "--optimizer", self.optimizer, list(OPTIMIZERS)),
        ]
        for ok, option, value, allowed in checks:
            if not ok:
                raise ValueError(f"{option}: unknown value {value!r}; choose from {allowed}")
        for option, value in (("--batch-size", self.batch_size), ("--epochs", self.epochs)):
            if value < 1:
                raise ValueError(f"{option} must be at least 1, got {value}")
        if any(h < 1 for h in self.model):
            raise ValueError(f"--model: hidden sizes must be positive, got {self.model}")
        if self.learning_rate() <= 0:
            raise ValueError(f"--lr must be positive, got {self.lr}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"--patience must be at least 1, got {self.patience}")


def load_dataset(name: str):
    """``(train, test)`` array pairs for 'digits', 'mnist', 'fashion-mnist' or a folder."""
    if name == "digits":
        return load_digits()
    if name == "mnist":
        return load_mnist()
    if name == "fashion-mnist":
        return load_fashion_mnist()
    path = Path(name)
    if not path.is_dir():
        raise FileNotFoundError(
            f"--data: {name!r} is neither digits, mnist, fashion-mnist nor a folder of IDX files"
        )
    return load_fashion_mnist(path) if "fashion" in path.name.lower() else load_mnist(path)


def build_model(config: TrainConfig, n_inputs: int, n_classes: int) -> nn.Sequential:
    """An MLP ``n_inputs -> hidden... -> n_classes`` with the configured activation and init."""
    cr.manual_seed(config.seed)
    sizes = [n_inputs, *config.model, n_classes]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = nn.Linear(n_in, n_out)
        _initialise(linear, config)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[config.activation]())
    return nn.Sequential(*layers)


def _initialise(linear: nn.Linear, config: TrainConfig) -> None:
    if config.init == "default":
        return  # PyTorch's Linear initialisation
    if config.init == "normal":  # the classic standard-normal weights and biases
        nn.init.normal_(linear.weight)
        nn.init.normal_(linear.bias)
        return
    nonlinearity = (
        "leaky_relu" if config.activation in ("leaky_relu", "prelu") else config.activation
    )
    if config.init == "xavier":
        nn.init.xavier_uniform_(linear.weight, gain=nn.init.calculate_gain(nonlinearity))
    else:
        nn.init.kaiming_uniform_(linear.weight, nonlinearity=nonlinearity)
    nn.init.zeros_(linear.bias)


def build_optimizer(config: TrainConfig, params) -> optim.Optimizer:
    lr, wd = config.learning_rate(), config.weight_decay
    if config.optimizer == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=wd)
    if config.optimizer == "momentum":
        return optim.SGD(params, lr=lr, momentum=config.momentum, weight_decay=wd)
    if config.optimizer == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=wd)
    if config.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=wd)
    return optim.Adam(params, lr=lr, weight_decay=wd)


def build_loss(config: TrainConfig, n_classes: int):
    """``loss(output, labels)``: cross-entropy from logits, or the quadratic cost of the
    sigmoid outputs against one-hot targets."""
    if config.loss == "cross_entropy":
        return F.cross_entropy
    eye = np.eye(n_classes, dtype=np.float32)

    def quadratic_cost(output, labels):
        return F.mse_loss(output.sigmoid(), cr.tensor(eye[labels.data]), half=True)

    return quadratic_cost


class CheckpointWriter(Callback):
    """After every epoch: ``last.npz``, ``best.npz`` (on a new best validation loss), the
    history files and ``curves.png``."""

    def __init__(self, run) -> None:
        self.run = run

    def on_epoch_end(self, trainer, epoch: int, metrics: dict) -> None:
        run = self.run
        run.save_checkpoint(run.folder / "last.npz", epoch)
        if metrics.get("val_loss", np.inf) < run.best_val_loss:
            run.best_val_loss = metrics["val_loss"]
            run.save_checkpoint(run.folder / "best.npz", epoch)
        write_history(trainer.history, run.folder)
        run.plot()


class Run:
    """One training run in its folder: builds everything from the config and trains it."""

    def __init__(self, config: TrainConfig, folder, quiet: bool = False, stream=None) -> None:
        config.validate()
        self.config, self.folder, self.quiet = config, Path(folder), quiet
        self.stream = stream
        (x_train, y_train), (self.x_test, self.y_test) = load_dataset(config.data)
        (x_fit, y_fit), (x_val, y_val) = stratified_split(
            x_train, y_train, config.val_fraction, config.seed
        )
        self.n_classes = int(max(y_train.max(), self.y_test.max()) + 1)
        self.train_loader = DataLoader(x_fit, y_fit, config.batch_size, seed=config.seed)
        self.val_loader = DataLoader(x_val, y_val, 1024, shuffle=False)
        self.model = build_model(config, x_train.shape[1], self.n_classes)
        self.optimizer = build_optimizer(config, self.model.parameters())
        self.loss_fn = build_loss(config, self.n_classes)
        self.early_stopping = EarlyStopping(config.patience) if config.patience else None
        self.history: list[dict] = []
        self.epoch = 0
        self.best_val_loss = np.inf

    # ---- checkpoints ------------------------------------------------------------------------
    def save_checkpoint(self, path: Path, epoch: int) -> None:
        cr.save(
            {
                "config": dataclasses.asdict(self.config),
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "epoch": epoch,
                "loader": self.train_loader.state_dict(),
                "global_rng": cr.default_generator().bit_generator.state,
                "history": self.history,
                "best_val_loss": self.best_val_loss,
                "early_stopping": self.early_stopping.state_dict() if self.early_stopping else None,
            },
            path,
        )

    def restore(self, path: Path) -> None:
        """Continue from a checkpoint written by ``save_checkpoint``."""
        state = cr.load(path)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.train_loader.load_state_dict(state["loader"])
        cr.default_generator().bit_generator.state = state["global_rng"]
        self.history = list(state["history"])
        self.epoch = state["epoch"]
        self.best_val_loss = state["best_val_loss"]
        if self.early_stopping and state["early_stopping"]:
            self.early_stopping.load_state_dict(state["early_stopping"])

    # ---- running ----------------------------------------------------------------------------
    def write_config(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.folder / "config.json", "w") as handle:
            json.dump(dataclasses.asdict(self.config), handle, indent=1)

    def plot(self) -> None:
        from chainrule.train.plots import plot_curves

        if self.history:
            plot_curves(self.history, self.folder / "curves.png")

    def train(self) -> list[dict]:
        """Train from ``self.epoch`` to the configured number of epochs."""
        self.folder.mkdir(parents=True, exist_ok=True)
        callbacks: list[Callback] = []
        if not self.quiet:
            callbacks.append(
                ProgressReporter(self.config.epochs, len(self.train_loader), self.stream)
            )
        if self.early_stopping:
            callbacks.append(self.early_stopping)
        callbacks.append(CheckpointWriter(self))
        started = time.perf_counter()
        fit(
            self.model,
            self.loss_fn,
            self.optimizer,
            self.train_loader,
            self.val_loader,
            self.config.epochs,
            callbacks,
            start_epoch=self.epoch,
            history=self.history,
        )
        self.epoch = self.history[-1]["epoch"] if self.history else self.epoch
        self.elapsed = time.perf_counter() - started
        return self.history

    # ---- reporting --------------------------------------------------------------------------
    def model_summary(self) -> str:
        sizes = [self.model[0].in_features] + [
            m.out_features for m in self.model if isinstance(m, nn.Linear)
        ]
        n_params = sum(p.size for p in self.model.parameters())
        return f"{'-'.join(map(str, sizes))} {self.config.activation}, {n_params:,} parameters"

    def restore_weights(self, path: Path) -> int:
        """Load only the model weights of a checkpoint; returns its epoch."""
        state = cr.load(path)
        self.model.load_state_dict(state["model"])
        return state["epoch"]

    def test_loader(self) -> DataLoader:
        return DataLoader(self.x_test, self.y_test, 1024, shuffle=False)

    def write_summary(self, test: dict) -> str:
        """Save ``summary.json`` and the confusion-matrix picture; return the report text."""
        from chainrule.train.plots import plot_confusion

        best_epoch = min(self.history, key=lambda h: h["val_loss"])["epoch"] if self.history else 0
        summary = {
            "test_accuracy": test["accuracy"],
            "test_loss": test["loss"],
            "best_epoch": best_epoch,
            "epochs_run": self.epoch,
            "confusion": test["confusion"].tolist(),
        }
        with atomic_write(self.folder / "summary.json", "w") as handle:
            json.dump(summary, handle, indent=1)
        plot_confusion(test["confusion"], self.folder / "confusion.png")
        return (
            f"test accuracy {100 * test['accuracy']:.2f}% (weights of epoch {best_epoch}, "
            f"the best validation loss)\nrun folder: {self.folder}  "
            f"(curves.png, confusion.png, history.csv, best.npz, last.npz)"
        )


def load_trained(path) -> tuple[nn.Sequential, TrainConfig, Path]:
    """``(model, config, folder)`` from a run folder (its best.npz, else last.npz) or a
    checkpoint file; the model's sizes are read from the checkpoint's weights."""
    path = Path(path)
    if path.is_dir():
        path = next((path / n for n in ("best.npz", "last.npz") if (path / n).is_file()), None)
        if path is None:
            raise FileNotFoundError(f"{path}: no best.npz or last.npz in this run folder")
    state = cr.load(path)
    if not isinstance(state, dict) or "model" not in state or "config" not in state:
        raise ValueError(f"{path}: not a chainrule training checkpoint")
    config = TrainConfig(**state["config"])
    weights = [v for k, v in state["model"].items() if k.endswith("weight") and v.ndim == 2]
    model = build_model(config, weights[0].shape[0], weights[-1].shape[1])
    try:
        model.load_state_dict(state["model"])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path}: the checkpoint does not fit its model: {exc}") from None
    model.eval()
    return model, config, path.parent
