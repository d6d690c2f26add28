"""The 1,797 8x8 handwritten digits that ship inside scikit-learn: the embedded default."""

from __future__ import annotations

import numpy as np

from chainrule.data.errors import DatasetError
from chainrule.data.split import stratified_split


def load_digits(test_fraction: float = 0.2, seed: int = 0):
    """``(X_train, y_train), (X_test, y_test)``: X float32 (N, 64) in [0, 1], y int64.

    The split is stratified by class and deterministic for ``seed`` (20% test by default).
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise DatasetError(
            "digits: the bundled digits come with scikit-learn; install it with "
            "pip install 'chainrule[demo]'"
        ) from None
    bunch = sklearn_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    return stratified_split(x, y, test_fraction, seed)
