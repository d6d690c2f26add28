"""``DataLoader``: mini-batches of ``(inputs, labels)`` Tensors, reshuffled every epoch."""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.tensor import Tensor


class DataLoader:
    """Iterate over ``(X[batch], y[batch])`` as Tensors (X float32, integer y as int64).

    Each pass (epoch) draws a new permutation from the loader's own generator, so the order
    is deterministic for ``seed`` and resumable through ``state_dict()``. Batches are slices
    of a permutation: no per-sample Python.
    """

    def __init__(
        self,
        X,
        y,
        batch_size: int = 64,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        X, y = np.asarray(X, dtype=np.float32), np.asarray(y)
        if np.issubdtype(y.dtype, np.integer):
            y = y.astype(np.int64, copy=False)  # class labels, as cross_entropy expects
        if len(X) != len(y):
            raise ValueError(f"DataLoader: X has {len(X)} samples but y has {len(y)}")
        if (
            not isinstance(batch_size, (int, np.integer))
            or isinstance(batch_size, bool)
            or batch_size < 1
        ):
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size}")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        try:
            self.rng = np.random.default_rng(seed)
        except (TypeError, ValueError):  # NumPy's message names neither the loader nor seed
            raise ValueError(
                f"DataLoader: seed must be None or an integer >= 0, got {seed!r}"
            ) from None

    def __len__(self) -> int:
        n = len(self.X) / self.batch_size
        return math.floor(n) if self.drop_last else math.ceil(n)

    def __iter__(self):
        order = self.rng.permutation(len(self.X)) if self.shuffle else None
        for i in range(len(self)):
            if order is None:
                part = slice(i * self.batch_size, (i + 1) * self.batch_size)
            else:
                part = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield Tensor._wrap(self.X[part]), Tensor._wrap(self.y[part])

    def state_dict(self) -> dict:
        """The shuffle generator's state (JSON-compatible)."""
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
