"""PyTorch parity of var/std's correction keywords, squeeze(dim), reduction and softmax dtypes,
and gradcheck with integer inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd import jvp

torch = pytest.importorskip("torch")


# ---- var and std: correction / unbiased ---------------------------------------------------

CORRECTIONS = [
    ((4, 3), None, {"correction": 1}),
    ((4, 3), 0, {"correction": 0}),
    ((4, 3), 1, {"correction": 2, "keepdim": True}),
    ((2, 3, 4), (0, 2), {"correction": 1.5}),
    ((5,), 0, {"unbiased": True}),
    ((2, 5), 1, {"unbiased": False}),
    ((3, 4), -1, {"correction": -1}),
]


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize(("shape", "dim", "keywords"), CORRECTIONS)
def test_var_std_correction_and_unbiased_match_torch(op, shape, dim, keywords):
    values = np.random.default_rng(0).standard_normal(shape)
    x = cr.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    ours, theirs = getattr(x, op)(dim=dim, **keywords), getattr(t, op)(dim=dim, **keywords)
    weights = np.random.default_rng(1).standard_normal(theirs.shape)
    ours.backward(gradient=weights)
    theirs.backward(gradient=torch.tensor(weights))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("values", "correction"),
    [
        ([1.0, 2.0, 4.0], 3),  # no degrees of freedom left: inf, gradient nan
        ([1.0, 2.0, 4.0], 5),
        ([3.0, 3.0, 3.0], 1),  # all equal: std 0, gradient 0 (not sqrt's 0/0)
        ([3.0, 3.0, 3.0], 3),  # 0/0: nan
        ([5.0], 1),
        ([[1.0, 1.0], [1.0, 3.0]], 1),  # one row constant, one not
    ],
)
def test_std_without_spread_or_degrees_of_freedom_matches_torch(values, correction):
    # a full reduction: with a dim and correction > n, torch's backward divides by n - correction
    # (negative) where its forward divides by max(0, n - correction), and gives finite gradients
    dim = None if np.ndim(values) == 1 else -1
    x = cr.tensor(np.array(values), requires_grad=True)
    with np.errstate(all="raise"):  # and quietly: no floating-point error escapes
        y = cr.std(x, dim=dim, correction=correction)
        y.sum().backward()
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():  # torch warns that the degrees of freedom are <= 0
        warnings.simplefilter("ignore")
        ty = torch.std(t, dim=dim, correction=correction)
    ty.sum().backward()
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())  # NaNs compare equal here


def test_std_matches_finite_differences():
    values = np.random.default_rng(2).standard_normal((3, 4))
    assert cr.gradcheck(lambda a: a.std(axis=1, correction=1), (values,))
    assert cr.gradcheck(lambda a: cr.std(a, unbiased=False), (values,))


def test_std_forward_mode_matches_torch():
    rng = np.random.default_rng(3)
    values, tangent = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    _, ours = jvp(lambda a: a.std(dim=0, correction=1), (values,), (tangent,))
    _, theirs = torch.func.jvp(
        lambda a: a.std(dim=0, correction=1), (torch.tensor(values),), (torch.tensor(tangent),)
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


def test_std_keeps_float32():
    x = cr.tensor(np.random.default_rng(4).standard_normal((4, 3)), dtype=np.float32)
    x.requires_grad_()
    y = x.std(dim=0, unbiased=True)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_var_ddof_stays_numpy_positional_with_default_zero():
    values = np.random.default_rng(5).standard_normal((4, 3))
    x = cr.tensor(values)
    np.testing.assert_allclose(x.var().data, values.var(), rtol=1e-12)
    np.testing.assert_allclose(x.var(0, False, 1).data, values.var(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(cr.std(x, 1, True, 2).data, values.std(1, keepdims=True, ddof=2))


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize(
    "keywords",
    [
        {"ddof": 1, "correction": 1},
        {"ddof": 2, "unbiased": False},
        {"correction": 1, "unbiased": True},  # torch refuses this pair too
    ],
)
def test_var_std_refuse_two_corrections(op, keywords):
    with pytest.raises(TypeError, match=f"{op}: give one of ddof, correction and unbiased"):
        getattr(cr, op)(cr.tensor([1.0, 2.0, 4.0]), **keywords)


@pytest.mark.parametrize(
    ("keywords", "error", "message"),
    [
        ({"unbiased": 1}, TypeError, "unbiased must be True or False"),
        ({"correction": "1"}, TypeError, "correction must be a number"),
        ({"correction": float("nan")}, cr.ValueRangeError, "correction must be a number"),
    ],
)
def test_var_refuses_a_correction_that_is_not_a_number(keywords, error, message):
    with pytest.raises(error, match=f"var: {message}"):
        cr.tensor([1.0, 2.0, 4.0]).var(**keywords)


# ---- squeeze ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dim"),
    [((2, 1, 3), 0), ((2, 1, 3), 2), ((2, 1, 3), (0, 1)), ((2, 1, 3), (0, 2)), ((2, 1, 1), (-1,))]
    + [((1, 2, 1), (0, 1, 2)), ((), 0), ((2, 1, 3), ())],
)
def test_squeeze_dim_of_other_length_is_kept_as_torch(shape, dim):
    values = np.random.default_rng(6).standard_normal(shape)
    x = cr.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    y, ty = x.squeeze(dim), t.squeeze(dim)
    assert y.shape == tuple(ty.shape)
    assert cr.squeeze(x, dim=dim).shape == y.shape
    (y * 3).sum().backward()
    (ty * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_squeeze_refuses_a_repeated_or_missing_dim():
    x = cr.zeros((2, 1, 3))
    with pytest.raises(cr.ShapeError, match="squeeze: repeated axis"):
        x.squeeze((1, -2))
    with pytest.raises(cr.ShapeError, match="squeeze: axis 3 is out of range"):
        x.squeeze(3)


# ---- PyTorch's float32 for integer inputs -------------------------------------------------

REDUCTIONS = {
    "mean": lambda a: a.mean(dim=1),
    "var": lambda a: a.var(dim=1, correction=1),
    "std": lambda a: a.std(dim=1, correction=1),
    "logsumexp": lambda a: a.logsumexp(dim=1),
    "softmax": lambda a: a.softmax(dim=1),
    "log_softmax": lambda a: a.log_softmax(dim=1),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_reductions_of_integers_give_float32_as_torch_on_float32(name, dtype):
    values = np.random.default_rng(7).integers(0, 2 if dtype is np.bool_ else 9, (3, 4))
    values = values.astype(dtype)
    ours = REDUCTIONS[name](cr.tensor(values))
    # torch refuses integers here except in logsumexp: its float32 result for the same values
    theirs = REDUCTIONS[name](torch.tensor(values.astype(np.float32)))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=2e-6, atol=1e-6)


def test_logsumexp_of_integers_matches_torch_dtype():
    values = np.arange(6).reshape(2, 3)
    ours, theirs = cr.tensor(values).logsumexp(dim=0), torch.tensor(values).logsumexp(dim=0)
    assert theirs.dtype == torch.float32 and ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


def test_softmax_of_integers_keeps_the_float32_floor():
    # the documented floor of the float32 result (NumPy's float64 floor would round to 0)
    y = cr.softmax(cr.tensor([0, 1000]))
    assert y.dtype == np.float32 and y.data[0] == np.finfo(np.float32).tiny


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3, 4), (1, 3)])
def test_reductions_of_float64_stay_float64(name, shape):
    values = np.random.default_rng(8).standard_normal(shape)
    x = cr.tensor(values, requires_grad=True)
    y = REDUCTIONS[name](x)
    theirs = REDUCTIONS[name](torch.tensor(values))
    y.backward(gradient=np.ones(y.shape))
    assert y.dtype == np.float64 and x.grad.dtype == np.float64
    np.testing.assert_allclose(y.data, theirs.numpy(), rtol=1e-12)


# ---- gradcheck with integer inputs --------------------------------------------------------


def _logits_and_labels():
    rng = np.random.default_rng(9)
    return rng.standard_normal((5, 4)), np.array([0, 3, 1, 3, 2])


def test_gradcheck_passes_integer_labels_through_as_torch():
    logits, labels = _logits_and_labels()
    seen = []

    def loss(x, target):
        seen.append(target.data.copy())
        return F.cross_entropy(x, target)

    assert cr.gradcheck(loss, (logits, labels))
    assert cr.gradcheck(loss, [cr.tensor(logits), cr.tensor(labels)])
    assert all(s.dtype == labels.dtype and (s == labels).all() for s in seen)  # never perturbed
    tx = torch.tensor(logits, requires_grad=True)
    assert torch.autograd.gradcheck(torch.nn.functional.cross_entropy, (tx, torch.tensor(labels)))


class _WrongCrossEntropy(cr.Function):
    """Mean cross-entropy from logits whose backward is twice ``softmax - one_hot``."""

    @staticmethod
    def forward(ctx, x, target):
        log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
        ctx.save_for_backward(log_p, target)
        return -log_p[np.arange(len(target)), target].mean()

    @staticmethod
    def backward(ctx, grad_output):
        log_p, target = ctx.saved_tensors
        grad = np.exp(log_p)
        grad[np.arange(len(target)), target] -= 1
        return 2 * grad_output * grad / len(target), None


def test_gradcheck_with_integer_labels_still_catches_a_wrong_backward():
    logits, labels = _logits_and_labels()
    with pytest.raises(cr.GradcheckError, match="gradcheck: input 0 "):
        cr.gradcheck(_WrongCrossEntropy.apply, (logits, labels))


def test_gradcheck_labels_may_come_first_and_errors_name_their_position():
    logits, labels = _logits_and_labels()
    with pytest.raises(cr.GradcheckError, match="gradcheck: input 1 "):
        cr.gradcheck(lambda t, x: _WrongCrossEntropy.apply(x, t), (labels, logits))


def test_gradcheck_refuses_float32_and_inputs_with_nothing_to_check():
    logits, labels = _logits_and_labels()
    with pytest.raises(cr.DTypeError, match="gradcheck: input 0 has dtype float32"):
        cr.gradcheck(F.cross_entropy, (logits.astype(np.float32), labels))
    with pytest.raises(cr.DTypeError, match="gradcheck: no float64 input"):
        cr.gradcheck(lambda t: t * 2.0, (labels,))


# ---- dim=() and axis=() -------------------------------------------------------------------


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "var", "std"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_an_empty_dim_reduces_every_axis_as_in_torch(op, keepdim):
    values = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)
    x = cr.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    extra = {"correction": 1} if op in ("var", "std") else {}
    torch_op = getattr(t, {"max": "amax", "min": "amin"}.get(op, op))
    ours = getattr(x, op)(dim=(), keepdim=keepdim, **extra)
    theirs = torch_op(dim=(), keepdim=keepdim, **extra)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)
    # torch's var/std backward takes dim=() as no axis (an infinite gradient for the finite
    # value it computed), so the gradient is compared with the reduction over every axis
    ours.sum().backward()
    torch_op(dim=(0, 1), keepdim=keepdim, **extra).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-5)


def test_an_empty_axis_keeps_numpys_meaning_and_squeeze_dim_empty_drops_nothing():
    values = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(cr.tensor(values).sum(axis=()).data, values.sum(axis=()))
    assert cr.squeeze(cr.zeros(1, 3, 1), dim=()).shape == tuple(
        torch.zeros(1, 3, 1).squeeze(dim=()).shape
    )


# ---- maximum / minimum where an input is NaN ---------------------------------------------------


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_minimum_gradients_at_nan_and_ties_match_torch(op):
    a_values = np.array([np.nan, 1.0, 2.0, 3.0, np.nan], np.float32)
    b_values = np.array([0.0, np.nan, 2.0, 1.0, np.nan], np.float32)
    a, b = (cr.tensor(v, requires_grad=True) for v in (a_values, b_values))
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a_values, b_values))
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32)
    getattr(cr, op)(a, b).backward(gradient=weights)
    getattr(torch, op)(ta, tb).backward(gradient=torch.tensor(weights))
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.data, tb.grad.numpy())
    # forward mode shares the same way: the tangent of a alone is its weighted share
    _, tangent = jvp(lambda u: getattr(cr, op)(u, b), (a.detach(),), (weights,))
    np.testing.assert_array_equal(tangent.data, ta.grad.numpy())
