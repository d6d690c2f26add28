"""The classic teaching network: sigmoid layers, quadratic cost, mini-batch SGD.

The design of the well-known introductory code (``Network([784, 30, 10])``, ``net.SGD(...)``),
kept faithful to its algorithm and results, but computed a whole mini-batch at a time on
chainrule tensors: the gradient comes from the engine instead of a per-sample loop.

For a mini-batch of m samples with cost ``C = 1/2 sum (a_L - y)**2`` summed over outputs
and averaged over the batch, each weight moves by ``-eta * dC/dw``, which equals the classic
``w - eta/m * sum_x dC_x/dw``.

The graph of one step is one ``SigmoidLayer`` node per layer, whose backward is the four
equations of backpropagation; the backward pass starts from the output with the derivative of
the quadratic cost, as the classic code's ``cost_derivative`` does, so the cost itself is never
computed during training.
"""

from __future__ import annotations

import numbers

import numpy as np

import chainrule as cr
from chainrule.autograd.engine import propagate
from chainrule.autograd.function import Function, sum_tangents
from chainrule.errors import ShapeError


def _sigmoid_in_place(z: np.ndarray) -> np.ndarray:
    """``s(z) = 1 / (1 + exp(-z)) = (1 + tanh(z / 2)) / 2``, written over ``z``.

    The tanh form never overflows or underflows, so any z is fine without warnings (even under
    ``np.errstate(all='raise')``); its precision near 0 is absolute (about 6e-8 in float32),
    the same as the exp form's near 1.
    """
    z *= 0.5
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z


def _bad_input(x: np.ndarray, w: np.ndarray) -> ShapeError:
    return ShapeError(
        f"SigmoidLayer: expected x of shape (N, {w.shape[0]}) for W of shape {w.shape}, "
        f"got {x.shape}"
    )


class SigmoidLayer(Function):
    """One classic layer ``a = s(x @ W + b)``, ``s`` the logistic sigmoid, as one graph node.

    x (N, n_in) -> a (N, n_out); W (n_in, n_out); b (n_out,). Its backward is the four
    equations of backpropagation in row-vector form: ``delta = dC/da * s'(z)`` with
    ``s'(z) = a (1 - a)``, then dC/dW = x^T delta, dC/db = delta summed over the batch and
    dC/dx = delta W^T (which carries the error to the layer below).
    """

    @staticmethod
    def forward(ctx, x, w, b):
        x = np.asarray(x)
        if x.ndim != 2:
            raise _bad_input(x, w)
        try:
            z = x @ w
        except ValueError:  # the inner sizes differ: checked on failure only
            raise _bad_input(x, w) from None
        z += b  # z is a fresh array: the bias and the sigmoid are applied in its memory
        a = _sigmoid_in_place(z)
        ctx.save_for_backward(x, w, a)
        return a

    @staticmethod
    def backward(ctx, grad_output):
        x, w, a = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        delta = 1 - a  # delta = dC/da * s'(z) = dC/da * a (1 - a), in one fresh array
        delta *= a
        delta *= grad_output
        grad_x = delta @ w.T if need_x else None
        grad_w = x.T @ delta if need_w else None
        grad_b = delta.sum(axis=0) if need_b else None
        return grad_x, grad_w, grad_b

    @staticmethod
    def jvp(ctx, tx, tw, tb):
        x, w, a = ctx.saved_tensors
        tz = sum_tangents(None if tx is None else tx @ w, None if tw is None else x @ tw, tb)
        return None if tz is None else tz * a * (1 - a)


