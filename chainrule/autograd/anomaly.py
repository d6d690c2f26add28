"""Anomaly detection: which op's backward made the first NaN, and where that op was called.

``with cr.autograd.detect_anomaly(): loss.backward()`` (PyTorch's name, and its
``set_detect_anomaly(mode)``): while it is on, every op recorded in the graph remembers the
line of user code that called it, and the backward pass checks each gradient an op returns;
the first one holding a NaN stops the pass with a ``GraphError`` that names the op, the
input and that line. Off by default: recording a stack per op is slow, and the engine then
pays one test per backward pass for the feature.
"""

from __future__ import annotations

import os
import traceback

import numpy as np

from chainrule.autograd import function as _function
from chainrule.errors import GraphError

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _State:
    """Global, as in PyTorch: on in one thread means on in all."""

    enabled = False
    check_nan = True


state = _State()


def is_anomaly_enabled() -> bool:
    return state.enabled


class set_detect_anomaly:  # noqa: N801 - PyTorch's name; a function-like context manager
    """Turn anomaly detection on or off (``mode``) until the end of the ``with`` block, or for
    good when called alone. ``check_nan=False`` keeps the op locations without the checks."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._previous = (state.enabled, state.check_nan)
        _switch(bool(mode), bool(check_nan))

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info) -> None:
        _switch(*self._previous)


class detect_anomaly(set_detect_anomaly):  # noqa: N801 - PyTorch's name
    """Anomaly detection on inside the ``with`` block (see the module's docstring)."""

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__(True, check_nan)


def _switch(enabled: bool, check_nan: bool) -> None:
    """Set the state; the op-location hook is installed exactly while detection is on."""
    installed = _remember_origin in _function.apply_hooks
    if enabled and not installed:
        _function.apply_hooks.append(_remember_origin)
    elif not enabled and installed:
        _function.apply_hooks.remove(_remember_origin)
    state.enabled, state.check_nan = enabled, check_nan


def _remember_origin(fn_class, ctx, inputs, output) -> None:
    """The ``apply`` hook: keep, on a recorded node, the innermost frame outside chainrule."""
    if output.grad_fn is not ctx:
        return
    for frame in reversed(traceback.extract_stack(limit=30)):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE):
            ctx.origin = f"{frame.filename}, line {frame.lineno}, in {frame.name}: {frame.line}"
            return


def check_gradients(node, results: tuple) -> None:
    """Raise if a gradient ``node``'s backward returned holds a NaN (when checks are on)."""
    if not state.check_nan:
        return
    for i, grad in enumerate(results):
        if grad is not None and np.isnan(grad).any():
            origin = getattr(node, "origin", None)
            where = f"; the op was called at {origin}" if origin else ""
            raise GraphError(
                f"detect_anomaly: the backward of {node.name} returned NaN in the gradient "
                f"for its input {i}{where}"
            )
