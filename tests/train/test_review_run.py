"""Training runs: an empty --data, unknown config.json keys, confusion matrices of mismatched
labels, --classic with options it ignores, and runs without the optional plot/bar packages."""

import dataclasses
import io
import json
import sys

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.data import DataLoader, DatasetError
from chainrule.errors import ShapeError
from chainrule.io import CheckpointError
from chainrule.train import ProgressReporter, TrainConfig, confusion_matrix
from chainrule.train.run import load_dataset

TINY = ["--model", "8", "--epochs", "1", "--batch-size", "256", "--quiet"]


def test_load_dataset_refuses_an_empty_name_instead_of_searching_the_current_folder(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # Path('') is '.', a folder: the old code looked for IDX files
    with pytest.raises(DatasetError) as caught:
        load_dataset("")
    assert str(caught.value).startswith("--data: '' is neither digits, mnist, fashion-mnist")
    assert main(["train", "--data", "", *TINY, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "--data: '' is neither" in err and len(err.strip().splitlines()) == 1


def test_config_with_an_unknown_key_names_the_key():
    saved = {**dataclasses.asdict(TrainConfig()), "lerning_rate": 0.1, "epoch": 3}
    with pytest.raises(CheckpointError) as caught:
        TrainConfig.from_dict(saved, "run/config.json")
    message = str(caught.value)
    assert message.startswith("run/config.json: invalid training configuration (")
    assert "unknown setting 'lerning_rate', 'epoch'; the settings are data, model," in message
    assert "\n" not in message


def test_confusion_matrix_refuses_label_arrays_that_do_not_pair_up():
    metrics = pytest.importorskip("sklearn.metrics")
    # one true label against four predictions: broadcasting counted four samples of class 1
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        metrics.confusion_matrix([1], [0, 1, 2, 1], labels=range(3))
    with pytest.raises(ShapeError, match=r"confusion_matrix: .* shapes \(1,\) and \(4,\)"):
        confusion_matrix([1], [0, 1, 2, 1], 3)
    with pytest.raises(ShapeError, match=r"shapes \(2, 1\) and \(2, 1\)"):
        confusion_matrix([[0], [1]], [[0], [1]], 3)
    with pytest.raises(TypeError, match="confusion_matrix: num_classes must be an int, got 3.0"):
        confusion_matrix([0, 1], [1, 0], 3.0)  # NumPy's message named neither


def test_confusion_matrix_of_uint64_predictions_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    truth, predicted = rng.integers(0, 5, 300), rng.integers(0, 5, 300).astype(np.uint64)
    np.testing.assert_array_equal(
        confusion_matrix(truth, predicted, 5),
        metrics.confusion_matrix(truth, predicted, labels=range(5)),
    )


def test_classic_refuses_the_options_its_fixed_recipe_ignores(tmp_path, capsys):
    out = tmp_path / "classic"
    args = ["train", "--classic", "--epochs", "1", "--out", str(out), "--quiet"]
    assert main([*args, "--lr", "0.5", "--patience", "2"]) == 2
    err = capsys.readouterr().err
    assert "--classic trains its fixed recipe" in err and "remove --lr --patience" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_train_without_matplotlib_still_writes_its_checkpoints_and_test_results(
    tmp_path, monkeypatch, capsys
):
    pytest.importorskip("sklearn")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match="matplotlib is not installed"):
        assert main(["train", *TINY, "--out", str(out)]) == 0
    report = json.loads((out / "test.json").read_text())
    assert np.sum(report["confusion"]) == 360  # the digits' test split
    assert (out / "best.npz").is_file() and (out / "history.json").is_file()
    assert not (out / "curves.png").exists() and not (out / "confusion.png").exists()
    assert "(history.csv, best.npz, last.npz, test.json)" in capsys.readouterr().out


def test_progress_on_a_terminal_without_tqdm_is_plain_lines(monkeypatch):
    import chainrule.nn as nn
    import chainrule.nn.functional as F
    from chainrule import optim
    from chainrule.train import fit

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setitem(sys.modules, "tqdm", None)
    rng = np.random.default_rng(0)
    loader = DataLoader(rng.random((20, 4), dtype=np.float32), rng.integers(0, 3, 20), 8)
    model = nn.Sequential(nn.Linear(4, 3))
    stream = Terminal()
    reporter = ProgressReporter(2, len(loader), stream)
    fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader, None, 2, [reporter])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch   2/2  train loss")


def test_restore_refuses_the_mid_epoch_weights_of_a_ctrl_c(tmp_path):
    """interrupted.npz holds steps of an unfinished epoch: resuming from it would replay that
    epoch on top of them and end with other weights than an uninterrupted run."""
    pytest.importorskip("sklearn")
    from chainrule.train import Run

    config = dict(model=[8], epochs=2, batch_size=256)
    run = Run(TrainConfig(**config), tmp_path, quiet=True)
    run.save_checkpoint(tmp_path / "interrupted.npz", partial_epoch=True)
    resumed = Run(TrainConfig(**config), tmp_path, quiet=True)
    with pytest.raises(CheckpointError, match="interrupted.npz: holds weights from the middle"):
        resumed.restore(tmp_path / "interrupted.npz")
