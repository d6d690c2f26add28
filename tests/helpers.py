"""Shared test helpers: smooth random inputs and the comparison against PyTorch."""

from __future__ import annotations

import numpy as np

import chainrule as cr

# The 2-2-2 worked example's values as the reference material publishes them (and rounds them).
WORKED_EXAMPLE_PUBLISHED = {
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "net_h1": "0.3775",
    "net_o1": "1.105905967",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E_total": "0.298371109",
    "dE/dw5": "0.082167041",
    "dE/dw1": "0.000438568",
    "w1": "0.149780716",
    "w2": "0.19956143",
    "w3": "0.24975114",
    "w4": "0.29950229",
    "w5": "0.35891648",
    "w6": "0.408666186",
    "w7": "0.511301270",
    "w8": "0.561370121",
}


def smooth_values(rng: np.random.Generator, shape, positive: bool = False) -> np.ndarray:
    """float64 values with no ties and nothing near 0, so max/abs/relu/... are smooth there."""
    size = int(np.prod(shape))
    values = (rng.permutation(size) + 1.0) / size + 0.05 * rng.random(size)
    signs = np.ones(size) if positive else rng.choice([-1.0, 1.0], size)
    return (values * signs * 2).reshape(shape)


def away_from(x: np.ndarray, *points: float, gap: float = 0.02) -> np.ndarray:
    """``x`` with entries closer than ``gap`` to a kink in ``points`` pushed ``2 * gap`` up."""
    for p in points:
        x = np.where(np.abs(x - p) < gap, x + 2 * gap, x)
    return x


def assert_matches_torch(ours, theirs, arrays, rtol: float = 1e-6) -> None:
    """``ours(*tensors)`` and ``theirs(torch, *torch_tensors)`` agree in value and gradient.

    Both outputs are reduced with the same random weights ``v`` (``sum(v * y)``), so the
    gradients compared are the vector-Jacobian products ``v^T J`` for every input.
    """
    import torch

    mine = [cr.tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*mine), theirs(torch, *ref)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=1e-12)
    weight = np.random.default_rng(2).normal(size=out.shape)
    (out * cr.tensor(weight)).sum().backward()
    (expected * torch.tensor(weight)).sum().backward()
    for i, (a, b) in enumerate(zip(mine, ref, strict=True)):
        expected_grad = np.zeros_like(arrays[i]) if b.grad is None else b.grad.numpy()
        got = np.zeros_like(arrays[i]) if a.grad is None else a.grad.data
        np.testing.assert_allclose(got, expected_grad, rtol=rtol, atol=1e-12, err_msg=f"input {i}")
