"""fit/evaluate on loaders without batches, confusion matrices of narrow or float labels,
early stopping without a validation loss, the epoch loss weighted by batch size, and the
progress bar closed when training ends mid-epoch."""

import io
import math

import numpy as np
import pytest

import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.data import DataLoader
from chainrule.train import (
    EarlyStopping,
    NonFiniteLossError,
    ProgressReporter,
    confusion_matrix,
    evaluate,
    fit,
)


def _data(n, rng):
    return rng.standard_normal((n, 3)).astype(np.float32), rng.integers(0, 2, n)


@pytest.mark.parametrize("n, drop_last", [(5, True), (0, False)])
def test_fit_refuses_a_loader_without_batches(n, drop_last):
    x, y = _data(n, np.random.default_rng(0))
    loader = DataLoader(x, y, 8, drop_last=drop_last)
    torch = pytest.importorskip("torch")
    data = torch.utils.data.TensorDataset(torch.from_numpy(x))
    assert len(loader) == len(torch.utils.data.DataLoader(data, 8, drop_last=drop_last)) == 0
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="fit: the training loader gave no batches"):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader, epochs=1)


def test_evaluate_refuses_an_empty_loader():
    x, y = _data(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="evaluate: the loader gave no batches"):
        evaluate(nn.Sequential(nn.Linear(3, 2)), DataLoader(x, y, 8), F.cross_entropy)


def test_confusion_matrix_counts_uint8_labels_without_wrapping():
    rng = np.random.default_rng(0)
    truth, predicted = rng.integers(0, 20, 500), rng.integers(0, 20, 500)
    expected = np.zeros((20, 20), dtype=np.int64)
    np.add.at(expected, (truth, predicted), 1)
    ours = confusion_matrix(truth.astype(np.uint8), predicted.astype(np.uint8), 20)
    np.testing.assert_array_equal(ours, expected)


def test_confusion_matrix_refuses_float_labels_by_name():
    with pytest.raises(TypeError, match="confusion_matrix: y_true must hold integer"):
        confusion_matrix(np.array([0.0, 1.0]), np.array([0, 1]), 2)


def test_early_stopping_without_a_validation_loss_says_so():
    x, y = _data(20, np.random.default_rng(0))
    model = nn.Sequential(nn.Linear(3, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="EarlyStopping: needs a validation loss"):
        fit(
            model, F.cross_entropy, opt, DataLoader(x, y, 8), epochs=2, callbacks=[EarlyStopping(1)]
        )


def test_fit_epoch_loss_and_accuracy_are_weighted_by_batch_size():
    torch = pytest.importorskip("torch")
    x, y = _data(21, np.random.default_rng(1))  # batches of 8, 8 and 5
    model = nn.Sequential(nn.Linear(3, 2))
    w, b = (torch.tensor(p.data.copy(), requires_grad=True) for p in model.parameters())
    history = fit(
        model,
        F.cross_entropy,
        optim.SGD(model.parameters(), lr=0.5),
        DataLoader(x, y, 8, False),
        epochs=1,
    )
    topt = torch.optim.SGD([w, b], lr=0.5)
    losses, correct = [], 0
    for i in range(0, 21, 8):
        xb, yb = torch.from_numpy(x[i : i + 8]), torch.from_numpy(y[i : i + 8])
        out = xb @ w + b
        loss = torch.nn.functional.cross_entropy(out, yb)
        losses.append(loss.item() * len(yb))
        correct += int((out.argmax(1) == yb).sum())
        topt.zero_grad()
        loss.backward()
        topt.step()
    assert history[0]["train_loss"] == pytest.approx(sum(losses) / 21, rel=1e-5)
    assert history[0]["train_acc"] == correct / 21


@pytest.mark.parametrize("batch_size", [3, 10])
def test_fit_and_evaluate_accuracy_of_probability_targets_is_against_their_argmax(batch_size):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 4)).astype(np.float32)
    targets = rng.dirichlet(np.ones(3), 30).astype(np.float32)
    model = nn.Sequential(nn.Linear(4, 3))
    w, b = (p.data.copy() for p in model.parameters())
    loader = DataLoader(x, targets, batch_size, shuffle=False)
    history = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.0), loader, epochs=1)
    expected = ((x @ w + b).argmax(1) == targets.argmax(1)).mean()
    assert history[0]["train_acc"] == pytest.approx(expected)
    assert evaluate(model, loader, F.cross_entropy, 3)["accuracy"] == pytest.approx(expected)


def test_evaluate_restores_training_mode_when_the_loss_raises():
    """A loss that raises mid-evaluation leaves the model in the mode it was in (regression)."""
    model = nn.Sequential(nn.Linear(4, 3))
    loader = DataLoader(np.zeros((6, 4), np.float32), np.zeros(6, np.int64), 3)

    def failing_loss(output, y):
        raise RuntimeError("loss failed")

    with pytest.raises(RuntimeError, match="loss failed"):
        evaluate(model, loader, failing_loss)
    assert model.training


@pytest.mark.parametrize("failure", [NonFiniteLossError, KeyboardInterrupt])
def test_the_progress_bar_is_closed_when_training_ends_mid_epoch(failure):
    tqdm = pytest.importorskip("tqdm").tqdm
    x, y = _data(40, np.random.default_rng(0))
    loader = DataLoader(x, y, 8)
    model = nn.Sequential(nn.Linear(3, 2))
    calls = []

    def loss_fn(output, target):  # the third batch fails: a NaN loss, or the user's Ctrl-C
        calls.append(1)
        if len(calls) == 3:
            if failure is KeyboardInterrupt:
                raise KeyboardInterrupt
            return F.cross_entropy(output, target) * math.nan
        return F.cross_entropy(output, target)

    stream = io.StringIO()
    reporter = ProgressReporter(2, len(loader), stream, bar=True)  # kept alive: no GC closing
    open_before = len(tqdm._instances)
    with pytest.raises(failure):
        opt = optim.SGD(model.parameters(), lr=0.1)
        fit(model, loss_fn, opt, loader, epochs=2, callbacks=[reporter])
    assert len(tqdm._instances) == open_before  # the epoch's bar was closed, not left behind
    assert "epoch 1/2" in stream.getvalue()  # it was drawn
