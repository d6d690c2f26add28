"""``chainrule bench`` hands its options to the benchmark suite and refuses bad ones."""

from __future__ import annotations

import pytest

import benchmarks.__main__ as suite
from chainrule.cli import main


def test_options_reach_the_suite(monkeypatch):
    seen = []
    monkeypatch.setattr(suite, "main", lambda argv: seen.append(argv) or 0)
    options = ["--quick", "--reps", "2", "--batches", "40", "--threads", "1", "--json", "b.json"]
    assert main(["bench", *options]) == 0
    assert seen == [options]


@pytest.mark.parametrize("option", ["--threads", "--reps", "--batches"])
def test_a_count_below_one_is_one_line_and_exit_2(option, capsys):
    assert main(["bench", option, "0"]) == 2
    err = capsys.readouterr().err
    assert f"bench: {option} must be >= 1, got 0" in err and len(err.strip().splitlines()) == 1
