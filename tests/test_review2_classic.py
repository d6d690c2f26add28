"""Second review of chainrule.classic: option checks up front, before any training."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.classic import Network

TRAIN = (np.random.default_rng(0).standard_normal((6, 5)), np.array([0, 1, 2, 0, 1, 2]))


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize(
    "test_data",
    [
        (np.ones((3, 4)), np.array([0, 1, 2])),  # 4 inputs for a 5-input network
        (np.ones((3, 5)), np.array([0, 1, 3])),  # label 3 of 3 classes
        [],
    ],
)
def test_classic_sgd_checks_test_data_before_training(test_data):
    # the bad test data was found only after the first epoch had changed the weights
    net = Network([5, 4, 3], seed=0, dtype=np.float64)
    with pytest.raises(ValueError, match=r"Network.*SGD test_data"):
        net.SGD(TRAIN, 3, 2, 1.0, test_data=test_data, verbose=False)
    fresh = Network([5, 4, 3], seed=0, dtype=np.float64)
    for ours, initial in zip(net.weights + net.biases, fresh.weights + fresh.biases, strict=True):
        np.testing.assert_array_equal(ours.data, initial.data)


def test_classic_sgd_scores_count_hand_computed_hits_for_pairs_and_arrays():
    x_test = np.random.default_rng(1).standard_normal((9, 5))
    labels = np.array([0, 1, 2] * 3)
    pairs = [(x, int(y)) for x, y in zip(x_test, labels, strict=True)]
    for test_data in ((x_test, labels), pairs):
        net = Network([5, 4, 3], seed=0, dtype=np.float64)
        scores = net.SGD(TRAIN, 2, 4, 1.0, test_data=test_data, verbose=False)
        a = x_test
        for w, b in zip(net.weights, net.biases, strict=True):
            a = _sigmoid(a @ w.data + b.data)  # the final epoch's weights, by hand
        assert scores[-1] == int((a.argmax(axis=1) == labels).sum()) and len(scores) == 2


@pytest.mark.parametrize("size", [2.0, 2.5, True, "2"])
def test_classic_sgd_refuses_a_mini_batch_size_that_is_not_an_integer_as_torch(size):
    # 2.0 passed the check and then crashed in range(); True trained with batches of 1
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        torch.utils.data.DataLoader(list(range(4)), batch_size=size)
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"Network\.SGD: mini_batch_size must be an integer >= 1"):
        net.SGD(TRAIN, 1, size, 1.0, verbose=False)


def test_classic_network_refuses_fractional_layer_sizes_as_torch():
    # 2.5 used to become a layer of 2 units without a word
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.nn.Linear(5, 2.5)
    with pytest.raises(ValueError, match=r"positive integer layer sizes, got \[5, 2\.5, 3\]"):
        Network([5, 2.5, 3])
    assert Network([np.int64(5), 4, 3]).sizes == [5, 4, 3]


def _textbook_sgd(seed, x, y, epochs, size, eta):
    """The classic per-sample algorithm in float64, drawing from one generator as Network does:
    biases, weights, then one permutation per epoch; the last mini-batch may be short."""
    rng = np.random.default_rng(seed)
    biases = [rng.standard_normal(n) for n in (4, 3)]
    weights = [rng.standard_normal((5, 4)), rng.standard_normal((4, 3))]
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), size):
            batch = order[start : start + size]
            grads_w = [np.zeros_like(w) for w in weights]
            grads_b = [np.zeros_like(b) for b in biases]
            for xi, yi in zip(x[batch], y[batch], strict=True):
                activations = [xi]
                for w, b in zip(weights, biases, strict=True):
                    activations.append(_sigmoid(activations[-1] @ w + b))
                out = activations[-1]
                delta = (out - yi) * out * (1 - out)  # dC/da * s'(z), C = 1/2 ||a - y||^2
                for layer in (1, 0):
                    grads_w[layer] += np.outer(activations[layer], delta)
                    grads_b[layer] += delta
                    a = activations[layer]
                    delta = (delta @ weights[layer].T) * a * (1 - a)
            weights = [w - eta / len(batch) * g for w, g in zip(weights, grads_w, strict=True)]
            biases = [b - eta / len(batch) * g for b, g in zip(biases, grads_b, strict=True)]
    return weights, biases


def test_classic_sgd_epochs_with_a_short_last_batch_match_the_textbook_algorithm():
    rng = np.random.default_rng(5)
    x, labels = rng.standard_normal((7, 5)), rng.integers(0, 3, 7)
    net = Network([5, 4, 3], seed=3, dtype=np.float64)
    net.SGD((x, labels), 3, 3, 2.0, verbose=False)  # batches of 3, 3 and 1 per epoch
    weights, biases = _textbook_sgd(3, x, np.eye(3)[labels], 3, 3, 2.0)
    for ours, ref in zip(net.weights + net.biases, weights + biases, strict=True):
        np.testing.assert_allclose(ours.data, ref, rtol=1e-12, atol=1e-14)
