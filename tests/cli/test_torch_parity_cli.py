"""``chainrule train``/``graph``: sizes with an empty item refused by name; a picture that
cannot be saved at the end of a run, or after a Ctrl-C, is a warning and costs nothing else."""

import json

import pytest

import chainrule.train.run as run_module
from chainrule.cli import main

TINY = ["--model", "8", "--epochs", "2", "--batch-size", "256", "--quiet"]


@pytest.mark.parametrize("sizes", ["8,,4", ",", "8,", ",8", "8, ,4"])
def test_train_refuses_model_sizes_with_an_empty_item(sizes, tmp_path, capsys):
    # they were skipped: --model 8,,4 trained 8,4 and --model , no hidden layer at all
    out = tmp_path / "run"
    assert main(["train", "--model", sizes, "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("chainrule train: error: --model: ") and repr(sizes) in err
    assert len(err.splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize("option, sizes", [("--model", "32,,16"), ("--data-shape", "28,")])
def test_graph_refuses_sizes_with_an_empty_item(option, sizes, tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert main(["graph", option, sizes, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"chainrule graph: error: {option}: ") and repr(sizes) in err
    assert len(err.splitlines()) == 1 and not out.exists()


def test_train_whose_pictures_cannot_be_saved_still_reports_its_test_accuracy(
    tmp_path, monkeypatch, capsys
):
    pytest.importorskip("sklearn")
    Figure = pytest.importorskip("matplotlib.figure").Figure

    def refuse(self, *args, **kwargs):
        raise ValueError("Image size of 100000x100000 pixels is too large")

    monkeypatch.setattr(Figure, "savefig", refuse)
    out = tmp_path / "run"
    with pytest.warns(UserWarning) as warned:
        assert main(["train", *TINY, "--out", str(out)]) == 0
    messages = [str(w.message) for w in warned]
    for picture in ("curves.png", "confusion.png"):
        assert f"picture {out / picture} not saved: Image size" in " ".join(messages)
    report = json.loads((out / "test.json").read_text())
    assert f"test accuracy {100 * report['accuracy']:.2f}%" in capsys.readouterr().out
    assert not (out / "curves.png").exists() and not (out / "confusion.png").exists()


def test_ctrl_c_with_a_failing_curves_picture_still_saves_the_interrupted_weights(
    tmp_path, monkeypatch, capsys
):
    """The picture is drawn in Run.train's finally block: its OSError replaced the
    KeyboardInterrupt, so interrupted.npz was not written and the exit code was 2."""
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    build_loss, calls = run_module.build_loss, []

    def interrupted_loss(config, n_classes):
        loss = build_loss(config, n_classes)

        def loss_fn(output, labels):
            calls.append(1)
            # epoch 1 is 6 batches of 256 and one validation batch: 10 is epoch 2's third
            if len(calls) == 10:
                raise KeyboardInterrupt
            return loss(output, labels)

        return loss_fn

    monkeypatch.setattr(run_module, "build_loss", interrupted_loss)
    out = tmp_path / "run"
    (out / "curves.png").mkdir(parents=True)
    with pytest.warns(UserWarning, match="curves.png not saved"):
        assert main(["train", *TINY, "--out", str(out)]) == 130
    assert "after 2 of 6 batches of epoch 2" in capsys.readouterr().err
    assert (out / "interrupted.npz").is_file() and (out / "last.npz").is_file()
