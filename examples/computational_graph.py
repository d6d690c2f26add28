"""The computational graph of ``e = (a + b) * (b + 1)`` at a = 2, b = 1, step by step.

Forward: each node's value. Local derivatives: each edge's partial derivative. Backward:
``backward()`` sums, over every path from e to a leaf, the product of the edge derivatives.

    python examples/computational_graph.py
"""

from __future__ import annotations

import chainrule as cr

a = cr.tensor(2.0, requires_grad=True)
b = cr.tensor(1.0, requires_grad=True)
c = a + b
d = b + 1
e = c * d
for node in (c, d):
    node.retain_grad()  # keep de/dc and de/dd, which backward() otherwise discards

print("Forward pass")
print(f"  a = {a.item():g}, b = {b.item():g}")
print(f"  c = a + b = {c.item():g}")
print(f"  d = b + 1 = {d.item():g}")
print(f"  e = c * d = {e.item():g}")
print("Local derivatives (edge labels)")
print(f"  de/dc = d = {d.item():g}    de/dd = c = {c.item():g}")
print("  dc/da = 1    dc/db = 1    dd/db = 1")
e.backward()
print("Backward pass (sum over paths of products of edge derivatives)")
print(f"  de/dc = {c.grad.item():g}    de/dd = {d.grad.item():g}")
print(f"  de/da = de/dc * dc/da = {d.item():g} * 1 = {a.grad.item():g}")
print(
    f"  de/db = de/dc * dc/db + de/dd * dd/db = {d.item():g} * 1 + {c.item():g} * 1"
    f" = {b.grad.item():g}"
)
