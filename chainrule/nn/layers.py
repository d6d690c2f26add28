"""Layers with parameters or state: ``Linear``, ``Flatten``, ``Dropout``; and ``Identity``."""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd import ops as _ops
from chainrule.errors import ShapeError
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.module import Module, Parameter


class Linear(Module):
    """Affine map ``y = x @ W + b``.

    ``weight`` W has shape (in_features, out_features) — the transpose of PyTorch's
    layout, matching the derivations ``z = a W + b`` — and ``bias`` b has (out_features,).
    Initialised as PyTorch does: W and b from U(-1/sqrt(in), 1/sqrt(in)).
    Input (N, in_features) or (*, in_features); output (*, out_features).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype=np.float32,
        generator=None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((in_features, out_features), dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator)
        else:
            self.bias = None

    def forward(self, x):
        try:
            return F.linear(x, self.weight, self.bias)
        except ShapeError:  # checked on failure only, to name the layer
            if np.shape(x)[-1:] != (self.in_features,):
                raise ShapeError(
                    f"Linear({self.in_features}, {self.out_features}): expected input of shape "
                    f"(N, {self.in_features}), got {tuple(np.shape(x))}"
                ) from None
            raise

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flattens dimensions ``start_dim..end_dim`` into one (default: all but the batch one).

    (N, d_1, ..., d_k) -> (N, d_1 * ... * d_k) by default; both dims lie in [-ndim, ndim - 1]
    and ``start_dim`` may not come after ``end_dim``. As in PyTorch, a 0-d input counts as
    1-d (dims in [-1, 0]) and becomes shape (1,).
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    @staticmethod
    def _dim(dim: int, shape: tuple[int, ...], layer: str = "Flatten") -> int:
        rank = max(len(shape), 1)  # a scalar takes dims as if it were 1-d, as PyTorch does
        if not -rank <= dim < rank:
            raise _DimensionError(
                f"{layer}: dimension {dim} out of range for an input of shape {shape} "
                f"(expected to be in [{-rank}, {rank - 1}])"
            )
        return dim % rank

    def forward(self, x):
        shape = x.shape
        start = self._dim(self.start_dim, shape)
        end = self._dim(self.end_dim, shape)
        if start > end:
            raise ShapeError(
                f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} "
                f"for an input of shape {shape}"
            )
        if not shape:
            return _ops.reshape(x, (1,))
        # the product, not -1: an empty batch (0, 3, 4) still becomes (0, 12)
        flat = math.prod(shape[start : end + 1])
        return _ops.reshape(x, shape[:start] + (flat,) + shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class _DimensionError(ShapeError, IndexError):
    """A dimension index outside the input's dimensions: a ShapeError, and an IndexError as
    PyTorch raises, so either ``except`` catches it."""


class Dropout(Module):
    """Zeroes elements with probability ``p`` in training mode, scaling the rest by 1/(1-p);
    the identity in eval mode. Uses ``generator`` or chainrule's global one (seeded)."""

    def __init__(self, p: float = 0.5, generator=None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self.generator = generator

    def forward(self, x):
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Identity(Module):
    """``y = x``: a placeholder layer (e.g. where a block has no activation). Accepts and
    ignores any constructor arguments, as PyTorch's ``Identity``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, x):
        return x


class Unflatten(Module):
    """Splits dimension ``dim`` into ``unflattened_size`` (one entry may be -1), the inverse
    of ``Flatten``: (N, 10) -> (N, 2, 5) for ``Unflatten(1, (2, 5))``."""

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, x):
        shape = x.shape
        if not shape:
            raise ShapeError("Unflatten: a 0-d input has no dimension to split")
        dim = Flatten._dim(self.dim, shape, "Unflatten")
        sizes = tuple(self.unflattened_size)
        known = math.prod(s for s in sizes if s != -1)
        length = shape[dim]
        if sizes.count(-1) > 1:
            fits = False
        elif -1 in sizes:
            fits = known > 0 and length % known == 0
        else:
            fits = known == length
        if not fits:
            raise ShapeError(
                f"Unflatten: sizes {list(sizes)} do not multiply up to the size of dimension "
                f"{self.dim} ({length}) of an input of shape {shape}"
            )
        return x.reshape(shape[:dim] + sizes + shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class CosineSimilarity(Module):
    """``F.cosine_similarity(x1, x2, dim, eps)``: the cosine of the angle along ``dim``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``F.pairwise_distance(x1, x2, p, eps, keepdim)``: ``||x1 - x2 + eps||_p`` per row."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
