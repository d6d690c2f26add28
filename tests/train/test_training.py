"""Training runs: resume equals an uninterrupted run, NaN guard, interrupts, early stopping."""

import io
import json

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.data import DataLoader, load_digits
from chainrule.io import CheckpointError
from chainrule.train import (
    Callback,
    EarlyStopping,
    NonFiniteLossError,
    ProgressReporter,
    Run,
    TrainConfig,
    confusion_matrix,
    evaluate,
    fit,
)
from chainrule.train.run import CheckpointWriter

pytest.importorskip("sklearn")
SMALL = dict(model=[16], epochs=4, batch_size=64)


def _weights(run):
    return [p.data.copy() for p in run.model.parameters()]


def test_resume_after_epoch_k_ends_with_the_same_weights(tmp_path):
    full = Run(TrainConfig(**SMALL), tmp_path / "full", quiet=True)
    full.train()
    part = Run(TrainConfig(**{**SMALL, "epochs": 2}), tmp_path / "part", quiet=True)
    part.train()
    resumed = Run(TrainConfig(**SMALL), tmp_path / "part", quiet=True)
    resumed.restore(tmp_path / "part" / "last.npz")
    assert resumed.epoch == 2
    resumed.train()
    for a, b in zip(_weights(full), _weights(resumed), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]


