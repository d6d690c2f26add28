"""`chainrule train` options refused by name before any work: a --momentum no optimiser would
use, an --out (or a runs file) in the way of the run folder, and memory
run out of elsewhere than in the network."""

import pytest

import chainrule.train.run as run_module
from chainrule.cli import main

TINY = ["--model", "4", "--epochs", "1", "--batch-size", "256", "--quiet"]


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.fixture
def no_dataset(monkeypatch):
    """Fail the test if the dataset is loaded: the option is refused before that."""

    def load_dataset(*args, **kwargs):
        raise AssertionError("the dataset was loaded")

    monkeypatch.setattr(run_module, "load_dataset", load_dataset)


@pytest.mark.parametrize("optimizer", [[], ["--optimizer", "sgd"], ["--optimizer", "rmsprop"]])
def test_momentum_for_an_optimizer_that_would_ignore_it_is_refused(
    optimizer, tmp_path, capsys, no_dataset
):
    # torch.optim.SGD(momentum=0.5) trains with momentum; `--optimizer sgd --momentum 0.5`
    # trained plain SGD (and Adam, the default, has no momentum), without a word
    out = tmp_path / "run"
    assert main(["train", *optimizer, "--momentum", "0.5", *TINY, "--out", str(out)]) == 2
    err = _one_line_error(capsys)
    assert "--momentum applies to --optimizer momentum only, not " in err
    assert not out.exists()


@pytest.mark.parametrize("below", ["", "run"])
def test_an_out_that_is_a_file_is_refused_by_option_name(below, tmp_path, capsys, no_dataset):
    blocker = tmp_path / "results.txt"
    blocker.write_text("kept")
    out = blocker / below if below else blocker
    # it was found only when the folder was made, after loading (or downloading) the data
    assert main(["train", *TINY, "--out", str(out)]) == 2
    err = _one_line_error(capsys)
    reason = "Not a directory" if below else "File exists"  # what mkdir says, said earlier
    assert f"--out: cannot create the run folder {out}: {reason} ({blocker} is a file)" in err
    assert blocker.read_text() == "kept"


def test_a_network_too_large_for_memory_is_one_line_naming_model(tmp_path, capsys):
    pytest.importorskip("sklearn")  # the digits
    out = tmp_path / "run"
    # 16 x 10**15 float32 weights: 57 PiB, refused by NumPy's allocator on any machine; it
    # was NumPy's MemoryError traceback (exit 1) for what is a mistyped option
    size = str(10**15)
    assert main(["train", "--model", f"16,{size}", "--epochs", "1", "--out", str(out)]) == 2
    err = _one_line_error(capsys)
    assert err.startswith(f"chainrule train: error: --model 16,{size}: the network does not fit")
    assert "Unable to allocate" in err and not out.exists()


def test_a_file_named_runs_is_refused_before_loading(tmp_path, monkeypatch, capsys, no_dataset):
    # without --out the run goes to runs/<data>-<time>; a file named runs in the way was
    # found only when the folder was made, after loading (or downloading) the data
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").write_text("kept")
    assert main(["train", *TINY]) == 2
    err = _one_line_error(capsys)
    assert "cannot create the run folder runs/digits-" in err
    assert "Not a directory (runs is a file)" in err
    assert (tmp_path / "runs").read_text() == "kept"


def test_running_out_of_memory_while_loading_data_is_not_blamed_on_model(tmp_path, monkeypatch):
    def load_dataset(*args, **kwargs):
        raise MemoryError("no memory for the images")

    monkeypatch.setattr(run_module, "load_dataset", load_dataset)
    # "--model 4: the network does not fit in memory" would send the user to the wrong option
    with pytest.raises(MemoryError, match="no memory for the images"):
        main(["train", *TINY, "--out", str(tmp_path / "run")])
