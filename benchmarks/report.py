"""The results table (medians, ratios to the NumPy floor and to PyTorch) and its JSON file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

CONTENDERS = ("numpy", "chainrule", "torch")


def table(rows: list[dict]) -> str:
    """Markdown table of ``rows`` with keys workload, numpy, chainrule, torch (seconds) and,
    where measured, ``per_rep``: the range of chainrule / floor over the repetitions."""
    lines = [
        "| workload | NumPy floor | chainrule | PyTorch "
        "| chainrule / floor | per repetition | chainrule / PyTorch |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        unit = r.get("unit", "s")
        cell = {k: "—" if r.get(k) is None else f"{r[k]:.4g} {unit}" for k in CONTENDERS}

        floor = f"{r['chainrule'] / r['numpy']:.2f}×" if r.get("numpy") else "—"
        vs_torch = f"{r['chainrule'] / r['torch']:.2f}×" if r.get("torch") else "—"
        spread = r.get("per_rep")
        per_rep = f"{spread['min']:.2f}–{spread['max']:.2f}×" if spread else "—"
        lines.append(
            f"| {r['workload']} | {cell['numpy']} | {cell['chainrule']} | {cell['torch']} "
            f"| {floor} | {per_rep} | {vs_torch} |"
        )
    return "\n".join(lines)


def write_json(results: dict, path: Path) -> None:
    """Write ``results`` to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(results, f, indent=2)
    os.replace(tmp, path)
