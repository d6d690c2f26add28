"""The ``chainrule`` command: ``train``, ``eval``, ``predict``, ``explain``, ``graph``, ``bench``.

Each subcommand lives in its own module with ``register(subparsers)``, which adds its parser
and sets ``handler``. Bad input raises ``UsageError`` (or a dataset, checkpoint or file
error): one line on stderr, exit code 2, and the traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

SUBCOMMAND_MODULES = ("train", "eval", "predict", "explain", "graph", "bench")


class UsageError(Exception):
    """A user mistake on the command line (bad option value, missing or corrupt file)."""


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` report a bad option in one line (exit code 2) instead of the usage."""

    def error(message: str):
        parser.exit(2, f"{parser.prog}: error: {message} (see {parser.prog} --help)\n")

    parser.error = error


def parse_sizes(text: str, option: str) -> list[int]:
    """The comma-separated integers of ``option``: ``"256,128"`` -> ``[256, 128]``, a blank
    ``text`` -> ``[]``. An empty item (``8,,4``, ``8,``, ``,``) is refused, not skipped: a
    skipped one would build another network than the one typed."""
    if not text.strip():
        return []
    try:
        return [int(item) for item in text.split(",")]  # int('') and int(' ') raise
    except ValueError:
        raise UsageError(
            f"{option}: expected integers separated by commas, like 256,128, got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Train, evaluate and explain neural networks with chainrule's autodiff engine.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"chainrule.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"chainrule.cli.{name}":
                raise
            continue  # a subcommand not built yet
        module.register(subparsers)
    for command_parser in (parser, *subparsers.choices.values()):
        one_line_errors(command_parser)
    parser.set_defaults(_subparsers=subparsers.choices)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # reported by the subcommand, so the message points to its --help
        args._subparsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    from chainrule.data import DatasetError
    from chainrule.io import CheckpointError

    try:
        return args.handler(args) or 0
    except BrokenPipeError:  # e.g. `chainrule eval RUN | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so flushing stdout at exit cannot fail again
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe
    except KeyboardInterrupt:  # `train` says what it saved; the others write atomically
        if args.debug:
            raise
        print("\ninterrupted", file=sys.stderr)
        return 130  # 128 + SIGINT
    except (UsageError, DatasetError, CheckpointError, OSError) as exc:
        if args.debug:
            raise
        print(f"chainrule {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
