"""``chainrule bench``: the benchmark suite of ``benchmarks/`` (same as ``python -m benchmarks``).

The suite lives in the source checkout, not in the installed package, so this command needs
to run from the repository root (or with it on PYTHONPATH). An installed ``chainrule`` script
does not have the current folder on ``sys.path``, so the root is added when it holds the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

from chainrule.cli import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench",
        help="time chainrule against hand-written NumPy and PyTorch",
        description="Run every benchmark workload (MLP SGD/Adam epochs, inference, per-op "
        "overhead, long chains, the classic Network) for chainrule, the hand-written NumPy "
        "floor and PyTorch when installed, check they agree, print the table judged against "
        "issue 5's targets, write JSON and a picture of the ratios (.png) next to it.",
    )
    p.add_argument("--quick", action="store_true", help="a few hundred batches, 2 repetitions")
    p.add_argument("--reps", type=int, default=None, help="repetitions (default 2 / 5)")
    p.add_argument(
        "--batches",
        type=int,
        default=None,
        help="batches per workload (default 300 with --quick, else one epoch)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for every contender: NumPy's BLAS and torch (default: all cores)",
    )
    p.add_argument(
        "--json",
        default=None,
        metavar="FILE",
        help="where to write the results (the picture goes next to it, .png)",
    )
    p.set_defaults(handler=run_bench)


def run_bench(args) -> int:
    root = Path.cwd()
    if (root / "benchmarks" / "__main__.py").is_file() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        from benchmarks.__main__ import json_target_problem, main
    except ModuleNotFoundError as exc:
        if exc.name != "benchmarks":
            raise
        raise UsageError(
            "bench: the benchmarks/ folder of a source checkout is needed; run from the "
            "repository root"
        ) from None
    for option in ("reps", "batches", "threads"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise UsageError(f"bench: --{option} must be >= 1, got {value}")
    # the suite's own refusal would print its usage under another name: one line here instead
    problem = json_target_problem(Path(args.json)) if args.json else None
    if problem:
        raise UsageError(f"bench: --json: {problem}")
    argv = ["--quick"] if args.quick else []
    argv += ["--reps", str(args.reps)] if args.reps else []
    argv += ["--batches", str(args.batches)] if args.batches else []
    argv += ["--threads", str(args.threads)] if args.threads else []
    argv += ["--json", args.json] if args.json else []
    return main(argv)
