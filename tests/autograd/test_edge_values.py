"""Ops at the edges of their domains: zero exponents, infinite inputs (bugs found by probing)."""

import numpy as np
import pytest

import chainrule as cr


def test_power_rule_at_zero_exponent_is_zero_even_at_zero_base():
    # d/da a**0 = 0 everywhere (PyTorch's convention); b * a**(b-1) alone gives 0 * inf = nan.
    a = cr.tensor(np.array([0.0, 2.0]), requires_grad=True)
    (a**0).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.0])
    a = cr.tensor(np.array([0.0, 2.0]), requires_grad=True)
    b = cr.tensor(np.array([0.0, 3.0]), requires_grad=True)
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 12.0])


def test_logsumexp_of_infinite_rows_is_the_limit():
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [0.0, 1.0]])
    with np.errstate(all="ignore"):
        expected = np.log(np.exp(x).sum(axis=1))  # the unshifted definition: -inf, inf, finite
        ours = cr.logsumexp(cr.tensor(x), axis=1).data  # log(0) = -inf warns, as in NumPy
    np.testing.assert_allclose(ours, expected)
    scalar = cr.tensor(np.array(2.0), requires_grad=True)  # 0-d: the max is a NumPy scalar
    cr.logsumexp(scalar).backward()
    assert scalar.grad.item() == 1.0


@pytest.mark.torch
def test_edge_values_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [0.0, 1.0]])
    with np.errstate(divide="ignore"):
        ours = cr.logsumexp(cr.tensor(x), axis=1).data
    np.testing.assert_array_equal(ours, torch.logsumexp(torch.tensor(x), 1).numpy())
    a = torch.tensor([0.0, 2.0], dtype=torch.float64, requires_grad=True)
    (a**0).sum().backward()
    ours = cr.tensor(np.array([0.0, 2.0]), requires_grad=True)
    (ours**0).sum().backward()
    np.testing.assert_array_equal(ours.grad.data, a.grad.numpy())


def test_safe_exp_is_exp_by_default_and_never_raises_on_underflow():
    from chainrule.autograd.ops.numerics import safe_exp

    z = np.array([0.0, -1.0, -80.0, -100.0, -200.0], np.float32)  # the last two underflow
    with np.errstate(under="ignore"):
        expected = np.exp(z)
    np.testing.assert_array_equal(safe_exp(z), expected)  # NumPy's default: plain exp
    for mode in ("raise", "warn"):
        with np.errstate(under=mode):
            out = safe_exp(z)  # would raise (or warn, an error under pytest -W error) if computed
        np.testing.assert_array_equal(out[:3], expected[:3])
        np.testing.assert_array_equal(out[3:], [0.0, 0.0])
        assert out.dtype == np.float32
