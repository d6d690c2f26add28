"""The chainrule contender: nn.Sequential of Linear/ReLU, fused cross-entropy, chainrule.optim."""

from __future__ import annotations

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F  # noqa: N812
import chainrule.optim as optim
from benchmarks.pieces import run_to_end, split


def build(init) -> nn.Sequential:
    """The MLP with its weights and biases set to copies of ``init`` (W1, b1, W2, b2, ...)."""
    layers = []
    for i in range(len(init) // 2):
        w = init[2 * i]
        linear = nn.Linear(w.shape[0], w.shape[1])
        linear.weight.data[...] = w
        linear.bias.data[...] = init[2 * i + 1]
        layers.append(linear)
        if i < len(init) // 2 - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class _SGDInPlace(optim.SGD):
    """Plain SGD that scales each gradient in its own memory (``g *= lr; p -= g``), as the
    floor does. For measurement only (``benchmarks.gap``): ``.grad`` is wrong afterwards."""

    def step(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad.data *= group["lr"]
                    p.data -= p.grad.data
                    p._version[0] += 1


OPTIMIZERS = {"sgd": optim.SGD, "sgd_in_place": _SGDInPlace, "adam": optim.Adam}


def train(init, x, y, batches, optimizer: str, lr: float):
    """Train from copies of ``init`` over ``batches``; final loss and params. ``optimizer``:
    'sgd', 'adam', or 'sgd_in_place' (see ``_SGDInPlace``)."""
    return run_to_end(training(init, x, y, batches, optimizer, lr))


def training(init, x, y, batches, optimizer: str, lr: float, pieces: int = 1):
    """``train`` as a generator that pauses after each of ``pieces`` runs of batches."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"chainrule_mlp.train: optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}"
        )
    model = build(init)
    params = list(model.parameters())
    opt = OPTIMIZERS[optimizer](params, lr=lr)
    loss = None
    for piece in split(batches, pieces):
        for idx in piece:
            loss = F.cross_entropy(model(cr.from_numpy(x[idx])), cr.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        yield
    return float(loss.item()), [p.data for p in params]


def predict(init, x):
    model = build(init)
    with cr.no_grad():
        return model(cr.from_numpy(x)).data
