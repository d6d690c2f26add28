"""A training run from a configuration: data, model, optimiser, run folder, checkpoints.

The run folder holds ``config.json`` (enough to rerun), ``history.csv``/``.json``,
``curves.png``, and the checkpoints ``last.npz`` (every epoch) and ``best.npz`` (highest
validation accuracy). A checkpoint holds the config, the model, the optimiser state, the epoch,
the shuffle and global generators' states, the history, the early-stopping state and whether
early stopping ended the run, so ``restore`` continues exactly where the run left off (and a
run that early stopping ended stays ended).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import signal
import threading
import time
from pathlib import Path

import numpy as np

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.data import DataLoader, DatasetError, load_digits, load_fashion_mnist, load_mnist
from chainrule.data.split import stratified_split
from chainrule.io import CheckpointError, atomic_write
from chainrule.optim.lr_scheduler import CosineAnnealingLR
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
INITS = ("kaiming", "xavier", "normal", "default")
LOSSES = ("cross_entropy", "mse")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
SCHEDULES = ("constant", "cosine")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "adagrad": 0.05, "rmsprop": 1e-3, "adam": 1e-3}
EVAL_BATCH = 1024
# The one setting a resumed run may change (``chainrule train --resume RUN --epochs N``).
RESUMABLE = ("epochs",)


@dataclasses.dataclass
class TrainConfig:
    """Every choice a run makes; saved as ``config.json`` in the run folder.

    The defaults are the ``chainrule train`` recipe: a 512-256 ReLU MLP, Kaiming init, Adam
    with weight decay 1e-4, mini-batches of 64, 30 epochs, 10% of the training split held
    out for validation (98.6% test accuracy on digits with seed 0).
    """

    data: str = "digits"
    model: list[int] = dataclasses.field(default_factory=lambda: [512, 256])
    activation: str = "relu"
    init: str = "kaiming"
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    lr: float | None = None
    momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 64
    epochs: int = 30
    schedule: str = "constant"
    seed: int = 0
    patience: int | None = None
    val_fraction: float = 0.1

    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimizer]

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad option (a hand-edited config.json may
        hold any JSON value, so the types are checked before the ranges)."""
        self._check_types()
        checks = [
            (self.activation in ACTIVATIONS, "--activation", self.activation, list(ACTIVATIONS)),
            (self.init in INITS, "--init", self.init, list(INITS)),
            (self.loss in LOSSES, "--loss", self.loss, list(LOSSES)),
            (self.optimizer in OPTIMIZERS, "--optimizer", self.optimizer, list(OPTIMIZERS)),
            (self.schedule in SCHEDULES, "--schedule", self.schedule, list(SCHEDULES)),
        ]
        for ok, option, value, allowed in checks:
            if not ok:
                raise ValueError(f"{option}: unknown value {value!r}; choose from {allowed}")
        for option, value in (("--batch-size", self.batch_size), ("--epochs", self.epochs)):
            if value < 1:
                raise ValueError(f"{option} must be at least 1, got {value}")
        if any(h < 1 for h in self.model):
            raise ValueError(f"--model: hidden sizes must be positive, got {self.model}")
        if self.seed < 0:
            raise ValueError(f"--seed must be >= 0, got {self.seed}")
        if not (math.isfinite(self.learning_rate()) and self.learning_rate() > 0):
            raise ValueError(f"--lr must be positive and finite, got {self.lr}")
        if not math.isfinite(self.weight_decay) or self.weight_decay < 0:
            raise ValueError(f"--weight-decay must be >= 0 and finite, got {self.weight_decay}")
        if not 0 <= self.momentum < 1:  # also refuses nan
            raise ValueError(f"--momentum must be in [0, 1), got {self.momentum}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"--patience must be at least 1, got {self.patience}")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {self.val_fraction}")

    def _check_types(self) -> None:
        """TypeError naming the first field whose value is not of its kind (bools are not
        numbers here: ``"epochs": true`` is a mistake, not 1)."""
        kinds = {"int": (int,), "float": (int, float), "str": (str,)}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            kind = field.type.split(" | ")[0]  # "int | None" -> "int"; annotations are text
            if field.name == "model":
                ok = isinstance(value, list) and all(
                    isinstance(h, int) and not isinstance(h, bool) for h in value
                )
            elif value is None:
                ok = field.type.endswith("| None")
            else:
                ok = isinstance(value, kinds[kind]) and not isinstance(value, bool)
            if not ok:
                raise TypeError(f"{field.name} must be {field.type}, got {value!r}")

    @classmethod
    def from_dict(cls, values: dict, source) -> TrainConfig:
        """The config saved in ``source`` (a config.json or checkpoint), validated."""
        if not isinstance(values, dict):
            raise CheckpointError(
                f"{source}: invalid training configuration (expected an object of settings, "
                f"got {type(values).__name__} {values!r:.40})"
            )
        known = [field.name for field in dataclasses.fields(cls)]
        unknown = [key for key in values if key not in known]
        try:
            if unknown:  # a misspelt key would otherwise be dropped or fail as a Python call
                raise TypeError(
                    f"unknown setting {', '.join(map(repr, unknown))}; "
                    f"the settings are {', '.join(known)}"
                )
            config = cls(**values)
            config.validate()
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{source}: invalid training configuration ({exc})") from None
        return config


