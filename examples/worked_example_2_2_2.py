"""The worked 2-2-2 backpropagation example, built from chainrule.nn and chainrule.optim.

Two inputs, two sigmoid hidden units, two sigmoid outputs; the biases are shared per layer
and not trained; E = sum 1/2 (target - out)**2; one SGD step with learning rate 0.5.
Weights are numbered as in the reference: w1, w2 feed h1 from i1, i2; w3, w4 feed h2;
w5, w6 feed o1 from h1, h2; w7, w8 feed o2. chainrule stores W as (inputs, outputs).

    python examples/worked_example_2_2_2.py
"""

import numpy as np

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import optim


def build():
    """The network with the reference weights and biases (float64)."""
    hidden, output = nn.Linear(2, 2, dtype=np.float64), nn.Linear(2, 2, dtype=np.float64)
    hidden.weight.data[...] = [[0.15, 0.25], [0.20, 0.30]]  # [[w1, w3], [w2, w4]]
    hidden.bias.data[...] = 0.35
    output.weight.data[...] = [[0.40, 0.50], [0.45, 0.55]]  # [[w5, w7], [w6, w8]]
    output.bias.data[...] = 0.60
    return hidden, output


def weights(hidden, output) -> dict:
    """The eight weights by their reference names."""
    (w1, w3), (w2, w4) = hidden.weight.data
    (w5, w7), (w6, w8) = output.weight.data
    return dict(w1=w1, w2=w2, w3=w3, w4=w4, w5=w5, w6=w6, w7=w7, w8=w8)


def main() -> None:
    hidden, output = build()
    x = cr.tensor([[0.05, 0.10]], dtype=np.float64)
    target = cr.tensor([[0.01, 0.99]], dtype=np.float64)
    net_h = hidden(x)
    out_h = net_h.sigmoid()
    net_o = output(out_h)
    out_o = net_o.sigmoid()
    errors = F.mse_loss(out_o, target, reduction="none", half=True)  # E_o = 1/2 (target - out)**2
    error = errors.sum()
    print("Forward pass")
    for name, net, out in [
        ("h1", net_h[0, 0], out_h[0, 0]),
        ("h2", net_h[0, 1], out_h[0, 1]),
        ("o1", net_o[0, 0], out_o[0, 0]),
        ("o2", net_o[0, 1], out_o[0, 1]),
    ]:
        print(f"  net_{name} = {net.item():.9f}   out_{name} = {out.item():.9f}")
    print(f"  E_o1 = {errors[0, 0].item():.9f}   E_o2 = {errors[0, 1].item():.9f}")
    print(f"  E_total = {error.item():.9f}")

    optimizer = optim.SGD([hidden.weight, output.weight], lr=0.5)  # biases stay fixed
    optimizer.zero_grad()
    error.backward()
    print("Backward pass")
    print(f"  dE/dw5 = {output.weight.grad.data[0, 0]:.9f}")
    print(f"  dE/dw1 = {hidden.weight.grad.data[0, 0]:.9f}")
    optimizer.step()
    print("Weights after one step (learning rate 0.5)")
    for name, value in weights(hidden, output).items():
        print(f"  {name} = {value:.9f}")


if __name__ == "__main__":
    main()
