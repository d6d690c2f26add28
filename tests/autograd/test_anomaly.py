"""detect_anomaly / set_detect_anomaly: the first NaN gradient named with its op and line,
checked against torch 2.13 failing (or not) in the same places."""

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import function as function_module
from chainrule.errors import GraphError

torch = pytest.importorskip("torch")


def _sqrt_at_zero(lib):
    """d/dx sqrt(x) * 0 at x = 0: 0 * inf = NaN in the backward of sqrt, in both libraries."""
    x = (torch.tensor if lib is torch else cr.tensor)([0.0, 4.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()
    return x.grad.detach().numpy()


def test_the_nan_is_traced_to_the_op_and_its_line_as_torch_does():
    with pytest.raises(RuntimeError, match="SqrtBackward0. returned nan"):
        with warnings.catch_warnings():  # torch warns that the mode is on, and where the op ran
            warnings.simplefilter("ignore")
            with torch.autograd.detect_anomaly():
                _sqrt_at_zero(torch)
    with pytest.raises(GraphError) as caught:
        with cr.autograd.detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
            _sqrt_at_zero(cr)
    message = str(caught.value)
    assert "the backward of Sqrt returned NaN in the gradient for its input 0" in message
    assert "test_anomaly.py" in message and "x.sqrt() * 0" in message


def test_without_detection_the_nan_reaches_grad_as_in_torch():
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = _sqrt_at_zero(cr)
    np.testing.assert_array_equal(ours, _sqrt_at_zero(torch))
    assert np.isnan(ours[0]) and ours[1] == 0


def test_switches_restore_the_previous_state_and_remove_their_hook():
    assert not cr.autograd.is_anomaly_enabled()
    with cr.autograd.detect_anomaly():
        assert cr.autograd.is_anomaly_enabled()
        with cr.autograd.set_detect_anomaly(False):
            assert not cr.autograd.is_anomaly_enabled()
        assert cr.autograd.is_anomaly_enabled()
    assert not cr.autograd.is_anomaly_enabled()
    assert function_module.apply_hooks == []
    cr.autograd.set_detect_anomaly(True)
    try:
        assert cr.autograd.is_anomaly_enabled() and function_module.apply_hooks
    finally:
        cr.autograd.set_detect_anomaly(False)
    assert function_module.apply_hooks == []


def test_check_nan_false_keeps_going():
    with cr.autograd.detect_anomaly(check_nan=False), np.errstate(all="ignore"):
        grad = _sqrt_at_zero(cr)
    assert np.isnan(grad[0])


def test_finite_gradients_pass_untouched():
    x = cr.tensor([1.0, 4.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        (x.sqrt() * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.5, 0.75])
