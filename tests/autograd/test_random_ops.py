"""Every op on shapes, axes and values drawn by hypothesis: gradcheck and PyTorch agree.

One case per op: a function of hypothesis' ``data`` returning the float64 input arrays, the
chainrule expression and the PyTorch expression (which receives the torch module first).
Non-differentiable parts (masks, index arrays, NumPy operands) are drawn into the closures.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr
from tests.helpers import assert_matches_torch, away_from, smooth_values

SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)


def _rng(data):
    return np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))


def _axis_kwargs(data, name, axis):
    """``{"axis": axis}`` or PyTorch's alias ``{"dim": axis}``."""
    return {data.draw(st.sampled_from(["axis", "dim"]), label=f"{name} keyword"): axis}


def scalar_left(data):
    op = data.draw(st.sampled_from(["+", "-", "*", "/", "**"]), label="op")
    s = data.draw(st.sampled_from([0.5, 1.5, 2.0, 3]), label="scalar")
    x = smooth_values(_rng(data), data.draw(SHAPES))
    fn = {
        "+": lambda a: s + a,
        "-": lambda a: s - a,
        "*": lambda a: s * a,
        "/": lambda a: s / a,
        "**": lambda a: s**a,
    }[op]
    return [x], fn, lambda t, a: fn(a)


def array_left(data):
    op = data.draw(st.sampled_from(["+", "-", "*", "/"]), label="op")
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    rng = _rng(data)
    left, x = smooth_values(rng, shapes.input_shapes[0]), smooth_values(rng, shapes.input_shapes[1])
    fn = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
    }[op]
    return [x], lambda a: fn(left, a), lambda t, a: fn(t.tensor(left), a)


def negation(data):
    return [smooth_values(_rng(data), data.draw(SHAPES))], lambda a: -a, lambda t, a: -a


def matmul(data):
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3)
    )
    rng = _rng(data)
    arrays = [rng.normal(size=s) for s in shapes.input_shapes]
    return arrays, lambda a, b: a @ b, lambda t, a, b: a @ b


def clip(data):
    bounds = st.lists(st.sampled_from([-1.0, -0.3, 0.2, 0.9]), min_size=2, max_size=2, unique=True)
    low, high = sorted(data.draw(bounds, label="bounds"))
    x = away_from(smooth_values(_rng(data), data.draw(SHAPES)), low, high)
    return [x], lambda a: cr.clip(a, low, high), lambda t, a: t.clamp(a, low, high)


def where(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    rng = _rng(data)
    condition = rng.random(shapes.input_shapes[0]) > 0.5
    arrays = [rng.normal(size=s) for s in shapes.input_shapes[1:]]
    return (
        arrays,
        lambda a, b: cr.where(condition, a, b),
        lambda t, a, b: t.where(t.tensor(condition), a, b),
    )


def _softmax_like(name):
    def case(data):
        shape = data.draw(SHAPES)
        axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
        kwargs = _axis_kwargs(data, name, axis)
        x = _rng(data).normal(size=shape) * 3
        return [x], lambda a: getattr(cr, name)(a, **kwargs), lambda t, a: getattr(t, name)(a, axis)

    return case


def reduction(data):
    name = data.draw(st.sampled_from(["sum", "mean", "max", "min", "var", "logsumexp"]))
    shape = data.draw(SHAPES)
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=len(shape)))
    axes = [a % len(shape) for a in axes]
    axis = tuple(sorted(set(axes))) or None
    keepdims = data.draw(st.booleans(), label="keepdims")
    kwargs = _axis_kwargs(data, name, axis)
    ddof = data.draw(st.sampled_from([0, 1]), label="ddof") if name == "var" else None
    if ddof is not None:
        kwargs["ddof"] = ddof
        reduced = np.prod([shape[a] for a in (axis or range(len(shape)))])
        if reduced <= ddof:
            kwargs["ddof"] = ddof = 0
    x = smooth_values(_rng(data), shape)
    dims = axis if axis is not None else tuple(range(len(shape)))

    def theirs(t, a):
        if name == "var":
            return t.var(a, dim=dims, correction=ddof, keepdim=keepdims)
        torch_name = {"max": "amax", "min": "amin"}.get(name, name)
        return getattr(t, torch_name)(a, dim=dims, keepdim=keepdims)

    return [x], lambda a: getattr(cr, name)(a, keepdims=keepdims, **kwargs), theirs


