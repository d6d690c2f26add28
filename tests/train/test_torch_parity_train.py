"""Training runs: pictures that cannot be saved warn and leave the real error and the
checkpoints alone; the run's training loader shuffles although DataLoader no longer does by
default (torch's default)."""

import numpy as np
import pytest

from chainrule.train import Callback, NonFiniteLossError, Run, TrainConfig
from chainrule.train.run import CheckpointWriter

SMALL = dict(model=[8], epochs=2, batch_size=256)


def _break_the_save(how, path, monkeypatch):
    """Make saving the picture at ``path`` fail: the path is a folder, or matplotlib raises."""
    if how == "folder":
        path.mkdir(parents=True)
        return
    from matplotlib.figure import Figure

    def refuse(self, *args, **kwargs):
        raise ValueError("Image size of 100000x100000 pixels is too large")

    monkeypatch.setattr(Figure, "savefig", refuse)


@pytest.mark.parametrize("how", ["folder", "matplotlib"])
@pytest.mark.parametrize("picture", ["curves", "confusion"])
def test_plot_closes_its_figure_and_warns_naming_the_file_when_the_save_fails(
    picture, how, tmp_path, monkeypatch
):
    plt = pytest.importorskip("matplotlib.pyplot")
    from chainrule.train.plots import plot_confusion, plot_curves

    path = tmp_path / f"{picture}.png"
    _break_the_save(how, path, monkeypatch)
    plt.close("all")
    with pytest.warns(UserWarning, match=f"picture {path} not saved"):
        if picture == "curves":
            plot_curves([{"epoch": 1, "train_loss": 0.5, "train_acc": 0.9}], path)
        else:
            plot_confusion(np.array([[3, 1], [0, 4]]), path)
    assert plt.get_fignums() == []  # the failed figure was closed, not left in pyplot


class _FailAtEpoch(Callback):
    def __init__(self, error, epoch):
        self.error, self.epoch = error, epoch

    def on_epoch_begin(self, trainer, epoch):
        if epoch == self.epoch:
            raise self.error


@pytest.mark.parametrize("how", ["folder", "matplotlib"])
@pytest.mark.parametrize(
    "error", [NonFiniteLossError("epoch 2, batch 0: the loss is nan"), KeyboardInterrupt()]
)
def test_a_failing_plot_keeps_the_error_that_ended_training_and_its_checkpoint(
    error, how, tmp_path, monkeypatch
):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    run = Run(TrainConfig(**SMALL), tmp_path, quiet=True)
    _break_the_save(how, tmp_path / "curves.png", monkeypatch)
    with pytest.warns(UserWarning, match="curves.png not saved"):
        with pytest.raises(type(error)):  # the divergence or Ctrl-C, not the picture's error
            run.train([_FailAtEpoch(error, 2)])
    assert run.epoch == 1 and (tmp_path / "last.npz").is_file()


def test_a_plot_failing_during_training_lets_the_run_finish(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(CheckpointWriter, "PLOT_EVERY", 0.0)  # curves.png after every epoch
    run = Run(TrainConfig(**SMALL), tmp_path, quiet=True)
    (tmp_path / "curves.png").mkdir()
    with pytest.warns(UserWarning, match="curves.png not saved"):
        history = run.train()
    assert [h["epoch"] for h in history] == [1, 2] and run.epoch == 2


def test_run_shuffles_its_training_batches_with_the_configured_seed(tmp_path):
    """DataLoader's default is torch's shuffle=False now; the run asks for shuffling itself."""
    pytest.importorskip("sklearn")
    run = Run(TrainConfig(**SMALL, seed=3), tmp_path, quiet=True)
    loader = run.train_loader
    order = np.random.default_rng(3).permutation(len(loader.y))  # the loader's first epoch
    _, first_labels = next(iter(loader))
    np.testing.assert_array_equal(first_labels.data, loader.y[order[: SMALL["batch_size"]]])
