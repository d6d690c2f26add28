"""Switches for graph recording: ``no_grad``, ``enable_grad`` and ``set_grad_enabled``
(context managers and decorators, as in PyTorch)."""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    """The flag ``Function.apply`` reads on every op, one per thread as in PyTorch: a
    ``no_grad`` block in one thread (say, evaluation) must not stop another from recording.
    Each thread starts with recording on (the class attribute)."""

    enabled = True


state = _State()


class _GradMode:
    """Sets grad recording to ``self.mode`` inside a ``with`` block or a decorated function.

    As a decorator it works with or without parentheses (``@no_grad()`` and ``@no_grad``, as
    in PyTorch); a decorated generator runs under the mode each time it resumes, while its
    caller keeps its own mode between the values it yields.
    """

    mode = True

    def __new__(cls, fn=None):
        switch = super().__new__(cls)
        return switch if fn is None else switch(fn)

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        state.enabled = self._previous

    def __call__(self, fn):
        if not callable(fn):
            raise TypeError(
                f"{type(self).__name__}: can decorate only a function, got {type(fn).__name__}"
            )
        if inspect.isgeneratorfunction(fn):
            return self._decorate_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._switch():  # a fresh switch per call: recursion restores correctly
                return fn(*args, **kwargs)

        return wrapper

    def _switch(self) -> _GradMode:
        """A fresh switch to this mode, for one call (or one step) of a decorated function."""
        return enable_grad() if self.mode else no_grad()

    def _decorate_generator(self, fn):
        """Wrapping the call alone would leave the mode before the generator's body ever ran:
        instead, every step of the generator (send, throw, close) runs under the mode."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            generator = fn(*args, **kwargs)
            step, sent = generator.send, None
            while True:
                with self._switch():
                    try:
                        response = step(sent)
                    except StopIteration as stop:
                        return stop.value
                try:
                    sent, step = (yield response), generator.send
                except GeneratorExit:
                    with self._switch():
                        generator.close()
                    raise
                except BaseException as exc:  # thrown in by the caller: pass it on
                    sent, step = exc, generator.throw

        return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Record no graph inside the block: for evaluation and in-place parameter updates."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Record the graph again inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):  # noqa: N801 - PyTorch's name
    """Turn recording on (True) or off (False) at once: as a call it stays so; as a ``with``
    block the mode from before comes back at its end; as a decorator it acts inside the
    function only (``@set_grad_enabled(False)`` is ``@no_grad()``)."""

    def __new__(cls, mode: bool):
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be True or False, got {mode!r}")
        self.mode = mode
        self._previous = state.enabled
        state.enabled = mode

    def __enter__(self) -> None:  # the mode was set when the switch was made
        pass

    def __call__(self, fn):
        state.enabled = self._previous  # decorating changes the mode inside fn only
        return super().__call__(fn)


def is_grad_enabled() -> bool:
    """True when ops record the graph."""
    return state.enabled
