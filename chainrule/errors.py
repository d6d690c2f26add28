"""The errors chainrule raises: each names the op and what was wrong."""

from __future__ import annotations


class ShapeError(ValueError):
    """Shapes that cannot work together (matmul, broadcasting, reshape, gradients)."""


class ValueRangeError(ValueError):
    """A value an op does not accept: a class index beyond the classes, a probability outside
    [0, 1], an unknown reduction."""


class DTypeError(TypeError):
    """A dtype an op cannot take, e.g. an integer tensor asked to require gradients."""


class GraphError(RuntimeError):
    """Misuse of the computational graph: freed graph, in-place change of a saved array."""
