"""Layers, activations and losses: values and gradients equal PyTorch's (float64)."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
TF = torch.nn.functional

rng = np.random.default_rng(0)


def _pair(array):
    return cr.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def _check(ours, theirs, ours_inputs, theirs_inputs):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-12)
    weight = rng.normal(size=ours.shape)
    (ours * cr.tensor(weight)).sum().backward()
    (theirs * torch.tensor(weight)).sum().backward()
    for a, b in zip(ours_inputs, theirs_inputs, strict=True):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_linear_matches_torch_with_transposed_weight():
    layer = nn.Linear(5, 3, dtype=np.float64)
    x, tx = _pair(rng.normal(size=(4, 5)))
    tw = torch.tensor(layer.weight.data.T.copy(), requires_grad=True)
    tb = torch.tensor(layer.bias.data.copy(), requires_grad=True)
    _check(layer(x), TF.linear(tx, tw, tb), [x, layer.bias], [tx, tb])
    np.testing.assert_allclose(layer.weight.grad.data, tw.grad.numpy().T, rtol=1e-6)


def test_linear_without_bias_on_a_3d_batch_matches_torch():
    layer = nn.Linear(5, 3, bias=False, dtype=np.float64)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x, tx = _pair(rng.normal(size=(2, 4, 5)))
    tw = torch.tensor(layer.weight.data.T.copy(), requires_grad=True)
    _check(layer(x), TF.linear(tx, tw), [x], [tx])
    np.testing.assert_allclose(layer.weight.grad.data, tw.grad.numpy().T, rtol=1e-6)


ACTIVATIONS = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
]


@pytest.mark.parametrize(("ours", "theirs"), ACTIVATIONS, ids=lambda m: type(m).__name__)
def test_activation_modules(ours, theirs):
    x, tx = _pair(rng.normal(size=(6, 4)) + 0.01)
    _check(ours(x), theirs(tx), [x], [tx])


@pytest.mark.parametrize("channels", [1, 4])
def test_prelu_learns_its_slope_like_torch(channels):
    ours = nn.PReLU(channels, init=0.3, dtype=np.float64)
    theirs = torch.nn.PReLU(channels, init=0.3).double()
    x, tx = _pair(rng.normal(size=(5, 4)) + 0.01)
    _check(ours(x), theirs(tx), [x, ours.weight], [tx, theirs.weight])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_and_probability_targets(reduction):
    x, tx = _pair(rng.normal(size=(7, 5)) * 3)
    labels = rng.integers(0, 5, size=7)
    _check(
        F.cross_entropy(x, cr.tensor(labels), reduction),
        TF.cross_entropy(tx, torch.tensor(labels), reduction=reduction),
        [x],
        [tx],
    )
    x, tx = _pair(rng.normal(size=(7, 5)))
    p, tp = _pair(rng.dirichlet(np.ones(5), size=7))
    _check(
        nn.CrossEntropyLoss(reduction)(x, p),
        torch.nn.CrossEntropyLoss(reduction=reduction)(tx, tp),
        [x, p],
        [tx, tp],
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_other_losses(reduction):
    logp, tlogp = _pair(np.log(rng.dirichlet(np.ones(4), size=6)))
    labels = rng.integers(0, 4, size=6)
    _check(
        F.nll_loss(logp, labels, reduction),
        TF.nll_loss(tlogp, torch.tensor(labels), reduction=reduction),
        [logp],
        [tlogp],
    )
    a, ta = _pair(rng.normal(size=(6, 3)))
    b, tb = _pair(rng.normal(size=(6, 3)))
    _check(nn.MSELoss(reduction)(a, b), TF.mse_loss(ta, tb, reduction=reduction), [a, b], [ta, tb])
    p, tp = _pair(rng.uniform(0.05, 0.95, size=(6, 3)))
    y, ty = _pair(rng.uniform(0, 1, size=(6, 3)))
    _check(
        nn.BCELoss(reduction)(p, y),
        TF.binary_cross_entropy(tp, ty, reduction=reduction),
        [p, y],
        [tp, ty],
    )
    z, tz = _pair(rng.normal(size=(6, 3)) * 4)
    y, ty = _pair(rng.uniform(0, 1, size=(6, 3)))
    _check(
        nn.BCEWithLogitsLoss(reduction)(z, y),
        TF.binary_cross_entropy_with_logits(tz, ty, reduction=reduction),
        [z, y],
        [tz, ty],
    )


def test_half_mse_is_the_classic_quadratic_cost():
    a, b = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    cost = F.mse_loss(cr.tensor(a), cr.tensor(b), reduction="sum", half=True)
    assert cost.item() == pytest.approx(0.5 * ((a - b) ** 2).sum())


def test_mlp_step_matches_torch_end_to_end():
    model = nn.Sequential(
        nn.Linear(6, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 3, dtype=np.float64)
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)
    ).double()
    with torch.no_grad():
        for (_, p), q in zip(model.named_parameters(), theirs.parameters(), strict=True):
            q.copy_(torch.tensor(p.data.T if p.ndim == 2 else p.data))
    x = rng.normal(size=(8, 6))
    y = rng.integers(0, 3, size=8)
    F.cross_entropy(model(cr.tensor(x)), y).backward()
    TF.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y)).backward()
    for p, q in zip(model.parameters(), theirs.parameters(), strict=True):
        expected = q.grad.numpy().T if p.ndim == 2 else q.grad.numpy()
        np.testing.assert_allclose(p.grad.data, expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(("start", "end"), [(1, -1), (0, 1), (1, 2)])
def test_flatten_matches_torch(start, end):
    x, tx = _pair(rng.normal(size=(2, 3, 4, 5)))
    _check(nn.Flatten(start, end)(x), torch.nn.Flatten(start, end)(tx), [x], [tx])


def test_repr_shows_the_layer_stack_like_torch():
    ours = nn.Sequential(
        nn.Flatten(),
        nn.Linear(4, 8),
        nn.LeakyReLU(0.2),
        nn.Sequential(nn.Linear(8, 3, bias=False), nn.Tanh()),
        nn.Softmax(dim=1),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(4, 8),
        torch.nn.LeakyReLU(0.2),
        torch.nn.Sequential(torch.nn.Linear(8, 3, bias=False), torch.nn.Tanh()),
        torch.nn.Softmax(dim=1),
    )
    assert repr(ours) == repr(theirs)
