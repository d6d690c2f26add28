"""Review regressions for cr.gradcheck against torch.autograd.gradcheck's semantics."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


class _NaNBackward(cr.Function):
    """``2 x`` whose backward wrongly returns NaN."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * np.nan


def test_gradcheck_nan_gradient_fails():
    torch = pytest.importorskip("torch")

    class TorchNaN(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * float("nan")

    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(RuntimeError):  # torch's GradcheckError
        torch.autograd.gradcheck(TorchNaN.apply, (torch.tensor(x, requires_grad=True),))
    with pytest.raises(cr.GradcheckError, match="analytic nan"):
        cr.gradcheck(lambda t: _NaNBackward.apply(t), [x])


def test_gradcheck_accepts_a_single_input():
    torch = pytest.importorskip("torch")
    x = np.array([0.5, -1.0, 2.0])
    assert torch.autograd.gradcheck(lambda t: t * t, torch.tensor(x, requires_grad=True))
    assert cr.gradcheck(lambda t: t * t, x)
    assert cr.gradcheck(lambda t: t * t, cr.tensor(x, dtype=np.float64))
    with pytest.raises(cr.GradcheckError):
        cr.gradcheck(lambda t: _NaNBackward.apply(t), x)


def test_gradcheck_output_that_does_not_require_grad():
    torch = pytest.importorskip("torch")
    x = np.array([0.5, -1.0, 2.0])
    tx = torch.tensor(x, requires_grad=True)
    # a constant output passes (zero numeric gradient); a detached one that depends on x fails
    # (torch raises its GradcheckError, a RuntimeError)
    assert torch.autograd.gradcheck(lambda t: torch.ones(2, dtype=torch.float64), (tx,))
    with pytest.raises(RuntimeError):
        torch.autograd.gradcheck(lambda t: t.detach() * 2, (tx,))
    assert cr.gradcheck(lambda t: cr.tensor(np.ones(2), dtype=np.float64), [x])
    with pytest.raises(cr.GradcheckError, match="analytic 0 vs numeric"):
        cr.gradcheck(lambda t: t.detach() * 2, [x])
