"""PyTorch parity of copies, dtype moves, ``x[i] = v``, flips, tiling, splitting, gathering,
masked fills, sorting and the creation functions eye, linspace, randint, randperm, full_like,
empty and empty_like."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import jvp

torch = pytest.importorskip("torch")

FLOATS = [np.float32, np.float64]
TORCH_DTYPE = {
    np.dtype(np.float32): torch.float32,
    np.dtype(np.float64): torch.float64,
    np.dtype(np.int64): torch.int64,
    np.dtype(np.int32): torch.int32,
    np.dtype(np.bool_): torch.bool,
}


def _pieces(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _compare(ours_fn, torch_fn, shape, dtype, seed=0, rtol=None):
    """``ours_fn`` and ``torch_fn`` on the same random input: the values (one output or a tuple
    of them), their dtypes, and the gradient of a random weighting of all the outputs."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape).astype(dtype)
    x = cr.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    ours, theirs = _pieces(ours_fn(x)), _pieces(torch_fn(t))
    assert len(ours) == len(theirs)
    rtol = rtol or (1e-6 if dtype == np.float32 else 1e-12)
    loss, tloss = 0, 0
    for o, th in zip(ours, theirs, strict=True):
        assert o.shape == tuple(th.shape) and o.dtype == dtype
        np.testing.assert_allclose(o.data, th.detach().numpy(), rtol=rtol)
        weights = rng.standard_normal(o.shape).astype(dtype)
        loss = loss + (o * cr.tensor(weights)).sum()
        tloss = tloss + (th * torch.tensor(weights)).sum()
    if not isinstance(loss, int):
        loss.backward()
        tloss.backward()
        assert x.grad.dtype == dtype and x.grad.shape == shape
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=rtol, atol=1e-7)


# ---- clone, contiguous, to, type_as, new_*, mT, *_as, sizes ----------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
def test_clone_matches_torch_and_owns_its_memory(dtype, shape):
    _compare(lambda a: a.clone() * 2, lambda a: a.clone() * 2, shape, dtype)
    _compare(lambda a: cr.clone(a) * 2, lambda a: torch.clone(a) * 2, shape, dtype)
    x = cr.tensor(np.ones(shape, dtype))
    y = x.clone()
    y.fill_(5)
    assert (x.data == 1).all() and not np.shares_memory(x.data, y.data)


def test_clone_matches_finite_differences_and_forward_mode():
    values = np.random.default_rng(1).standard_normal((3, 2))
    assert cr.gradcheck(lambda a: a.clone() * a, (values,))
    _, tangent = jvp(lambda a: a.clone() * 3, (values,), (np.ones((3, 2)),))
    np.testing.assert_array_equal(tangent.data, np.full((3, 2), 3.0))


