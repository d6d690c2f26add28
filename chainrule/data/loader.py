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
    ``seed`` it seeds its generator from the global one at its first shuffle, so
    ``cr.manual_seed`` fixes the order as ``torch.manual_seed`` does, and building the loader
    leaves the global stream (the model's init after it) as it was, as torch's does. Each
    batch is gathered through an index array, so it is a fresh array (an in-place op on it
    leaves the dataset as it was): no per-sample Python.
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
        self.rng = None  # without a seed, made at the first shuffle (_shuffle_generator)
        if seed is not None:
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
        order = self._shuffle_generator().permutation(n) if self.shuffle else np.arange(n)
        for i in range(len(self)):
            part = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield Tensor._wrap(self.X[part]), Tensor._wrap(self.y[part])

    def _shuffle_generator(self) -> np.random.Generator:
        """The generator of the permutations; an unseeded loader seeds it from the global
        generator here, when it first shuffles, not when it is built."""
        if self.rng is None:
            self.rng = np.random.default_rng(int(default_generator().integers(2**63)))
        return self.rng

    def state_dict(self) -> dict:
        """The shuffle generator's state (JSON-compatible); None before an unseeded loader's
        first shuffle, so saving it draws nothing from the global generator."""
        return {"rng": None if self.rng is None else self.rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        if state["rng"] is None:
            self.rng = None
            return
        if self.rng is None:
            self.rng = np.random.default_rng()  # its state is replaced at once
        self.rng.bit_generator.state = state["rng"]
