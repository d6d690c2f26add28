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


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits; see ``F.cross_entropy``."""

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities; see ``F.nll_loss``."""

    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction)


class MSELoss(_Loss):
    """Squared error; ``half=True`` is the classic quadratic cost with the factor 1/2."""

    def __init__(self, reduction: str = "mean", half: bool = False) -> None:
        super().__init__(reduction)
        self.half = half

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction, self.half)

    def extra_repr(self) -> str:
        return super().extra_repr() + (", half=True" if self.half else "")


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities; see ``F.binary_cross_entropy``."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits; see ``F.binary_cross_entropy_with_logits``."""

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)
