"""``chainrule train``: Ctrl-C and resume, divergence, classic runs, history files, errors."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main
from chainrule.train.callbacks import ProgressReporter

pytest.importorskip("sklearn")
TINY = ["--model", "16", "--epochs", "3", "--batch-size", "128"]


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, text=True
    )


def _weights(path):
    return {k: v.data for k, v in cr.load(path)["model"].items()}


def test_ctrl_c_saves_and_resume_matches_an_uninterrupted_run(tmp_path, monkeypatch, capsys):
    assert main(["train", *TINY, "--out", str(tmp_path / "full"), "--quiet"]) == 0
    original = ProgressReporter.on_batch_end

    def interrupt(self, trainer, batch, loss):
        if len(trainer.history) == 1 and batch == 3:  # in the middle of epoch 2
            raise KeyboardInterrupt
        original(self, trainer, batch, loss)

    monkeypatch.setattr(ProgressReporter, "on_batch_end", interrupt)
    folder = tmp_path / "cut"
    assert main(["train", *TINY, "--out", str(folder)]) == 130
    err = capsys.readouterr().err
    assert f"chainrule train --resume {folder}" in err and "Traceback" not in err
    assert "weights after 4 of 11 batches of epoch 2 saved to" in err  # ceil(1,293 / 128)
    assert f"the last finished epoch (1) is in {folder / 'last.npz'}" in err
    assert cr.load(folder / "last.npz")["epoch"] == 1
    assert cr.load(folder / "interrupted.npz")["partial_epoch"] is True

    monkeypatch.setattr(ProgressReporter, "on_batch_end", original)
    assert main(["train", "--resume", str(folder), "--quiet"]) == 0
    assert not (folder / "interrupted.npz").exists()  # superseded by the resumed epochs
    resumed, full = _weights(folder / "last.npz"), _weights(tmp_path / "full" / "last.npz")
    assert resumed.keys() == full.keys()
    for name in full:
        np.testing.assert_array_equal(resumed[name], full[name])
    history = json.loads((folder / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3]


def test_diverging_run_exits_non_zero_with_a_clear_message(tmp_path):
    out = tmp_path / "nan"
    result = _cli("train", *TINY, "--optimizer", "sgd", "--lr", "1e30", "--out", str(out))
    assert result.returncode == 1
    assert "diverged" in result.stderr and "smaller --lr" in result.stderr
    assert "Traceback" not in result.stderr and "RuntimeWarning" not in result.stderr
    assert not (out / "last.npz").exists()  # no epoch finished with finite weights


def test_history_files_agree_and_curves_exist(tmp_path):
    folder = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(folder), "--quiet"]) == 0
    history = json.loads((folder / "history.json").read_text())
    with open(folder / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(history) == 3
    for row, entry in zip(rows, history, strict=True):
        assert set(row) == set(entry) >= {"epoch", "train_loss", "val_loss", "val_acc"}
        for key, value in entry.items():
            assert float(row[key]) == pytest.approx(value)
    assert (folder / "curves.png").read_bytes()[:4] == b"\x89PNG"
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == [16] and config["epochs"] == 3


def test_early_stopping_option_stops_the_run(tmp_path, capsys):
    folder = tmp_path / "es"
    args = ["--model", "64", "--lr", "0.01", "--epochs", "100", "--patience", "2"]
    assert main(["train", *args, "--out", str(folder), "--quiet"]) == 0
    history = json.loads((folder / "history.json").read_text())
    losses = [h["val_loss"] for h in history]
    best_epoch = int(np.argmin(losses)) + 1
    # it stops exactly `patience` epochs after the last improvement
    assert len(history) == best_epoch + 2 < 100
    assert "stopped early" in capsys.readouterr().out


def test_classic_recipe_saves_a_checkpoint_eval_agrees_with(tmp_path, capsys):
    folder = tmp_path / "classic"
    assert main(["train", "--classic", "--epochs", "2", "--out", str(folder), "--quiet"]) == 0
    history = json.loads((folder / "history.json").read_text())
    assert len(history) == 2 and history[-1]["test_acc"] > 0.5
    config = json.loads((folder / "config.json").read_text())
    assert config["classic"] and config["batch_size"] == 10 and config["lr"] == 3.0
    capsys.readouterr()
    assert main(["eval", str(folder)]) == 0
    report = json.loads((folder / "eval.json").read_text())
    assert report["accuracy"] == pytest.approx(history[-1]["test_acc"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--activation", "swish"], "--activation: unknown value 'swish'"),
        (["train", "--optimizer", "lbfgs"], "--optimizer"),
        (["train", "--lr", "-1"], "--lr must be positive"),
        (["train", "--lr", "fast"], "--lr"),
        (["train", "--data", "mnist-typo"], "--data"),
        (["train", "--resume", ".", "--lr", "0.1"], "remove --lr"),
        (["train", "--seed", "-1"], "--seed must be >= 0, got -1"),
        (["train", "--lr", "nan"], "--lr must be positive and finite, got nan"),
        (["train", "--weight-decay", "inf"], "--weight-decay must be >= 0 and finite, got inf"),
        (["train", "--lr", "inf"], "--lr must be positive and finite, got inf"),
        (["train", "--weight-decay", "nan"], "--weight-decay must be >= 0 and finite, got nan"),
        (["train", "--momentum", "nan"], "--momentum must be in [0, 1), got nan"),
        (["graph", "--seed", "-1", "--out", "/nonexistent/g.dot"], "--seed must be >= 0, got -1"),
    ],
)
def test_bad_train_options_give_one_line_and_exit_2(args, message):
    result = _cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"batch_size": 2.5}, "batch_size must be int, got 2.5"),
        ({"epochs": True}, "epochs must be int, got True"),
        ({"model": [1.5]}, "model must be list[int], got [1.5]"),
        ({"seed": -1}, "--seed must be >= 0, got -1"),
        ({"data": 5}, "data must be str, got 5"),
        ({"epochs": 2.5}, "epochs must be int, got 2.5"),
        ({"seed": 1.5}, "seed must be int, got 1.5"),
        ({"lr": "nan"}, "lr must be float | None, got 'nan'"),
        ([1, 2], "expected an object of settings, got a JSON list"),
        (None, "expected an object of settings, got a JSON null"),
    ],
)
def test_resume_with_a_hand_edited_config_is_one_line_and_exit_2(tmp_path, edit, message):
    run = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(run), "--quiet"]) == 0
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(
        json.dumps({**config, **edit} if isinstance(edit, dict) else edit)
    )
    result = _cli("train", "--resume", str(run))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and "config.json" in result.stderr


def test_resume_with_fewer_epochs_than_finished_is_refused_and_changes_nothing(tmp_path):
    run = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(run), "--quiet"]) == 0
    before = (run / "config.json").read_text()
    finished = json.loads(before)["epochs"]
    result = _cli("train", "--resume", str(run), "--epochs", str(finished - 1))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"has already finished {finished} epochs" in result.stderr
    assert (run / "config.json").read_text() == before
    result = _cli("train", "--resume", str(run), "--epochs", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # the bad value is the command line's, not the run's config.json
    assert "--epochs must be at least 1, got 0" in result.stderr
    assert "config.json" not in result.stderr
    assert (run / "config.json").read_text() == before


def test_resume_of_a_run_early_stopping_ended_trains_no_further(tmp_path, capsys):
    run = tmp_path / "es"
    args = ["--model", "16", "--lr", "0.05", "--batch-size", "128", "--epochs", "60"]
    assert main(["train", *args, "--patience", "1", "--out", str(run), "--quiet"]) == 0
    stopped = cr.load(run / "last.npz")["epoch"]
    assert stopped < 60  # the premise: early stopping ended it
    files = {p.name: p.read_bytes() for p in run.iterdir()}
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "the run has already finished" in out
    assert f"early stopping ended {run} after epoch {stopped}" in out
    result = _cli("train", "--resume", str(run), "--epochs", "80")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"early stopping ended {run} after epoch {stopped}" in result.stderr
    assert "--epochs cannot extend it" in result.stderr
    assert {p.name: p.read_bytes() for p in run.iterdir()} == files  # nothing trained or written


def test_resume_refuses_a_config_json_that_differs_from_the_checkpoint(tmp_path):
    run = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(run), "--quiet"]) == 0
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "optimizer": "sgd"}))
    result = _cli("train", "--resume", str(run))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "last.npz" in result.stderr
    assert "optimizer 'adam' in the checkpoint, 'sgd' in the configuration" in result.stderr


def test_resume_with_weights_that_do_not_fit(tmp_path):
    small, other = tmp_path / "small", tmp_path / "other"
    assert main(["train", *TINY, "--out", str(small), "--quiet"]) == 0
    assert main(["train", "--model", "8", "--epochs", "1", "--out", str(other), "--quiet"]) == 0
    (small / "last.npz").write_bytes((other / "last.npz").read_bytes())
    result = _cli("train", "--resume", str(small))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "model [8] in the checkpoint, [16] in the configuration" in result.stderr
    # the same weights under the run's own settings: they are refused for their shapes
    state = cr.load(other / "last.npz")
    cr.save({**state, "config": cr.load(small / "best.npz")["config"]}, small / "last.npz")
    result = _cli("train", "--resume", str(small))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "do not fit" in result.stderr and "last.npz" in result.stderr


def test_help_names_every_option():
    result = _cli("train", "--help")
    for option in ("--data", "--model", "--activation", "--init", "--loss", "--optimizer", "--lr"):
        assert option in result.stdout
    for option in ("--momentum", "--weight-decay", "--batch-size", "--epochs", "--seed"):
        assert option in result.stdout
    for option in ("--out", "--resume", "--patience", "--quiet", "--classic", "leaky_relu"):
        assert option in result.stdout


def _write_idx(path, array):
    """The IDX format written by hand: zero bytes, dtype code 0x08 (uint8), rank, sizes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_data_path_trains_on_idx_files_in_a_folder(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "tiny-idx"
    folder.mkdir()
    for split, n in (("train", 200), ("t10k", 50)):
        labels = rng.integers(0, 3, n)
        images = np.zeros((n, 28, 28))  # the MNIST loaders insist on 28x28
        images[np.arange(n), labels, labels] = 255  # class k lights pixel (k, k)
        _write_idx(folder / f"{split}-images-idx3-ubyte", images)
        _write_idx(folder / f"{split}-labels-idx1-ubyte", labels)
    out = tmp_path / "run"
    args = ["train", "--data", str(folder), "--model", "8", "--lr", "0.05", "--epochs", "5"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "test.json").read_text())
    assert np.array(report["confusion"]).shape == (3, 3)
    assert report["accuracy"] == 1.0  # a separable toy problem