def squeeze_unsqueeze(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    x = _rng(data).normal(size=shape)
    ones = [i for i, n in enumerate(shape) if n == 1]
    if ones and data.draw(st.booleans(), label="squeeze"):
        axis = data.draw(st.sampled_from(ones), label="axis")
        return [x], lambda a: a.squeeze(axis), lambda t, a: a.squeeze(axis)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    return [x], lambda a: cr.unsqueeze(a, dim=axis), lambda t, a: a.unsqueeze(axis)


def broadcast_to(data):
    target = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="target")
    shape = data.draw(hnp.broadcastable_shapes(target, max_dims=len(target)), label="shape")
    target = np.broadcast_shapes(shape, target)
    x = _rng(data).normal(size=shape)
    return [x], lambda a: cr.broadcast_to(a, target), lambda t, a: a.broadcast_to(target)


def reshape_transpose(data):
    shape = data.draw(SHAPES)
    perm = data.draw(st.permutations(range(len(shape))), label="perm")
    x = _rng(data).normal(size=shape)
    return (
        [x],
        lambda a: a.permute(*perm).reshape(-1, 1),
        lambda t, a: a.permute(*perm).reshape(-1, 1),
    )


def concatenate(data):
    shape = data.draw(SHAPES)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="sizes")
    rng = _rng(data)
    arrays = []
    for n in sizes:
        s = list(shape)
        s[axis] = n
        arrays.append(rng.normal(size=s))
    return (
        arrays,
        lambda *xs: cr.concatenate(xs, axis=axis),
        lambda t, *xs: t.cat(xs, dim=axis),
    )


def getitem(data):
    shape = data.draw(SHAPES)
    kind = data.draw(st.sampled_from(["slice", "integers", "mask"]), label="kind")
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    n = shape[axis]
    if kind == "slice":
        start, stop = data.draw(st.integers(-n, n)), data.draw(st.integers(-n, n))
        step = data.draw(st.sampled_from([1, 2, 3]))
        index = slice(start, stop, step)
        torch_index = index
    elif kind == "integers":  # repeats and negative indices: gradients must accumulate
        index = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6)))
        torch_index = None
    else:
        index = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        torch_index = None
    full = (slice(None),) * axis + (index,)
    x = _rng(data).normal(size=shape)

    def theirs(t, a):
        i = torch_index if torch_index is not None else t.tensor(index)
        return a[(slice(None),) * axis + (i,)]

    return [x], lambda a: a[full], theirs


def linear(data):
    batch = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), label="batch")
    n_in, n_out = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    rng = _rng(data)
    arrays = [rng.normal(size=batch + (n_in,)), rng.normal(size=(n_in, n_out))]
    if data.draw(st.booleans(), label="bias"):
        arrays.append(rng.normal(size=n_out))
    return arrays, cr.linear, lambda t, x, w, b=None: x @ w + (0 if b is None else b)


def prelu(data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=4, max_side=3))
    channels = data.draw(st.sampled_from([1, shape[1]]), label="channels")
    rng = _rng(data)
    x = smooth_values(rng, shape)
    weight = rng.random(channels) * 0.5
    return [x, weight], cr.prelu, lambda t, a, w: t.nn.functional.prelu(a, w)


def leaky_relu(data):
    slope = data.draw(st.sampled_from([0.01, 0.2, 1.5]), label="slope")
    x = smooth_values(_rng(data), data.draw(SHAPES))
    return (
        [x],
        lambda a: cr.leaky_relu(a, slope),
        lambda t, a: t.nn.functional.leaky_relu(a, slope),
    )


CASES = {
    "scalar_left": scalar_left,
    "array_left": array_left,
    "neg": negation,
    "matmul": matmul,
    "clip": clip,
    "where": where,
    "softmax": _softmax_like("softmax"),
    "log_softmax": _softmax_like("log_softmax"),
    "reduction": reduction,
    "squeeze_unsqueeze": squeeze_unsqueeze,
    "broadcast_to": broadcast_to,
    "reshape_transpose": reshape_transpose,
    "concatenate": concatenate,
    "getitem": getitem,
    "linear": linear,
    "prelu": prelu,
    "leaky_relu": leaky_relu,
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_gradcheck(name, data):
    arrays, ours, _ = CASES[name](data)
    assert cr.gradcheck(ours, arrays)


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_matches_torch(name, data):
    pytest.importorskip("torch")
    arrays, ours, theirs = CASES[name](data)
    assert_matches_torch(ours, theirs, arrays)