def test_contiguous_is_self_when_contiguous_else_a_differentiable_copy():
    values = np.arange(6.0).reshape(2, 3)
    x = cr.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    assert x.contiguous() is x and t.contiguous() is t
    xt, tt = x.T, t.T
    assert xt.is_contiguous() == tt.is_contiguous() is False
    y, ty = xt.contiguous(), tt.contiguous()
    assert y.is_contiguous() and ty.is_contiguous() and not np.shares_memory(y.data, x.data)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    (y * cr.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    (ty * torch.arange(6.0, dtype=torch.float64).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_to_returns_self_when_nothing_changes_as_torch():
    x = cr.zeros(2, 3)
    for args in ((np.float32,), ("cpu",), ("cpu", np.float32), (cr.zeros(1),)):
        assert x.to(*args) is x
    assert x.to(device="cpu", dtype=cr.float32) is x and x.type_as(cr.ones(2)) is x
    t = torch.zeros(2, 3)
    assert t.to(torch.float32) is t and t.to("cpu") is t and t.type_as(torch.ones(2)) is t
    copied = x.to(np.float32, copy=True)
    assert copied is not x and not np.shares_memory(copied.data, x.data)


@pytest.mark.parametrize(
    ("source", "target"),
    [(np.float32, np.float64), (np.float64, np.float32), (np.float32, np.int64)],
)
def test_to_casts_as_torch_and_the_gradient_flows_back(source, target):
    values = np.array([[1.7, -2.3], [0.5, 3.9]], dtype=source)
    for how in ("dtype", "device_and_dtype", "other", "type_as"):
        x = cr.tensor(values, requires_grad=True)
        t = torch.tensor(values, requires_grad=True)
        other, tother = (
            cr.zeros(1, dtype=target),
            torch.zeros(1, dtype=TORCH_DTYPE[np.dtype(target)]),
        )
        y, ty = {
            "dtype": (x.to(target), t.to(TORCH_DTYPE[np.dtype(target)])),
            "device_and_dtype": (x.to("cpu", target), t.to("cpu", TORCH_DTYPE[np.dtype(target)])),
            "other": (x.to(other), t.to(tother)),
            "type_as": (x.type_as(other), t.type_as(tother)),
        }[how]
        assert y.dtype == target
        np.testing.assert_array_equal(y.data, ty.detach().numpy())
        assert y.requires_grad == ty.requires_grad
        if y.requires_grad:
            (y * 3).sum().backward()
            (ty * 3).sum().backward()
            assert x.grad.dtype == source
            np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_to_refuses_other_devices_and_non_dtypes():
    x = cr.zeros(2)
    for device in ("cuda", "cuda:0", "mps", "meta"):
        with pytest.raises(cr.ValueRangeError, match=f"to: .*CPU only.*'{device}'"):
            x.to(device)
    with pytest.raises(cr.ValueRangeError, match="to: .*'cuda'"):
        x.to(device="cuda", dtype=np.float64)
    with pytest.raises(cr.DTypeError, match="to: 3.5 is not a dtype"):
        x.to(3.5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_new_creation_methods_match_torch(dtype):
    ours, theirs = cr.tensor(np.zeros(2, dtype)), torch.zeros(2, dtype=TORCH_DTYPE[np.dtype(dtype)])
    cases = [
        ("new_zeros", (2, 3), {}),
        ("new_zeros", ((2, 3),), {}),
        ("new_ones", (4,), {}),
        ("new_ones", ([1, 2],), {"dtype": np.int64}),
        ("new_empty", (3,), {}),
        ("new_full", ((2, 2), 3), {}),
        ("new_full", ([3], 1.5), {"dtype": np.float64}),
        ("new_tensor", ([1, 2, 3],), {}),
        ("new_tensor", ([[1.5, 2.5]],), {"dtype": np.float32}),
    ]
    for name, args, keywords in cases:
        torch_keywords = {k: TORCH_DTYPE[np.dtype(v)] for k, v in keywords.items()}
        y, ty = (
            getattr(ours, name)(*args, **keywords),
            getattr(theirs, name)(*args, **torch_keywords),
        )
        assert y.shape == tuple(ty.shape) and TORCH_DTYPE[y.dtype] == ty.dtype, name
        if name != "new_empty":
            np.testing.assert_array_equal(y.data, ty.numpy())
        assert y.is_leaf and not y.requires_grad
    assert ours.new_zeros(2, dtype=np.float32, requires_grad=True).requires_grad


def test_new_creation_methods_refuse_bad_sizes():
    with pytest.raises(cr.ShapeError, match="new_zeros: negative size"):
        cr.zeros(2).new_zeros(-1, 2)
    with pytest.raises(cr.ValueRangeError, match="full: fill_value nan does not fit in int64"):
        cr.tensor([1, 2]).new_full((2,), float("nan"))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(2, 3), (4, 2, 3), (2, 1, 3, 5)])
def test_mT_matches_torch(dtype, shape):  # noqa: N802 - PyTorch's name
    _compare(lambda a: a.mT, lambda a: a.mT, shape, dtype)


def test_mT_refuses_fewer_than_two_dimensions():  # noqa: N802 - PyTorch's name
    for shape in ((), (3,)):
        with pytest.raises(cr.ShapeError, match="mT: needs a matrix"):
            _ = cr.zeros(shape).mT


@pytest.mark.parametrize("dtype", FLOATS)
def test_view_as_reshape_as_expand_as_match_torch(dtype):
    other, tother = cr.zeros(3, 2), torch.zeros(3, 2)
    _compare(lambda a: a.view_as(other), lambda a: a.view_as(tother), (2, 3), dtype)
    _compare(lambda a: a.reshape_as(other), lambda a: a.reshape_as(tother), (6,), dtype)
    big, tbig = cr.zeros(4, 3, 2), torch.zeros(4, 3, 2)
    _compare(lambda a: a.expand_as(big), lambda a: a.expand_as(tbig), (3, 1), dtype)
    with pytest.raises(cr.ShapeError, match="reshape"):
        cr.zeros(5).view_as(other)
    with pytest.raises(cr.ShapeError, match="broadcast_to"):
        cr.zeros(4).expand_as(other)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_])
def test_sizes_match_torch(dtype):
    values = np.zeros((2, 3, 4), dtype)
    x, t = cr.tensor(values), torch.tensor(values)
    assert x.nelement() == t.nelement() == 24
    assert x.element_size() == t.element_size()
    assert x.is_contiguous() == t.is_contiguous()
    assert x.transpose(0, 2).is_contiguous() == t.transpose(0, 2).is_contiguous() is False


# ---- x[index] = value ----------------------------------------------------------------------