def _is_count(value, minimum: int) -> bool:
    """True for an integer (Python or NumPy, not a bool or a float such as 2.0) >= minimum."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= minimum


class Network:
    """A fully connected sigmoid network with layer sizes ``sizes`` (inputs first).

    Weights and biases start standard-normal; ``weights[l]`` has shape (sizes[l], sizes[l+1])
    so a batch of rows computes ``a @ W + b``. One generator, ``self.rng`` (NumPy's
    ``default_rng(seed)``), draws the biases, then the weights, then each epoch's shuffle
    (``rng.permutation(N)``), so a seeded run can be replayed step by step.
    """

    def __init__(self, sizes, seed: int | None = None, dtype=np.float32) -> None:
        if len(sizes) < 2 or not all(_is_count(s, 1) for s in sizes):  # 2.5 is no size
            raise ValueError(
                f"Network: need at least two positive integer layer sizes, got {sizes}"
            )
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
            a = SigmoidLayer.apply(a, w, b)
        return a

    def feedforward(self, x) -> np.ndarray:
        """The output activations for one input (n_in,) or a batch (N, n_in)."""
        x = np.asarray(x, self.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.sizes[0]:
            raise ShapeError(
                f"Network{self.sizes}.feedforward: expected an input of shape ({self.sizes[0]},) "
                f"or (N, {self.sizes[0]}), got {x.shape}"
            )
        with cr.no_grad():
            a = self._forward(x.reshape(1, -1) if x.ndim == 1 else x).data
        return a[0] if x.ndim == 1 else a

    def evaluate(self, test_data) -> int:
        """The number of test inputs whose largest output is the right class."""
        x, y = self._as_arrays(test_data, "evaluate")
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
        x, y = self._as_arrays(training_data, "SGD")
        for name, value, minimum in (
            ("epochs", epochs, 0),
            ("mini_batch_size", mini_batch_size, 1),
        ):
            if not _is_count(value, minimum):
                raise ValueError(
                    f"Network.SGD: {name} must be an integer >= {minimum}, got {value!r}"
                )
        self._check_eta("SGD", eta)
        # checked before training: bad test data found after the first epoch would cost it
        test = None if test_data is None else self._as_arrays(test_data, "SGD test_data")
        n = len(x)
        scores = []
        for epoch in range(epochs):
            order = self.rng.permutation(n)
            for start in range(0, n, mini_batch_size):
                batch = order[start : start + mini_batch_size]
                self.update_mini_batch(x[batch], y[batch], eta)
            if test is not None:
                scores.append(self.evaluate(test))
                message = f"Epoch {epoch}: {scores[-1]} / {len(test[0])}"
            else:
                message = f"Epoch {epoch} complete"
            if verbose:
                print(message)
        return scores

    def update_mini_batch(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        """One gradient step on the quadratic cost of the mini-batch ``(x, y)``."""
        x = np.asarray(x, self.dtype)  # the input needs no gradient: a plain array will do
        y = np.asarray(y, self.dtype)
        self._check_eta("update_mini_batch", eta)
        if x.ndim != 2 or len(x) == 0 or x.shape[1] != self.sizes[0]:
            raise ShapeError(
                f"Network{self.sizes}.update_mini_batch: expected x of shape (m, {self.sizes[0]}) "
                f"with m >= 1, got {x.shape}"
            )
        if y.shape != (len(x), self.sizes[-1]):
            raise ShapeError(
                f"Network{self.sizes}.update_mini_batch: expected targets of shape "
                f"{(len(x), self.sizes[-1])} for inputs {x.shape}, got {y.shape}"
            )
        output = self._forward(x)
        # The cost C = 1/(2m) sum_x ||a_L(x) - y(x)||^2 has dC/da_L = (a_L - y) / m, the classic
        # code's cost_derivative. Backpropagating eta * dC/da_L from the output (a vector-
        # Jacobian product) gives each gradient as the whole step eta * dC/dw, with no cost node.
        # Like the classic backprop(), the engine's propagate returns the gradients (as arrays,
        # leaf -> gradient) instead of storing them in .grad for the update to read back.
        step = output.data - y
        step *= eta / len(x)  # in place; a Python float keeps the dtype
        gradients = propagate({output.grad_fn: step})
        for p in (*self.weights, *self.biases):
            p.data -= gradients[p]  # w -> w - eta * dC/dw, in place

    @staticmethod
    def _check_eta(where: str, eta) -> None:
        if not eta > 0:  # also refuses NaN; eta <= 0 would not descend
            raise ValueError(f"Network.{where}: eta must be a positive number, got {eta!r}")

    def _as_arrays(self, data, where: str) -> tuple[np.ndarray, np.ndarray]:
        """``(X, one-hot Y)`` arrays from ``(X, Y)`` or a list of ``(x, y)`` pairs."""
        if isinstance(data, list):
            if not data:
                raise ValueError(f"Network.{where}: the list of (x, y) pairs is empty")
            x = np.stack([np.ravel(pair[0]) for pair in data])
            labels = [pair[1] for pair in data]
            y = np.stack([np.ravel(v) for v in labels]) if np.ndim(labels[0]) else np.array(labels)
        else:
            x, y = data
        x = np.asarray(x, self.dtype)
        y = np.asarray(y)
        if y.ndim == 1:
            n_out = self.sizes[-1]
            # negative labels would silently index np.eye from the end
            if y.dtype.kind not in "iu" or (len(y) and not 0 <= y.min() <= y.max() < n_out):
                raise ValueError(
                    f"Network.{where}: labels must be integers in [0, {n_out}), got "
                    f"{y.dtype} labels" + (f" from {y.min()} to {y.max()}" if len(y) else "")
                )
            y = np.eye(n_out, dtype=self.dtype)[y]
        if x.ndim != 2 or x.shape[1] != self.sizes[0] or y.shape != (len(x), self.sizes[-1]):
            raise ShapeError(
                f"Network{self.sizes}: expected inputs (N, {self.sizes[0]}) and targets "
                f"(N, {self.sizes[-1]}) or (N,), got {x.shape} and {y.shape} (in Network.{where})"
            )
        return x, y.astype(self.dtype)
