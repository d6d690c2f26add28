"""gradcheck on shapes and values drawn by hypothesis: broadcasting, axes, keepdims.

Example counts come from the profile in tests/conftest.py.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr
from tests.helpers import smooth_values

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": cr.maximum,
    "minimum": cr.minimum,
}
UNARY = {
    "exp": cr.exp,
    "log": cr.log,
    "sqrt": cr.sqrt,
    "tanh": cr.tanh,
    "sigmoid": cr.sigmoid,
    "relu": cr.relu,
    "abs": cr.abs,
    "leaky_relu": cr.leaky_relu,
}
REDUCTIONS = {
    "sum": cr.sum,
    "mean": cr.mean,
    "max": cr.max,
    "min": cr.min,
    "var": cr.var,
    "logsumexp": cr.logsumexp,
}


@given(
    st.sampled_from(sorted(BINARY)),
    hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    st.integers(0, 2**16),
)
def test_binary_ops_broadcast(name, shapes, seed):
    rng = np.random.default_rng(seed)
    positive = name in ("pow", "div", "log")
    a = cr.tensor(smooth_values(rng, shapes.input_shapes[0], positive), requires_grad=True)
    b = cr.tensor(smooth_values(rng, shapes.input_shapes[1], positive) + 0.013, requires_grad=True)
    out = BINARY[name](a, b)
    assert out.shape == shapes.result_shape
    assert cr.gradcheck(BINARY[name], [a, b])


@given(
    st.sampled_from(sorted(UNARY)),
    hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    st.integers(0, 2**16),
)
def test_unary_ops(name, shape, seed):
    x = smooth_values(np.random.default_rng(seed), shape, positive=name in ("log", "sqrt"))
    assert cr.gradcheck(UNARY[name], [cr.tensor(x, requires_grad=True)])


@given(
    st.sampled_from(sorted(REDUCTIONS)),
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
    st.data(),
)
def test_reductions_over_random_axes(name, shape, data):
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    axis = tuple(axes) if axes else None
    keepdims = data.draw(st.booleans())
    x = cr.tensor(smooth_values(np.random.default_rng(len(shape)), shape), requires_grad=True)
    fn = REDUCTIONS[name]
    out = fn(x, axis=axis, keepdims=keepdims)
    if name == "logsumexp":
        reference = lambda a, **kw: np.log(np.exp(a).sum(**kw))  # noqa: E731
    else:
        reference = getattr(np, name)
    np.testing.assert_allclose(
        out.data, reference(x.data, axis=axis, keepdims=keepdims), rtol=1e-12
    )
    assert cr.gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), [x])


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.data())
def test_shape_ops(shape, data):
    x = cr.tensor(np.random.default_rng(0).normal(size=shape), requires_grad=True)
    perm = data.draw(st.permutations(range(len(shape))))
    assert cr.gradcheck(lambda t: (t.permute(*perm) * 1.5).reshape(-1)[::2], [x])
    axis = data.draw(st.integers(0, len(shape)))
    assert cr.gradcheck(lambda t: cr.stack([t, t * 2], axis=axis), [x])


@given(st.lists(st.integers(0, 4), min_size=1, max_size=8), st.integers(0, 2**16))
def test_repeated_integer_indices_accumulate(indices, seed):
    x = cr.tensor(np.random.default_rng(seed).normal(size=(5, 2)), requires_grad=True)
    x[np.array(indices)].sum().backward()
    expected = np.bincount(indices, minlength=5)[:, None] * np.ones((5, 2))
    np.testing.assert_array_equal(x.grad.data, expected)
