"""``cr.graph.render``: SVG/PNG through Graphviz when present, a clear message when not."""

from __future__ import annotations

import shutil

import pytest

import chainrule as cr
from chainrule.autograd import graph as graph_module
from tests.graph.dot_parsing import parse_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def _expression():
    a = cr.tensor(2.0, requires_grad=True)
    b = cr.tensor(1.0, requires_grad=True)
    return (a + b) * (b + 1)


@needs_dot
def test_render_svg_and_png(tmp_path):
    e = _expression()
    svg = cr.graph.render(e, tmp_path / "e.svg")
    text = svg.read_text()
    assert "<svg" in text and "Mul" in text
    png = cr.graph.render(cr.graph.to_dot(e), tmp_path / "e.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_dot_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="apt-get install graphviz"):
        cr.graph.render(_expression(), tmp_path / "e.png")
    assert not (tmp_path / "e.png").exists()
    path = cr.graph.render(_expression(), tmp_path / "e.dot")  # DOT text needs no Graphviz
    nodes, edges = parse_dot(path.read_text())
    assert len(nodes) == 5 and len(edges) == 5


def test_missing_dot_on_an_empty_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="graphviz"):
        cr.graph.render(_expression(), tmp_path / "e.svg")


def test_unknown_format_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"unknown picture format '\.jpeg'"):
        cr.graph.render(_expression(), tmp_path / "e.jpeg")
