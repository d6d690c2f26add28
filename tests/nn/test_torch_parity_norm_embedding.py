"""PyTorch parity of LayerNorm / F.layer_norm, BatchNorm1d / F.batch_norm and Embedding /
F.embedding: values and gradients against torch 2.13 (float64 and float32), whole BatchNorm
training trajectories from identical weights, float64 finite differences, dtypes and errors."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
import chainrule.optim as optim
from chainrule.autograd.forward import jvp
from chainrule.errors import DTypeError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = [(np.float64, torch.float64, 1e-10), (np.float32, torch.float32, 2e-5)]


def _pair(array, requires_grad=True):
    """The same array as a chainrule tensor and a torch tensor (None stays None)."""
    if array is None:
        return None, None
    return cr.tensor(array, requires_grad=requires_grad), torch.tensor(
        array, requires_grad=requires_grad
    )


def _backward_both(ours, theirs, rng):
    """Backward through ``sum(y * g)`` for one random ``g`` in both libraries."""
    g = rng.standard_normal(ours.shape).astype(ours.dtype)
    (ours * cr.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()


def _close(ours, theirs, tol):
    np.testing.assert_allclose(
        ours.numpy(), theirs.detach().numpy(), rtol=tol, atol=tol, err_msg="value"
    )


# ---- layer_norm -------------------------------------------------------------------------------
LAYER_SHAPES = [((5,), 5), ((4, 6), 6), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((3, 1), 1)]


@pytest.mark.parametrize("np_dtype, torch_dtype, tol", DTYPES)
@pytest.mark.parametrize("shape, normalized", LAYER_SHAPES)
@pytest.mark.parametrize("affine", ["both", "weight", "bias", "none"])
def test_layer_norm_matches_torch(shape, normalized, affine, np_dtype, torch_dtype, tol):
    rng = np.random.default_rng(len(shape))
    norm_shape = (normalized,) if isinstance(normalized, int) else normalized
    x = (rng.standard_normal(shape) * 3 + 1).astype(np_dtype)
    w = rng.standard_normal(norm_shape).astype(np_dtype) if affine in ("both", "weight") else None
    b = rng.standard_normal(norm_shape).astype(np_dtype) if affine in ("both", "bias") else None
    (cx, tx), (cw, tw), (cb, tb) = _pair(x), _pair(w), _pair(b)
    ours = F.layer_norm(cx, normalized, cw, cb)
    theirs = TF.layer_norm(tx, norm_shape, tw, tb)
    assert ours.dtype == np_dtype and ours.shape == tuple(theirs.shape)
    _close(ours, theirs, tol)
    _backward_both(ours, theirs, rng)
    for mine, ref in ((cx, tx), (cw, tw), (cb, tb)):
        if mine is not None:
            assert mine.grad.dtype == np_dtype
            _close(mine.grad, ref.grad, tol * 10)


@pytest.mark.parametrize("shape, normalized", LAYER_SHAPES[:4])
def test_layer_norm_gradients_match_finite_differences(shape, normalized):
    rng = np.random.default_rng(3)
    norm_shape = (normalized,) if isinstance(normalized, int) else normalized
    arrays = (
        rng.standard_normal(shape),
        rng.standard_normal(norm_shape),
        rng.standard_normal(norm_shape),
    )
    assert cr.gradcheck(lambda x, w, b: F.layer_norm(x, normalized, w, b, eps=1e-3), arrays)
    assert cr.gradcheck(lambda x: F.layer_norm(x, normalized), arrays[:1])


def test_layer_norm_module_matches_torch_defaults_and_training():
    ours, theirs = nn.LayerNorm((3, 4)), torch.nn.LayerNorm((3, 4))
    assert (
        repr(ours)
        == repr(theirs)
        == ("LayerNorm((3, 4), eps=1e-05, elementwise_affine=True, bias=True)")
    )
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    np.testing.assert_array_equal(ours.weight.numpy(), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.numpy(), theirs.bias.detach().numpy())
    assert ours.weight.dtype == np.float32
    rng = np.random.default_rng(4)
    opt, topt = optim.SGD(ours.parameters(), lr=0.5), torch.optim.SGD(theirs.parameters(), lr=0.5)
    for _ in range(3):
        x = rng.standard_normal((5, 3, 4)).astype(np.float32)
        y, ty = ours(cr.tensor(x)), theirs(torch.tensor(x))
        opt.zero_grad(), topt.zero_grad()
        (y**3).mean().backward(), (ty**3).mean().backward()
        opt.step(), topt.step()
        _close(y, ty, 1e-5)
    _close(ours.weight, theirs.weight, 1e-5)
    _close(ours.bias, theirs.bias, 1e-5)


def test_layer_norm_module_without_affine_or_bias_like_torch():
    for options in ({"elementwise_affine": False}, {"bias": False}):
        ours, theirs = nn.LayerNorm(4, **options), torch.nn.LayerNorm(4, **options)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert list(ours._parameters) == list(theirs._parameters) == ["weight", "bias"]
        assert ours.bias is None and theirs.bias is None
        x = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
        _close(ours(cr.tensor(x)), theirs(torch.tensor(x)), 1e-5)


def test_layer_norm_errors_name_the_op():
    x = cr.tensor(np.ones((2, 3), np.float32))
    with pytest.raises(RuntimeError, match="expected input with shape"):
        TF.layer_norm(torch.ones(2, 3), (4,))
    with pytest.raises(ShapeError, match=r"layer_norm: normalized_shape \(4,\) expects"):
        F.layer_norm(x, 4)
    with pytest.raises(ShapeError, match=r"layer_norm: normalized_shape \(2, 3, 1\)"):
        F.layer_norm(x, (2, 3, 1))
    with pytest.raises(ShapeError, match="at least one dimension"):
        F.layer_norm(x, ())
    with pytest.raises(ShapeError, match=r"layer_norm: weight must have shape \(3,\), got \(4,\)"):
        F.layer_norm(x, 3, np.ones(4, np.float32))
    with pytest.raises(RuntimeError, match="mixed dtype"):
        TF.layer_norm(torch.ones(2, 3, dtype=torch.float64), (3,), torch.ones(3))
    with pytest.raises(
        DTypeError, match="layer_norm: weight has dtype float32 but the input float64"
    ):
        F.layer_norm(cr.tensor(np.ones((2, 3))), 3, cr.ones(3))
    with pytest.raises(DTypeError, match="layer_norm: expected a floating-point input"):
        F.layer_norm(cr.tensor(np.ones((2, 3), np.int64)), 3)


# ---- batch_norm -------------------------------------------------------------------------------
@pytest.mark.parametrize("np_dtype, torch_dtype, tol", DTYPES)
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch(shape, training, np_dtype, torch_dtype, tol):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 2 - 1).astype(np_dtype)
    w, b = (rng.standard_normal(3).astype(np_dtype) for _ in range(2))
    mean, var = rng.standard_normal(3).astype(np_dtype), rng.uniform(0.5, 2, 3).astype(np_dtype)
    (cx, tx), (cw, tw), (cb, tb) = _pair(x), _pair(w), _pair(b)
    (cm, tm), (cv, tv) = _pair(mean, False), _pair(var, False)
    ours = F.batch_norm(cx, cm, cv, cw, cb, training, 0.3, 1e-4)
    theirs = TF.batch_norm(tx, tm, tv, tw, tb, training, 0.3, 1e-4)
    assert ours.dtype == np_dtype
    _close(ours, theirs, tol)
    _close(cm, tm, tol)  # updated in place in training, untouched in eval
    _close(cv, tv, tol)
    assert not cm.requires_grad and cm.grad_fn is None
    _backward_both(ours, theirs, rng)
    for mine, ref in ((cx, tx), (cw, tw), (cb, tb)):
        assert mine.grad.dtype == np_dtype
        _close(mine.grad, ref.grad, tol * 10)


def test_batch_norm_without_running_stats_or_affine_matches_torch():
    x = np.random.default_rng(8).standard_normal((5, 4, 3))
    (cx, tx) = _pair(x)
    ours, theirs = (
        F.batch_norm(cx, None, None, training=True),
        TF.batch_norm(tx, None, None, training=True),
    )
    _close(ours, theirs, 1e-10)
    _backward_both(ours, theirs, np.random.default_rng(9))
    _close(cx.grad, tx.grad, 1e-10)


def test_batch_norm_gradients_match_finite_differences():
    rng = np.random.default_rng(10)
    arrays = (rng.standard_normal((4, 3, 2)), rng.standard_normal(3), rng.standard_normal(3))
    assert cr.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), arrays)
    running = cr.tensor(rng.standard_normal(3)), cr.tensor(rng.uniform(0.5, 2, 3))
    assert cr.gradcheck(lambda x, w, b: F.batch_norm(x, *running, w, b), arrays)


def _copy_to_torch(ours, theirs):
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            theirs.state_dict()[name].copy_(torch.tensor(value.numpy()))


@pytest.mark.parametrize(
    "options",
    [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}, {"bias": False}],
    ids=lambda o: "+".join(f"{k}={v}" for k, v in o.items()) or "defaults",
)
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
def test_batch_norm1d_trajectory_matches_torch(options, shape):
    """Several SGD steps in training mode (outputs, gradients, running statistics, batch count
    each step), then eval mode, from the same weights in both libraries."""
    rng = np.random.default_rng(11)
    ours = nn.Sequential(nn.BatchNorm1d(3, **options), nn.Tanh())
    theirs = torch.nn.Sequential(torch.nn.BatchNorm1d(3, **options), torch.nn.Tanh())
    if ours[0].affine:
        with cr.no_grad():
            ours[0].weight.copy_(rng.uniform(0.5, 2, 3).astype(np.float32))
            if ours[0].bias is not None:
                ours[0].bias.copy_(rng.standard_normal(3).astype(np.float32))
    _copy_to_torch(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    has_params = bool(list(ours.parameters()))
    if has_params:
        opt = optim.SGD(ours.parameters(), lr=0.2, momentum=0.9)
        topt = torch.optim.SGD(theirs.parameters(), lr=0.2, momentum=0.9)
    for _ in range(4):
        x = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
        (cx, tx) = _pair(x)
        y, ty = ours(cx), theirs(tx)
        _close(y, ty, 1e-5)
        loss, tloss = ((y - 0.3) ** 2).mean(), ((ty - 0.3) ** 2).mean()
        loss.backward(), tloss.backward()
        _close(cx.grad, tx.grad, 1e-5)
        if has_params:
            opt.step(), topt.step()
            opt.zero_grad(), topt.zero_grad()
        for (name, value), (tname, tvalue) in zip(
            ours.state_dict().items(), theirs.state_dict().items(), strict=True
        ):
            assert name == tname and value.dtype == np.dtype(str(tvalue.dtype).split(".")[1])
            np.testing.assert_allclose(value.numpy(), tvalue.numpy(), rtol=1e-5, atol=1e-6)
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    (cx, tx) = _pair(x)
    y, ty = ours(cx), theirs(tx)
    _close(y, ty, 1e-5)
    y.sum().backward(), ty.sum().backward()
    _close(cx.grad, tx.grad, 1e-5)
    if ours[0].track_running_stats:
        assert ours[0].num_batches_tracked.item() == 4  # eval mode counts nothing


def test_batch_norm1d_defaults_and_buffers_like_torch():
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    assert repr(ours) == repr(theirs)
    assert repr(nn.BatchNorm1d(2, momentum=None, affine=False)) == repr(
        torch.nn.BatchNorm1d(2, momentum=None, affine=False)
    )
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert ours.num_batches_tracked.shape == () and ours.num_batches_tracked.dtype == np.int64
    assert ours.running_mean.dtype == ours.weight.dtype == np.float32
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[name].numpy())
    untracked = nn.BatchNorm1d(3, track_running_stats=False)
    assert untracked.running_mean is None and list(untracked.buffers()) == []
    assert list(untracked.state_dict()) == ["weight", "bias"]
    x = np.random.default_rng(12).standard_normal((4, 3)).astype(np.float32)
    untracked.eval()  # nothing tracked: the batch's own statistics, as torch
    reference = torch.nn.BatchNorm1d(3, track_running_stats=False).eval()
    _close(untracked(cr.tensor(x)), reference(torch.tensor(x)), 1e-5)
    ours(cr.tensor(x))
    ours.reset_running_stats()
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[name].numpy())


def test_batch_norm1d_state_dict_round_trips_through_save_and_load(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    model(cr.tensor(np.random.default_rng(13).standard_normal((6, 4)).astype(np.float32)))
    cr.save(model.state_dict(), tmp_path / "bn.npz")
    loaded = cr.load(tmp_path / "bn.npz")
    fresh = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    fresh.load_state_dict(loaded)
    for (name, value), (_, other) in zip(
        model.state_dict().items(), fresh.state_dict().items(), strict=True
    ):
        assert value.dtype == other.dtype and value.shape == other.shape, name
        np.testing.assert_array_equal(value.numpy(), other.numpy())
    assert fresh[1].num_batches_tracked.item() == 1


def test_batch_norm_errors_name_the_op():
    x = cr.tensor(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    with pytest.raises(ValueRangeError, match="batch_norm: expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(cr.tensor(np.ones((1, 3), np.float32)))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        torch.nn.BatchNorm1d(3)(torch.ones(2, 3, 2, 2))
    with pytest.raises(ShapeError, match=r"BatchNorm1d\(3\): expected input of shape \(N, 3\)"):
        nn.BatchNorm1d(3)(cr.tensor(np.ones((2, 3, 2, 2), np.float32)))
    with pytest.raises(ShapeError, match=r"BatchNorm1d\(3\).*got \(4, 5\)"):
        nn.BatchNorm1d(3)(cr.tensor(np.ones((4, 5), np.float32)))
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        TF.batch_norm(torch.ones(4, 3), None, None)
    with pytest.raises(
        ValueRangeError, match="batch_norm: running_mean and running_var are needed"
    ):
        F.batch_norm(x, None, None)
    with pytest.raises(ShapeError, match=r"batch_norm: running_mean must have shape \(3,\)"):
        F.batch_norm(x, cr.zeros(4), cr.ones(3), training=True)
    with pytest.raises(ShapeError, match=r"batch_norm: expected an input of shape \(N, C, \*\)"):
        F.batch_norm(cr.ones(4), None, None, training=True)
    with pytest.raises(DTypeError, match="batch_norm: running_var has dtype float64"):
        F.batch_norm(x, cr.zeros(3), cr.tensor(np.ones(3)))


# ---- embedding --------------------------------------------------------------------------------
@pytest.mark.parametrize("np_dtype, torch_dtype, tol", DTYPES)
@pytest.mark.parametrize("index_shape", [(), (7,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(index_shape, padding_idx, np_dtype, torch_dtype, tol):
    rng = np.random.default_rng(len(index_shape))
    weight = rng.standard_normal((5, 3)).astype(np_dtype)
    indices = rng.integers(0, 5, size=index_shape)
    if indices.size > 1:
        indices.reshape(-1)[:2] = 2  # repeated, and the padding row when padding_idx=2
    cw, tw = _pair(weight)
    ours = F.embedding(indices, cw, padding_idx)
    theirs = TF.embedding(torch.tensor(indices), tw, padding_idx)
    assert ours.shape == (*index_shape, 3) and ours.dtype == np_dtype
    _close(ours, theirs, 0)
    _backward_both(ours, theirs, rng)
    assert cw.grad.dtype == np_dtype
    _close(cw.grad, tw.grad, tol)


@pytest.mark.parametrize("index_dtype", [np.int64, np.int32, np.uint8])
def test_embedding_takes_any_integer_indices_as_tensor_or_array(index_dtype):
    weight = np.random.default_rng(0).standard_normal((6, 2))
    indices = np.array([[5, 0], [0, 3]], index_dtype)
    for given in (indices, cr.tensor(indices)):
        ours = F.embedding(given, cr.tensor(weight))
        np.testing.assert_array_equal(ours.numpy(), weight[indices.astype(np.int64)])
    theirs = TF.embedding(torch.tensor(indices.astype(np.int64)), torch.tensor(weight))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_embedding_gradient_matches_finite_differences_and_jvp():
    rng = np.random.default_rng(14)
    indices = np.array([[1, 1, 3], [0, 1, 2]])
    weight = rng.standard_normal((4, 2))
    assert cr.gradcheck(lambda w: F.embedding(indices, w), [weight])
    tangent = rng.standard_normal((4, 2))
    _, out_tangent = jvp(lambda w: F.embedding(indices, w), (cr.tensor(weight),), (tangent,))
    np.testing.assert_array_equal(out_tangent.numpy(), tangent[indices])


def test_embedding_module_init_padding_and_training_like_torch():
    ours, theirs = (
        nn.Embedding(1000, 64, padding_idx=-2),
        torch.nn.Embedding(1000, 64, padding_idx=-2),
    )
    assert repr(ours) == repr(theirs) == "Embedding(1000, 64, padding_idx=998)"
    assert repr(nn.Embedding(3, 2)) == repr(torch.nn.Embedding(3, 2)) == "Embedding(3, 2)"
    assert ours.weight.dtype == np.float32 and ours.weight.shape == (1000, 64)
    np.testing.assert_array_equal(ours.weight.numpy()[998], 0)
    rows = np.delete(ours.weight.numpy(), 998, axis=0)  # N(0, 1), as torch's init
    assert abs(rows.mean()) < 0.02 and abs(rows.std() - 1) < 0.02
    _copy_to_torch(ours, theirs)
    opt, topt = optim.Adam(ours.parameters(), lr=0.1), torch.optim.Adam(theirs.parameters(), lr=0.1)
    indices = np.array([[998, 3, 3], [5, 998, 0]])
    for _ in range(3):
        y, ty = ours(indices), theirs(torch.tensor(indices))
        (y**2).sum().backward(), (ty**2).sum().backward()
        opt.step(), topt.step()
        opt.zero_grad(), topt.zero_grad()
    _close(ours.weight, theirs.weight, 1e-5)
    np.testing.assert_array_equal(ours.weight.numpy()[998], 0)  # no gradient: still zero


def test_embedding_errors_name_the_op():
    weight = cr.tensor(np.ones((5, 3), np.float32), requires_grad=True)
    with pytest.raises(IndexError, match="index out of range"):
        TF.embedding(torch.tensor([5]), torch.ones(5, 3))
    for bad in ([0, 5], [-1, 2]):
        with pytest.raises(ValueRangeError, match=r"embedding: indices must lie in \[0, 4\]"):
            F.embedding(np.array(bad), weight)
        with pytest.raises(IndexError):  # as torch's error
            F.embedding(np.array(bad), weight)
    with pytest.raises(DTypeError, match="embedding: indices must be integers, got dtype float"):
        F.embedding(np.array([1.0]), weight)
    with pytest.raises(DTypeError, match="embedding: indices must be integers, got dtype bool"):
        F.embedding(np.array([True]), weight)
    with pytest.raises(ShapeError, match=r"embedding: weight must be 2-D.*got shape \(5,\)"):
        F.embedding(np.array([1]), cr.ones(5))
    with pytest.raises(ValueRangeError, match=r"embedding: padding_idx must lie in \[-5, 4\]"):
        F.embedding(np.array([1]), weight, padding_idx=5)
    with pytest.raises(ValueRangeError, match=r"Embedding\(5, 3\): padding_idx must lie"):
        nn.Embedding(5, 3, padding_idx=-6)


def _torch_jvp(f, primals, tangents):
    """torch's forward-mode derivative of ``f`` at ``primals`` along ``tangents``."""
    import torch.autograd.forward_ad as forward_ad

    with forward_ad.dual_level():
        duals = [
            forward_ad.make_dual(torch.tensor(p), torch.tensor(t))
            for p, t in zip(primals, tangents, strict=True)
        ]
        return forward_ad.unpack_dual(f(*duals)).tangent.numpy()


