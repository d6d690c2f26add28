"""Trainings that run in pieces, so that contenders can take turns within one epoch.

A contender's ``training(...)`` is a generator: each ``next()`` trains one piece (a run of
consecutive batches) and the generator returns the training's result. ``alternate`` in
``benchmarks.__main__`` advances the contenders piece by piece; ``run_to_end`` runs one alone.
"""

from __future__ import annotations


def split(batches: list, pieces: int) -> list[list]:
    """``batches`` cut into ``pieces`` runs of consecutive batches, as equal as possible."""
    if pieces < 1:
        raise ValueError(f"pieces.split: pieces must be >= 1, got {pieces}")
    n = len(batches)
    bounds = [n * i // pieces for i in range(pieces + 1)]
    return [batches[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def run_to_end(training):
    """Run a generator of pieces to its end; its return value."""
    while True:
        try:
            next(training)
        except StopIteration as done:
            return done.value
