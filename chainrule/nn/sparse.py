"""``Embedding``: a learnable table of vectors looked up by integer index (word embeddings)."""

from __future__ import annotations

import numpy as np

from chainrule.errors import ValueRangeError
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.module import Module, Parameter


class Embedding(Module):
    """Rows of ``weight`` (num_embeddings, embedding_dim) looked up by integer indices:
    indices of any shape (*) -> y (*, embedding_dim).

    Initialised as PyTorch does, from N(0, 1); the ``padding_idx`` row (negative counts from
    the end) starts at zero and gets no gradient, so it stays the padding's vector.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        dtype=np.float32,
        generator=None,
    ) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueRangeError(
                    f"Embedding({num_embeddings}, {embedding_dim}): padding_idx must lie in "
                    f"[{-num_embeddings}, {num_embeddings - 1}], got {padding_idx}"
                )
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
        init.normal_(self.weight, generator=generator)
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0

    def forward(self, x):
        return F.embedding(x, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
