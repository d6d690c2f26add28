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
            stacklevel=3,
        )
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    with atomic_write(path) as handle:
        fig.savefig(handle, format="png", dpi=110, bbox_inches="tight")


def plot_curves(history: list[dict], path) -> None:
    """Loss and accuracy per epoch for each split in the history (train, val, test)."""
    plt = _pyplot()
    if plt is None:
        return
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for split, style in (("train", "-o"), ("val", "--s"), ("test", ":^")):
        if f"{split}_loss" in history[0]:
            ax_loss.plot(epochs, [h[f"{split}_loss"] for h in history], style, ms=3, label=split)
            ax_acc.plot(
                epochs, [100 * h[f"{split}_acc"] for h in history], style, ms=3, label=split
            )
    ax_loss.set(title="Loss", xlabel="epoch", ylabel="loss")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    _save(fig, Path(path))
    plt.close(fig)


def plot_confusion(confusion: np.ndarray, path, class_names=None) -> None:
    """The confusion matrix as a heat map with the counts written in."""
    plt = _pyplot()
    if plt is None:
        return
    n = len(confusion)
    names = class_names or [str(i) for i in range(n)]
    fig, ax = plt.subplots(figsize=(1 + 0.55 * n, 1 + 0.5 * n))
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
    _save(fig, Path(path))
    plt.close(fig)