def test_run_folder_contents(tmp_path):
    run = Run(TrainConfig(**SMALL), tmp_path, quiet=True)
    run.write_config()
    run.train()
    for name in (
        "config.json",
        "history.csv",
        "history.json",
        "curves.png",
        "last.npz",
        "best.npz",
    ):
        assert (tmp_path / name).is_file(), name
    history = json.loads((tmp_path / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert json.loads((tmp_path / "config.json").read_text())["model"] == [16]
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_non_finite_loss_stops_before_the_bad_step():
    model = nn.Sequential(nn.Linear(2, 2))
    opt = optim.SGD(model.parameters(), lr=1e30)
    x = np.array([[1e20, 1e20]] * 4, np.float32)
    loader = DataLoader(x, np.array([0, 1, 0, 1]), batch_size=2, shuffle=False)
    with np.errstate(all="ignore"), pytest.raises(NonFiniteLossError, match="epoch"):
        fit(model, F.cross_entropy, opt, loader, epochs=3)


def test_keyboard_interrupt_keeps_the_last_complete_epoch(tmp_path):
    class Interrupt(Callback):
        def on_batch_end(self, trainer, batch, loss):
            if len(trainer.history) == 1 and batch == 2:
                raise KeyboardInterrupt

    run = Run(TrainConfig(**SMALL), tmp_path, quiet=True)
    with pytest.raises(KeyboardInterrupt):
        fit(
            run.model,
            run.loss_fn,
            run.optimizer,
            run.train_loader,
            run.val_loader,
            4,
            [Interrupt(), CheckpointWriter(run)],
            history=run.history,
        )
    assert cr.load(tmp_path / "last.npz")["epoch"] == 1


def test_early_stopping_waits_patience_epochs():
    stopper = EarlyStopping(patience=2)

    class Trainer:
        stop = False

    trainer = Trainer()
    for epoch, loss in enumerate([1.0, 0.8, 0.9, 0.85, 0.7], start=1):
        stopper.on_epoch_end(trainer, epoch, {"val_loss": loss})
        if trainer.stop:
            break
    assert epoch == 4


def test_evaluate_confusion_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    truth, predicted = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    np.testing.assert_array_equal(
        confusion_matrix(truth, predicted, 4), metrics.confusion_matrix(truth, predicted)
    )
    model = nn.Sequential(nn.Linear(3, 4))
    x = rng.normal(size=(50, 3)).astype(np.float32)
    y = rng.integers(0, 4, 50)
    result = evaluate(model, DataLoader(x, y, 16, shuffle=False), F.cross_entropy, 4)
    logits = x @ model[0].weight.data + model[0].bias.data
    assert result["accuracy"] == pytest.approx((logits.argmax(1) == y).mean())
    np.testing.assert_array_equal(
        result["confusion"], metrics.confusion_matrix(y, logits.argmax(1), labels=range(4))
    )
    assert result["loss"] == pytest.approx(F.cross_entropy(cr.tensor(logits), y).item(), rel=1e-5)


@pytest.mark.slow
def test_default_command_reaches_97_percent_on_digits(tmp_path, capsys):
    from chainrule.cli import main

    assert main(["train", "--out", str(tmp_path / "run"), "--quiet"]) == 0
    report = json.loads((tmp_path / "run" / "test.json").read_text())
    _, (_, y_test) = load_digits()
    assert report["accuracy"] >= 0.97
    # the reported accuracy is the trace of the confusion matrix over the whole test split
    confusion = np.array(report["confusion"])
    assert confusion.sum() == len(y_test)
    assert report["accuracy"] == pytest.approx(np.trace(confusion) / len(y_test))
    assert f"{100 * report['accuracy']:.2f}%" in capsys.readouterr().out


def test_progress_is_plain_lines_without_a_terminal_and_a_bar_with_one():
    model = nn.Sequential(nn.Linear(4, 3))
    rng = np.random.default_rng(0)
    loader = DataLoader(rng.random((40, 4), dtype=np.float32), rng.integers(0, 3, 40), 8)
    plain, terminal = io.StringIO(), io.StringIO()
    reporters = [ProgressReporter(2, len(loader), plain), ProgressReporter(2, 5, terminal, True)]
    fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader, loader, 2, reporters)
    lines = plain.getvalue().splitlines()
    assert "\r" not in plain.getvalue() and len(lines) == 2
    assert lines[1].startswith("epoch   2/2  train loss") and "val loss" in lines[1]
    assert "samples/s" in lines[1]
    assert "\r" in terminal.getvalue() and "batch/s" in terminal.getvalue()


def test_cosine_schedule_follows_the_formula_and_resumes_exactly(tmp_path):
    config = dict(SMALL, schedule="cosine", lr=0.01)
    lrs = []

    class RecordLR(Callback):
        def on_epoch_begin(self, trainer, epoch):
            lrs.append(trainer.optimizer.param_groups[0]["lr"])

    full = Run(TrainConfig(**config), tmp_path / "full", quiet=True)
    full.train([RecordLR()])
    # lr_e = lr_0 (1 + cos(pi e / T)) / 2 for epochs e = 0 .. T-1
    expected = [0.01 * (1 + np.cos(np.pi * e / 4)) / 2 for e in range(4)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)

    class StopAfterTwo(Callback):
        def on_epoch_end(self, trainer, epoch, metrics):
            trainer.stop = epoch == 2

    part = Run(TrainConfig(**config), tmp_path / "part", quiet=True)
    part.train([StopAfterTwo()])
    resumed = Run(TrainConfig(**config), tmp_path / "part", quiet=True)
    resumed.restore(tmp_path / "part" / "last.npz")
    resumed.train()
    for a, b in zip(_weights(full), _weights(resumed), strict=True):
        np.testing.assert_array_equal(a, b)


def test_divergence_after_a_good_epoch_keeps_its_checkpoint(tmp_path):
    run = Run(TrainConfig(**SMALL), tmp_path, quiet=True)

    class Explode(Callback):
        def on_epoch_end(self, trainer, epoch, metrics):
            if epoch == 1:
                trainer.optimizer.param_groups[0]["lr"] = 1e30

    with np.errstate(all="ignore"), pytest.raises(NonFiniteLossError):
        run.train([Explode()])
    saved = cr.load(tmp_path / "last.npz")
    assert saved["epoch"] == 1
    assert all(np.isfinite(v.data).all() for v in saved["model"].values())
    assert json.loads((tmp_path / "history.json").read_text())[-1]["epoch"] == 1


def test_ctrl_c_while_a_checkpoint_is_written_waits_for_it(tmp_path, monkeypatch):
    """A real SIGINT arriving in the middle of writing epoch 2's last.npz: the file, the
    history and run.epoch must still agree (the interrupt is raised once they are written)."""
    import os
    import signal

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not handled by Python here")
    run = Run(TrainConfig(**SMALL), tmp_path, quiet=True)
    original = Run.save_checkpoint

    def save_and_get_interrupted(self, path, partial_epoch=False):
        if path.name == "last.npz" and self.epoch == 2:
            os.kill(os.getpid(), signal.SIGINT)  # delivered before the file is written
        original(self, path, partial_epoch)

    monkeypatch.setattr(Run, "save_checkpoint", save_and_get_interrupted)
    with pytest.raises(KeyboardInterrupt):
        run.train()
    on_disk = cr.load(tmp_path / "last.npz")
    history = json.loads((tmp_path / "history.json").read_text())
    assert run.epoch == on_disk["epoch"] == len(history) == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


@pytest.mark.parametrize(
    "options",
    [
        {"optimizer": "sgd"},
        {"optimizer": "momentum", "activation": "prelu"},
        {"optimizer": "adagrad", "activation": "tanh", "init": "xavier"},
        {"optimizer": "rmsprop", "loss": "mse", "activation": "sigmoid", "init": "normal"},
        {"optimizer": "adam", "patience": 3, "activation": "leaky_relu", "schedule": "cosine"},
    ],
    ids=lambda o: o["optimizer"],
)
def test_resume_is_exact_for_every_optimizer_and_option(tmp_path, options):
    """Stopped after epoch 2 and resumed from last.npz (optimiser state, PReLU slopes,
    early-stopping and schedule state through the file) == 4 uninterrupted epochs."""
    config = dict(SMALL, **options)
    full = Run(TrainConfig(**config), tmp_path / "full", quiet=True)
    full.train()
    part = Run(TrainConfig(**config), tmp_path / "part", quiet=True)
    part.config.epochs = 2  # the same run, cut short (the cosine schedule keeps its T_max)
    part.train()
    part.config.epochs = 4
    resumed = Run(TrainConfig(**config), tmp_path / "part", quiet=True)
    resumed.restore(tmp_path / "part" / "last.npz")
    resumed.train()
    assert len(resumed.history) == len(full.history)
    for a, b in zip(_weights(full), _weights(resumed), strict=True):
        np.testing.assert_array_equal(a, b)
    for key in ("train_loss", "val_loss", "val_acc"):
        assert [h[key] for h in resumed.history] == [h[key] for h in full.history]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "prelu"])
