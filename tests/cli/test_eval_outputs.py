"""``chainrule eval`` writes its own files and leaves the run's training results alone."""

from __future__ import annotations

import json

import pytest

from chainrule.cli import main

pytest.importorskip("matplotlib")


def test_eval_keeps_the_runs_test_results(tmp_path):
    run = tmp_path / "run"
    assert main(["train", "--model", "16", "--epochs", "2", "--out", str(run), "--quiet"]) == 0
    (run / "confusion.png").write_bytes(b"train's picture")  # marked, to see if it is replaced
    trained = {name: (run / name).read_bytes() for name in ("confusion.png", "test.json")}
    assert main(["eval", str(run / "last.npz")]) == 0
    for name, content in trained.items():  # train's report on best.npz, unchanged
        assert (run / name).read_bytes() == content, name
    assert (run / "eval_confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["eval", str(run)]) == 0  # the run folder means best.npz, as train reported
    evaluated = json.loads((run / "eval.json").read_text())
    assert evaluated == json.loads(trained["test.json"])
