"""The reverse-mode automatic differentiation engine: tensors, ops, the backward pass."""

from chainrule.autograd.tensor import Tensor  # noqa: I001  (Tensor first: ops import it)
from chainrule.autograd.function import Context, Function
from chainrule.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from chainrule.autograd.gradcheck import GradcheckError, gradcheck
from chainrule.autograd.forward import jacobian, jvp, vjp
from chainrule.autograd.engine import grad
from chainrule.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly

__all__ = [
    "Context",
    "Function",
    "GradcheckError",
    "Tensor",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "jacobian",
    "jvp",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
    "vjp",
]
