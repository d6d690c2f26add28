"""Module mechanics, initialisers, losses' gradients by finite differences, stability."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.errors import ShapeError

rng = np.random.default_rng(1)


def _model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))


def test_parameters_are_found_and_named():
    names = [name for name, _ in _model().named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert _model()[0].weight.shape == (4, 8)
    assert "(0): Linear(in_features=4, out_features=8, bias=True)" in repr(_model())


def test_state_dict_round_trip_and_strict_errors():
    a, b = _model(), _model()
    b.load_state_dict(a.state_dict())
    x = cr.randn(5, 4, seed=0)
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)
    state = a.state_dict()
    del state["3.bias"]
    with pytest.raises(KeyError, match=r"missing keys \['3.bias'\]"):
        b.load_state_dict(state)
    state = dict(a.state_dict(), extra=np.zeros(1))
    with pytest.raises(KeyError, match="unexpected keys"):
        b.load_state_dict(state)
    state = dict(a.state_dict())
    state["0.weight"] = np.zeros((8, 4), np.float32)
    with pytest.raises(ShapeError, match=r"0.weight has shape \(8, 4\).*\(4, 8\)"):
        b.load_state_dict(state)


def test_dropout_only_in_training_and_scales_survivors():
    layer = nn.Dropout(0.25, generator=np.random.default_rng(0))
    x = cr.ones(1000, 50)
    y = layer(x).data
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    layer.eval()
    assert layer(x) is x


def test_linear_reports_wrong_input_shape():
    with pytest.raises(
        ShapeError, match=r"Linear\(4, 8\): expected input of shape \(N, 4\), got \(2, 5\)"
    ):
        nn.Linear(4, 8)(cr.zeros(2, 5))


@pytest.mark.parametrize("fans", [(300, 200), (50, 800), (1000, 10)])
def test_initialisers_match_their_variance_formulas(fans):
    fan_in, fan_out = fans
    w = cr.zeros(fan_in, fan_out, dtype=np.float64)
    gen = np.random.default_rng(0)
    expected = {
        "xavier_uniform_": 2 / (fan_in + fan_out),
        "xavier_normal_": 2 / (fan_in + fan_out),
        "kaiming_uniform_": 2 / fan_in,
        "kaiming_normal_": 2 / fan_in,
    }
    for name, variance in expected.items():
        init = getattr(nn.init, name)
        if name.startswith("kaiming"):
            init(w, nonlinearity="relu", generator=gen)
        else:
            init(w, generator=gen)
        assert abs(w.data.mean()) < 4 * np.sqrt(variance / w.size)
        assert w.data.var() == pytest.approx(variance, rel=0.05)
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="tanh", generator=gen)
    assert w.data.var() == pytest.approx((5 / 3) ** 2 / fan_out, rel=0.05)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(np.sqrt(2 / 1.04))


def test_losses_pass_gradcheck():
    x = cr.tensor(rng.normal(size=(5, 4)), requires_grad=True)
    p = cr.tensor(rng.dirichlet(np.ones(4), size=5), requires_grad=True)
    labels = rng.integers(0, 4, size=5)
    assert cr.gradcheck(lambda x: F.cross_entropy(x, labels), [x])
    assert cr.gradcheck(lambda x, p: F.cross_entropy(x, p, reduction="sum"), [x, p])
    y = cr.tensor(rng.uniform(size=(5, 4)), requires_grad=True)
    assert cr.gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y), [x, y])
    q = cr.tensor(rng.uniform(0.1, 0.9, size=(5, 4)), requires_grad=True)
    assert cr.gradcheck(lambda q, y: F.binary_cross_entropy(q, y), [q, y])


def test_cross_entropy_and_sigmoid_stable_at_1000():
    logits = cr.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], requires_grad=True)
    with np.errstate(all="raise"):
        loss = F.cross_entropy(logits, np.array([1, 1]))
        loss.backward()
        bce = F.binary_cross_entropy_with_logits(
            cr.tensor([1000.0, -1000.0], requires_grad=True), cr.tensor([0.0, 0.0])
        )
        s = F.sigmoid(cr.tensor([1000.0, -1000.0]))
    assert loss.item() == pytest.approx((2000 + np.log1p(np.exp(-1.0))) / 2, rel=1e-6)
    assert np.isfinite(logits.grad.data).all()
    assert bce.item() == pytest.approx(500.0)
    np.testing.assert_array_equal(s.data, [1.0, 0.0])


def test_cross_entropy_rejects_bad_targets():
    with pytest.raises(ValueError, match=r"cross_entropy: class targets must lie in \[0, 2\]"):
        F.cross_entropy(cr.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(ShapeError, match="cross_entropy"):
        F.cross_entropy(cr.zeros(2, 3), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(cr.zeros(2), cr.zeros(2), reduction="avg")


def test_float32_end_to_end():
    model = _model()
    loss = F.cross_entropy(model(cr.randn(3, 4)), np.array([0, 1, 2]))
    loss.backward()
    assert loss.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
