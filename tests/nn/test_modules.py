"""Module mechanics, initialisers, losses' gradients by finite differences, stability."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.errors import ShapeError

rng = np.random.default_rng(1)


def _model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))


def test_parameters_are_found_and_named():
    names = [name for name, _ in _model().named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert _model()[0].weight.shape == (4, 8)
    assert "(0): Linear(in_features=4, out_features=8, bias=True)" in repr(_model())
    assert repr(nn.MSELoss("sum", half=True)) == "MSELoss(reduction='sum', half=True)"
    model = _model()
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    assert [name for name, _ in head.named_parameters()] == ["0.weight", "0.bias"]


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


def test_dropout_is_seeded_and_its_gradient_is_the_scaled_mask():
    x = cr.tensor(rng.normal(size=(40, 30)) + 5.0, requires_grad=True)  # no zeros in x
    cr.manual_seed(5)
    y = F.dropout(x, 0.3)
    cr.manual_seed(5)
    np.testing.assert_array_equal(F.dropout(x, 0.3).data, y.data)
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], x.data[kept] / 0.7, rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / 0.7, rtol=1e-12)


def test_train_eval_reach_every_submodule_and_zero_grad_clears():
    model = nn.Sequential(nn.Linear(4, 3), nn.Sequential(nn.Dropout(0.5), nn.Linear(3, 2)))
    assert not any(m.training for m in model.eval().modules())
    assert all(m.training for m in model.train().modules())
    F.cross_entropy(model(cr.randn(5, 4)), np.array([0, 1, 0, 1, 1])).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_shares_memory_and_loading_copies_in_place():
    model = _model()
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    for (_, p), t in zip(model.named_parameters(), state.values(), strict=True):
        assert np.shares_memory(p.data, t.data) and not t.requires_grad
    weight = model[0].weight
    before = weight.data
    new = {name: rng.normal(size=t.shape) for name, t in state.items()}  # float64 arrays
    model.load_state_dict(new)
    assert model[0].weight is weight and weight.data is before and weight.dtype == np.float32
    np.testing.assert_allclose(weight.data, new["0.weight"], rtol=1e-6)
    missing, unexpected = model.load_state_dict({"0.bias": np.zeros(8)}, strict=False)
    assert missing == ["0.weight", "3.weight", "3.bias"] and unexpected == []
    np.testing.assert_array_equal(model[0].bias.data, 0)


@pytest.mark.parametrize("fans", [(300, 200), (20, 700)])
def test_simple_initialisers_and_linear_default(fans):
    w = cr.zeros(*fans, dtype=np.float64)
    nn.init.uniform_(w, -1.0, 3.0, generator=np.random.default_rng(0))
    assert w.data.mean() == pytest.approx(1.0, abs=4 * np.sqrt(16 / 12 / w.size))
    assert w.data.var() == pytest.approx(16 / 12, rel=0.05)
    nn.init.normal_(w, 2.0, 0.5, generator=np.random.default_rng(0))
    assert w.data.mean() == pytest.approx(2.0, abs=4 * 0.5 / np.sqrt(w.size))
    assert w.data.std() == pytest.approx(0.5, rel=0.05)
    for fill, value in ((nn.init.zeros_, 0.0), (nn.init.ones_, 1.0)):
        np.testing.assert_array_equal(fill(w).data, value)
    np.testing.assert_array_equal(nn.init.constant_(w, 0.7).data, 0.7)
    # PyTorch's default: W, b ~ U(-1/sqrt(in), 1/sqrt(in)), variance 1 / (3 in)
    layer = nn.Linear(*fans, generator=np.random.default_rng(1))
    bound = 1 / np.sqrt(fans[0])
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.var() == pytest.approx(bound**2 / 3, rel=0.05)
    again = nn.Linear(*fans, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(again.weight.data, layer.weight.data)
    cr.manual_seed(3)
    first = nn.Linear(*fans)
    cr.manual_seed(3)
    second = nn.Linear(*fans)
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(cr.zeros(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        nn.init.kaiming_normal_(w, mode="fan")


def test_activations_and_layers_pass_gradcheck():
    x = cr.tensor(rng.normal(size=(4, 3)) + 0.01, requires_grad=True)
    w = cr.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    b = cr.tensor(rng.normal(size=2), requires_grad=True)
    a = cr.tensor([0.2, 0.3, 0.4], dtype=np.float64, requires_grad=True)
    assert cr.gradcheck(lambda x, w, b: F.linear(x, w, b), [x, w, b])
    assert cr.gradcheck(lambda x, a: F.prelu(x, a), [x, a])
    for fn in (F.sigmoid, F.tanh, F.relu, lambda v: F.leaky_relu(v, 0.1)):
        assert cr.gradcheck(fn, [x])
    assert cr.gradcheck(lambda x: F.softmax(x, dim=1), [x])
    assert cr.gradcheck(lambda x: F.log_softmax(x, dim=0), [x])
    t = cr.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    assert cr.gradcheck(lambda x, t: F.mse_loss(x, t, half=True), [x, t])
    assert cr.gradcheck(lambda x: F.nll_loss(x, np.array([0, 2, 1, 1]), "sum"), [x])


def test_float64_targets_do_not_upcast_float32_losses():
    x = cr.randn(3, 4, requires_grad=True)
    probs = np.full((3, 4), 0.25)  # float64
    for loss in (
        F.cross_entropy(x, probs),
        F.mse_loss(x, probs),
        F.binary_cross_entropy_with_logits(x, cr.tensor(probs)),
        F.binary_cross_entropy(F.sigmoid(x), probs),
    ):
        assert loss.dtype == np.float32
    with pytest.raises(cr.errors.DTypeError, match="mse_loss: target of dtype float64"):
        F.mse_loss(x, cr.tensor(probs, requires_grad=True))


def test_losses_stable_at_1000_with_probability_targets_and_logits():
    logits = cr.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], requires_grad=True)
    target = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    z = cr.tensor([1000.0, -1000.0, 1000.0], requires_grad=True)
    with np.errstate(all="raise"):
        loss = F.cross_entropy(logits, target, reduction="sum")
        loss.backward()
        bce = F.binary_cross_entropy_with_logits(z, cr.tensor([0.0, 0.0, 1.0]), "sum")
        bce.backward()
        s = cr.tensor([1000.0, -1000.0], requires_grad=True)
        F.sigmoid(s).sum().backward()
    # float32 on purpose; -log softmax of row 0 at class 1 is 2000, row 1 averages
    # -log softmax at classes 0 and 2: 0.5 * (2000 + lse) + 0.5 * (1 + lse)
    lse = np.log1p(np.exp(-1.0))
    assert loss.item() == pytest.approx(2000 + 0.5 * (2000 + lse) + 0.5 * (1 + lse), rel=1e-6)
    p1 = np.array([0.0, 1.0, np.exp(-1.0)]) / (1 + np.exp(-1.0))
    np.testing.assert_allclose(logits.grad.data, [[1, -1, 0], p1 - target[1]], atol=1e-6)
    assert bce.item() == pytest.approx(1000.0)
    np.testing.assert_array_equal(z.grad.data, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(s.grad.data, [0.0, 0.0])


def test_nll_loss_rejects_bad_targets():
    with pytest.raises(ValueError, match=r"nll_loss: class targets must lie in \[0, 2\]"):
        F.nll_loss(cr.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(cr.errors.DTypeError, match="nll_loss: targets must be integer"):
        F.nll_loss(cr.zeros(2, 3), np.array([0.0, 1.0]))


def test_calling_a_module_runs_the_forward_of_its_own_class():
    """A subclass's ``__call__`` is its ``forward``; a subclass of it that overrides
    ``forward`` calls the new one, and one that defines ``__call__`` keeps its own, as do
    the subclasses of that one."""

    class Double(nn.Module):
        def forward(self, x):
            return x * 2

    class Triple(Double):
        def forward(self, x):
            return x * 3

    class Logged(Double):
        def __call__(self, x):
            return ("called", self.forward(x))

    x = cr.tensor([1.0, 2.0])
    np.testing.assert_array_equal(Double()(x).data, [2.0, 4.0])
    np.testing.assert_array_equal(Triple()(x).data, [3.0, 6.0])

    class LoggedTriple(Logged):
        def forward(self, x):
            return x * 3

    tag, y = Logged()(x)
    assert tag == "called"
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    tag, y = LoggedTriple()(x)  # the inherited __call__ is kept, and calls the new forward
    assert tag == "called"
    np.testing.assert_array_equal(y.data, [3.0, 6.0])
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(x)


# ---- Flatten ------------------------------------------------------------------------------
FLATTEN_CASES = [
    ((0, 3, 4), 1, -1),  # an empty batch
    ((2, 3, 4), 1, -1),
    ((2, 3, 4), 0, 1),
    ((2, 3, 4), -2, -1),
    ((2, 3, 4, 5), 1, 2),
    ((2, 3), 0, 0),
    ((5,), 0, -1),
    ((5,), -1, -1),
    ((), 0, -1),  # a scalar counts as 1-d and becomes (1,)
    ((), -1, 0),
]


@pytest.mark.parametrize(("shape", "start_dim", "end_dim"), FLATTEN_CASES)
def test_flatten_shapes_and_values_match_torch(shape, start_dim, end_dim):
    torch = pytest.importorskip("torch")
    x_np = np.arange(float(np.prod(shape))).reshape(shape)
    x = cr.tensor(x_np, requires_grad=True)
    y = nn.Flatten(start_dim, end_dim)(x)
    expected = torch.nn.Flatten(start_dim, end_dim)(torch.tensor(x_np)).numpy()
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.data, expected)
    (y * cr.tensor(rng.normal(size=y.shape))).sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize(
    ("shape", "start_dim", "end_dim"),
    [((2, 3, 4), 1, 5), ((2, 3, 4), -4, -1), ((2, 3, 4), 1, 3), ((5,), 1, -1), ((), 1, -1)],
)
def test_flatten_dims_out_of_range_raise_index_error_like_torch(shape, start_dim, end_dim):
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError):
        torch.nn.Flatten(start_dim, end_dim)(torch.zeros(shape))
    bad = start_dim if not -max(len(shape), 1) <= start_dim < max(len(shape), 1) else end_dim
    with pytest.raises(IndexError, match=rf"Flatten: dimension {bad} out of range .*{shape}"):
        nn.Flatten(start_dim, end_dim)(cr.zeros(*shape))
    with pytest.raises(ShapeError):  # also chainrule's shape error
        nn.Flatten(start_dim, end_dim)(cr.zeros(*shape))


def test_flatten_start_after_end_is_an_error_like_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        torch.nn.Flatten(2, 1)(torch.zeros(2, 3, 4))
    with pytest.raises(ShapeError, match="Flatten: start_dim 2 comes after end_dim 1"):
        nn.Flatten(2, 1)(cr.zeros(2, 3, 4))
    with pytest.raises(ShapeError, match="start_dim -1 comes after end_dim 1"):
        nn.Flatten(-1, 1)(cr.zeros(2, 3, 4))


# ---- shared modules -----------------------------------------------------------------------
def _shared(lib):
    """The same Linear at 0 and 2, and inside a nested Sequential at 3.0."""
    layer = lib.nn.Linear(2, 2)
    return lib.nn.Sequential(layer, lib.nn.ReLU(), layer, lib.nn.Sequential(layer, lib.nn.Tanh()))


def test_shared_module_is_visited_once_like_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _shared(cr), _shared(torch)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_modules()] == ["", "0", "1", "3", "3.1"]
    assert len(list(ours.modules())) == len(list(theirs.modules())) == 5
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert len(list(ours.children())) == len(list(theirs.children())) == 3
    everything = [n for n, _ in ours.named_modules(remove_duplicate=False)]
    assert everything == [n for n, _ in theirs.named_modules(remove_duplicate=False)]
    assert [n for n, _ in ours.named_modules(prefix="net")][:2] == ["net", "net.0"]
    assert not any(m.training for m in ours.eval().modules())


def test_shared_module_state_dict_lists_every_path_like_torch(tmp_path):
    torch = pytest.importorskip("torch")
    ours, theirs = _shared(cr), _shared(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    shared = ["0.weight", "0.bias", "2.weight", "2.bias", "3.0.weight", "3.0.bias"]
    assert list(ours.state_dict()) == shared
    # the optimiser still sees each parameter once
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert len(list(ours.parameters())) == 2
    assert len(optim.SGD(ours.parameters(), lr=0.1).param_groups[0]["params"]) == 2
    # torch's layout loads (weights transposed to chainrule's (in, out)), strictly
    state = {
        k: v.detach().numpy().T if k.endswith("weight") else v.detach().numpy()
        for k, v in theirs.state_dict().items()
    }
    assert ours.load_state_dict(state) == ([], [])
    np.testing.assert_array_equal(ours[0].weight.data, theirs[0].weight.detach().numpy().T)
    # a partial one reports the other paths missing, as torch does
    part = {k: v for k, v in state.items() if k.startswith("0.")}
    missing, unexpected = ours.load_state_dict(part, strict=False)
    t_missing, t_unexpected = theirs.load_state_dict(
        {k: torch.tensor(v.T if k.endswith("weight") else v) for k, v in part.items()},
        strict=False,
    )
    assert (missing, unexpected) == (t_missing, t_unexpected)
    with pytest.raises(KeyError, match=r"missing keys \['2.weight'"):
        ours.load_state_dict(part)
    # and chainrule's own files round-trip
    cr.save(ours.state_dict(), tmp_path / "shared.npz")
    again = _shared(cr)
    again.load_state_dict(cr.load(tmp_path / "shared.npz"))
    x = cr.randn(4, 2, seed=0)
    np.testing.assert_array_equal(again(x).data, ours(x).data)


# ---- attribute assignment and modes -------------------------------------------------------
def test_assigning_a_plain_tensor_to_a_parameter_is_a_type_error_like_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(2, 3)
    with pytest.raises(TypeError, match="as parameter 'weight'"):
        theirs.weight = torch.zeros(3, 2)
    layer = nn.Linear(2, 3)
    weight = layer.weight
    with pytest.raises(TypeError, match=r"cannot assign 'Tensor' as parameter 'weight'"):
        layer.weight = cr.zeros(2, 3)
    with pytest.raises(TypeError, match="as parameter 'bias'"):
        layer.bias = np.zeros(3)
    assert layer.weight is weight and [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    # None empties the slot, which stays a parameter's, as in torch
    layer.bias = None
    theirs.bias = None
    assert [n for n, _ in layer.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(layer.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert layer(cr.ones(1, 2)).shape == (1, 3)
    with pytest.raises(TypeError, match="as parameter 'bias'"):
        layer.bias = cr.zeros(3)
    layer.bias = nn.Parameter(np.ones(3, np.float32))
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("mode", ["False", 0, 1, None, np.bool_(False)])
def test_train_mode_must_be_a_bool_like_torch(mode):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="boolean"):
        torch.nn.Linear(1, 1).train(mode)
    model = _model()
    with pytest.raises(ValueError, match=r"Sequential.train: mode must be a bool"):
        model.train(mode)
    assert all(m.training for m in model.modules())
    assert not any(m.training for m in model.train(False).modules())
