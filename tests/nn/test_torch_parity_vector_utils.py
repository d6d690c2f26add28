"""PyTorch parity of F.one_hot, F.normalize, F.cosine_similarity, F.pairwise_distance and
nn.Unflatten / CosineSimilarity / PairwiseDistance: values and gradients against torch 2.13
(float64 and float32), finite differences, zero vectors, reprs and errors."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((4, 5, 3)), RNG.standard_normal((1, 5, 3))

# (id, name, inputs, options): the same call on F and on torch.nn.functional
CALLS = [
    ("normalize", "normalize", (A,), {}),
    ("normalize-p1-dim2", "normalize", (A,), {"p": 1.0, "dim": 2}),
    ("normalize-p3-dim0", "normalize", (A,), {"p": 3.0, "dim": 0}),
    ("cosine", "cosine_similarity", (A, B), {}),
    ("cosine-dim-1", "cosine_similarity", (A, B), {"dim": -1}),
    ("distance", "pairwise_distance", (A, B), {}),
    ("distance-p1-keepdim", "pairwise_distance", (A, B), {"p": 1.0, "keepdim": True}),
]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-6)], ids=str)
@pytest.mark.parametrize(("case", "name", "inputs", "options"), CALLS, ids=[c[0] for c in CALLS])
def test_values_and_gradients_match_torch(case, name, inputs, options, dtype, tol):
    ours_in = [cr.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    theirs_in = [torch.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    ours, theirs = getattr(F, name)(*ours_in, **options), getattr(TF, name)(*theirs_in, **options)
    weights = np.random.default_rng(1).standard_normal(theirs.shape).astype(dtype)
    ours.backward(gradient=weights)
    theirs.backward(gradient=torch.tensor(weights))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    for x, t in zip(ours_in, theirs_in, strict=True):
        assert x.grad.dtype == dtype
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize(("case", "name", "inputs", "options"), CALLS, ids=[c[0] for c in CALLS])
def test_gradients_match_finite_differences(case, name, inputs, options):
    assert cr.gradcheck(lambda *xs: getattr(F, name)(*xs, **options), inputs)


def test_zero_vectors_are_left_at_zero_as_torch():
    zero, x = np.zeros((2, 3)), RNG.standard_normal((2, 3))
    pairs = [
        (F.normalize(cr.tensor(zero)), TF.normalize(torch.tensor(zero))),
        (
            F.cosine_similarity(cr.tensor(zero), cr.tensor(x)),
            TF.cosine_similarity(torch.tensor(zero), torch.tensor(x)),
        ),
        (
            F.pairwise_distance(cr.tensor(x), cr.tensor(x)),
            TF.pairwise_distance(torch.tensor(x), torch.tensor(x)),
        ),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("num_classes", [-1, 5])
def test_one_hot_matches_torch(num_classes):
    labels = np.array([[0, 3], [2, 2], [1, 0]])
    ours = F.one_hot(cr.tensor(labels), num_classes)
    theirs = TF.one_hot(torch.tensor(labels), num_classes)
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_one_hot_errors_name_the_op():
    with pytest.raises(ValueRangeError, match="one_hot: class values must be smaller than num"):
        F.one_hot(cr.tensor([0, 3]), 3)
    with pytest.raises(ValueRangeError, match="one_hot: class values must be non-negative"):
        F.one_hot(cr.tensor([0, -1]))
    with pytest.raises(DTypeError, match="one_hot: expects integer class indices"):
        F.one_hot(cr.tensor([0.0, 1.0]))
    with pytest.raises(ValueRangeError, match="one_hot: cannot infer num_classes"):
        F.one_hot(cr.tensor(np.zeros(0, np.int64)))


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.Unflatten(1, (3, 5)),
        lambda m: m.Unflatten(-1, [3, -1]),
        lambda m: m.Unflatten(0, (2, 1, 2)),
    ],
)
def test_unflatten_matches_torch(make):
    values = RNG.standard_normal((4, 15))
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, expected = ours(x), theirs(t)
    assert y.shape == tuple(expected.shape)
    (y * y).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_array_equal(y.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_unflatten_errors_name_the_layer():
    with pytest.raises(ShapeError, match="Unflatten: sizes \\[2, 5\\] do not multiply up"):
        nn.Unflatten(1, (2, 5))(cr.zeros(3, 7))
    with pytest.raises(ShapeError, match="Unflatten: sizes \\[-1, -1\\]"):
        nn.Unflatten(1, (-1, -1))(cr.zeros(3, 4))
    with pytest.raises(ShapeError, match="Unflatten: dimension 2 out of range"):
        nn.Unflatten(2, (2, 2))(cr.zeros(3, 4))


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.CosineSimilarity(),
        lambda m: m.CosineSimilarity(dim=2, eps=1e-3),
        lambda m: m.PairwiseDistance(),
        lambda m: m.PairwiseDistance(p=1.0, keepdim=True),
    ],
)
def test_distance_modules_match_torch(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    y = ours(cr.tensor(A), cr.tensor(B))
    expected = theirs(torch.tensor(A), torch.tensor(B))
    np.testing.assert_allclose(y.data, expected.numpy(), rtol=1e-12)
