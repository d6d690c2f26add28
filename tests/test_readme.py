"""The README's Python examples run as printed, and print what their comments say.

Each ```python block is executed in order in one namespace (the second block uses the first
one's ``a`` and ``b``); a line ``print(...)  # text`` must print ``text``. The blocks that use
a model and a batch they do not define (``model``, ``xb``, ``yb``) get small ones here.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np

import chainrule as cr
import chainrule.nn as nn

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
PRINT_WITH_EXPECTATION = re.compile(r"^(print\(.*\))\s+# (.*)$")


def _blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_examples():
    assert len(_blocks()) >= 4


def test_every_python_example_runs_and_prints_what_it_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the checkpoint example writes model.npz here
    rng = np.random.default_rng(0)
    namespace = {
        "model": nn.Sequential(nn.Linear(784, 8), nn.ReLU(), nn.Linear(8, 10)),
        "xb": cr.tensor(rng.random((4, 784), dtype=np.float32)),
        "yb": cr.tensor(rng.integers(0, 10, 4)),
    }
    for number, block in enumerate(_blocks(), start=1):
        lines, expected = [], []
        for line in block.splitlines():
            match = PRINT_WITH_EXPECTATION.match(line)
            if match:
                lines.append(match.group(1))
                expected.append(match.group(2))
            else:
                lines.append(line)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile("\n".join(lines), f"README block {number}", "exec"), namespace)  # noqa: S102
        if expected:
            assert printed.getvalue().splitlines() == expected, f"README block {number}"
    assert (tmp_path / "model.npz").exists()
