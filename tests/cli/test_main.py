"""What every subcommand shares: Ctrl-C in one line, and the installed script finding the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import chainrule.train.run as run_module
from chainrule.cli import main

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "chainrule"


def _interrupted(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_outside_train_is_one_line_and_exit_130(monkeypatch, capsys):
    monkeypatch.setattr(run_module, "load_trained", _interrupted)
    assert main(["eval", "some-run"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "interrupted"


def test_ctrl_c_with_debug_keeps_the_traceback(monkeypatch):
    monkeypatch.setattr(run_module, "load_trained", _interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["--debug", "eval", "some-run"])


@pytest.mark.skipif(not SCRIPT.is_file(), reason="the chainrule script is not installed")
@pytest.mark.parametrize(
    ("folder", "message"),
    [(REPO, "--reps must be >= 1, got 0"), (Path("/"), "run from the repository root")],
)
def test_installed_script_finds_the_suite_from_the_repository_root(folder, message):
    # --reps 0 is refused after the suite is imported: the message shows it was found
    done = subprocess.run(
        [str(SCRIPT), "bench", "--reps", "0"], cwd=folder, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert message in done.stderr
