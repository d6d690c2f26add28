"""Review tests of chainrule.classic: one step against the textbook algorithm, bad input."""

import re

import numpy as np
import pytest

from chainrule.classic import Network


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _textbook_step(weights, biases, x, y, eta):
    """The classic per-sample backprop in float64: w -= eta/m * sum of per-sample gradients."""
    grad_w = [np.zeros_like(w) for w in weights]
    grad_b = [np.zeros_like(b) for b in biases]
    for xi, yi in zip(x, y, strict=True):
        activations, zs = [xi], []
        for w, b in zip(weights, biases, strict=True):
            zs.append(activations[-1] @ w + b)
            activations.append(_sigmoid(zs[-1]))
        delta = (activations[-1] - yi) * _sigmoid(zs[-1]) * (1 - _sigmoid(zs[-1]))
        for layer in range(len(weights) - 1, -1, -1):
            grad_w[layer] += np.outer(activations[layer], delta)
            grad_b[layer] += delta
            if layer:
                s = _sigmoid(zs[layer - 1])
                delta = (delta @ weights[layer].T) * s * (1 - s)
    m = len(x)
    return (
        [w - eta / m * g for w, g in zip(weights, grad_w, strict=True)],
        [b - eta / m * g for b, g in zip(biases, grad_b, strict=True)],
    )


def test_classic_update_mini_batch_matches_textbook_numpy():
    net = Network([5, 4, 3], seed=0, dtype=np.float64)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((7, 5)), np.eye(3)[rng.integers(0, 3, 7)]
    weights, biases = _textbook_step(
        [w.data.copy() for w in net.weights], [b.data.copy() for b in net.biases], x, y, 3.0
    )
    net.update_mini_batch(x, y, 3.0)
    for ours, ref in zip((*net.weights, *net.biases), (*weights, *biases), strict=True):
        np.testing.assert_allclose(ours.data, ref, rtol=1e-12, atol=1e-14)


def test_classic_evaluate_matches_numpy():
    net = Network([5, 4, 3], seed=2, dtype=np.float64)
    rng = np.random.default_rng(3)
    x, labels = rng.standard_normal((50, 5)), rng.integers(0, 3, 50)
    a = x
    for w, b in zip(net.weights, net.biases, strict=True):
        a = _sigmoid(a @ w.data + b.data)
    assert net.evaluate((x, labels)) == int((a.argmax(axis=1) == labels).sum())


@pytest.mark.parametrize("eta", [0.0, -1.0, float("nan")])
def test_classic_update_mini_batch_rejects_non_positive_eta(eta):
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"update_mini_batch: eta"):
        net.update_mini_batch(np.zeros((2, 5)), np.zeros((2, 3)), eta)


@pytest.mark.parametrize("shape", [(0, 5), (2, 4), (5,)])
def test_classic_update_mini_batch_rejects_bad_x(shape):
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"update_mini_batch: expected x"):
        net.update_mini_batch(np.zeros(shape), np.zeros((shape[0], 3)), 1.0)


@pytest.mark.parametrize("size", [0, -3])
def test_classic_sgd_rejects_bad_mini_batch_size(size):
    net = Network([5, 4, 3], seed=0)
    before = net.weights[0].data.copy()
    with pytest.raises(ValueError, match=r"SGD: mini_batch_size"):
        net.SGD((np.ones((4, 5)), np.array([0, 1, 2, 0])), 1, size, 1.0, verbose=False)
    np.testing.assert_array_equal(net.weights[0].data, before)


def test_classic_sgd_rejects_negative_eta():
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"SGD: eta"):
        net.SGD((np.ones((4, 5)), np.array([0, 1, 2, 0])), 1, 2, -3.0, verbose=False)


@pytest.mark.parametrize("labels", [[-1, 0, 1], [0, 1, 3], [0.0, 1.0, 2.0]])
def test_classic_evaluate_rejects_bad_labels(labels):
    # -1 used to index np.eye from the end: silently counted as class 2
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"evaluate: labels"):
        net.evaluate((np.zeros((3, 5)), np.array(labels)))


def test_classic_evaluate_rejects_empty_list():
    with pytest.raises(ValueError, match=r"evaluate: the list"):
        Network([5, 4, 3], seed=0).evaluate([])


@pytest.mark.parametrize("epochs", [-1, 1.5, True])
def test_classic_sgd_rejects_epochs_that_are_not_a_count(epochs):
    # -1 used to train for no epochs and return [] as if all went well
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"SGD: epochs must be an integer >= 0"):
        net.SGD((np.ones((4, 5)), np.array([0, 1, 2, 0])), epochs, 2, 1.0, verbose=False)


@pytest.mark.parametrize("shape", [(5,), (2, 5), (2, 3, 4), ()])
def test_classic_feedforward_names_the_network_for_a_wrong_input(shape):
    # a (5,) input used to be reported as (1, 5) by the layer op, naming neither the network
    net = Network([4, 3, 2], seed=0)
    expected = r"Network\[4, 3, 2\]\.feedforward: .* got " + re.escape(str(shape))
    with pytest.raises(ValueError, match=expected):
        net.feedforward(np.zeros(shape))