def test_init_option_draws_from_the_published_distributions(activation):
    """--init: He/Glorot uniform bounds with the activation's gain, standard normal for the
    classic, PyTorch's U(-1/sqrt(in), 1/sqrt(in)) for default; biases zero except there."""
    from chainrule.train.run import build_model

    gain = {"relu": 2**0.5, "tanh": 5 / 3, "sigmoid": 1.0, "leaky_relu": 2**0.5, "prelu": 2**0.5}
    for init in ("kaiming", "xavier", "normal", "default"):
        config = TrainConfig(model=[300, 200], activation=activation, init=init)
        model = build_model(config, 400, 10)
        linears = [m for m in model if isinstance(m, nn.Linear)]
        assert [(m.in_features, m.out_features) for m in linears] == [
            (400, 300),
            (300, 200),
            (200, 10),
        ]
        assert sum(isinstance(m, nn.Linear) for m in model) == 3 and len(model) == 5
        for layer in linears[:2]:
            w, b = layer.weight.data, layer.bias.data
            fan_in, fan_out = w.shape
            bound = {
                "kaiming": gain[activation] * np.sqrt(3 / fan_in),
                "xavier": gain[activation] * np.sqrt(6 / (fan_in + fan_out)),
                "default": 1 / np.sqrt(fan_in),
            }.get(init)
            if bound is None:  # the classic N(0, 1) weights and biases
                assert w.std() == pytest.approx(1.0, rel=0.02) and b.std() > 0.8
                continue
            assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
            assert w.var() == pytest.approx(bound**2 / 3, rel=0.03)  # variance of U(-a, a)
            if init == "default":
                assert np.abs(b).max() <= bound and b.any()
            else:
                assert not b.any()
    again = build_model(TrainConfig(model=[300, 200], activation=activation), 400, 10)
    first = build_model(TrainConfig(model=[300, 200], activation=activation), 400, 10)
    for p, q in zip(first.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)  # seeded by the config


def test_mse_option_is_the_half_squared_error_of_sigmoid_outputs():
    from chainrule.train.run import build_loss

    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    loss = build_loss(TrainConfig(loss="mse"), 4)(cr.tensor(logits), cr.tensor(labels))
    a = 1 / (1 + np.exp(-logits))
    expected = np.mean(0.5 * (a - np.eye(4)[labels]) ** 2)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"seed": -1}, ValueError, "--seed must be >= 0, got -1"),
        ({"seed": 1.5}, TypeError, "seed must be int, got 1.5"),
        ({"seed": True}, TypeError, "seed must be int, got True"),
        ({"lr": float("nan")}, ValueError, "--lr must be positive and finite, got nan"),
        ({"lr": float("inf")}, ValueError, "--lr must be positive and finite, got inf"),
        ({"weight_decay": float("nan")}, ValueError, "--weight-decay must be >= 0 and finite"),
        ({"weight_decay": float("inf")}, ValueError, "--weight-decay must be >= 0 and finite"),
        ({"momentum": float("nan")}, ValueError, "--momentum must be in [0, 1), got nan"),
        ({"epochs": 2.5}, TypeError, "epochs must be int, got 2.5"),
        ({"model": [16, 1.5]}, TypeError, "model must be list[int], got [16, 1.5]"),
        ({"data": 5}, TypeError, "data must be str, got 5"),
    ],
)
def test_validate_names_the_bad_option(options, error, message):
    with pytest.raises(error) as caught:
        TrainConfig(**options).validate()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_config_from_a_non_object_is_a_checkpoint_error():
    with pytest.raises(CheckpointError, match=r"src: .*expected an object of settings, got int"):
        TrainConfig.from_dict(5, "src")


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    """A trained run's best.npz, loaded, to craft broken copies of."""
    folder = tmp_path_factory.mktemp("tiny")
    Run(TrainConfig(model=[8], epochs=1, batch_size=256), folder, quiet=True).train()
    return cr.load(folder / "best.npz")


