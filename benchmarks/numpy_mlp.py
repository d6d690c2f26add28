"""The floor: the MLP's forward and backward written by hand in NumPy, SGD and Adam by hand.

Layers ``z = a W + b`` (W is (in, out)), ReLU between, mean softmax cross-entropy on the
logits. With p = softmax(z_L) and one-hot t, dL/dz_L = (p - t) / N; then for each layer
dW = a^T dz, db = sum_rows(dz), da = dz W^T, and through ReLU dz = da * [z > 0].
"""

from __future__ import annotations

import numpy as np

from benchmarks.pieces import run_to_end, split


def loss_and_grads(params: list[np.ndarray], x: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of the batch and the gradients of ``params`` (W1, b1, W2, b2, ...)."""
    acts = [x]
    zs = []
    a = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        z = a @ params[2 * i]
        z += params[2 * i + 1]
        zs.append(z)
        if i < n_layers - 1:
            a = np.maximum(z, 0)
            acts.append(a)
    z = zs[-1]
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    n = len(x)
    rows = np.arange(n)
    loss = float(np.log(total[:, 0]).sum() - shifted[rows, y].sum()) / n
    dz = exp / total
    dz[rows, y] -= 1
    dz *= np.float32(1.0 / n)
    grads = [None] * len(params)
    for i in range(n_layers - 1, -1, -1):
        grads[2 * i] = acts[i].T @ dz
        grads[2 * i + 1] = dz.sum(axis=0)
        if i > 0:
            da = dz @ params[2 * i].T
            da *= zs[i - 1] > 0
            dz = da
    return loss, grads


class SGD:
    """p <- p - lr * g, in place. The floor scales each gradient in its own memory; with
    ``keep_grads`` it leaves them intact (``p -= lr * g``, a temporary per parameter), as an
    optimiser must when ``.grad`` still holds the gradient after ``step()``."""

    def __init__(self, params, lr, keep_grads=False):
        self.params, self.lr, self.keep_grads = params, np.float32(lr), keep_grads

    def step(self, grads):
        for p, g in zip(self.params, grads, strict=True):
            if self.keep_grads:
                p -= self.lr * g
            else:
                g *= self.lr
                p -= g


class Adam:
    """PyTorch's Adam: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
    p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps), all in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        b1, b2 = self.betas
        self.t += 1
        c1 = 1 - b1**self.t
        c2 = 1 - b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            g *= g
            g *= 1 - b2
            v += g
            denom = np.sqrt(v)
            denom *= 1 / np.sqrt(c2)
            denom += self.eps
            np.divide(m, denom, out=denom)
            denom *= self.lr / c1
            p -= denom


def train(init, x, y, batches, optimizer: str, lr: float):
    """Train from copies of ``init`` over ``batches`` (index arrays); final loss and params.
    ``optimizer``: 'sgd', 'sgd_keep_grads' (see ``SGD``) or 'adam'."""
    return run_to_end(training(init, x, y, batches, optimizer, lr))


def training(init, x, y, batches, optimizer: str, lr: float, pieces: int = 1):
    """``train`` as a generator that pauses after each of ``pieces`` runs of batches."""
    params = [p.copy() for p in init]
    if optimizer == "adam":
        opt = Adam(params, lr)
    elif optimizer in ("sgd", "sgd_keep_grads"):
        opt = SGD(params, lr, keep_grads=optimizer == "sgd_keep_grads")
    else:
        raise ValueError(
            f"numpy_mlp.train: optimizer must be 'sgd', 'sgd_keep_grads' or 'adam', "
            f"got {optimizer!r}"
        )
    loss = float("nan")
    for piece in split(batches, pieces):
        for idx in piece:
            loss, grads = loss_and_grads(params, x[idx], y[idx])
            opt.step(grads)
        yield
    return loss, params


def predict(params, x):
    """Logits of ``x`` (inference only)."""
    a = x
    for i in range(len(params) // 2):
        a = a @ params[2 * i] + params[2 * i + 1]
        if i < len(params) // 2 - 1:
            np.maximum(a, 0, out=a)
    return a
