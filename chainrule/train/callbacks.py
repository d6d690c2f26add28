"""Callbacks for ``fit``: progress output and early stopping."""

from __future__ import annotations

import sys

from chainrule.train.loop import Callback


def _tqdm_installed() -> bool:
    """Whether the optional progress-bar package is there (else the plain lines suffice)."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


class ProgressReporter(Callback):
    """A tqdm bar over the batches with the running loss when the output is a terminal, and
    one plain line per epoch always (so log files and CI get no carriage returns)."""

    def __init__(self, epochs: int, batches: int, stream=None, bar: bool | None = None) -> None:
        self.epochs, self.batches = epochs, batches
        self.stream = stream or sys.stderr
        self.bar_enabled = self.stream.isatty() and _tqdm_installed() if bar is None else bar
        self._bar = None
        self._loss_sum = 0.0

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        if self.bar_enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.batches,
                desc=f"epoch {epoch}/{self.epochs}",
                file=self.stream,
                leave=False,
                unit="batch",
            )
        self._loss_sum = 0.0

    def on_batch_end(self, trainer, batch: int, loss: float) -> None:
        if self._bar is not None:
            self._loss_sum += loss
            self._bar.update(1)
            # the running loss: mean over this epoch's batches so far
            self._bar.set_postfix(loss=f"{self._loss_sum / (batch + 1):.4f}", refresh=False)

    def on_epoch_end(self, trainer, epoch: int, metrics: dict) -> None:
        self.on_train_end(trainer)  # the epoch's bar gives way to its line
        line = (
            f"epoch {epoch:>3}/{self.epochs}  train loss {metrics['train_loss']:.4f} "
            f"acc {100 * metrics['train_acc']:5.2f}%"
        )
        if "val_loss" in metrics:
            line += f"  val loss {metrics['val_loss']:.4f} acc {100 * metrics['val_acc']:5.2f}%"
        line += f"  {metrics['time']:.2f}s  {metrics['samples_per_s']:,.0f} samples/s"
        print(line, file=self.stream, flush=True)

    def on_train_end(self, trainer) -> None:
        """Close the bar if one is open: training ended mid-epoch (a NaN loss, Ctrl-C)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class EarlyStopping(Callback):
    """Stop when the validation loss has not improved for ``patience`` epochs."""

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        if patience < 1:
            raise ValueError(f"EarlyStopping: patience must be >= 1, got {patience}")
        # an improvement must beat the best loss by min_delta: a negative one would count a
        # rising loss as improving (the run never stops), a NaN one nothing (it always stops)
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        self.patience, self.min_delta = patience, min_delta
        self.best = float("inf")
        self.bad_epochs = 0

    def on_epoch_end(self, trainer, epoch: int, metrics: dict) -> None:
        if "val_loss" not in metrics:
            raise ValueError("EarlyStopping: needs a validation loss; give fit a val_loader")
        if metrics["val_loss"] < self.best - self.min_delta:
            self.best, self.bad_epochs = metrics["val_loss"], 0
        else:
            self.bad_epochs += 1
            if self.bad_epochs >= self.patience:
                trainer.stop = True

    def state_dict(self) -> dict:
        return {"best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict) -> None:
        self.best, self.bad_epochs = state["best"], state["bad_epochs"]
