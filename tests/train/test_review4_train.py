"""fit takes its callbacks from any iterable (a generator served only the first hook),
history.csv holds a metric that a callback adds from a later epoch on (it raised ValueError),
and EarlyStopping refuses a negative or NaN min_delta."""

import csv
import math

import numpy as np
import pytest

import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.data import DataLoader
from chainrule.train import Callback, EarlyStopping, fit
from chainrule.train.history import write_history


class _Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_epoch_begin(self, trainer, epoch):
        self.calls.append(("begin", epoch))

    def on_batch_end(self, trainer, batch, loss):
        self.calls.append(("batch", batch))

    def on_epoch_end(self, trainer, epoch, metrics):
        self.calls.append(("end", epoch))

    def on_train_end(self, trainer):
        self.calls.append(("train_end",))


def test_fit_calls_every_hook_of_callbacks_given_as_a_generator():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 3)).astype(np.float32), rng.integers(0, 2, 10)
    model = nn.Sequential(nn.Linear(3, 2))
    recorder = _Recorder()
    fit(
        model,
        F.cross_entropy,
        optim.SGD(model.parameters(), lr=0.1),
        DataLoader(x, y, 5, shuffle=False),
        epochs=2,
        callbacks=(cb for cb in [recorder]),
    )
    epoch = [("batch", 0), ("batch", 1)]
    expected = [("begin", 1), *epoch, ("end", 1), ("begin", 2), *epoch, ("end", 2)]
    assert recorder.calls == [*expected, ("train_end",)]


def test_write_history_keeps_a_metric_added_from_a_later_epoch(tmp_path):
    history = [{"epoch": 1, "train_loss": 0.5}, {"epoch": 2, "train_loss": 0.25, "lr": 0.1}]
    write_history(history, tmp_path)
    with open(tmp_path / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {"epoch": "1", "train_loss": "0.5", "lr": ""},
        {"epoch": "2", "train_loss": "0.25", "lr": "0.1"},
    ]


@pytest.mark.parametrize("min_delta", [-0.1, math.nan])
def test_early_stopping_refuses_a_negative_or_nan_min_delta(min_delta):
    # min_delta is the least decrease of the validation loss that counts as an improvement
    with pytest.raises(ValueError, match="EarlyStopping: min_delta must be >= 0"):
        EarlyStopping(2, min_delta=min_delta)
