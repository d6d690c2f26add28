"""The classic teaching network: sigmoid layers, quadratic cost, mini-batch SGD.

The design of the well-known introductory code (``Network([784, 30, 10])``, ``net.SGD(...)``),
kept faithful to its algorithm and results, but computed a whole mini-batch at a time on
chainrule tensors: the gradient comes from ``backward()`` instead of a per-sample loop.

For a mini-batch of m samples with cost ``C = 1/2 sum (a_L - y)**2`` summed over outputs
and averaged over the batch, each weight moves by ``-eta * dC/dw``, which equals the classic
``w - eta/m * sum_x dC_x/dw``.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.nn import functional as F


class Network:
    """A fully connected sigmoid network with layer sizes ``sizes`` (inputs first).

    Weights and biases start standard-normal; ``weights[l]`` has shape (sizes[l], sizes[l+1])
    so a batch of rows computes ``a @ W + b``. One generator, ``self.rng`` (NumPy's
    ``default_rng(seed)``), draws the biases, then the weights, then each epoch's shuffle
    (``rng.permutation(N)``), so a seeded run can be replayed step by step.
    """

    def __init__(self, sizes, seed: int | None = None, dtype=np.float32) -> None:
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"Network: need at least two positive layer sizes, got {sizes}")
        self.sizes = [int(s) for s in sizes]
        self.num_layers = len(sizes)
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        self.biases = [
            cr.tensor(self.rng.standard_normal(n).astype(dtype), requires_grad=True)
            for n in self.sizes[1:]
        ]
        self.weights = [
            cr.tensor(self.rng.standard_normal((n_in, n_out)).astype(dtype), requires_grad=True)
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)
        ]

    def _forward(self, a):
        for w, b in zip(self.weights, self.biases, strict=True):
            a = cr.linear(a, w, b).sigmoid()
        return a

    def feedforward(self, x) -> np.ndarray:
        """The output activations for one input (n_in,) or a batch (N, n_in)."""
        with cr.no_grad():
            return self._forward(cr.tensor(np.asarray(x, self.dtype))).data

    def evaluate(self, test_data) -> int:
        """The number of test inputs whose largest output is the right class."""
        x, y = self._as_arrays(test_data)
        predicted = self.feedforward(x).argmax(axis=1)
        return int((predicted == y.argmax(axis=1)).sum())

    def SGD(  # noqa: N802 - the classic name
        self,
        training_data,
        epochs: int,
        mini_batch_size: int,
        eta: float,
        test_data=None,
        verbose: bool = True,
    ) -> list[int]:
        """Mini-batch stochastic gradient descent, reshuffling every epoch.

        Data is ``(X, Y)`` with X (N, n_in) and Y one-hot (N, n_out) or integer labels (N,),
        or the classic list of ``(x, y)`` pairs. Returns the per-epoch test scores (if any).
        """
        x, y = self._as_arrays(training_data)
        n = len(x)
        scores = []
        for epoch in range(epochs):
            order = self.rng.permutation(n)
            for start in range(0, n, mini_batch_size):
                batch = order[start : start + mini_batch_size]
                self.update_mini_batch(x[batch], y[batch], eta)
            if test_data is not None:
                scores.append(self.evaluate(test_data))
                n_test = len(self._as_arrays(test_data)[0])
                message = f"Epoch {epoch}: {scores[-1]} / {n_test}"
            else:
                message = f"Epoch {epoch} complete"
            if verbose:
                print(message)
        return scores

    def update_mini_batch(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        """One gradient step on the quadratic cost of the mini-batch ``(x, y)``."""
        output = self._forward(cr.tensor(x))
        cost = F.mse_loss(output, cr.tensor(y), reduction="sum", half=True) * (1.0 / len(x))
        cost.backward()
        for p in (*self.weights, *self.biases):
            p.data -= eta * p.grad.data
            p.grad = None

    def _as_arrays(self, data) -> tuple[np.ndarray, np.ndarray]:
        """``(X, one-hot Y)`` arrays from ``(X, Y)`` or a list of ``(x, y)`` pairs."""
        if isinstance(data, list):
            x = np.stack([np.ravel(pair[0]) for pair in data])
            labels = [pair[1] for pair in data]
            y = np.stack([np.ravel(v) for v in labels]) if np.ndim(labels[0]) else np.array(labels)
        else:
            x, y = data
        x = np.asarray(x, self.dtype)
        y = np.asarray(y)
        if y.ndim == 1:
            y = np.eye(self.sizes[-1], dtype=self.dtype)[y]
        if x.ndim != 2 or x.shape[1] != self.sizes[0] or y.shape != (len(x), self.sizes[-1]):
            raise ValueError(
                f"Network{self.sizes}: expected inputs (N, {self.sizes[0]}) and targets "
                f"(N, {self.sizes[-1]}) or (N,), got {x.shape} and {y.shape}"
            )
        return x, y.astype(self.dtype)
