"""The training loop: ``fit`` runs epochs of mini-batch steps, ``evaluate`` measures a model.

``fit`` calls its callbacks at the start and end of every epoch and after every batch;
callbacks report progress, save checkpoints and stop early; ``on_train_end`` runs however
training ends (finished, stopped early, or an exception), so a progress bar is always closed. A
loss that is not finite
stops training with ``NonFiniteLossError`` before the optimiser applies the bad step (and a
non-finite validation loss before the epoch's checkpoint is written), so the last
checkpoint on disk always holds good weights.
"""

from __future__ import annotations

import math
import time

import numpy as np

import chainrule as cr
from chainrule.train.metrics import confusion_matrix


class NonFiniteLossError(ArithmeticError):
    """The training loss became NaN or infinite."""


class Callback:
    """Hooks called by ``fit``; override what you need. Set ``trainer.stop = True`` to stop."""

    def on_epoch_begin(self, trainer, epoch: int) -> None: ...

    def on_batch_end(self, trainer, batch: int, loss: float) -> None: ...

    def on_epoch_end(self, trainer, epoch: int, metrics: dict) -> None: ...

    def on_train_end(self, trainer) -> None:
        """Called once when ``fit`` returns or raises: release what the callback holds open."""


def _labels(y) -> np.ndarray:
    """The class labels of a batch's targets: the labels themselves, or the most probable
    class of probability targets (N, C), which ``cross_entropy`` also accepts."""
    return y.data.argmax(axis=1) if y.data.ndim == 2 else y.data


def evaluate(model, loader, loss_fn=None, num_classes: int | None = None) -> dict:
    """Mean loss (if ``loss_fn``), accuracy and confusion matrix of ``model`` over ``loader``."""
    was_training = model.training
    model.eval()
    total_loss, predictions, labels = 0.0, [], []
    try:  # the model's mode is restored even when the model or the loss raises
        with cr.no_grad():
            for x, y in loader:
                output = model(x)
                if loss_fn is not None:
                    total_loss += float(loss_fn(output, y).item()) * len(y)
                predictions.append(output.data.argmax(axis=1))
                labels.append(_labels(y))
    finally:
        model.train(was_training)
    if not labels:
        raise ValueError("evaluate: the loader gave no batches (an empty dataset?)")
    predicted, truth = np.concatenate(predictions), np.concatenate(labels)
    classes = num_classes or int(max(predicted.max(), truth.max()) + 1)
    return {
        "loss": total_loss / len(truth) if loss_fn is not None else math.nan,
        "accuracy": float((predicted == truth).mean()),
        "confusion": confusion_matrix(truth, predicted, classes),
    }


class Trainer:
    """State shared with callbacks while ``fit`` runs."""

    def __init__(self, model, loss_fn, optimizer, history: list[dict]) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.history = history
        self.stop = False


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader=None,
    epochs: int = 10,
    callbacks=(),
    start_epoch: int = 0,
    history: list[dict] | None = None,
) -> list[dict]:
    """Train for epochs ``start_epoch + 1 .. epochs``; returns the per-epoch history.

    Each history entry has ``epoch``, ``train_loss``, ``train_acc``, ``time`` and
    ``samples_per_s``, plus ``val_loss`` and ``val_acc`` when ``val_loader`` is given.
    """
    callbacks = tuple(callbacks)  # every hook walks them: a generator would serve only the first
    trainer = Trainer(model, loss_fn, optimizer, history if history is not None else [])
    try:
        for epoch in range(start_epoch + 1, epochs + 1):
            _run_epoch(trainer, train_loader, val_loader, epoch, callbacks)
            if trainer.stop:
                break
    finally:
        for cb in callbacks:
            cb.on_train_end(trainer)
    return trainer.history


def _run_epoch(trainer: Trainer, train_loader, val_loader, epoch: int, callbacks) -> None:
    """One epoch of steps over ``train_loader``, then validation; appends its metrics."""
    model, loss_fn, optimizer = trainer.model, trainer.loss_fn, trainer.optimizer
    for cb in callbacks:
        cb.on_epoch_begin(trainer, epoch)
    model.train()
    started = time.perf_counter()
    loss_sum, correct, seen = 0.0, 0, 0
    for batch, (x, y) in enumerate(train_loader):
        output = model(x)
        loss = loss_fn(output, y)
        value = float(loss.item())
        if not math.isfinite(value):
            raise NonFiniteLossError(f"epoch {epoch}, batch {batch}: the loss is {value}")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += value * len(y)
        correct += int((output.data.argmax(axis=1) == _labels(y)).sum())
        seen += len(y)
        for cb in callbacks:
            cb.on_batch_end(trainer, batch, value)
    elapsed = time.perf_counter() - started
    if seen == 0:
        raise ValueError(
            f"fit: the training loader gave no batches in epoch {epoch} (an empty dataset, "
            "or drop_last with fewer samples than batch_size)"
        )
    metrics = {"epoch": epoch, "train_loss": loss_sum / seen, "train_acc": correct / seen}
    if val_loader is not None:
        val = evaluate(model, val_loader, loss_fn)
        if not math.isfinite(val["loss"]):
            raise NonFiniteLossError(f"epoch {epoch}: the validation loss is {val['loss']}")
        metrics.update(val_loss=val["loss"], val_acc=val["accuracy"])
    metrics.update(time=elapsed, samples_per_s=seen / elapsed)
    trainer.history.append(metrics)
    for cb in callbacks:
        cb.on_epoch_end(trainer, epoch, metrics)
