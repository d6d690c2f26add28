"""Feedback alignment (Lillicrap et al., 2016) on the digits, built from hooks alone.

Backpropagation sends a layer's output gradient g back to its input as ``g @ W^T``. Feedback
alignment sends it through a fixed random matrix instead, ``g @ B``, so no neuron needs the
weights of the layer above: the forward weights come to align with B while they learn.
Here a forward hook on each hidden ``Linear`` (not the first, whose input needs no
gradient) registers two tensor hooks per call: one keeps g at the layer's output, the other
replaces the gradient arriving at the layer's input by ``g @ B``. The engine is unchanged.

    python examples/feedback_alignment.py
"""

import math

import numpy as np

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim
from chainrule.data import load_digits


def use_feedback_alignment(layer: nn.Linear, rng: np.random.Generator):
    """Make ``layer`` send its gradient back through a fixed random matrix B of W^T's shape;
    returns the handle of the forward hook that does it (``remove()`` restores backprop)."""
    weight = layer.weight.data  # (in, out): backprop's g @ W^T becomes g @ B, B (out, in)
    scale = 1 / math.sqrt(weight.shape[1])  # a Python float keeps float32 float32
    feedback = (rng.standard_normal(weight.T.shape) * scale).astype(weight.dtype)

    def install(module, inputs, output):
        (x,) = inputs
        if not x.requires_grad:
            return
        kept = {}
        output.register_hook(lambda g: kept.update(g=g.numpy()))  # runs first: output is later
        x.register_hook(lambda g: cr.from_numpy(kept["g"] @ feedback))

    return layer.register_forward_hook(install), feedback


def train(feedback: bool, epochs: int = 15, seed: int = 0) -> float:
    """Test accuracy of a 64-64-10 ReLU network after ``epochs`` of SGD, with feedback
    alignment into the hidden layer or with backpropagation."""
    cr.manual_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_digits()
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    if feedback:
        use_feedback_alignment(model[2], np.random.default_rng(seed))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    order = np.random.default_rng(seed)
    for _ in range(epochs):
        for batch in np.array_split(order.permutation(len(x_train)), len(x_train) // 32):
            loss = F.cross_entropy(
                model(cr.from_numpy(x_train[batch])), cr.from_numpy(y_train[batch])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
    with cr.no_grad():
        predicted = model(cr.from_numpy(x_test)).numpy().argmax(axis=1)
    return float((predicted == y_test).mean())


def main() -> None:
    for feedback in (False, True):
        name = "feedback alignment" if feedback else "backpropagation"
        print(f"{name:>18}: test accuracy {100 * train(feedback):.1f}%")


if __name__ == "__main__":
    main()
