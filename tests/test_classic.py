"""chainrule.classic.Network against a straightforward per-sample implementation."""

import numpy as np
import pytest

from chainrule.classic import Network


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
