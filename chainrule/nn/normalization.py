"""Normalization layers: ``LayerNorm`` (over each sample's features), ``GroupNorm`` (over
groups of channels of each sample) and ``BatchNorm1d`` (over the batch, with running
statistics for eval mode), as PyTorch's."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.errors import ShapeError, ValueRangeError
from chainrule.nn import functional as F
from chainrule.nn.module import Module, Parameter


class LayerNorm(Module):
    """``y = (x - mean) / sqrt(var + eps) * weight + bias``, the mean and biased variance over
    the trailing ``normalized_shape`` dims of each sample.

    x (*, *normalized_shape) -> y of x's shape; ``weight`` (ones) and ``bias`` (zeros) of shape
    ``normalized_shape``, None without ``elementwise_affine`` (or, for bias, ``bias=False``).
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype=np.float32,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class BatchNorm1d(Module):
    """Normalise each of ``num_features`` channels over the batch (and L), then
    ``* weight + bias``: x (N, C) or (N, C, L) -> y of x's shape.

    In training mode by the batch's mean and biased variance, updating the buffers
    ``running_mean`` (zeros) and ``running_var`` (ones) with ``momentum`` (the batch's
    unbiased variance; ``momentum=None``: the cumulative average) and counting the batches
    in ``num_batches_tracked`` (int64); in eval mode by the running statistics. Without
    ``track_running_stats`` the buffers are None and the batch's statistics are used always.
    ``weight`` (ones) and ``bias`` (zeros) have shape (C,), None without ``affine``.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype=np.float32,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches counted."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def forward(self, x):
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) not in (2, 3) or shape[1] != self.num_features:
            raise ShapeError(
                f"BatchNorm1d({self.num_features}): expected input of shape "
                f"(N, {self.num_features}) or (N, {self.num_features}, L), got {shape}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # the cumulative average of all batches seen
                factor = 1.0 / int(self.num_batches_tracked.item())
        # as PyTorch: batch statistics in training, and in eval mode when nothing is tracked
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            x,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class GroupNorm(Module):
    """Normalise each sample's ``num_channels`` channels in ``num_groups`` groups (over the
    group's channels and the other dims), then ``* weight + bias`` per channel (ones and zeros;
    None without ``affine``, and bias None with ``bias=False``): x (N, C, *) -> y of x's shape."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
        dtype=np.float32,
    ) -> None:
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueRangeError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.num_groups, self.num_channels, self.eps, self.affine = (
            num_groups,
            num_channels,
            eps,
            affine,
        )
        self.weight = Parameter(np.ones(num_channels, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype=dtype)) if affine and bias else None

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
