"""chainrule.classic.Network against a straightforward per-sample implementation."""

import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd.forward import jvp
from chainrule.classic import Network, SigmoidLayer


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _per_sample_epoch(weights, biases, x, y, order, mini_batch_size, eta):
    """The classic algorithm as written for teaching: backprop one sample at a time."""
    weights = [w.copy() for w in weights]
    biases = [b.copy() for b in biases]
    for start in range(0, len(order), mini_batch_size):
        batch = order[start : start + mini_batch_size]
        grad_w = [np.zeros_like(w) for w in weights]
        grad_b = [np.zeros_like(b) for b in biases]
        for i in batch:
            activations, zs = [x[i]], []
            for w, b in zip(weights, biases, strict=True):
                zs.append(activations[-1] @ w + b)
                activations.append(_sigmoid(zs[-1]))
            delta = (activations[-1] - y[i]) * _sigmoid(zs[-1]) * (1 - _sigmoid(zs[-1]))
            for layer in range(len(weights) - 1, -1, -1):
                grad_w[layer] += np.outer(activations[layer], delta)
                grad_b[layer] += delta
                if layer:
                    s = _sigmoid(zs[layer - 1])
                    delta = (weights[layer] @ delta) * s * (1 - s)
        for layer in range(len(weights)):
            weights[layer] -= eta / len(batch) * grad_w[layer]
            biases[layer] -= eta / len(batch) * grad_b[layer]
    return weights, biases


def test_one_epoch_equals_the_per_sample_algorithm():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(23, 5))
    labels = rng.integers(0, 3, size=23)
    y = np.eye(3)[labels]
    net = Network([5, 4, 3], seed=7, dtype=np.float64)
    start_w = [w.data.copy() for w in net.weights]
    start_b = [b.data.copy() for b in net.biases]
    order = np.random.default_rng(7)
    order.standard_normal(4 * 5 + 3 * 4 + 4 + 3)  # the draws __init__ made: biases, weights
    expected_order = order.permutation(23)
    net.SGD((x, labels), epochs=1, mini_batch_size=4, eta=3.0, verbose=False)
    want_w, want_b = _per_sample_epoch(start_w, start_b, x, y, expected_order, 4, 3.0)
    for got, want in zip(net.weights + net.biases, want_w + want_b, strict=True):
        np.testing.assert_allclose(got.data, want, rtol=0, atol=1e-10)


def test_accepts_the_classic_list_of_pairs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    labels = rng.integers(0, 2, size=40)
    net = Network([4, 3, 2], seed=0, dtype=np.float64)
    a = x
    for w, b in zip(net.weights, net.biases, strict=True):
        a = _sigmoid(a @ w.data + b.data)
    correct = int((a.argmax(axis=1) == labels).sum())
    assert 0 < correct < 40  # the check below can tell the formats apart
    column_pairs = [
        (xi.reshape(4, 1), np.eye(2)[k].reshape(2, 1)) for xi, k in zip(x, labels, strict=True)
    ]
    label_pairs = [(xi.reshape(4, 1), k) for xi, k in zip(x, labels, strict=True)]
    assert net.evaluate(column_pairs) == correct
    assert net.evaluate(label_pairs) == correct
    assert net.evaluate((x, labels)) == correct
    assert net.evaluate((x, np.eye(2)[labels])) == correct
    with pytest.raises(ValueError, match=r"Network\[4, 3, 2\]: expected inputs \(N, 4\)"):
        net.evaluate((np.zeros((3, 5)), np.zeros(3, int)))


def test_learns_the_bundled_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    x, y = digits.data / 16.0, digits.target
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1400], order[1400:]
    net = Network([64, 30, 10], seed=0)
    scores = net.SGD((x[train], y[train]), 15, 10, 3.0, test_data=(x[test], y[test]), verbose=False)
    assert scores[-1] / len(test) > 0.90


def test_training_on_pairs_equals_training_on_arrays():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(17, 4))
    labels = rng.integers(0, 2, size=17)
    pairs = [
        (xi.reshape(4, 1), np.eye(2)[k].reshape(2, 1)) for xi, k in zip(x, labels, strict=True)
    ]
    from_pairs = Network([4, 3, 2], seed=2, dtype=np.float64)
    from_arrays = Network([4, 3, 2], seed=2, dtype=np.float64)
    from_pairs.SGD(pairs, 2, 5, 1.0, verbose=False)
    from_arrays.SGD((x, labels), 2, 5, 1.0, verbose=False)
    for a, b in zip(
        from_pairs.weights + from_pairs.biases,
        from_arrays.weights + from_arrays.biases,
        strict=True,
    ):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(
        from_pairs.weights[0].data, Network([4, 3, 2], seed=2, dtype=np.float64).weights[0].data
    )


def test_sigmoid_layer_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    x, w, b = rng.normal(size=(3, 5)), rng.normal(size=(5, 4)), rng.normal(size=4)
    assert cr.gradcheck(lambda x, w, b: SigmoidLayer.apply(x, w, b), (x, w, b))