@pytest.mark.parametrize("np_dtype, torch_dtype, tol", DTYPES)
def test_norm_forward_mode_matches_torch_forward_ad(np_dtype, torch_dtype, tol):
    rng = np.random.default_rng(11)
    x, tx = (rng.standard_normal((5, 3, 2)).astype(np_dtype) for _ in range(2))
    w, tw, b, tb = (rng.standard_normal(3).astype(np_dtype) for _ in range(4))
    lw, ltw = (rng.standard_normal((3, 2)).astype(np_dtype) for _ in range(2))
    running_mean, running_var = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
    running = [r.astype(np_dtype) for r in (running_mean, running_var)]
    cases = {  # name -> (ours, torch's, primals, tangents)
        "layer_norm": (
            lambda x, w: F.layer_norm(x, (3, 2), w),
            lambda x, w: TF.layer_norm(x, (3, 2), w),
            (x, lw),
            (tx, ltw),
        ),
        "batch_norm training": (
            lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
            lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
            (x, w, b),
            (tx, tw, tb),
        ),
        "batch_norm eval": (
            lambda x, w, b: F.batch_norm(x, *running, w, b),
            lambda x, w, b: TF.batch_norm(x, *(torch.tensor(r) for r in running), w, b),
            (x, w, b),
            (tx, tw, tb),
        ),
        "batch_norm bias only": (  # a tangent in b alone still covers the whole output
            lambda b: F.batch_norm(x, None, None, None, b, training=True),
            lambda b: TF.batch_norm(torch.tensor(x), None, None, None, b, training=True),
            (b,),
            (tb,),
        ),
    }
    for name, (ours, theirs, primals, tangents) in cases.items():
        _, tangent = jvp(ours, tuple(cr.tensor(p) for p in primals), tangents)
        assert tangent.dtype == np_dtype, name
        expected = _torch_jvp(theirs, primals, tangents)
        np.testing.assert_allclose(tangent.numpy(), expected, rtol=tol, atol=tol, err_msg=name)


def test_embedding_forward_mode_keeps_the_padding_row_as_torch():
    # torch's forward mode carries the padding row's tangent (only its gradient is held at 0)
    rng = np.random.default_rng(12)
    weight, tangent = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    indices = np.array([[1, 3], [0, 1]])
    _, ours = jvp(
        lambda w: F.embedding(indices, w, padding_idx=1), (cr.tensor(weight),), (tangent,)
    )
    expected = _torch_jvp(
        lambda w: TF.embedding(torch.tensor(indices), w, padding_idx=1), (weight,), (tangent,)
    )
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12, atol=1e-12)
