"""``chainrule bench`` hands its options to the benchmark suite and refuses bad ones."""

from __future__ import annotations

import benchmarks.__main__ as suite
from chainrule.cli import main


def test_options_reach_the_suite(monkeypatch):
    seen = []
    monkeypatch.setattr(suite, "main", lambda argv: seen.append(argv) or 0)
    assert main(["bench", "--quick", "--reps", "2", "--threads", "1", "--json", "b.json"]) == 0
    assert seen == [["--quick", "--reps", "2", "--threads", "1", "--json", "b.json"]]


def test_bad_thread_count_is_one_line_and_exit_2(capsys):
    assert main(["bench", "--threads", "0"]) == 2
    err = capsys.readouterr().err
    assert "bench: --threads must be >= 1, got 0" in err and len(err.strip().splitlines()) == 1
