"""The command line: train, eval and predict end to end, and one-line errors with exit 2."""

import subprocess
import sys

import numpy as np
import pytest

from chainrule.cli import main

pytest.importorskip("sklearn")


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, text=True
    )


def test_train_output_is_plain_lines_when_not_a_terminal(tmp_path):
    result = _cli("train", "--model", "8", "--epochs", "2", "--out", str(tmp_path / "r"))
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    assert "epoch   2/2" in result.stderr
    assert "test accuracy" in result.stdout and str(tmp_path / "r") in result.stdout


def test_eval_and_predict(run_folder, tmp_path, capsys):
    assert main(["eval", str(run_folder)]) == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and "confusion matrix" in out
    assert (run_folder / "confusion.png").is_file()
    np.save(tmp_path / "x.npy", np.zeros(64, np.float32))
    assert main(["predict", str(run_folder), str(tmp_path / "x.npy")]) == 0
    assert "predicted class" in capsys.readouterr().out


def test_resume_continues_to_more_epochs(run_folder, capsys):
    assert main(["train", "--resume", str(run_folder), "--epochs", "3", "--quiet"]) == 0
    import json

    history = json.loads((run_folder / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "no-such-data"], "--data"),
        (["train", "--model", "16,x"], "--model"),
        (["train", "--epochs", "0"], "--epochs must be at least 1"),
        (["train", "--resume", "/nonexistent"], "--resume"),
        (["eval", "/nonexistent/run"], "no such file"),
        (["predict", "/nonexistent/run", "x.png"], "no such file"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(args, message):
    result = _cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_corrupt_checkpoint_and_wrong_input_size(run_folder, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes((run_folder / "last.npz").read_bytes()[:500])
    result = _cli("eval", str(bad))
    assert (
        result.returncode == 2 and "bad.npz" in result.stderr and "Traceback" not in result.stderr
    )
    np.save(tmp_path / "big.npy", np.zeros(100, np.float32))
    result = _cli("predict", str(run_folder), str(tmp_path / "big.npy"))
    assert result.returncode == 2 and "64" in result.stderr


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = _cli("train", "--epochs", "1", "--out", str(blocker / "run"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_help_lists_every_subcommand():
    result = _cli("--help")
    for command in ("train", "eval", "predict"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "chainrule: error: the following arguments are required: COMMAND"),
        (["train", "--bogus"], "chainrule train: error: unrecognized arguments: --bogus"),
        (["eval", "run", "extra"], "chainrule eval: error: unrecognized arguments: extra"),
        (["graph"], "chainrule graph: error: the following arguments are required: --out"),
        (["explain"], "chainrule explain: error: the following arguments are required"),
        (["explain", "a", "a=1", "--png"], "chainrule explain: error: argument --png"),
        (["train", "--batch-size", "many"], "chainrule train: error: argument --batch-size"),
    ],
)
def test_argument_errors_are_one_line_naming_the_subcommand(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith(message) and err.count("\n") == 1 and "usage:" not in err


def test_run_folder_that_cannot_be_made_is_named(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", "--epochs", "1", "--out", str(blocker / "run"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"cannot create the run folder {blocker / 'run'}: Not a directory" in err


def test_quiet_prints_only_the_result(tmp_path, capsys):
    out = tmp_path / "q"
    assert main(["train", "--model", "8", "--epochs", "2", "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("test accuracy ") and str(out) in lines[1]


@pytest.mark.parametrize(
    ("name", "kind", "settings"),
    [
        ("sgd", "SGD", {"lr": 0.1, "momentum": 0}),
        ("momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
        ("adagrad", "Adagrad", {"lr": 0.05}),
        ("rmsprop", "RMSprop", {"lr": 1e-3}),
        ("adam", "Adam", {"lr": 1e-3, "weight_decay": 1e-4}),
    ],
)
def test_optimizer_option_builds_that_optimizer_with_the_documented_defaults(name, kind, settings):
    import chainrule as cr
    from chainrule.train.run import TrainConfig, build_optimizer

    opt = build_optimizer(TrainConfig(optimizer=name), [cr.zeros(2, requires_grad=True)])
    assert type(opt).__name__ == kind
    group = opt.param_groups[0]
    for key, value in settings.items():
        assert group[key] == value
    custom = build_optimizer(
        TrainConfig(optimizer=name, lr=0.3, weight_decay=0.01, momentum=0.5),
        [cr.zeros(2, requires_grad=True)],
    ).param_groups[0]
    assert custom["lr"] == 0.3 and custom["weight_decay"] == 0.01
    if name == "momentum":
        assert custom["momentum"] == 0.5
