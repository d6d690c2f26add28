"""PyTorch parity of F.kl_div and nn.KLDivLoss: every reduction, log_target, zero targets,
gradients to the input and the target, float32 kept, finite differences and errors."""

import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.errors import ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
LOG_P = np.log(RNG.dirichlet(np.ones(5), 4))
Q = RNG.dirichlet(np.ones(5), 4)
Q_WITH_ZEROS = Q * (RNG.uniform(size=Q.shape) > 0.3)


def _both(target, reduction, log_target, dtype):
    if log_target:
        target = np.log(target)
    x, t = (
        cr.tensor(LOG_P.astype(dtype), requires_grad=True),
        cr.tensor(target.astype(dtype), requires_grad=True),
    )
    tx, tt = (
        torch.tensor(LOG_P.astype(dtype), requires_grad=True),
        torch.tensor(target.astype(dtype), requires_grad=True),
    )
    ours = F.kl_div(x, t, reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that 'mean' is not the divergence
        theirs = torch.nn.functional.kl_div(tx, tt, reduction=reduction, log_target=log_target)
    weights = RNG.standard_normal(theirs.shape).astype(dtype)
    ours.backward(gradient=weights)
    theirs.backward(torch.tensor(weights))
    return (ours, x.grad, t.grad), (theirs, tx.grad, tt.grad)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-6)], ids=str)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
def test_kl_div_matches_torch(reduction, log_target, dtype, tol):
    ours, theirs = _both(Q, reduction, log_target, dtype)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == dtype
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def test_zero_targets_count_nothing_as_torch():
    ours, theirs = _both(Q_WITH_ZEROS, "sum", False, np.float64)
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[1].numpy(), theirs[1].numpy(), rtol=1e-12)
    positive = Q_WITH_ZEROS > 0  # torch's target gradient at 0 is its own convention
    np.testing.assert_allclose(ours[2].numpy()[positive], theirs[2].numpy()[positive], rtol=1e-12)


def test_kl_div_gradient_matches_finite_differences():
    for log_target, target in ((False, Q), (True, np.log(Q))):
        assert cr.gradcheck(
            lambda x, t, lt=log_target: F.kl_div(x, t, "batchmean", log_target=lt), (LOG_P, target)
        )


def test_module_and_errors():
    loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
    assert repr(loss) == repr(torch.nn.KLDivLoss(reduction="batchmean", log_target=True))
    expected = torch.nn.KLDivLoss(reduction="batchmean", log_target=True)(
        torch.tensor(LOG_P), torch.tensor(np.log(Q))
    )
    np.testing.assert_allclose(loss(cr.tensor(LOG_P), cr.tensor(np.log(Q))).item(), expected.item())
    with pytest.raises(ValueRangeError, match="KLDivLoss: reduction must be 'none', 'sum'"):
        nn.KLDivLoss(reduction="average")
    with pytest.raises(ShapeError, match="kl_div: input \\(4, 5\\) and target \\(5,\\)"):
        F.kl_div(cr.tensor(LOG_P), cr.tensor(Q[0]))
