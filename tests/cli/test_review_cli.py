"""Foreign input files and repeated or impossible values: one line naming them, exit code 2."""

import sys

import numpy as np
import pytest

from chainrule.cli import main

pytest.importorskip("sklearn")


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_predict_on_an_npz_archive_named_npy_is_one_line_exit_2(run_folder, tmp_path, capsys):
    # np.load opens any zip as an NpzFile, whatever the name: no array to classify
    disguised = tmp_path / "sample.npy"
    with open(disguised, "wb") as handle:
        np.savez(handle, x=np.zeros(64, np.float32))
    assert main(["predict", str(run_folder), str(disguised)]) == 2
    assert "sample.npy: not a readable .npy array" in _one_line_error(capsys)


def test_explain_refuses_a_variable_given_twice(capsys):
    assert main(["explain", "(a + b) * (b + 1)", "a=2", "b=1", "a=3"]) == 2
    assert "a: given twice (a=2, then a=3)" in _one_line_error(capsys)


def _write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.tobytes())


def test_train_on_too_few_samples_to_hold_out_validation_is_one_line_exit_2(tmp_path, capsys):
    data = tmp_path / "one-sample"
    data.mkdir()
    for split in ("train", "t10k"):
        _write_idx(data / f"{split}-images-idx3-ubyte", np.zeros((1, 28, 28), np.uint8))
        _write_idx(data / f"{split}-labels-idx1-ubyte", np.zeros(1, np.uint8))
    args = ["train", "--data", str(data), "--epochs", "1", "--out", str(tmp_path / "r"), "--quiet"]
    assert main(args) == 2
    assert "of 1 samples holds out 1, leaving none" in _one_line_error(capsys)


def test_eval_without_matplotlib_names_only_the_files_it_saved(run_folder, monkeypatch, capsys):
    # it used to announce eval_confusion.png although no picture could be drawn
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    (run_folder / "eval_confusion.png").unlink(missing_ok=True)
    with pytest.warns(UserWarning, match="matplotlib is not installed"):
        assert main(["eval", str(run_folder)]) == 0
    saved = capsys.readouterr().out.splitlines()[-1]
    assert saved == f"saved {run_folder / 'eval.json'}"
    assert not (run_folder / "eval_confusion.png").exists()


def test_data_folder_without_the_idx_files_says_so_without_the_search_hints(tmp_path, capsys):
    # it began "mnist:", listed no search path but the folder, and suggested --download
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"")
    assert main(["train", "--data", str(tmp_path), "--epochs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{tmp_path}: the four IDX files" in err and "not all in this folder" in err
    assert "--download" not in err and len(err.splitlines()) == 1


def test_eval_reads_only_the_test_split_so_a_damaged_training_file_does_not_stop_it(
    tmp_path, capsys
):
    rng = np.random.default_rng(0)
    data = tmp_path / "tiny-idx"
    data.mkdir()
    for split, n in (("train", 60), ("t10k", 20)):
        _write_idx(data / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), np.uint8))
        _write_idx(data / f"{split}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
    run = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--model",
                "4",
                "--epochs",
                "1",
                "--out",
                str(run),
                "--quiet",
            ]
        )
        == 0
    )
    (data / "train-images-idx3-ubyte").write_bytes(b"damaged")  # it used to stop the evaluation
    capsys.readouterr()
    assert main(["eval", str(run)]) == 0
    assert "test split (20 samples)" in capsys.readouterr().out
