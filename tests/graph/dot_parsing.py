"""A small reader for the DOT text ``cr.graph.to_dot`` writes: nodes with labels, edges."""

from __future__ import annotations

import re

_NODE = re.compile(r'^\s*(n\d+) \[label="((?:[^"\\]|\\.)*)"')
_EDGE = re.compile(r'^\s*(n\d+) -> (n\d+)(?: \[label="((?:[^"\\]|\\.)*)"\])?;$')


def parse_dot(text: str) -> tuple[dict[str, list[str]], list[tuple[str, str, str | None]]]:
    """``({node id: label lines}, [(source id, target id, edge label or None)])``."""
    assert text.startswith("digraph") and text.rstrip().endswith("}")
    nodes, edges = {}, []
    for line in text.splitlines():
        if match := _EDGE.match(line):
            edges.append(match.groups())
        elif match := _NODE.match(line):
            nodes[match.group(1)] = match.group(2).split("\\n")
    return nodes, edges


def by_title(nodes: dict[str, list[str]]) -> dict[str, list[str]]:
    """Label lines keyed by the node's name (the part of the title before ' = ')."""
    return {lines[0].split(" = ")[0]: lines for lines in nodes.values()}
