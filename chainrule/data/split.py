"""Deterministic stratified train/test (or train/validation) splits."""

from __future__ import annotations

import numpy as np


def stratified_split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int = 0):
    """``(x_a, y_a), (x_b, y_b)`` with about ``test_fraction`` of each class in the second part.

    Each class contributes ``round(test_fraction * count)`` samples, chosen by a permutation
    drawn from ``seed``; both parts keep a shuffled order.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"stratified_split: test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    ranked = order[np.argsort(y[order], kind="stable")]  # shuffled within each class
    _, starts, counts = np.unique(y[ranked], return_index=True, return_counts=True)
    rank_in_class = np.arange(len(y)) - np.repeat(starts, counts)
    held_out = rank_in_class < np.repeat(np.round(counts * test_fraction).astype(int), counts)
    second = rng.permutation(ranked[held_out])
    first = rng.permutation(ranked[~held_out])
    return (x[first], y[first]), (x[second], y[second])
