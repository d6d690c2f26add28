"""One spec per differentiable op: how to call it in chainrule and in PyTorch, and on what.

Shared by the gradcheck, PyTorch and forward-mode tests so every op is covered by each.
``domain`` maps a random normal array into the op's domain and away from its kinks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import chainrule as cr


def positive(a):
    return np.abs(a) + 0.5


def away_from_zero(a):
    return np.where(a >= 0, a + 0.3, a - 0.3)


def identity(a):
    return a


def distinct(a):
    """Values with no ties (max/min/maximum pick a unique element)."""
    flat = np.random.default_rng(a.size).permutation(a.size).astype(a.dtype)
    return flat.reshape(a.shape) * 0.37 + 0.05 * a


@dataclass
class OpSpec:
    name: str
    ours: Callable
    theirs: Callable  # receives the torch module and the torch tensors
    shapes: list  # input shapes, one list per case
    domains: tuple = field(default_factory=lambda: (identity, identity))

    def inputs(self, case: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        shapes = self.shapes[case]
        return [
            self.domains[min(i, len(self.domains) - 1)](rng.normal(size=s))
            for i, s in enumerate(shapes)
        ]


MASK = np.array([True, False, True, True])
INDEX = np.array([0, 2, 2, 1, 0])

SPECS = [
    OpSpec("add", lambda a, b: a + b, lambda t, a, b: a + b, [[(3, 4), (4,)], [(2, 1, 3), (4, 1)]]),
    OpSpec("sub", lambda a, b: a - b, lambda t, a, b: a - b, [[(3, 4), (3, 1)], [(5,), (2, 5)]]),
    OpSpec("mul", lambda a, b: a * b, lambda t, a, b: a * b, [[(3, 4), (4,)], [(1, 3), (2, 1)]]),
    OpSpec(
        "div",
        lambda a, b: a / b,
        lambda t, a, b: a / b,
        [[(3, 4), (4,)], [(2, 3), (2, 3)]],
        (identity, away_from_zero),
    ),
    OpSpec(
        "pow",
        lambda a, b: a**b,
        lambda t, a, b: a**b,
        [[(3, 4), (4,)], [(2, 3), (2, 3)]],
        (positive, identity),
    ),
    OpSpec("pow_scalar", lambda a: a**3, lambda t, a: a**3, [[(3, 4)], [(5,)]]),
    OpSpec("rpow_scalar", lambda a: 2.0**a, lambda t, a: 2.0**a, [[(3, 4)]]),
    OpSpec("rsub_scalar", lambda a: 1.5 - a, lambda t, a: 1.5 - a, [[(3, 4)]]),
    OpSpec("rdiv_scalar", lambda a: 1.5 / a, lambda t, a: 1.5 / a, [[(3, 4)]], (away_from_zero,)),
    OpSpec("neg", lambda a: -a, lambda t, a: -a, [[(3, 4)]]),
    OpSpec("matmul_2d", lambda a, b: a @ b, lambda t, a, b: a @ b, [[(3, 4), (4, 5)]]),
    OpSpec(
        "matmul_1d",
        lambda a, b: a @ b,
        lambda t, a, b: a @ b,
        [[(4,), (4,)], [(4,), (4, 3)], [(3, 4), (4,)]],
    ),
    OpSpec(
        "matmul_batched",
        lambda a, b: a @ b,
        lambda t, a, b: a @ b,
        [[(2, 3, 4), (4, 5)], [(2, 1, 3, 4), (3, 4, 2)]],
    ),
    OpSpec(
        "linear",
        lambda x, w, b: cr.linear(x, w, b),
        lambda t, x, w, b: x @ w + b,
        [[(5, 3), (3, 4), (4,)]],
    ),
    OpSpec("exp", cr.exp, lambda t, a: t.exp(a), [[(3, 4)]]),
    OpSpec("log", cr.log, lambda t, a: t.log(a), [[(3, 4)]], (positive,)),
    OpSpec("sqrt", cr.sqrt, lambda t, a: t.sqrt(a), [[(3, 4)]], (positive,)),
    OpSpec("abs", cr.abs, lambda t, a: t.abs(a), [[(3, 4)]], (away_from_zero,)),
    OpSpec("tanh", cr.tanh, lambda t, a: t.tanh(a), [[(3, 4)]]),
    OpSpec("sigmoid", cr.sigmoid, lambda t, a: t.sigmoid(a), [[(3, 4)]]),
    OpSpec("relu", cr.relu, lambda t, a: t.relu(a), [[(3, 4)]], (away_from_zero,)),
    OpSpec(
        "leaky_relu",
        lambda a: cr.leaky_relu(a, 0.1),
        lambda t, a: t.nn.functional.leaky_relu(a, 0.1),
        [[(3, 4)]],
        (away_from_zero,),
    ),
    OpSpec(
        "prelu",
        cr.prelu,
        lambda t, a, w: t.nn.functional.prelu(a, w),
        [[(3, 4), (4,)], [(3, 4), (1,)]],
        (away_from_zero, positive),
    ),
    OpSpec(
        "clip",
        lambda a: cr.clip(a, -0.5, 0.7),
        lambda t, a: t.clamp(a, -0.5, 0.7),
        [[(4, 5)]],
        (lambda a: np.round(a * 10) / 10 + 0.03,),
    ),
    OpSpec(
        "maximum",
        cr.maximum,
        lambda t, a, b: t.maximum(a, b),
        [[(3, 4), (4,)]],
        (distinct, lambda a: distinct(a) + 0.11),
    ),
    OpSpec(
        "minimum",
        cr.minimum,
        lambda t, a, b: t.minimum(a, b),
        [[(3, 4), (3, 4)]],
        (distinct, lambda a: distinct(a) + 0.11),
    ),
    OpSpec(
        "where",
        lambda a, b: cr.where(a.data > 0, a, b),
        lambda t, a, b: t.where(a > 0, a, b),
        [[(3, 4), (4,)]],
        (away_from_zero, identity),
    ),
    OpSpec("sum", lambda a: a.sum(axis=1), lambda t, a: a.sum(dim=1), [[(3, 4)], [(2, 3, 4)]]),
    OpSpec(
        "sum_keepdims",
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda t, a: a.sum(dim=(0, 2), keepdim=True),
        [[(2, 3, 4)]],
    ),
    OpSpec("sum_all", lambda a: a.sum(), lambda t, a: a.sum(), [[(2, 3)]]),
    OpSpec("mean", lambda a: a.mean(dim=0), lambda t, a: a.mean(dim=0), [[(3, 4)]]),
    OpSpec("max", lambda a: a.max(axis=1), lambda t, a: a.amax(dim=1), [[(3, 4)]], (distinct,)),
    OpSpec(
        "min",
        lambda a: a.min(axis=0, keepdims=True),
        lambda t, a: a.amin(dim=0, keepdim=True),
        [[(3, 4)]],
        (distinct,),
    ),
    OpSpec("var", lambda a: a.var(axis=1), lambda t, a: a.var(dim=1, unbiased=False), [[(3, 5)]]),
    OpSpec("var_ddof1", lambda a: cr.var(a, axis=0, ddof=1), lambda t, a: a.var(dim=0), [[(4, 3)]]),
    OpSpec(
        "logsumexp",
        lambda a: cr.logsumexp(a, axis=1),
        lambda t, a: t.logsumexp(a, dim=1),
        [[(3, 4)]],
    ),
    OpSpec(
        "softmax",
        lambda a: cr.softmax(a, axis=1),
        lambda t, a: t.softmax(a, dim=1),
        [[(3, 4)], [(2, 3, 4)]],
    ),
    OpSpec(
        "log_softmax",
        lambda a: cr.log_softmax(a, dim=0),
        lambda t, a: t.log_softmax(a, dim=0),
        [[(3, 4)]],
    ),
    OpSpec("reshape", lambda a: a.reshape(4, 3), lambda t, a: a.reshape(4, 3), [[(3, 4)]]),
    OpSpec("transpose", lambda a: a.transpose(0, 2), lambda t, a: a.transpose(0, 2), [[(2, 3, 4)]]),
    OpSpec("permute", lambda a: a.permute(2, 0, 1), lambda t, a: a.permute(2, 0, 1), [[(2, 3, 4)]]),
    OpSpec("T", lambda a: a.T, lambda t, a: a.T, [[(3, 4)]]),
    OpSpec("squeeze", lambda a: a.squeeze(1), lambda t, a: a.squeeze(1), [[(3, 1, 4)]]),
    OpSpec("unsqueeze", lambda a: a.unsqueeze(1), lambda t, a: a.unsqueeze(1), [[(3, 4)]]),
    OpSpec(
        "broadcast_to",
        lambda a: cr.broadcast_to(a, (2, 3, 4)),
        lambda t, a: a.broadcast_to((2, 3, 4)),
        [[(3, 1)]],
    ),
    OpSpec(
        "concatenate",
        lambda a, b: cr.concatenate([a, b], axis=1),
        lambda t, a, b: t.cat([a, b], dim=1),
        [[(3, 2), (3, 4)]],
    ),
    OpSpec(
        "stack",
        lambda a, b: cr.stack([a, b], axis=1),
        lambda t, a, b: t.stack([a, b], dim=1),
        [[(3, 4), (3, 4)]],
    ),
    OpSpec("getitem_slice", lambda a: a[1:, ::2], lambda t, a: a[1:, ::2], [[(3, 5)]]),
    OpSpec("getitem_repeated", lambda a: a[INDEX], lambda t, a: a[t.tensor(INDEX)], [[(3, 2)]]),
    OpSpec("getitem_mask", lambda a: a[:, MASK], lambda t, a: a[:, t.tensor(MASK)], [[(3, 4)]]),
]