def test_one_epoch_smoke_run_on_fashion_mnist(tmp_path, capsys):
    from chainrule.data import DatasetError, load_fashion_mnist

    try:
        load_fashion_mnist()
    except DatasetError:
        pytest.skip("Fashion-MNIST files are not installed")
    out = tmp_path / "fm"
    args = ["train", "--data", "fashion-mnist", "--model", "32", "--epochs", "1"]
    assert main([*args, "--batch-size", "256", "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "test.json").read_text())
    assert report["accuracy"] > 0.7 and np.sum(report["confusion"]) == 10_000
    assert report["classes"][9] == "Ankle boot"


def test_ctrl_c_between_epochs_points_to_last_npz_only(tmp_path, monkeypatch, capsys):
    original = ProgressReporter.on_epoch_begin

    def interrupt(self, trainer, epoch):
        if epoch == 3:  # after epoch 2 was written, before a batch of epoch 3
            raise KeyboardInterrupt
        original(self, trainer, epoch)

    monkeypatch.setattr(ProgressReporter, "on_epoch_begin", interrupt)
    folder = tmp_path / "cut"
    assert main(["train", *TINY, "--out", str(folder)]) == 130
    err = capsys.readouterr().err
    assert f"interrupted: the last finished epoch (2) is in {folder / 'last.npz'}." in err
    assert not (folder / "interrupted.npz").exists()
    assert cr.load(folder / "last.npz")["epoch"] == 2