def test_sigmoid_layer_forward_mode_matches_finite_differences():
    rng = np.random.default_rng(5)
    inputs = (rng.normal(size=(3, 5)), rng.normal(size=(5, 4)), rng.normal(size=4))
    tangents = tuple(rng.normal(size=np.shape(a)) for a in inputs)
    _, tangent = jvp(lambda x, w, b: SigmoidLayer.apply(x, w, b), inputs, tangents)

    def layer(step):
        x, w, b = (a + step * t for a, t in zip(inputs, tangents, strict=True))
        return _sigmoid(x @ w + b)

    eps = 1e-6
    expected = (layer(eps) - layer(-eps)) / (2 * eps)
    np.testing.assert_allclose(tangent.data, expected, rtol=1e-5, atol=1e-8)


@pytest.mark.torch
def test_sigmoid_layer_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    arrays = (rng.normal(size=(4, 6)), rng.normal(size=(6, 3)), rng.normal(size=3))
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = SigmoidLayer.apply(*ours)
    ref = torch.sigmoid(theirs[0] @ theirs[1] + theirs[2])
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    weight = rng.normal(size=out.shape)
    out.backward(gradient=cr.tensor(weight))
    ref.backward(torch.tensor(weight))
    for a, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_sigmoid_layer_is_finite_for_huge_inputs_without_warnings():
    x = np.array([[1000.0], [-1000.0], [0.0]], dtype=np.float32)
    w, b = cr.tensor(np.ones((1, 2), np.float32), requires_grad=True), cr.zeros(2)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = SigmoidLayer.apply(x, w, b)
        a.sum().backward()
    assert a.dtype == np.float32 and w.grad.dtype == np.float32
    np.testing.assert_array_equal(a.data, [[1, 1], [0, 0], [0.5, 0.5]])
    np.testing.assert_array_equal(w.grad.data, [[0, 0]])  # only z = 0 has s'(z) != 0, and x = 0


def test_a_training_step_equals_backward_of_the_fused_quadratic_cost():
    """The step seeded with eta * (a_L - y) / m is eta times the gradient of the cost node
    1/(2m) sum ||a_L - y||^2, and its graph is one SigmoidLayer node per layer."""
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(6, 4)), np.eye(2)[rng.integers(0, 2, size=6)]
    net = Network([4, 3, 2], seed=0, dtype=np.float64)
    start = [p.data.copy() for p in net.weights + net.biases]
    output = net._forward(x)
    layer2 = output.grad_fn
    layer1 = layer2.parents[0]
    assert (layer2.name, layer1.name) == ("SigmoidLayer", "SigmoidLayer")
    assert layer1.parents == (None, net.weights[0], net.biases[0])  # x is data, not a node
    cost = F.mse_loss(output, y, reduction="sum", half=True) / len(x)
    np.testing.assert_allclose(cost.item(), 0.5 * ((output.data - y) ** 2).sum() / 6)
    cost.backward()
    expected = [3.0 * p.grad.data for p in net.weights + net.biases]
    for p in net.weights + net.biases:
        p.grad = None
    net.update_mini_batch(x, y, eta=3.0)
    for p, before, step in zip(net.weights + net.biases, start, expected, strict=True):
        np.testing.assert_allclose(before - p.data, step, rtol=1e-12, atol=1e-15)


def test_feedforward_takes_one_input_or_a_batch_and_names_wrong_shapes():
    net = Network([4, 3, 2], seed=1, dtype=np.float64)
    x = np.random.default_rng(2).normal(size=(5, 4))
    expected = _sigmoid(
        _sigmoid(x @ net.weights[0].data + net.biases[0].data) @ net.weights[1].data
        + net.biases[1].data
    )
    np.testing.assert_allclose(net.feedforward(x), expected, rtol=1e-12)
    np.testing.assert_allclose(net.feedforward(x[2]), expected[2], rtol=1e-12)
    with pytest.raises(
        ValueError,
        match=r"Network\[4, 3, 2\]\.feedforward: expected an input of shape \(4,\) or \(N, 4\), "
        r"got \(5, 3\)",
    ):
        net.feedforward(x[:, :3])
    with pytest.raises(ValueError, match=r"SigmoidLayer: expected x .* got \(4,\)"):
        SigmoidLayer.apply(x[0], net.weights[0], net.biases[0])  # a row needs its batch axis


def test_a_step_refuses_targets_of_another_shape_and_leaves_the_weights():
    net = Network([4, 3, 2], seed=1)
    before = [p.data.copy() for p in net.weights + net.biases]
    x = np.ones((5, 4))
    for y in (np.ones((5, 1)), np.ones(2)):  # both would broadcast against the (5, 2) output
        with pytest.raises(ValueError, match=r"expected targets of shape \(5, 2\) for inputs"):
            net.update_mini_batch(x, y, eta=1.0)
    for p, start in zip(net.weights + net.biases, before, strict=True):
        np.testing.assert_array_equal(p.data, start)
        assert p.grad is None
