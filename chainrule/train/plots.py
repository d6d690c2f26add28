"""Pictures of a run: learning curves and the confusion matrix (matplotlib, Agg backend)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from chainrule.io import atomic_write


def _pyplot():
    """pyplot on the Agg backend, or None with a warning when matplotlib is not installed:
    the pictures are an extra (``chainrule[plots]``) and must not cost a run its results."""
    try:
        import matplotlib
    except ImportError:
        warnings.warn(
            "matplotlib is not installed, so no pictures are drawn "
            "(pip install 'chainrule[plots]')",
            stacklevel=4,
        )
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# What drawing or saving a picture raises when it cannot be made: an unwritable or full disk
# (OSError), matplotlib refusing the figure (ValueError, RuntimeError: e.g. an image too large).
PLOT_ERRORS = (OSError, ValueError, RuntimeError)


def _draw(path, figsize: tuple[float, float], draw) -> None:
    """Make a figure, let ``draw(fig, plt)`` fill it, save it to ``path`` as PNG, and close it
    however that ends. A picture that cannot be drawn or saved is a warning naming the file,
    as a missing matplotlib is: pictures are drawn as a run ends, also on divergence or
    Ctrl-C, and must neither replace that error nor cost the run its checkpoints or results."""
    plt = _pyplot()
    if plt is None:
        return
    fig = plt.figure(figsize=figsize)
    try:
        draw(fig, plt)
        with atomic_write(Path(path)) as handle:
            fig.savefig(handle, format="png", dpi=110, bbox_inches="tight")
    except PLOT_ERRORS as exc:
        warnings.warn(f"picture {path} not saved: {exc}", stacklevel=3)
    finally:
        plt.close(fig)


def plot_curves(history: list[dict], path) -> None:
    """Loss and accuracy per epoch for each split in the history (train, val, test)."""

    def draw(fig, plt) -> None:
        epochs = [h["epoch"] for h in history]
        ax_loss, ax_acc = fig.subplots(1, 2)
        for split, style in (("train", "-o"), ("val", "--s"), ("test", ":^")):
            if f"{split}_loss" in history[0]:
                losses = [h[f"{split}_loss"] for h in history]
                ax_loss.plot(epochs, losses, style, ms=3, label=split)
                accuracies = [100 * h[f"{split}_acc"] for h in history]
                ax_acc.plot(epochs, accuracies, style, ms=3, label=split)
        ax_loss.set(title="Loss", xlabel="epoch", ylabel="loss")
        ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
            ax.legend()

    _draw(path, (10, 4), draw)


def plot_confusion(confusion: np.ndarray, path, class_names=None) -> None:
    """The confusion matrix as a heat map with the counts written in."""
    n = len(confusion)
    names = class_names or [str(i) for i in range(n)]

    def draw(fig, plt) -> None:
        ax = fig.subplots()
        ax.imshow(confusion, cmap="Blues")
        ax.set(
            xticks=range(n),
            yticks=range(n),
            xticklabels=names,
            yticklabels=names,
            xlabel="predicted",
            ylabel="true",
            title="Confusion matrix",
        )
        if max(len(name) for name in names) > 2:  # long class names would overlap
            plt.setp(ax.get_xticklabels(), rotation=40, ha="right", rotation_mode="anchor")
        threshold = confusion.max() / 2
        for (i, j), count in np.ndenumerate(confusion):
            ax.text(
                j,
                i,
                str(count),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if count > threshold else "black",
            )

    _draw(path, (1 + 0.55 * n, 1 + 0.5 * n), draw)
