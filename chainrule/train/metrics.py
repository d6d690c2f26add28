"""Classification metrics from predicted and true labels."""

from __future__ import annotations

import numpy as np

from chainrule.errors import ShapeError


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """``C[i, j]`` = number of samples of true class i predicted as class j.

    y_true (N,), y_pred (N,) integer labels in ``0 .. num_classes - 1`` -> C (num_classes,
    num_classes).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"confusion_matrix: num_classes must be an int, got {num_classes!r}")
    if num_classes < 1:
        raise ValueError(f"confusion_matrix: num_classes must be at least 1, got {num_classes}")
    # one label per sample on each side: broadcasting one label against N would count N samples
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ShapeError(
            "confusion_matrix: y_true and y_pred must be 1-D, one label per sample, got "
            f"shapes {y_true.shape} and {y_pred.shape}"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(
                f"confusion_matrix: {name} must hold integer class labels, got {labels.dtype}"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"confusion_matrix: {name} has labels outside 0..{num_classes - 1} "
                f"(min {labels.min()}, max {labels.max()})"
            )
    # int64 first: uint8 labels times num_classes would wrap around, and int64 + uint64 labels
    # would give float64 indices
    index = y_true.astype(np.int64) * num_classes + y_pred.astype(np.int64)
    counts = np.bincount(index, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN for a class with no samples)."""
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(confusion) / totals