def _with_model(state, **changes):
    return {**state, "model": {**state["model"], **changes}}


@pytest.mark.parametrize(
    ("craft", "message"),
    [
        (lambda s: {**s, "model": 5}, "'model' must be a dict of named weights, got int"),
        (lambda s: {**s, "model": {**s["model"], 3: s["model"]["0.weight"]}}, "got 3"),
        (lambda s: _with_model(s, **{"0.weight": "abc"}), "'0.weight' is a str, not an array"),
        (
            lambda s: _with_model(
                s, **{"0.weight": s["model"]["0.weight"].data.astype(np.complex64)}
            ),
            "'0.weight' has dtype complex64, expected real floating point",
        ),
        (
            lambda s: _with_model(s, **{"0.weight": s["model"]["0.weight"].data.astype(np.int64)}),
            "'0.weight' has dtype int64",
        ),
        (
            lambda s: _with_model(s, **{"2.bias": s["model"]["2.bias"].data * np.nan}),
            "'2.bias' holds NaN or infinite values",
        ),
        (lambda s: {**s, "config": {**s["config"], "model": [1.5, 2]}}, "model must be list[int]"),
        (lambda s: {**s, "config": [1]}, "expected an object of settings, got list"),
    ],
    ids=["model-int", "key-int", "weight-str", "complex", "int64", "nan", "config-model", "list"],
)
def test_load_trained_refuses_a_wrong_structure_by_name(tmp_path, tiny_checkpoint, craft, message):
    from chainrule.train.run import load_trained

    path = tmp_path / "crafted.npz"
    cr.save(craft(tiny_checkpoint), path)
    with pytest.raises(CheckpointError) as caught:
        load_trained(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_load_trained_still_loads_the_untouched_checkpoint(tmp_path, tiny_checkpoint):
    from chainrule.train.run import load_trained

    cr.save(tiny_checkpoint, tmp_path / "best.npz")
    model, config, path = load_trained(tmp_path)
    assert path == tmp_path / "best.npz" and config.model == [8]
    assert model(cr.tensor(np.zeros((2, 64), np.float32))).shape == (2, 10)


EARLY = dict(model=[16], lr=0.05, batch_size=128, epochs=60, patience=1)


def test_a_run_early_stopping_ended_stays_ended_when_resumed(tmp_path):
    """The README's promise: a resumed run ends with the weights of an uninterrupted one,
    and an uninterrupted run that stopped early trains no further."""
    run = Run(TrainConfig(**EARLY), tmp_path, quiet=True)
    run.train()
    assert run.stopped_early and run.epoch < EARLY["epochs"]  # the premise of the test
    saved = cr.load(tmp_path / "last.npz")
    assert saved["stopped_early"] is True and saved["epoch"] == run.epoch
    # an old checkpoint, without the flag: the early-stopping state says it all the same
    del saved["stopped_early"]
    cr.save(saved, tmp_path / "old.npz")
    for name in ("last.npz", "old.npz"):
        resumed = Run(TrainConfig(**{**EARLY, "epochs": 80}), tmp_path, quiet=True)
        resumed.restore(tmp_path / name)
        assert resumed.stopped_early and resumed.epoch == run.epoch
        assert resumed.train() == run.history
        for a, b in zip(_weights(run), _weights(resumed), strict=True):
            np.testing.assert_array_equal(a, b)
    assert cr.load(tmp_path / "last.npz")["epoch"] == run.epoch  # nothing was rewritten


def test_a_stop_by_another_callback_is_not_an_early_stop(tmp_path):
    class StopAfterOne(Callback):
        def on_epoch_end(self, trainer, epoch, metrics):
            trainer.stop = True

    run = Run(TrainConfig(**{**SMALL, "patience": 3}), tmp_path, quiet=True)
    run.train([StopAfterOne()])
    assert run.epoch == 1 and not run.stopped_early
    assert cr.load(tmp_path / "last.npz")["stopped_early"] is False


def test_restore_refuses_a_checkpoint_with_other_settings(tmp_path):
    Run(TrainConfig(**{**SMALL, "epochs": 1}), tmp_path, quiet=True).train()
    other = Run(TrainConfig(**{**SMALL, "optimizer": "sgd", "lr": 0.5}), tmp_path, quiet=True)
    with pytest.raises(CheckpointError) as caught:
        other.restore(tmp_path / "last.npz")
    message = str(caught.value)
    assert "optimizer 'adam' in the checkpoint, 'sgd' in the configuration" in message
    assert "lr None in the checkpoint, 0.5 in the configuration" in message
    assert "epochs" not in message  # the one setting a resumed run may change
