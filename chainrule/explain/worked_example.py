"""The worked 2-2-2 network of the reference material, explained number by number.

Inputs i1 = 0.05, i2 = 0.10; sigmoid hidden units h1, h2 and outputs o1, o2; weights w1, w2
feed h1 from i1, i2, w3, w4 feed h2, w5, w6 feed o1 from h1, h2, w7, w8 feed o2; biases 0.35
and 0.60 (shared per layer, not trained); targets 0.01, 0.99; E = Σ ½(target − out)²; one
gradient-descent step with learning rate 0.5. chainrule stores W as (inputs, outputs), so
W1 = [[w1, w3], [w2, w4]]. Every number printed comes from the engine: forward values,
``backward()`` gradients, each chain factor from its op's local derivative, the SGD step.
"""

from __future__ import annotations

import dataclasses

import numpy as np

import chainrule as cr
from chainrule import optim
from chainrule.autograd.graph import local_partials, to_dot

LEARNING_RATE = 0.5
_W1 = [[0.15, 0.25], [0.20, 0.30]]  # [[w1, w3], [w2, w4]]
_W2 = [[0.40, 0.50], [0.45, 0.55]]  # [[w5, w7], [w6, w8]]
WEIGHT_INDEX = {  # name -> (layer, row, column) of W (inputs, outputs)
    "w1": (0, 0, 0),
    "w2": (0, 1, 0),
    "w3": (0, 0, 1),
    "w4": (0, 1, 1),
    "w5": (1, 0, 0),
    "w6": (1, 1, 0),
    "w7": (1, 0, 1),
    "w8": (1, 1, 1),
}


@dataclasses.dataclass
class WorkedExample:
    """The numbers of the worked example by name (``net_h1``, ``E_total``, ``dE/dw5``, ``w5``)."""

    values: dict[str, float]
    chains: dict[str, list[tuple[str, float]]]  # weight -> [(factor symbol, value)]
    lines: list[str]
    dot: str  # the graph (before the step), with gradients and named tensors

    def format(self) -> str:
        return "\n".join(self.lines)


@cr.enable_grad()  # the explanation is the recorded graph, even when called under no_grad
def explain_worked_example() -> WorkedExample:
    """Run the 2-2-2 network forward and backward on the engine and explain one SGD step."""
    f64 = np.float64
    x = cr.tensor([[0.05, 0.10]], dtype=f64)
    target = cr.tensor([[0.01, 0.99]], dtype=f64)
    weights = [
        cr.tensor(_W1, dtype=f64, requires_grad=True),
        cr.tensor(_W2, dtype=f64, requires_grad=True),
    ]
    b1, b2 = cr.tensor([0.35, 0.35], dtype=f64), cr.tensor([0.60, 0.60], dtype=f64)

    net_h = cr.linear(x, weights[0], b1)
    out_h = net_h.sigmoid()
    net_o = cr.linear(out_h, weights[1], b2)
    out_o = net_o.sigmoid()
    error = (0.5 * (target - out_o) ** 2).sum()  # E = Σ ½(target − out)²
    for t in (net_h, out_h, net_o, out_o):
        t.retain_grad()
    # Local derivatives with upstream 1: elementwise for the sigmoids; for the linear maps
    # ∂net_j/∂W[i, j] = input_i (net_j depends on column j of W only).
    d_out_d_net = {"h": local_partials(out_h.grad_fn)[0], "o": local_partials(out_o.grad_fn)[0]}
    d_net_d_w = [local_partials(net_h.grad_fn)[1], local_partials(net_o.grad_fn)[1]]
    error.backward(retain_graph=True)  # keep the saved arrays for the picture
    named = {"W1 [[w1, w3], [w2, w4]]": weights[0], "W2 [[w5, w7], [w6, w8]]": weights[1]}
    named.update(net_h=net_h, out_h=out_h, net_o=net_o, out_o=out_o, E=error)
    dot = to_dot(error, names=named)

    v: dict[str, float] = {}
    lines = ["Forward pass (net = Σ w·input + b, out = sigmoid(net))"]
    for unit, j, net, out in [
        ("h1", 0, net_h, out_h),
        ("h2", 1, net_h, out_h),
        ("o1", 0, net_o, out_o),
        ("o2", 1, net_o, out_o),
    ]:
        v[f"net_{unit}"], v[f"out_{unit}"] = float(net.data[0, j]), float(out.data[0, j])
        lines.append(f"  net_{unit} = {v[f'net_{unit}']:.9f}   out_{unit} = {v[f'out_{unit}']:.9f}")
    for k in (0, 1):  # each output's share of the error, E_ok = ½(target_k − out_ok)²
        v[f"E_o{k + 1}"] = float(0.5 * (target.data[0, k] - out_o.data[0, k]) ** 2)
    lines.append(f"  E_o1 = {v['E_o1']:.9f}   E_o2 = {v['E_o2']:.9f}")
    v["E_total"] = error.item()
    lines.append(f"  E_total = Σ ½(target − out)² = E_o1 + E_o2 = {v['E_total']:.9f}")

    chains: dict[str, list[tuple[str, float]]] = {}
    lines += ["", "Backward pass: each weight's gradient is a product of local derivatives"]
    backward_order = ["w5", "w6", "w7", "w8", "w1", "w2", "w3", "w4"]  # output layer first
    for name in backward_order:
        layer, i, j = WEIGHT_INDEX[name]
        unit = ("h", "o")[layer] + str(j + 1)
        source = f"i{i + 1}" if layer == 0 else f"out_h{i + 1}"
        out_grad = (out_h, out_o)[layer].grad.data[0, j]
        factors = [
            (f"∂E/∂out_{unit}", float(out_grad)),
            (f"∂out_{unit}/∂net_{unit}", float(d_out_d_net[unit[0]][0, j])),
            (f"∂net_{unit}/∂{name} = {source}", float(d_net_d_w[layer][i, j])),
        ]
        chains[name] = factors
        v[f"dE/d{name}"] = float(weights[layer].grad.data[i, j])
        symbols = " · ".join(s.split(" = ")[0] for s, _ in factors)
        numbers = " · ".join(f"{value:.9f}" for _, value in factors)
        lines.append(f"  ∂E/∂{name} = {symbols}")
        lines.append(f"        = {numbers} = {v[f'dE/d{name}']:.9f}")
        if name == "w1":  # h1 feeds both outputs: ∂E/∂out_h1 = Σ_k ∂E/∂net_ok · w(h1 -> ok)
            paths = net_o.grad.data[0] * weights[1].data[0]
            lines.append(
                f"        where ∂E/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1 = "
                f"{paths[0]:.9f} + ({paths[1]:.9f}) (one path through each output)"
            )

    optimizer = optim.SGD(weights, lr=LEARNING_RATE)  # biases are not updated
    optimizer.step()
    lines += ["", f"Gradient-descent step, w ← w − {LEARNING_RATE} · ∂E/∂w (biases unchanged)"]
    for name, (layer, i, j) in WEIGHT_INDEX.items():
        v[name] = float(weights[layer].data[i, j])
        lines.append(f"  {name} = {v[name]:.9f}")
    return WorkedExample(values=v, chains=chains, lines=lines, dot=dot)
