"""Review tests of `chainrule graph`, `bench` and `train --classic`: one-line errors, exit 2."""

from __future__ import annotations

import json

import pytest

import benchmarks.__main__ as suite
from chainrule.cli import main


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--classes", str(10**23)], "--classes: "),  # was numpy's "high is out of bounds"
        (["--batch-size", str(10**20)], "--batch-size: "),  # "Maximum allowed dimension"
        (["--model", str(10**20)], "--model: "),
        (["--data-shape", f"{10**11},{10**11}"], "--data-shape: "),  # "array is too big"
        (["--model", "20000,20000"], "--model, --batch-size"),  # 4e8 weights: each size fits
        (["--classes", str(10**7)], "--classes"),  # was a 4.66 TiB allocation attempt
    ],
)
def test_graph_with_absurd_sizes_is_one_line_naming_the_option_exit_2(
    options, named, tmp_path, capsys
):
    out = tmp_path / "g.dot"
    assert main(["graph", *options, "--out", str(out)]) == 2
    assert named in _one_line_error(capsys)
    assert not out.exists()


def test_graph_of_a_wide_but_drawable_step_still_works(tmp_path, capsys):
    # 784 -> 4096 -> 10 on 64 rows: 3.3 million numbers, well under the limit
    out = tmp_path / "g.dot"
    args = ["graph", "--data-shape", "28,28", "--model", "4096", "--batch-size", "64"]
    assert main([*args, "--out", str(out)]) == 0
    assert "4096" in out.read_text()


def test_classic_config_json_holds_only_the_settings_the_recipe_uses(tmp_path, capsys):
    pytest.importorskip("sklearn")
    folder = tmp_path / "classic"
    assert main(["train", "--classic", "--epochs", "1", "--out", str(folder), "--quiet"]) == 0
    config = json.loads((folder / "config.json").read_text())
    # no momentum, weight decay, early stopping or validation split in Network.SGD
    for unused in ("momentum", "weight_decay", "patience", "val_fraction"):
        assert unused not in config
    expected = {"model": [30], "activation": "sigmoid", "init": "normal", "loss": "mse"}
    expected.update(optimizer="sgd", lr=3.0, batch_size=10, schedule="constant", epochs=1)
    assert {key: config[key] for key in expected} == expected and config["classic"] is True


@pytest.mark.parametrize("target", ["folder", "under_a_file"])
def test_bench_refuses_an_unusable_json_before_measuring(target, tmp_path, monkeypatch, capsys):
    # a folder was only found unwritable when the results were written, minutes later; a
    # file in the way printed the suite's usage under the name `python -m benchmarks`
    ran = []
    monkeypatch.setattr(suite, "main", lambda argv: ran.append(argv) or 0)
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = tmp_path if target == "folder" else blocker / "b.json"
    assert main(["bench", "--quick", "--json", str(path)]) == 2
    assert "--json: " in _one_line_error(capsys) and ran == []


def test_graph_refuses_input_shape_and_classes_that_data_would_override(tmp_path, capsys):
    # they were silently dropped: the digits graph had 64 inputs and 10 classes regardless
    pytest.importorskip("sklearn")
    out = tmp_path / "g.dot"
    args = ["graph", "--data", "digits", "--classes", "3", "--data-shape", "28,28"]
    assert main([*args, "--out", str(out)]) == 2
    assert "remove --data-shape --classes" in _one_line_error(capsys) and not out.exists()
