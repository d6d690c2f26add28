"""Review 4 of the explain tools: they record their own graph whatever the caller's grad mode."""

from __future__ import annotations

import chainrule as cr
from chainrule.explain import explain_expression, explain_worked_example


def test_explain_expression_under_no_grad_gives_the_published_gradients():
    """e = (a + b) * (b + 1) at a = 2, b = 1: de/da = 2, de/db = 5 (the reference's numbers),
    also from inside a caller's ``no_grad`` block, which stays off afterwards."""
    with cr.no_grad():
        explanation = explain_expression("(a + b) * (b + 1)", {"a": 2.0, "b": 1.0})
        assert not cr.is_grad_enabled()
    assert explanation.gradients["a"] == 2.0
    assert explanation.gradients["b"] == 5.0
    assert [step.partials for step in explanation.steps][-1] == (2.0, 3.0)  # de/dc = d, de/dd = c


def test_explain_worked_example_under_no_grad_gives_the_published_weights():
    """The 2-2-2 example's published results after one step: w5 = 0.35891648, w1 = 0.149780716."""
    with cr.no_grad():
        example = explain_worked_example()
    assert round(example.values["w5"], 8) == 0.35891648
    assert round(example.values["w1"], 9) == 0.149780716
    assert round(example.values["E_total"], 9) == 0.298371109
