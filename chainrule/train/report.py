"""Test-set reports: accuracy, per-class accuracy and the confusion matrix as text and files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from chainrule.io import atomic_write
from chainrule.train.metrics import per_class_accuracy

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def class_names(data: str, n_classes: int) -> list[str]:
    """Readable names of the classes: Fashion-MNIST's article names, else the digits."""
    if "fashion" in Path(data).name.lower() and n_classes == len(FASHION_MNIST_CLASSES):
        return list(FASHION_MNIST_CLASSES)
    return [str(i) for i in range(n_classes)]


def format_report(result: dict, names: list[str]) -> str:
    """Accuracy, per-class accuracy and the confusion matrix (rows true, columns predicted)."""
    confusion = result["confusion"]
    total = int(confusion.sum())
    lines = [f"accuracy {100 * result['accuracy']:.2f}% ({int(np.trace(confusion))} / {total})"]
    labels = [name if name == str(i) else f"{i} {name}" for i, name in enumerate(names)]
    width = max(len(label) for label in labels)
    lines.append("per-class accuracy:")
    counts = confusion.sum(axis=1)
    for label, acc, count in zip(labels, per_class_accuracy(confusion), counts, strict=True):
        shown = "   n/a" if np.isnan(acc) else f"{100 * acc:6.2f}%"
        lines.append(f"  {label:<{width}}  {shown}  of {count}")
    cell = max(4, len(str(confusion.max())) + 1)
    lines.append("confusion matrix (rows: true class, columns: predicted class):")
    lines.append(" " * (width + 2) + "".join(f"{i:>{cell}}" for i in range(len(names))))
    for label, row in zip(labels, confusion, strict=True):
        lines.append(f"  {label:<{width}}" + "".join(f"{c:>{cell}}" for c in row))
    return "\n".join(lines)


def save_report(result: dict, names: list[str], json_path: Path, png_path: Path) -> None:
    """Write the accuracy, per-class accuracy and confusion matrix as JSON and as a picture."""
    from chainrule.train.plots import plot_confusion

    confusion = result["confusion"]
    summary = {
        "accuracy": result["accuracy"],
        "loss": result["loss"],
        "classes": names,
        "per_class_accuracy": [None if np.isnan(a) else a for a in per_class_accuracy(confusion)],
        "confusion": confusion.tolist(),
    }
    with atomic_write(json_path, "w") as handle:
        json.dump(summary, handle, indent=1)
    plot_confusion(confusion, png_path, names)
