"""Second review of graph export: drawing a retained graph after an in-place change."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.graph import to_dot
from tests.graph.dot_parsing import parse_dot


def test_to_dot_after_an_in_place_change_names_to_dot_and_the_remedy():
    # the refusal used to read "backward: ... Use an out-of-place op (y = y + 1) instead",
    # from a call that was no backward, about an optimizer step no user would rewrite
    torch = pytest.importorskip("torch")
    a_np, b_np = 2.0, 3.0
    a, b = (cr.tensor(v, dtype=np.float64, requires_grad=True) for v in (a_np, b_np))
    e = a * b + b
    e.backward(retain_graph=True)
    _, edges = parse_dot(to_dot(e))
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a_np, b_np))
    te = ta * tb + tb
    te.backward(retain_graph=True)
    # before the change the picture carries the local derivatives ∂(ab)/∂a = b, ∂(ab)/∂b = a
    assert sorted(float(label) for _, _, label in edges) == [1.0, 1.0, a_np, b_np]
    with cr.no_grad():
        a.add_(1.0)  # as an optimizer step would: Mul's saved a is no longer the graph's a
    with torch.no_grad():
        ta.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        te.backward()  # torch refuses the stale saved value too
    with pytest.raises(cr.GraphError, match=r"^to_dot: an array saved by Mul") as info:
        to_dot(e)
    assert "before optimizer.step()" in str(info.value) and "backward" not in str(info.value)