def load_dataset(name: str, train: bool = True):
    """``(train, test)`` array pairs for 'digits', 'mnist', 'fashion-mnist' or a folder; with
    ``train=False`` the IDX datasets leave their training files unread (``None``)."""
    if name == "digits":
        return load_digits()
    if name == "mnist":
        return load_mnist(train=train)
    if name == "fashion-mnist":
        return load_fashion_mnist(train=train)
    path = Path(name)
    if not name or not path.is_dir():  # Path('') is the current folder, not a dataset
        raise DatasetError(
            f"--data: {name!r} is neither digits, mnist, fashion-mnist nor a folder of IDX files"
        )
    load = load_fashion_mnist if "fashion" in path.name.lower() else load_mnist
    return load(path, train=train)


class ModelTooLargeError(MemoryError):
    """The configured network's weights do not fit in memory (usually a mistyped size)."""


def build_model(config: TrainConfig, n_inputs: int, n_classes: int) -> nn.Sequential:
    """An MLP ``n_inputs -> hidden... -> n_classes`` with the configured activation and init.

    A layer too large for this machine, or for any array (NumPy's ValueError "Maximum allowed
    dimension exceeded"), is a ModelTooLargeError, which tells it apart from running out of
    memory elsewhere (loading the data).
    """
    cr.manual_seed(config.seed)
    sizes = [n_inputs, *config.model, n_classes]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        weight_bytes = n_in * n_out * np.dtype(np.float32).itemsize  # Python ints: exact
        if weight_bytes > np.iinfo(np.intp).max:
            raise ModelTooLargeError(
                f"a ({n_in}, {n_out}) float32 weight needs {weight_bytes:,} bytes, more than "
                "any array can hold"
            )
        try:
            linear = nn.Linear(n_in, n_out)
        except MemoryError as exc:
            raise ModelTooLargeError(str(exc)) from None
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
    sigmoid outputs ``½ (sigmoid(z) - onehot(y))²`` averaged over samples and classes
    (PyTorch's ``reduction='mean'``; the classic ``1/(2n) Σ ||a - y||²`` is 10 times that)."""
    if config.loss == "cross_entropy":
        return F.cross_entropy
    eye = np.eye(n_classes, dtype=np.float32)

    def quadratic_cost(output, labels):
        return F.mse_loss(output.sigmoid(), cr.tensor(eye[labels.data]), half=True)

    return quadratic_cost


def output_probabilities(config: TrainConfig, output: np.ndarray) -> np.ndarray:
    """What the model's outputs mean as class scores: softmax of the logits for
    cross-entropy, the sigmoid activations for the quadratic cost."""
    with cr.no_grad():
        if config.loss == "cross_entropy":
            return cr.tensor(output).softmax(axis=1).data
        return cr.tensor(output).sigmoid().data


def _score(metrics: dict) -> tuple[float, float]:
    """What makes an epoch the best: the highest validation accuracy, then the lowest loss.

    Accuracy first because the validation loss of a classifier often rises (over-confident
    wrong answers) while its accuracy still improves, as on Fashion-MNIST."""
    return (metrics["val_acc"], -metrics["val_loss"])


class SchedulerStep(Callback):
    """Advance the learning-rate schedule once per epoch, before the checkpoint is written."""

    def __init__(self, scheduler) -> None:
        self.scheduler = scheduler

    def on_epoch_end(self, trainer, epoch: int, metrics: dict) -> None:
        self.scheduler.step()


@contextlib.contextmanager
def interrupts_deferred():
    """Hold a Ctrl-C (SIGINT) until the block has finished, then raise KeyboardInterrupt.

    An epoch's checkpoints, history files and ``Run.epoch`` are updated together: without
    this, a Ctrl-C landing while ``last.npz`` is written (a large part of a short epoch)
    leaves ``Run.epoch`` one ahead of the file, and the message about what was saved wrong.
    Only where Python's own SIGINT handler is installed (main thread, not ignored).
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


class _BatchCounter(Callback):
    """Count the steps of the epoch under way, so an interrupt can say what it saved."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        self.run.batches_done = 0

    def on_batch_end(self, trainer, batch: int, loss: float) -> None:
        self.run.batches_done = batch + 1


class CheckpointWriter(Callback):
    """After every epoch: ``last.npz``, ``best.npz`` (on a new best validation accuracy, ties
    broken by the loss) and the history files; ``curves.png`` at most every ``PLOT_EVERY``
    seconds (drawing it takes ~0.2 s, far longer than an epoch on digits; ``Run.train``
    draws it once more at the end). A Ctrl-C meanwhile waits until all are written."""

    PLOT_EVERY = 20.0

    def __init__(self, run: Run) -> None:
        self.run = run
        self._plotted = time.monotonic()

    def on_epoch_end(self, trainer, epoch: int, metrics: dict) -> None:
        run = self.run
        with interrupts_deferred():
            run.epoch = epoch
            # EarlyStopping runs before this writer, so it has already had its say on `epoch`
            run.stopped_early = _early_stop_fired(run.early_stopping)
            if "val_acc" in metrics and _score(metrics) > tuple(run.best_score):
                run.best_score = _score(metrics)
                run.save_checkpoint(run.folder / "best.npz")
            run.save_checkpoint(run.folder / "last.npz")
            write_history(trainer.history, run.folder)
            run.batches_done = 0  # nothing of the next epoch has run yet
        if time.monotonic() - self._plotted >= self.PLOT_EVERY:
            run.plot()
            self._plotted = time.monotonic()


class Run:
    """One training run in its folder: builds everything from the config and trains it."""

    def __init__(self, config: TrainConfig, folder, quiet: bool = False, stream=None) -> None:
        config.validate()
        self.config, self.folder, self.quiet, self.stream = config, Path(folder), quiet, stream
        (x_train, y_train), (self.x_test, self.y_test) = load_dataset(config.data)
        # Validation comes out of the training split: the test split is only for the end.
        (x_fit, y_fit), (x_val, y_val) = stratified_split(
            x_train, y_train, config.val_fraction, config.seed
        )
        self.n_classes = int(max(y_train.max(), self.y_test.max()) + 1)
        self.train_loader = DataLoader(
            x_fit, y_fit, config.batch_size, shuffle=True, seed=config.seed
        )
        self.val_loader = DataLoader(x_val, y_val, EVAL_BATCH, shuffle=False)
        self.model = build_model(config, x_train.shape[1], self.n_classes)
        self.optimizer = build_optimizer(config, self.model.parameters())
        self.loss_fn = build_loss(config, self.n_classes)
        # cosine: lr falls from --lr to 0 over the epochs (Loshchilov & Hutter's annealing)
        self.scheduler = (
            CosineAnnealingLR(self.optimizer, T_max=config.epochs)
            if config.schedule == "cosine"
            else None
        )
        self.early_stopping = EarlyStopping(config.patience) if config.patience else None
        self.history: list[dict] = []
        self.epoch = 0
        self.best_score = (-np.inf, -np.inf)
        self.stopped_early = False  # early stopping ended the run after ``self.epoch``
        self.elapsed = 0.0
        self.batches_done = 0  # optimiser steps taken in the epoch under way

    # ---- checkpoints ------------------------------------------------------------------------
    def save_checkpoint(self, path: Path, partial_epoch: bool = False) -> None:
        """Everything ``restore`` needs; ``partial_epoch`` marks weights from mid-epoch."""
        cr.save(
            {
                "config": dataclasses.asdict(self.config),
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "epoch": self.epoch,
                "partial_epoch": partial_epoch,
                "loader": self.train_loader.state_dict(),
                "global_rng": cr.default_generator().bit_generator.state,
                "history": self.history,
                "best_score": list(self.best_score),
                "early_stopping": self.early_stopping.state_dict() if self.early_stopping else None,
                "stopped_early": self.stopped_early,
                "scheduler": self.scheduler.state_dict() if self.scheduler else None,
            },
            path,
        )

    def restore(self, path: Path) -> None:
        """Continue from a checkpoint written by ``save_checkpoint`` at the end of an epoch.

        The checkpoint must come from a run with this run's settings (only ``epochs`` may
        differ): its optimiser state would otherwise carry on another optimiser's run.
        """
        state = cr.load(path)
        if not isinstance(state, dict):
            raise CheckpointError(f"{path}: not a training checkpoint (a {type(state).__name__})")
        if state.get("partial_epoch"):  # its epoch would be replayed on top of its own steps
            raise CheckpointError(
                f"{path}: holds weights from the middle of an epoch (saved on Ctrl-C), which "
                "cannot be resumed exactly; resume from the run's last.npz, written at the end "
                "of an epoch"
            )
        self._check_same_settings(state.get("config"), path)
        try:
            load_weights(self.model, state, path)
            self.optimizer.load_state_dict(state["optimizer"])
            self.train_loader.load_state_dict(state["loader"])
            cr.default_generator().bit_generator.state = state["global_rng"]
            self.history = list(state["history"])
            self.epoch = int(state["epoch"])
            self.best_score = tuple(float(v) for v in state["best_score"])
            if self.early_stopping and state["early_stopping"]:
                self.early_stopping.load_state_dict(state["early_stopping"])
            if self.scheduler and state["scheduler"]:
                self.scheduler.load_state_dict(state["scheduler"])
            # checkpoints from before the flag: early stopping had fired if it had run out of
            # patience (it stops the run at the epoch its bad epochs reach the patience)
            stopped = state.get("stopped_early", _early_stop_fired(self.early_stopping))
            if not isinstance(stopped, bool):
                raise TypeError(f"stopped_early must be a bool, got {stopped!r}")
            self.stopped_early = stopped
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CheckpointError(f"{path}: cannot resume from this checkpoint ({exc})") from None

    def _check_same_settings(self, saved, path: Path) -> None:
        """CheckpointError naming every setting (but ``epochs``) in which ``saved``, the
        checkpoint's own config, differs from this run's."""
        if not isinstance(saved, dict):
            raise CheckpointError(f"{path}: the checkpoint holds no training configuration")
        ours = dataclasses.asdict(self.config)
        differing = [
            f"{name} {saved[name]!r} in the checkpoint, {value!r} in the configuration"
            for name, value in ours.items()
            if name not in RESUMABLE and name in saved and saved[name] != value
        ]
        if differing:
            raise CheckpointError(
                f"{path}: the checkpoint was written with other settings than this run: "
                f"{'; '.join(differing)}. Resume with the settings it was trained with"
            )

    # ---- running ----------------------------------------------------------------------------
    def write_config(self) -> None:
        make_folder(self.folder)
        with atomic_write(self.folder / "config.json", "w") as handle:
            json.dump(dataclasses.asdict(self.config), handle, indent=1)

    def plot(self) -> None:
        from chainrule.train.plots import plot_curves

        if self.history:
            plot_curves(self.history, self.folder / "curves.png")

    def train(self, callbacks=()) -> list[dict]:
        """Train from ``self.epoch`` to the configured number of epochs (extra ``callbacks``
        run before the checkpoint writer). A run that early stopping ended (``stopped_early``,
        also after ``restore``) trains no further: an uninterrupted run would not have."""
        if self.stopped_early:
            return self.history
        make_folder(self.folder)
        chain: list[Callback] = [_BatchCounter(self)]
        if not self.quiet:
            chain.append(ProgressReporter(self.config.epochs, len(self.train_loader), self.stream))
        if self.early_stopping:
            chain.append(self.early_stopping)
        if self.scheduler:
            chain.append(SchedulerStep(self.scheduler))
        chain += [*callbacks, CheckpointWriter(self)]
        started = time.perf_counter()
        try:
            fit(
                self.model,
                self.loss_fn,
                self.optimizer,
                self.train_loader,
                self.val_loader,
                self.config.epochs,
                chain,
                start_epoch=self.epoch,
                history=self.history,
            )
        finally:  # also after Ctrl-C or divergence: the curves up to the last finished epoch
            self.elapsed = time.perf_counter() - started  # training, not drawing the curves
            self.plot()
        return self.history

    # ---- reporting --------------------------------------------------------------------------
    def model_summary(self) -> str:
        return describe_model(self.model, self.config)

    def test_loader(self) -> DataLoader:
        return DataLoader(self.x_test, self.y_test, EVAL_BATCH, shuffle=False)

    def best_epoch(self) -> int:
        """The epoch whose weights ``best.npz`` holds."""
        return max(self.history, key=_score)["epoch"] if self.history else 0


def make_folder(folder: Path) -> None:
    """``mkdir -p folder`` with an error that says which run folder could not be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot create the run folder {folder}: {exc.strerror or exc}") from None


def describe_model(model: nn.Sequential, config: TrainConfig) -> str:
    """``64-256-128-10 relu, 50,826 parameters``."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    sizes = [linears[0].in_features] + [m.out_features for m in linears]
    n_params = sum(p.size for p in model.parameters())
    return f"{'-'.join(map(str, sizes))} {config.activation}, {n_params:,} parameters"


def _early_stop_fired(stopper: EarlyStopping | None) -> bool:
    """Whether ``stopper`` has run out of patience (and so stopped, or will stop, the run)."""
    return stopper is not None and stopper.bad_epochs >= stopper.patience


def checked_weights(state, path) -> dict:
    """``state['model']``, a dict of parameter names to finite real floating-point arrays.

    A state file's structure is verified but not trusted: a crafted or foreign one may hold
    an int, int keys, strings or complex numbers there, which would fail deep in NumPy.
    """
    weights = state.get("model") if isinstance(state, dict) else None
    if not isinstance(weights, dict):
        found = type(weights).__name__ if isinstance(state, dict) else "nothing"
        raise CheckpointError(f"{path}: 'model' must be a dict of named weights, got {found}")
    for name, value in weights.items():
        if not isinstance(name, str):
            raise CheckpointError(f"{path}: weight names must be str, got {name!r}")
        array = value.data if isinstance(value, cr.Tensor) else value
        if not isinstance(array, np.ndarray):
            raise CheckpointError(
                f"{path}: weight {name!r} is a {type(value).__name__}, not an array"
            )
        if not np.issubdtype(array.dtype, np.floating):
            raise CheckpointError(
                f"{path}: weight {name!r} has dtype {array.dtype}, expected real floating point"
            )
        if not np.isfinite(array).all():  # a NaN model predicts class 0 for everything
            raise CheckpointError(f"{path}: weight {name!r} holds NaN or infinite values")
    return weights


def load_weights(model: nn.Module, state: dict, path, weights: dict | None = None) -> None:
    """``model.load_state_dict(state['model'])`` with a one-line error naming the file;
    ``weights``: ``checked_weights(state, path)`` when the caller has it already."""
    if weights is None:
        weights = checked_weights(state, path)
    try:
        model.load_state_dict(weights)
    except (KeyError, ValueError, TypeError) as exc:
        message = exc.args[0] if exc.args else exc
        raise CheckpointError(f"{path}: the weights do not fit the model ({message})") from None


def find_checkpoint(path) -> Path:
    """A checkpoint file, or the best (else last) checkpoint of a run folder."""
    path = Path(path)
    if path.is_dir():
        for name in ("best.npz", "last.npz"):
            if (path / name).is_file():
                return path / name
        raise CheckpointError(f"{path}: no best.npz or last.npz in this run folder")
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file or run folder")
    return path


def load_trained(path) -> tuple[nn.Sequential, TrainConfig, Path]:
    """The model saved in a run folder or checkpoint, its config and the checkpoint's path.

    The layer sizes come from the weights themselves (first ``W`` is (inputs, hidden),
    last is (hidden, classes)); the hidden sizes and activation from the saved config.
    """
    checkpoint = find_checkpoint(path)
    state = cr.load(checkpoint)
    if not isinstance(state, dict) or "model" not in state or "config" not in state:
        raise CheckpointError(f"{checkpoint}: not a training checkpoint (no model and config)")
    config = TrainConfig.from_dict(state["config"], checkpoint)
    named = checked_weights(state, checkpoint)
    weights = [v for k, v in named.items() if k.endswith("weight") and v.ndim == 2]
    if not weights:
        raise CheckpointError(f"{checkpoint}: the checkpoint holds no layer weights")
    if any(0 in w.shape for w in weights):
        shapes = [tuple(w.shape) for w in weights]
        raise CheckpointError(f"{checkpoint}: empty layer weights, of shapes {shapes}")
    model = build_model(config, weights[0].shape[0], weights[-1].shape[1])
    load_weights(model, state, checkpoint, named)
    model.eval()
    return model, config, checkpoint
