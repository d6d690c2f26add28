"""Review 4 of the graph tools: collapsed module labels, `chainrule graph --expr` options."""

from __future__ import annotations

import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.cli import main
from tests.graph.dot_parsing import parse_dot


def test_collapse_modules_labels_a_bare_layer_model_by_its_class():
    """A model that is one Linear owns its parameters itself (module name ""): the collapsed
    node reads "Linear", not ": Linear" with an empty name before the colon."""
    model = nn.Linear(2, 1)
    loss = model(cr.tensor([[1.0, 2.0]])).sum()
    nodes, _ = parse_dot(cr.graph.to_dot(loss, model=model, collapse_modules=True))
    titles = [lines[0] for lines in nodes.values()]
    assert "Linear" in titles
    assert not any(title.startswith(":") for title in titles)


@pytest.mark.parametrize("option", [["--collapse-modules"], ["--model", "32"], ["--seed", "3"]])
def test_graph_expr_refuses_model_options(tmp_path, capsys, option):
    """``chainrule graph --expr`` draws the expression only: a model option beside it was
    silently ignored (the picture had no modules to collapse); now it is refused by name."""
    out = tmp_path / "e.dot"
    code = main(["graph", "--expr", "(a + b) * (b + 1)", "a=2", "b=1", *option, "--out", str(out)])
    assert code == 2
    assert option[0] in capsys.readouterr().err
    assert not out.exists()
