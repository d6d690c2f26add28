"""examples/feedback_alignment.py: its hooks give feedback alignment's gradients, checked
against the rule written out in NumPy, and the network it trains learns the digits."""

import runpy
from pathlib import Path

import numpy as np

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F

EXAMPLE = runpy.run_path(str(Path(__file__).parents[1] / "examples" / "feedback_alignment.py"))


def _gradients(model, x, y):
    for p in model.parameters():
        p.grad = None
    F.cross_entropy(model(cr.tensor(x)), cr.tensor(y)).backward()
    return [p.grad.numpy() for p in model.parameters()]


def test_hooks_give_the_feedback_alignment_gradients():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 4, 6)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 4)).double()
    handle, feedback = EXAMPLE["use_feedback_alignment"](model[2], np.random.default_rng(0))
    ours = _gradients(model, x, y)
    # the rule by hand: backprop's W2^T replaced by B below the output layer
    w1, b1, w2, b2 = (p.numpy() for p in model.parameters())
    z1 = x @ w1 + b1
    h = np.maximum(z1, 0)
    logits = h @ w2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    g_logits = (p - np.eye(4)[y]) / len(x)
    g_z1 = (g_logits @ feedback) * (z1 > 0)
    expected = [x.T @ g_z1, g_z1.sum(axis=0), h.T @ g_logits, g_logits.sum(axis=0)]
    for got, want in zip(ours, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # removing the forward hook restores backpropagation's W2^T
    handle.remove()
    g_z1 = (g_logits @ w2.T) * (z1 > 0)
    np.testing.assert_allclose(_gradients(model, x, y)[0], x.T @ g_z1, rtol=1e-10, atol=1e-12)


def test_feedback_alignment_learns_the_digits():
    # Lillicrap et al. report feedback alignment learning nearly as well as backprop
    assert EXAMPLE["train"](feedback=True, epochs=5) > 0.85