SETITEM_CASES = [
    (1, 7.0),
    ((0, 2), -1.5),
    (slice(1, None), [1.0, 2.0, 3.0, 4.0]),  # broadcast over the rows
    ((slice(None), 1), np.array([9.0, 8.0, 7.0])),
    ("int_tensor", 4.0),
    ("mask", 0.0),
    ("pair", "tensor"),
    (Ellipsis, 2),
    ((None, 0), np.float64(3.25)),  # a float64 value in a float32 tensor: cast, as torch
]


def _index_pair(case, values):
    """The index as chainrule and torch take it (Tensors of each library inside)."""
    if case == "int_tensor":
        return cr.tensor([2, 0]), torch.tensor([2, 0])
    if case == "mask":
        mask = values > 0
        return cr.tensor(mask), torch.tensor(mask)
    if case == "pair":
        rows, cols = [0, 1, 2], [3, 1, 0]
        return (cr.tensor(rows), cr.tensor(cols)), (torch.tensor(rows), torch.tensor(cols))
    return case, case


@pytest.mark.parametrize("dtype", FLOATS + [np.int64])
@pytest.mark.parametrize(("index", "value"), SETITEM_CASES)
def test_setitem_matches_torch(dtype, index, value):
    values = (np.random.default_rng(2).standard_normal((3, 4)) * 3).astype(dtype)
    x, t = cr.tensor(values), torch.tensor(values)
    ours_index, torch_index = _index_pair(index, values)
    if isinstance(value, str):
        # torch's index_put wants the value in x's dtype; chainrule casts it, as NumPy does
        ours_value = cr.tensor([5.5, 6.5, 7.5])
        torch_value = torch.tensor(np.array([5.5, 6.5, 7.5], dtype=np.float32).astype(dtype))
    else:
        ours_value, torch_value = value, torch.tensor(value) if np.ndim(value) else value
    before = x._version[0]
    x[ours_index] = ours_value
    t[torch_index] = torch_value
    assert x.dtype == dtype and x._version[0] == before + 1
    np.testing.assert_array_equal(x.data, t.numpy())


def test_setitem_bumps_the_version_so_a_saved_array_is_caught():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    x = cr.tensor([3.0, 4.0])
    y = (w * x).sum()
    x[0] = 10.0
    with pytest.raises(cr.GraphError):
        y.backward()


def test_setitem_through_a_view_changes_the_base_as_torch():
    base, tbase = cr.zeros(2, 3), torch.zeros(2, 3)
    view, tview = base[0], tbase[0]
    view[1:] = 4.0
    tview[1:] = 4.0
    np.testing.assert_array_equal(base.data, tbase.numpy())
    assert base._version[0] == 1


def test_setitem_refuses_what_would_corrupt_the_graph():
    leaf = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(cr.GraphError, match="setitem: in-place change of a tensor that requires"):
        leaf[0] = 5.0
    computed = leaf * 2  # torch allows this write (CopySlices); chainrule says what to do instead
    with pytest.raises(cr.GraphError, match=r"setitem: .*cr\.where\(mask, value, x\).*masked_fill"):
        computed[0] = 5.0
    with pytest.raises(cr.GraphError, match="setitem: the value requires grad"):
        cr.zeros(3)[0] = leaf[1]
    with cr.no_grad():  # a parameter update under no_grad, as torch allows
        leaf[0] = 5.0
    assert leaf.data.tolist() == [5.0, 2.0, 3.0]


def test_setitem_refuses_bad_shapes_and_indices():
    x = cr.zeros(2, 3)
    with pytest.raises(cr.ShapeError, match=r"setitem: could not broadcast .*\(tensor of shape"):
        x[0] = cr.tensor([1.0, 2.0])
    with pytest.raises(IndexError, match=r"setitem: index 5 is out of bounds"):
        x[5] = 1.0
    assert x._version[0] == 0  # a refused write changes nothing


# ---- flip, repeat -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "dims"),
    [
        ((5,), (0,)),
        ((2, 3), (0, 1)),
        ((2, 3, 4), (-1,)),
        ((2, 3, 4), (2, 0)),
        ((2, 3), ()),
        ((), (0,)),
    ],
)
def test_flip_matches_torch(dtype, shape, dims):
    _compare(lambda a: cr.flip(a, dims), lambda a: torch.flip(a, dims), shape, dtype)
    if dims:  # torch's method needs at least one dim
        _compare(lambda a: a.flip(*dims), lambda a: a.flip(*dims), shape, dtype)
    _compare(lambda a: a.flip(list(dims)), lambda a: a.flip(list(dims)), shape, dtype)


