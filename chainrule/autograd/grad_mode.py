"""Switches for graph recording: ``no_grad`` and ``enable_grad`` (context managers, decorators)."""

from __future__ import annotations

import functools


class _State:
    """Module-level flag read by ``Function.apply`` on every op (a plain attribute: cheap)."""

    enabled = True


state = _State()


class _GradMode:
    """Sets grad recording to ``self.mode`` inside a ``with`` block or a decorated function."""

    mode = True

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        state.enabled = self._previous

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Record no graph inside the block: for evaluation and in-place parameter updates."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Record the graph again inside a ``no_grad`` block."""

    mode = True


def is_grad_enabled() -> bool:
    """True when ops record the graph."""
    return state.enabled
