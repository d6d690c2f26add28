"""Losses as modules: ``CrossEntropyLoss()(logits, targets)``, each a wrapper of ``F``."""

from __future__ import annotations

from chainrule.nn import functional as F
from chainrule.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F.check_reduction(type(self).__name__, reduction)  # a ValueRangeError, as F's losses
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _ClassLoss(_Loss):
    """A loss of class targets with PyTorch's ``weight`` (C,) and ``ignore_index`` options."""

    def __init__(self, reduction: str = "mean", *, weight=None, ignore_index: int = -100) -> None:
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def extra_repr(self) -> str:
        ignore = f", ignore_index={self.ignore_index}" if self.ignore_index != -100 else ""
        return super().extra_repr() + ignore


class CrossEntropyLoss(_ClassLoss):
    """Softmax cross-entropy from logits; see ``F.cross_entropy`` for the options."""

    def __init__(
        self,
        reduction: str = "mean",
        *,
        weight=None,
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction, weight=weight, ignore_index=ignore_index)
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(
            input,
            target,
            self.reduction,
            weight=self.weight,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
        )

    def extra_repr(self) -> str:
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return super().extra_repr() + smoothing


class NLLLoss(_ClassLoss):
    """Negative log-likelihood of log-probabilities; see ``F.nll_loss`` for the options."""

    def forward(self, input, target):
        return F.nll_loss(
            input, target, self.reduction, weight=self.weight, ignore_index=self.ignore_index
        )


class MSELoss(_Loss):
    """Squared error; ``half=True`` is the classic quadratic cost with the factor 1/2."""

    def __init__(self, reduction: str = "mean", half: bool = False) -> None:
        super().__init__(reduction)
        self.half = half

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction, self.half)

    def extra_repr(self) -> str:
        return super().extra_repr() + (", half=True" if self.half else "")


class L1Loss(_Loss):
    """Absolute error; see ``F.l1_loss``."""

    def forward(self, input, target):
        return F.l1_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1, quadratic below ``beta`` and linear beyond; see ``F.smooth_l1_loss``."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", beta={self.beta}"


class HuberLoss(_Loss):
    """Huber loss, quadratic below ``delta`` and linear beyond; see ``F.huber_loss``."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", delta={self.delta}"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities; see ``F.binary_cross_entropy``."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits; see ``F.binary_cross_entropy_with_logits``."""

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class KLDivLoss(Module):
    """``F.kl_div(input, target, reduction, log_target)``; input holds log-probabilities."""

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__()
        F.check_kl_reduction("KLDivLoss", reduction)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input, target):
        return F.kl_div(input, target, self.reduction, self.log_target)