def test_flip_copies_checks_gradients_and_refuses_bad_dims():
    x = cr.tensor(np.arange(4.0))
    assert not np.shares_memory(x.flip(0).data, x.data)
    values = np.random.default_rng(3).standard_normal((3, 4))
    assert cr.gradcheck(lambda a: a.flip(0, 1) * a, (values,))
    _, tangent = jvp(lambda a: a.flip(1), (values,), (values,))
    np.testing.assert_array_equal(tangent.data, values[:, ::-1])
    with pytest.raises(cr.ShapeError, match="flip: repeated axis"):
        x.flip(0, -1)
    with pytest.raises(cr.ShapeError, match="flip: axis 1 is out of range"):
        x.flip(1)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "sizes"),
    [((3,), (2,)), ((2, 3), (2, 2)), ((2, 3), (3, 1, 2)), ((2, 1, 3), (1, 4, 1)), ((), (2, 3))]
    + [((2, 3), (0, 2)), ((), ()), ((1, 2), (2, 1, 1, 3))],
)
def test_repeat_matches_torch(dtype, shape, sizes):
    if sizes:  # torch's method needs at least one size unless given as a tuple
        _compare(lambda a: a.repeat(*sizes), lambda a: a.repeat(*sizes), shape, dtype)
    _compare(lambda a: a.repeat(sizes), lambda a: a.repeat(sizes), shape, dtype)


def test_repeat_is_tile_not_numpy_repeat_and_checks_gradients():
    x = cr.tensor([1.0, 2.0])
    for sizes in ((1,), (3, 1), (2,)):  # always a writable copy, as torch's repeat
        y = x.repeat(*sizes)
        assert y.data.flags.writeable and not np.shares_memory(y.data, x.data)
    single = cr.tensor([4.0]).repeat(3)  # a merge NumPy could do as a stride-0 view
    single[0] = 1.0
    assert single.tolist() == [1.0, 4.0, 4.0]
    assert x.repeat(2).tolist() == [1.0, 2.0, 1.0, 2.0]  # np.repeat would give 1, 1, 2, 2
    values = np.random.default_rng(4).standard_normal((2, 3))
    assert cr.gradcheck(lambda a: a.repeat(2, 1, 3), (values,))
    _, ours = jvp(lambda a: a.repeat(2, 2), (values,), (values * 2,))
    _, theirs = torch.func.jvp(
        lambda a: a.repeat(2, 2), (torch.tensor(values),), (torch.tensor(values * 2),)
    )
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_repeat_refuses_too_few_or_negative_sizes():
    with pytest.raises(cr.ShapeError, match="repeat: 1 repeat sizes .* with 2 dimensions"):
        cr.zeros(2, 3).repeat(2)
    with pytest.raises(cr.ValueRangeError, match="repeat: negative repeat size"):
        cr.zeros(2, 3).repeat(2, -1)
    with pytest.raises(TypeError, match="repeat: sizes must be integers"):
        cr.zeros(2).repeat(1.5)


# ---- split, chunk, unbind -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "size", "dim"),
    [((5,), 2, 0), ((6, 3), 3, 0), ((2, 7), 3, -1), ((2, 5, 3), [1, 4], 1), ((4, 2), [0, 4], 0)]
    + [((3, 4), 10, 1), ((0, 3), 0, 0), ((2, 6), (1, 2, 3), 1)],
)
def test_split_matches_torch(dtype, shape, size, dim):
    _compare(lambda a: a.split(size, dim), lambda a: a.split(size, dim), shape, dtype)
    _compare(
        lambda a: cr.split(a, size, dim=dim), lambda a: torch.split(a, size, dim), shape, dtype
    )


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "chunks", "dim"),
    [((5,), 3, 0), ((6,), 4, 0), ((6, 2), 3, 0), ((2, 7), 2, -1), ((3, 2), 5, 0), ((0, 2), 3, 0)],
)
def test_chunk_matches_torch(dtype, shape, chunks, dim):
    _compare(lambda a: a.chunk(chunks, dim), lambda a: a.chunk(chunks, dim), shape, dtype)
    _compare(
        lambda a: cr.chunk(a, chunks, dim), lambda a: torch.chunk(a, chunks, dim), shape, dtype
    )


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "dim"), [((3,), 0), ((2, 3), 1), ((2, 3, 4), -2), ((2, 0), 1)])
def test_unbind_matches_torch(dtype, shape, dim):
    _compare(lambda a: a.unbind(dim), lambda a: a.unbind(dim), shape, dtype)
    _compare(lambda a: cr.unbind(a, dim), lambda a: torch.unbind(a, dim), shape, dtype)


def test_split_chunk_unbind_give_tuples_and_check_gradients():
    values = np.random.default_rng(5).standard_normal((5, 3))
    x = cr.tensor(values)
    assert all(isinstance(out, tuple) for out in (x.split(2), x.chunk(2), x.unbind()))
    assert cr.gradcheck(lambda a: a.split([2, 3])[1] * a.split(2)[0].sum(), (values,))
    assert cr.gradcheck(lambda a: cr.stack(a.unbind(1)[::-1]) * a.chunk(3, 1)[0].T, (values,))


