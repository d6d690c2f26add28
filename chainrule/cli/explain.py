"""``chainrule explain``: an expression's derivatives step by step, or the worked 2-2-2 network."""

from __future__ import annotations

import argparse

from chainrule.cli import UsageError

EXAMPLES = """examples:
  chainrule explain "(a + b) * (b + 1)" a=2 b=1
  chainrule explain "sigmoid(w * x + b)" w=0.5 x=2 b=-1 --png neuron.png
  chainrule explain worked-example        # the 2-2-2 network, one gradient-descent step
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "explain",
        help="explain the chain rule on an expression or the worked 2-2-2 example",
        description="Print the forward pass step by step, every local derivative, and the "
        "backward pass as sums over paths of products of edge derivatives. The expression may "
        "use numbers, names, + - * / **, parentheses and exp, log, tanh, sigmoid, relu.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "expression", help='an expression such as "(a + b) * (b + 1)", or worked-example'
    )
    p.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a value for each variable")
    p.add_argument("--dot", metavar="FILE", help="also write the graph as Graphviz DOT text")
    p.add_argument("--png", metavar="FILE", help="also draw the graph as PNG (needs graphviz)")
    p.set_defaults(handler=run_explain)


def parse_assignments(items: list[str]) -> dict[str, float]:
    """``["a=2", "b=1"]`` -> ``{"a": 2.0, "b": 1.0}``; a malformed item is a UsageError."""
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise UsageError(f"expected NAME=VALUE such as a=2, got {item!r}")
        if name in values:  # the last one would win silently, hiding a typo
            raise UsageError(f"{name}: given twice ({name}={values[name]:g}, then {item})")
        try:
            values[name] = float(text)
        except ValueError:
            raise UsageError(f"{name}: {text!r} is not a number") from None
    return values


def explanation_for(expression: str, items: list[str]):
    """The Explanation of ``expression`` at ``items``, with bad input as a UsageError."""
    from chainrule.explain import ExpressionError, explain_expression

    try:
        return explain_expression(expression, parse_assignments(items))
    except ExpressionError as exc:
        raise UsageError(str(exc)) from None


def run_explain(args) -> int:
    if args.expression == "worked-example":
        from chainrule.explain import explain_worked_example

        if args.values:
            raise UsageError("worked-example takes no NAME=VALUE arguments")
        example = explain_worked_example()
        print(example.format())
        dot = example.dot
    else:
        explanation = explanation_for(args.expression, args.values)
        print(explanation.format())
        dot = explanation.to_dot()
    for path in (args.dot, args.png):
        if path:
            write_picture(dot, path)
    return 0


def write_picture(dot: str, path: str) -> None:
    """Write DOT text to ``path`` (.dot) or draw it (.svg/.png/.pdf); say where it went."""
    from chainrule.autograd.graph import render
    from chainrule.errors import GraphError

    try:
        render(dot, path)
    except (ValueError, GraphError) as exc:
        raise UsageError(str(exc)) from None
    print(f"graph written to {path}")
