"""Explanations of derivatives: an expression step by step, and the worked 2-2-2 network."""

from chainrule.explain.expression import ExpressionError, parse
from chainrule.explain.steps import Explanation, explain_expression
from chainrule.explain.worked_example import WorkedExample, explain_worked_example

__all__ = [
    "Explanation",
    "ExpressionError",
    "WorkedExample",
    "explain_expression",
    "explain_worked_example",
    "parse",
]