def test_split_chunk_unbind_refuse_bad_arguments():
    x = cr.zeros(5, 2)
    with pytest.raises(
        cr.ValueRangeError, match="split: section lengths \\[2, 2\\] .* add up to 5"
    ):
        x.split([2, 2])
    with pytest.raises(cr.ValueRangeError, match="split: split size must be positive"):
        x.split(0)
    with pytest.raises(cr.ValueRangeError, match="split: split size must be positive"):
        x.split(-1)
    with pytest.raises(cr.ValueRangeError, match="chunk: chunks must be a positive integer"):
        x.chunk(0)
    with pytest.raises(cr.ShapeError, match="split: axis 2 is out of range"):
        x.split(1, dim=2)
    for op in ("split", "chunk", "unbind"):
        args = () if op == "unbind" else (1,)
        with pytest.raises(cr.ShapeError, match=f"{op}: a 0-d tensor has no dimension"):
            getattr(cr.tensor(1.0), op)(*args)


# ---- gather, index_select, masked_fill, where, flatten ------------------------------------

GATHER_CASES = [
    ((5,), 0, [[4, 0, 0, 2]]),
    ((3, 4), 1, [[0, 3], [1, 1], [2, 0]]),
    ((3, 4), 0, [[2, 0, 1, 1], [0, 0, 2, 1]]),
    ((3, 4), -1, [[3], [0]]),  # shorter than the input on the other axis
    ((2, 3, 4), 1, [[[0, 2, 1, 1], [2, 2, 0, 0]], [[1, 1, 1, 1], [0, 1, 2, 0]]]),
    ((3, 4), 0, [[0, 2, 1, 1], [2, 2, 2, 2], [1, 0, 0, 0], [0, 0, 1, 0]]),  # longer along dim
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "dim", "index"), GATHER_CASES)
def test_gather_matches_torch(dtype, shape, dim, index):
    index = np.array(index)
    index = index.reshape(-1) if len(shape) == 1 else index
    ours, theirs = cr.tensor(index), torch.tensor(index)
    _compare(lambda a: a.gather(dim, ours), lambda a: a.gather(dim, theirs), shape, dtype)
    _compare(
        lambda a: cr.gather(a, dim, index), lambda a: torch.gather(a, dim, theirs), shape, dtype
    )


def test_gather_adds_the_gradients_of_repeated_picks_and_checks_gradients():
    values = np.random.default_rng(6).standard_normal((3, 4))
    index = np.array([[0, 0, 3], [1, 2, 1], [3, 3, 3]])
    assert cr.gradcheck(lambda a: a.gather(1, cr.tensor(index)) ** 2, (values,))
    _, ours = jvp(lambda a: a.gather(0, cr.tensor(index[:2] % 3)), (values,), (values * 3,))
    _, theirs = torch.func.jvp(
        lambda a: a.gather(0, torch.tensor(index[:2] % 3)), (torch.tensor(values),),
        (torch.tensor(values * 3),),
    )  # fmt: skip
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    assert cr.tensor(3.0).gather(0, cr.tensor(0)).item() == 3.0  # 0-d, as torch


def test_gather_keeps_its_own_copy_of_the_index():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = np.array([0, 0])
    y = x.gather(0, index)
    index[:] = 2
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0]


def test_gather_refuses_bad_indices():
    x = cr.zeros(3, 4)
    with pytest.raises(cr.ShapeError, match="gather: index of shape \\(2,\\) needs as many"):
        x.gather(1, [0, 1])
    with pytest.raises(cr.ShapeError, match="gather: index of shape \\(4, 1\\) is longer"):
        x.gather(1, [[0]] * 4)
    with pytest.raises(cr.ValueRangeError, match="gather: index 4 is out of range for axis 1"):
        x.gather(1, [[4]])
    with pytest.raises(cr.ValueRangeError, match="gather: index -1 is out of range"):
        x.gather(1, [[-1]])  # torch refuses negative indices too
    with pytest.raises(cr.DTypeError, match="gather: index must be an integer tensor, got dtype"):
        x.gather(1, cr.tensor([[0.0]]))
    with pytest.raises(cr.ShapeError, match="gather: axis 2 is out of range"):
        x.gather(2, [[0]])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "dim", "index"),
    [((5,), 0, [4, 0, 4]), ((3, 4), 1, [3, 1]), ((3, 4), 0, [2]), ((2, 3, 4), -2, [0, 2, 2, 1])]
    + [((3, 4), 1, 2), ((3, 4), 0, np.array([], dtype=np.int64)), ((3, 4), 1, np.int32([1, 0]))],
)
def test_index_select_matches_torch(dtype, shape, dim, index):
    index = np.asarray(index)
    ours, theirs = cr.tensor(index), torch.tensor(index)
    _compare(
        lambda a: a.index_select(dim, ours), lambda a: a.index_select(dim, theirs), shape, dtype
    )
    _compare(
        lambda a: cr.index_select(a, dim, index),
        lambda a: torch.index_select(a, dim, theirs),
        shape,
        dtype,
    )


