"""``DataLoader``: mini-batches of ``(inputs, labels)`` Tensors, in order or reshuffled."""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.creation import default_generator
from chainrule.autograd.tensor import Tensor


class DataLoader:
    """Iterate over ``(X[batch], y[batch])`` as Tensors (X float32, integer y as int64).

    In the dataset's order unless ``shuffle=True`` (as ``torch.utils.data.DataLoader``). A
    shuffling loader draws a new permutation each pass (epoch) from its own generator, so the
    order is deterministic for ``seed`` and resumable through ``state_dict()``; without
    ``seed`` it seeds its generator from the global one, so ``cr.manual_seed`` fixes the order
    as ``torch.manual_seed`` does. Each batch is gathered through an index array, so it
    is a fresh array (an in-place op on it leaves the dataset as it was): no per-sample Python.
    """

    def __init__(
        self,
        X,
        y,
        batch_size: int = 64,
        shuffle: bool = False,
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
            raise ValueError(
                f"DataLoader: batch_size must be a positive integer, got {batch_size!r}"
            )
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        if seed is None and shuffle:
            seed = int(default_generator().integers(2**63))
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
        # indices, never slices: a slice would be a view into X and y
        n = len(self.X)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for i in range(len(self)):
            part = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield Tensor._wrap(self.X[part]), Tensor._wrap(self.y[part])

    def state_dict(self) -> dict:
        """The shuffle generator's state (JSON-compatible)."""
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
