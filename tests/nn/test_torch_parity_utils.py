"""PyTorch parity of nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector and
vector_to_parameters on identical gradients, against torch.nn.utils 2.13."""

import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.optim as optim
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")
TU = torch.nn.utils

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]


def _pair(dtype=np.float64, seed=0, grads=None):
    """Our parameters and torch's with the same values and gradients (the third has none)."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for i, shape in enumerate(SHAPES):
        value = rng.standard_normal(shape).astype(dtype)
        p, t = nn.Parameter(value.copy()), torch.nn.Parameter(torch.tensor(value))
        if i != 2:
            grad = (rng.standard_normal(shape) * 3).astype(dtype) if grads is None else grads[i]
            p.grad, t.grad = cr.tensor(grad), torch.tensor(grad)
        ours.append(p)
        theirs.append(t)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, "inf", math.inf, -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6, -1.0])
def test_clip_grad_norm_matches_torch_in_place(dtype, norm_type, max_norm):
    ours, theirs = _pair(dtype)
    arrays = [p.grad.data for p in ours if p.grad is not None]
    total = nn.utils.clip_grad_norm_(iter(ours), max_norm, norm_type)
    expected = TU.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, cr.Tensor) and total.shape == () and total.dtype == dtype
    np.testing.assert_allclose(
        total.data, expected.numpy(), rtol=1e-6 if dtype == np.float32 else 1e-12
    )
    for p, t in zip(ours, theirs, strict=True):
        if t.grad is None:
            assert p.grad is None
            continue
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-7)
    kept = [p.grad.data for p in ours if p.grad is not None]
    assert all(a is b for a, b in zip(kept, arrays, strict=True))  # scaled in place


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_clip_grad_norm_of_nonfinite_gradients_matches_torch_or_raises(bad):
    grads = [np.array([[3.0, bad, 0.0, 1.0]] * 3), np.ones(5), None, np.ones((2, 1, 3))]
    ours, theirs = _pair(grads=grads)
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = TU.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_array_equal(total.data, expected.numpy())
    for p, t in zip(ours, theirs, strict=True):
        if t.grad is not None:
            np.testing.assert_array_equal(p.grad.data, t.grad.numpy())
    with pytest.raises(RuntimeError, match="non-finite"):
        TU.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueRangeError, match="clip_grad_norm_: the total norm of order 2.0"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_of_one_tensor_or_none_and_the_optimiser_reads_the_clipped_grad():
    p = nn.Parameter(np.zeros(2))
    assert nn.utils.clip_grad_norm_(p, 1.0).dtype == np.float32  # no grad: tensor(0.), torch's
    assert nn.utils.clip_grad_norm_([], 1.0).item() == TU.clip_grad_norm_([], 1.0).item() == 0
    p.grad = cr.tensor(np.array([3.0, 4.0]))
    assert nn.utils.clip_grad_norm_(p, 1.0).item() == 5.0
    optim.SGD([p], lr=1.0).step()
    np.testing.assert_allclose(p.data, -np.array([3.0, 4.0]) / (5.0 + 1e-6), rtol=1e-15)


@pytest.mark.parametrize("clip_value", [0.5, 2.0, -1.0])
def test_clip_grad_value_matches_torch(clip_value):
    grads = [
        np.array([[3.0, math.nan, -0.2, 1.0]] * 3),
        np.linspace(-3, 3, 5),
        None,
        np.ones((2, 1, 3)),
    ]
    ours, theirs = _pair(grads=grads)
    arrays = [p.grad.data for p in ours if p.grad is not None]
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    TU.clip_grad_value_(theirs, clip_value)
    for p, t in zip(ours, theirs, strict=True):
        if t.grad is not None:
            np.testing.assert_array_equal(p.grad.data, t.grad.numpy())
    kept = [p.grad.data for p in ours if p.grad is not None]
    assert all(a is b for a, b in zip(kept, arrays, strict=True))  # clipped in place


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = _pair(np.float32)
    vec = nn.utils.parameters_to_vector(ours)
    expected = TU.parameters_to_vector(theirs)
    assert vec.dtype == np.float32 and vec.requires_grad
    np.testing.assert_array_equal(vec.data, expected.detach().numpy())
    weights = np.arange(vec.shape[0], dtype=np.float32)
    for p in ours:
        p.grad = None
    (vec * cr.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(np.concatenate([p.grad.data.ravel() for p in ours]), weights)
    new = np.linspace(-1, 1, vec.shape[0] + 3)  # longer than needed: the rest unused, as torch
    nn.utils.vector_to_parameters(cr.tensor(new), ours)
    TU.vector_to_parameters(torch.tensor(new, dtype=torch.float32), theirs)
    for p, t in zip(ours, theirs, strict=True):
        assert p.shape == tuple(t.shape) and p.dtype == np.float32  # float64 vec cast, kept
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-7)


def test_vector_utils_errors():
    ours, _ = _pair()
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        TU.vector_to_parameters([1.0], [torch.nn.Parameter(torch.zeros(1))])
    with pytest.raises(DTypeError, match="vector_to_parameters: expected a Tensor, got list"):
        nn.utils.vector_to_parameters([1.0], ours)
    with pytest.raises(ShapeError, match="hold 24 values, the vector only 5"):
        nn.utils.vector_to_parameters(cr.zeros(5), ours)
    with pytest.raises(ShapeError, match="expected a 1-D vector"):
        nn.utils.vector_to_parameters(cr.zeros((5, 5)), ours)
    with pytest.raises(ValueError, match="non-empty"):
        TU.parameters_to_vector([])
    with pytest.raises(ValueRangeError, match="parameters_to_vector: expected at least one"):
        nn.utils.parameters_to_vector([])