def test_index_select_checks_gradients_and_refuses_bad_indices():
    values = np.random.default_rng(7).standard_normal((3, 4))
    assert cr.gradcheck(lambda a: a.index_select(1, cr.tensor([3, 0, 3])) * 2, (values,))
    x = cr.zeros(3, 4)
    with pytest.raises(cr.ShapeError, match="index_select: index must be a vector"):
        x.index_select(1, [[1, 1]])
    with pytest.raises(cr.ValueRangeError, match="index_select: index 4 is out of range"):
        x.index_select(1, [4])
    with pytest.raises(cr.ValueRangeError, match="index_select: index -1 is out of range"):
        x.index_select(1, [-1])
    with pytest.raises(cr.DTypeError, match="index_select: index must be an integer tensor"):
        x.index_select(1, [1.0])


MASKS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((3, 4), (3, 1)),
    ((3, 4), (2, 3, 4)),  # the mask broadcasts the result up, as torch's masked_fill
    ((), ()),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "mask_shape"), MASKS)
@pytest.mark.parametrize("value", [2.5, -np.inf, "tensor"])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the weighted sum of -inf
def test_masked_fill_matches_torch(dtype, shape, mask_shape, value):
    mask = np.random.default_rng(8).random(mask_shape) > 0.5
    fill, tfill = (cr.tensor(1.5), torch.tensor(1.5)) if value == "tensor" else (value, value)
    ours, theirs = cr.tensor(mask), torch.tensor(mask)
    _compare(
        lambda a: a.masked_fill(ours, fill), lambda a: a.masked_fill(theirs, tfill), shape, dtype
    )
    _compare(
        lambda a: cr.masked_fill(a, mask, fill),
        lambda a: torch.masked_fill(a, theirs, tfill),
        shape,
        dtype,
    )


@pytest.mark.parametrize("dtype", FLOATS)
def test_masked_fill_value_gets_its_gradient_as_torch(dtype):
    values = np.random.default_rng(9).standard_normal((3, 4)).astype(dtype)
    mask = values > 0
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    v, tv = cr.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    (x.masked_fill(cr.tensor(mask), v) ** 2).sum().backward()
    (t.masked_fill(torch.tensor(mask), tv) ** 2).sum().backward()
    assert v.grad.dtype == np.float32 and x.grad.dtype == dtype
    np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-6)
    assert cr.gradcheck(
        lambda a, b: a.masked_fill(cr.tensor(mask), b) * a, (values.astype(np.float64), 0.5)
    )
    tangents = (np.ones((3, 4)), np.float64(2.0))
    _, ours = jvp(
        lambda a, b: a.masked_fill(cr.tensor(mask), b), (values.astype(np.float64), 0.5), tangents
    )
    np.testing.assert_array_equal(ours.data, np.where(mask, 2.0, 1.0))


def test_masked_fill_keeps_an_integer_dtype_and_refuses_bad_masks_and_values():
    filled = cr.arange(3).masked_fill(cr.tensor([True, False, True]), 2.7)
    expected = torch.arange(3).masked_fill(torch.tensor([True, False, True]), 2.7)
    assert filled.dtype == np.int64 and filled.tolist() == expected.tolist()
    x = cr.zeros(3)
    with pytest.raises(cr.DTypeError, match="masked_fill: mask must be boolean, got dtype int64"):
        x.masked_fill(cr.tensor([1, 0, 1]), 1.0)
    with pytest.raises(cr.ShapeError, match="masked_fill: value must be a number or a 0-d"):
        x.masked_fill(cr.tensor([True, False, True]), cr.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(cr.ShapeError, match="masked_fill: shapes \\(3,\\), \\(2,\\) cannot be"):
        x.masked_fill(cr.tensor([True, False]), 1.0)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "other_shape"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1), (1, 3))]
)
def test_tensor_where_matches_torch(dtype, shape, other_shape):
    rng = np.random.default_rng(10)
    other = rng.standard_normal(other_shape).astype(dtype)
    condition = rng.random(np.broadcast_shapes(shape, other_shape)) > 0.5
    ours_c, theirs_c = cr.tensor(condition), torch.tensor(condition)
    _compare(
        lambda a: a.where(ours_c, cr.tensor(other)),
        lambda a: a.where(theirs_c, torch.tensor(other)),
        shape,
        dtype,
    )
    _compare(lambda a: a.where(ours_c, 0.5), lambda a: a.where(theirs_c, 0.5), shape, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "start", "end"),
    [((2, 3, 4), 0, -1), ((2, 3, 4), 1, 2), ((2, 3, 4, 5), -3, -2), ((), 0, -1)],
)
def test_flatten_function_matches_torch(dtype, shape, start, end):
    _compare(
        lambda a: cr.flatten(a, start, end), lambda a: torch.flatten(a, start, end), shape, dtype
    )
    _compare(lambda a: cr.flatten(a), lambda a: torch.flatten(a), shape, dtype)
    assert cr.flatten(np.zeros((2, 3))).shape == (6,)


