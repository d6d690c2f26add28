"""Second review of the ops and creation helpers against PyTorch 2.13: the dtype of results
that mix integers, booleans, Python floats and 0-d tensors, and the creation functions'
dtypes and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")


def _maker(lib):
    """``make(values, dtype)``: a tensor of ``lib`` holding ``np.array(values, dtype)``."""
    if lib is cr:
        return lambda values, dtype=None: cr.tensor(np.array(values, dtype=dtype))
    return lambda values, dtype=None: torch.tensor(np.array(values, dtype=dtype))


def _dtype_name(t) -> str:
    return str(t.dtype).removeprefix("torch.")


def _assert_same(ours, theirs):
    assert _dtype_name(ours) == _dtype_name(theirs)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-7)


MIXED_DTYPES = [  # (name, f(lib, make)): NumPy's promotion made each of these float64
    ("int / python int", lambda lib, T: T([1, 2, 7]) / 2),
    ("uint8 / python float", lambda lib, T: T([0, 128, 255], np.uint8) / 255.0),
    ("int / int", lambda lib, T: T([1, 2, 7]) / T([2, 4, 3])),
    ("0-d int / 0-d int", lambda lib, T: T(3) / T(2)),
    ("int * python float", lambda lib, T: T([1, 2, 7]) * 0.5),
    ("python float - int", lambda lib, T: 0.5 - T([1, 2, 7])),
    ("bool * python float", lambda lib, T: T([True, False]) * 1.5),
    ("int ** python float", lambda lib, T: T([1, 4, 9]) ** 0.5),
    ("python float ** int", lambda lib, T: 2.0 ** T([1, 2, 3])),
    ("int64 * float32", lambda lib, T: T([1, 2]) * T([0.5, 1.5], np.float32)),
    ("int32 + float32", lambda lib, T: T([1, 2], np.int32) + T([0.5, 1.5], np.float32)),
    ("float32 ** int64", lambda lib, T: T([0.5, 1.5], np.float32) ** T([2, 3])),
    ("int + 0-d float32", lambda lib, T: T([1, 2]) + T(0.5, np.float32)),
    ("float32 * 0-d float64", lambda lib, T: T([0.5, 1.5], np.float32) * T(3.0, np.float64)),
    ("0-d float64 - float32", lambda lib, T: T(3.0, np.float64) - T([0.5, 1.5], np.float32)),
    ("float16 + 0-d float64", lambda lib, T: T([0.5, 1.5], np.float16) + T(3.0, np.float64)),
    ("maximum(int, float32)", lambda lib, T: lib.maximum(T([1, -2]), T([0.5, 0.5], np.float32))),
    ("minimum(int, 0-d f32)", lambda lib, T: lib.minimum(T([1, -2]), T(0.5, np.float32))),
    ("where(int, float)", lambda lib, T: lib.where(T([True, False]), T([1, 2]), 0.5)),
    ("clamp(int, floats)", lambda lib, T: lib.clamp(T([0, 1, 2]), 0.5, 1.5)),
    ("exp(int)", lambda lib, T: lib.exp(T([0, 1, 2]))),
    ("log(int)", lambda lib, T: lib.log(T([1, 2, 3]))),
    ("sqrt(int)", lambda lib, T: lib.sqrt(T([1, 4, 9]))),
    ("tanh(int)", lambda lib, T: lib.tanh(T([-1, 0, 2]))),
    ("sigmoid(int)", lambda lib, T: lib.sigmoid(T([-1, 0, 2]))),
    # NumPy's float64 that PyTorch keeps: a float64 operand with dimensions, or a 0-d float64
    # with integers (a higher kind than the dimensioned operand's)
    ("int64 * float64", lambda lib, T: T([1, 2]) * T([0.5, 1.5], np.float64)),
    ("int + 0-d float64", lambda lib, T: T([1, 2]) + T(0.5, np.float64)),
    ("float32 + float64", lambda lib, T: T([1.0], np.float32) + T([0.5, 1.5], np.float64)),
]


@pytest.mark.parametrize(("name", "op"), MIXED_DTYPES, ids=[c[0] for c in MIXED_DTYPES])
def test_results_mixing_integers_python_floats_and_0d_tensors_have_torch_dtype(name, op):
    # int / int, uint8 images / 255.0, exp(int), float32 * 0-d float64 and the rest were
    # float64 (NumPy's promotion); PyTorch gives its default float32 or the float operand's
    _assert_same(op(cr, _maker(cr)), op(torch, _maker(torch)))


def test_ops_on_python_numbers_alone_keep_numpy_float64():
    # no tensor among the operands, so no tensor dtype to keep: explain's folded constants
    # (log(1 + 0.5 ** 2)) must stay exact
    assert cr.log(1.25).dtype == np.float64
    assert cr.log(1.25).item() == math.log(1.25)
    assert cr.add(0.1, 0.2).item() == 0.1 + 0.2


@pytest.mark.parametrize(
    "op",
    [
        lambda i, w: i * w,
        lambda i, w: i / w,
        lambda i, w: w / i,
        lambda i, w: w - i,
        lambda i, w: w**i,
        lambda i, w: (i + 0.5) * w,
    ],
)
def test_float32_gradients_through_integer_operands_match_torch(op):
    values, integers = np.array([0.5, -1.5, 2.0], np.float32), np.array([1, 2, 3])
    w, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, u = op(cr.tensor(integers), w), op(torch.tensor(integers), t)
    _assert_same(y, u)
    y.sum().backward()
    u.sum().backward()
    _assert_same(w.grad, t.grad)


def test_a_0d_float64_parameter_scales_float32_without_upcasting_as_in_torch():
    x_np = np.array([[0.5, -1.5], [2.0, 0.25]], np.float32)
    x, tx = cr.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    s = cr.tensor(np.float64(1.25), requires_grad=True)
    ts = torch.tensor(1.25, dtype=torch.float64, requires_grad=True)
    y, u = (x * s + s).tanh(), (tx * ts + ts).tanh()
    _assert_same(y, u)
    y.sum().backward()
    u.sum().backward()
    _assert_same(x.grad, tx.grad)  # float32
    _assert_same(s.grad, ts.grad)  # float64, the parameter's own dtype


@pytest.mark.parametrize("fill", [3, -1, True, False, 1.5, np.float64(0.25), np.int32(7)])
def test_full_infers_its_dtype_from_the_fill_value_as_in_torch(fill):
    # an int fill gave float32 (torch: int64) and a bool fill float32 (torch: bool)
    _assert_same(cr.full((2, 3), fill), torch.full((2, 3), fill))
    _assert_same(cr.full(4, fill, dtype=np.float64), torch.full((4,), fill, dtype=torch.float64))


def test_full_with_an_integer_fill_cannot_require_grad_as_in_torch():
    with pytest.raises(RuntimeError, match="floating point"):
        torch.full((2,), 0, requires_grad=True)
    with pytest.raises(DTypeError, match="requires_grad: only floating-point"):
        cr.full((2,), 0, requires_grad=True)
    assert cr.full((2,), 0.0, requires_grad=True).requires_grad


@pytest.mark.parametrize("make", ["rand", "randn"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_random_samples_refuse_a_non_floating_dtype_as_in_torch(make, dtype):
    # rand(3, dtype=np.int64) silently gave all zeros (uniform samples in [0, 1) truncated)
    with pytest.raises(RuntimeError):
        getattr(torch, make)(3, dtype=torch.from_numpy(np.zeros(1, dtype)).dtype)
    with pytest.raises(DTypeError, match=f"{make}: samples need a floating-point dtype"):
        getattr(cr, make)(3, dtype=dtype)
    assert getattr(cr, make)(3, dtype=np.float64, seed=0).dtype == np.float64


@pytest.mark.parametrize("args", [(0, 5, 0), (1.0, 2.0, 0.0), (5, None, 0)])
def test_arange_refuses_a_zero_step_by_name_as_in_torch(args):
    # a raw ZeroDivisionError came out of NumPy
    start, stop, step = args
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        torch.arange(start, *((stop,) if stop is not None else (start,)), step)
    with pytest.raises(ValueRangeError, match="arange: step must be nonzero"):
        cr.arange(start, stop, step)


@pytest.mark.parametrize(
    ("make", "torch_make"),
    [
        (lambda s: cr.zeros(*s), lambda s: torch.zeros(*s)),
        (lambda s: cr.ones(s), lambda s: torch.ones(s)),
        (lambda s: cr.randn(*s), lambda s: torch.randn(*s)),
        (lambda s: cr.rand(s), lambda s: torch.rand(s)),
        (lambda s: cr.full(s, 1.0), lambda s: torch.full(s, 1.0)),
    ],
)
def test_creation_names_a_negative_or_fractional_size(make, torch_make):
    # NumPy's "negative dimensions are not allowed" came through raw, and a float size gave
    # "'float' object is not iterable"
    with pytest.raises(RuntimeError, match="negative"):
        torch_make((2, -3))
    with pytest.raises(ShapeError, match=r"negative size in shape \(2, -3\)"):
        make((2, -3))
    with pytest.raises(TypeError):
        torch_make((2, 1.5))
    with pytest.raises(TypeError, match=r"sizes must be integers, got \(2, 1.5\)"):
        make((2, 1.5))
    assert make((2, np.int64(3))).shape == tuple(torch_make((2, 3)).shape)


@pytest.mark.parametrize(
    "index",
    [lambda lib: [], lambda lib: (slice(None), []), lambda lib: ([], 0), lambda lib: [2, 2, 0]],
    ids=["[]", "[:, []]", "[[], 0]", "[2, 2, 0]"],
)
def test_indexing_with_an_empty_list_selects_nothing_as_in_torch(index):
    # x[[]] (say, the rows a filter kept when it kept none) raised NumPy's "arrays used as
    # indices must be of integer (or boolean) type": NumPy reads [] as a float array
    values = np.random.default_rng(3).standard_normal((3, 4))
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, u = x[index(cr)], t[index(torch)]
    _assert_same(y, u)
    weights = np.random.default_rng(4).standard_normal(y.shape)
    (y * cr.tensor(weights)).sum().backward()
    (u * torch.tensor(weights)).sum().backward()
    _assert_same(x.grad, t.grad)
