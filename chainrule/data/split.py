"""Deterministic stratified train/test (or train/validation) splits."""

from __future__ import annotations

import math

import numpy as np

from chainrule.data.errors import DatasetError


def stratified_split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int = 0):
    """``(x_a, y_a), (x_b, y_b)`` with about ``test_fraction`` of each class in the second part.

    The second part has ``ceil(test_fraction * N)`` samples, as in scikit-learn's
    ``train_test_split``: each class gives ``floor(test_fraction * count)``, and the classes
    with the largest remainders one more. Samples are chosen by a permutation drawn from
    ``seed``; both parts keep a shuffled order. Data too small to leave a sample in each
    part is a ``DatasetError``: the fraction is fine, the data is at fault.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"stratified_split: test_fraction must be in (0, 1), got {test_fraction}")
    if len(x) != len(y):
        raise ValueError(f"stratified_split: x has {len(x)} samples but y has {len(y)}")
    n_second = math.ceil(test_fraction * len(y))
    if n_second >= len(y):  # as scikit-learn refuses it: no part may come out empty
        raise DatasetError(
            f"stratified_split: test_fraction {test_fraction} of {len(y)} samples holds out "
            f"{n_second}, leaving none for the first part; the data is too small to split"
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    ranked = order[np.argsort(y[order], kind="stable")]  # shuffled within each class
    _, starts, counts = np.unique(y[ranked], return_index=True, return_counts=True)
    rank_in_class = np.arange(len(y)) - np.repeat(starts, counts)
    share = counts * test_fraction
    quota = np.floor(share).astype(np.int64)
    extra = n_second - int(quota.sum())
    quota[np.argsort(quota - share, kind="stable")[:extra]] += 1  # largest remainders first
    held_out = rank_in_class < np.repeat(quota, counts)
    second = rng.permutation(ranked[held_out])
    first = rng.permutation(ranked[~held_out])
    return (x[first], y[first]), (x[second], y[second])