# ---- sort, argsort, topk ------------------------------------------------------------------


def _distinct(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))) - 3.0).reshape(shape).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "dim"), [((5,), -1), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), -2), ((), 0)]
)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort_match_torch(dtype, shape, dim, descending):
    values = _distinct(shape, dtype, 11)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = x.sort(dim=dim, descending=descending), t.sort(dim=dim, descending=descending)
    assert ours._fields == ("values", "indices") and ours.indices.dtype == np.int64
    np.testing.assert_array_equal(ours.values.data, theirs.values.detach().numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    functional = cr.sort(x, dim, descending)
    np.testing.assert_array_equal(functional[1].data, theirs[1].numpy())
    np.testing.assert_array_equal(
        x.argsort(dim, descending).data, t.argsort(dim, descending).numpy()
    )
    np.testing.assert_array_equal(
        cr.argsort(x, dim=dim, descending=descending).data,
        torch.argsort(t, dim=dim, descending=descending).numpy(),
    )
    weights = np.random.default_rng(12).standard_normal(shape).astype(dtype)
    (ours.values * cr.tensor(weights)).sum().backward()
    (theirs.values * torch.tensor(weights)).sum().backward()
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


@pytest.mark.parametrize("descending", [False, True])
def test_sort_ties_and_nan_follow_torch_stable_order(descending):
    values = np.array([[3.0, 1.0, np.nan, 1.0, 3.0, 2.0, np.nan, 1.0]])
    ours = cr.sort(cr.tensor(values), descending=descending, stable=True)
    theirs = torch.sort(torch.tensor(values), descending=descending, stable=True)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_sort_and_topk_check_gradients():
    values = _distinct((3, 5), np.float64, 13) / 7
    assert cr.gradcheck(lambda a: a.sort(dim=0, descending=True).values * a, (values,))
    assert cr.gradcheck(lambda a: a.topk(2, dim=1, largest=False).values ** 2, (values,))
    _, ours = jvp(lambda a: a.sort(dim=1).values, (values,), (values * 2,))
    _, theirs = torch.func.jvp(
        lambda a: a.sort(dim=1).values, (torch.tensor(values),), (torch.tensor(values * 2),)
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    ("shape", "k", "dim"),
    [((5,), 2, -1), ((3, 4), 4, 1), ((3, 4), 1, 0), ((2, 3, 4), 0, 1), ((), 1, 0)],
)
@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_torch(dtype, shape, k, dim, largest):
    values = _distinct(shape, dtype, 14)
    x, t = cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = x.topk(k, dim, largest), torch.topk(t, k, dim, largest)
    assert ours._fields == ("values", "indices") and ours.values.dtype == dtype
    np.testing.assert_array_equal(ours.values.data, theirs.values.detach().numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    np.testing.assert_array_equal(cr.topk(x, k, dim=dim, largest=largest)[1].data, theirs[1])
    if k:
        weights = np.random.default_rng(15).standard_normal(theirs.values.shape).astype(dtype)
        (ours.values * cr.tensor(weights)).sum().backward()
        (theirs.values * torch.tensor(weights)).sum().backward()
        np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_topk_refuses_k_out_of_range_and_sort_keeps_its_own_indices():
    with pytest.raises(cr.ValueRangeError, match="topk: k must be in \\[0, 3\\] for axis 0, got 4"):
        cr.zeros(3).topk(4)
    with pytest.raises(cr.ValueRangeError, match="topk: k must be in"):
        cr.zeros(3).topk(-1)
    with pytest.raises(cr.ShapeError, match="sort: axis 1 is out of range"):
        cr.zeros(3).sort(dim=1)
    x = cr.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = x.sort()
    indices.fill_(0)
    values.backward(cr.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


# ---- creation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), [(3, None), (2, 4), (4, 2), (0, 3), (1, None)])
def test_eye_matches_torch(n, m):
    ours = cr.eye(n, m) if m is not None else cr.eye(n)
    theirs = torch.eye(n, m) if m is not None else torch.eye(n)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert cr.eye(2, dtype=np.float64).dtype == np.float64
    assert cr.eye(2, requires_grad=True).requires_grad
    with pytest.raises(cr.ShapeError, match="eye: negative size"):
        cr.eye(-1)


@pytest.mark.parametrize(
    ("start", "end", "steps"),
    [(0, 1, 5), (-3.5, 2.25, 7), (2, -2, 4), (0, 1, 1), (0, 1, 0), (1, 1, 3)],
)
def test_linspace_matches_torch(start, end, steps):
    ours, theirs = cr.linspace(start, end, steps), torch.linspace(start, end, steps)
    assert ours.dtype == np.float32 and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-7)
    wide = cr.linspace(start, end, steps, dtype=np.float64)
    np.testing.assert_allclose(
        wide.data, torch.linspace(start, end, steps, dtype=torch.float64).numpy(), rtol=1e-14
    )


def test_linspace_with_an_integer_dtype_truncates_as_torch_and_refuses_negative_steps():
    for start, end in ((0, 10), (-10, 0), (3, -4)):
        ours = cr.linspace(start, end, 5, dtype=np.int64)
        assert ours.dtype == np.int64
        assert ours.tolist() == torch.linspace(start, end, 5, dtype=torch.int64).tolist()
    with pytest.raises(cr.ShapeError, match="linspace: negative size"):
        cr.linspace(0, 1, -1)


def test_randint_argument_forms_dtype_and_range():
    cr.manual_seed(0)
    a = cr.randint(5, (3, 4))
    cr.manual_seed(0)
    b = cr.randint(0, 5, (3, 4))
    cr.manual_seed(0)
    c = cr.randint(high=5, size=(3, 4))
    cr.manual_seed(0)
    d = cr.randint(low=0, high=5, size=[3, 4])
    for t in (a, b, c, d):
        assert t.dtype == np.int64 and t.shape == (3, 4)
        np.testing.assert_array_equal(t.data, a.data)
    # the same draws as NumPy's generator for that seed (chainrule's generator is NumPy's)
    np.testing.assert_array_equal(
        cr.randint(-3, 7, (50,), seed=4).data, np.random.default_rng(4).integers(-3, 7, 50)
    )
    wide = cr.randint(-2, 3, (2000,), generator=np.random.default_rng(1)).data
    assert wide.min() == -2 and wide.max() == 2
    assert cr.randint(3, (2,), dtype=np.float32).dtype == np.float32
    assert torch.randint(3, (2,)).dtype == torch.int64


def test_randint_refuses_bad_arguments():
    with pytest.raises(cr.ValueRangeError, match="randint: low \\(5\\) must be less than high"):
        cr.randint(5, 5, (3,))
    with pytest.raises(TypeError, match="randint: size must be a tuple of ints"):
        cr.randint(5, 3)  # torch refuses an int size too
    with pytest.raises(TypeError, match="randint: give the size"):
        cr.randint()
    with pytest.raises(TypeError, match="randint: give high, or low and high"):
        cr.randint(1, 2, 3, (2,))
    with pytest.raises(cr.ShapeError, match="randint: negative size"):
        cr.randint(5, (-1,))
    with pytest.raises(TypeError, match="floating"):
        cr.randint(5, (2,), requires_grad=True)


def test_randperm_is_a_seeded_int64_permutation():
    p = cr.randperm(10, seed=3)
    assert p.dtype == np.int64 == torch.randperm(3).numpy().dtype
    assert sorted(p.tolist()) == list(range(10))
    np.testing.assert_array_equal(p.data, np.random.default_rng(3).permutation(10))
    cr.manual_seed(7)
    first = cr.randperm(20)
    cr.manual_seed(7)
    np.testing.assert_array_equal(first.data, cr.randperm(20).data)
    assert cr.randperm(0).shape == (0,)
    with pytest.raises(cr.ShapeError, match="randperm: negative size"):
        cr.randperm(-1)


@pytest.mark.parametrize(
    ("dtype", "fill"), [(np.float32, 2), (np.float64, -1.5), (np.int64, 2.5), (np.int64, 3)]
)
def test_full_like_matches_torch(dtype, fill):
    values = np.zeros((2, 3), dtype)
    ours, theirs = (
        cr.full_like(cr.tensor(values), fill),
        torch.full_like(torch.tensor(values), fill),
    )
    assert TORCH_DTYPE[ours.dtype] == theirs.dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert cr.full_like(values, 1, dtype=np.float32).dtype == np.float32
    assert cr.full_like(values, 1.0, dtype=np.float64, requires_grad=True).requires_grad
    with pytest.raises(cr.ValueRangeError, match="full_like: fill_value inf does not fit"):
        cr.full_like(cr.arange(3), float("inf"))


def test_empty_and_empty_like_have_torch_shapes_and_dtypes():
    for args in ((2, 3), ((2, 3),), (0,)):
        ours, theirs = cr.empty(*args), torch.empty(*args)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float32
    assert cr.empty(2, dtype=np.float64, requires_grad=True).requires_grad
    like = cr.empty_like(cr.arange(4))
    assert (
        like.shape == (4,)
        and like.dtype == np.int64 == torch.empty_like(torch.arange(4)).numpy().dtype
    )
    assert cr.empty_like(np.zeros((2, 2)), dtype=np.float32).dtype == np.float32
    with pytest.raises(cr.ShapeError, match="empty: negative size"):
        cr.empty(-2)
