"""``add_scaled_`` (y += alpha * x in one pass): exact to rounding on the BLAS path, the NumPy
expression wherever BLAS does not apply, NumPy's own BLAS (so its thread limits hold), and
optim.SGD on a large weight as torch.optim.SGD."""

import glob
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.optim import axpy
from chainrule.optim.axpy import MIN_SIZE, add_scaled_

rng = np.random.default_rng(0)
LIBS = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
BUNDLED = glob.glob(os.path.join(LIBS, "*openblas64_*"))


def test_the_blas_of_numpys_wheel_is_found_when_it_is_there():
    if not BUNDLED:
        pytest.skip("this NumPy bundles no OpenBLAS: add_scaled_ is the NumPy expression")
    assert set(axpy._AXPY) == {np.dtype(np.float32), np.dtype(np.float64)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_arrays_are_within_one_rounding_of_the_exact_value(dtype):
    if not BUNDLED:
        pytest.skip("no BLAS here: NumPy's two roundings are not held to this bound")
    y = rng.standard_normal((300, 300)).astype(dtype)  # 90,000 elements >= MIN_SIZE
    x = rng.standard_normal((300, 300)).astype(dtype)
    alpha = -0.01  # BLAS takes it in the arrays' precision
    exact = y.astype(np.longdouble) + np.longdouble(dtype(alpha)) * x.astype(np.longdouble)
    add_scaled_(y, x, alpha)
    assert y.dtype == dtype
    assert np.all(np.abs(y - exact) <= np.spacing(np.abs(exact).astype(dtype)))


@pytest.mark.parametrize(
    "case",
    ["small", "strided", "other dtype", "same memory", "read-only x", "no blas"],
)
def test_where_blas_does_not_apply_the_result_is_numpys_expression(case, monkeypatch):
    big = rng.standard_normal(2 * MIN_SIZE).astype(np.float32)
    x = rng.standard_normal(2 * MIN_SIZE).astype(np.float32)
    if case == "small":
        y, x = big[:100].copy(), x[:100]
    elif case == "strided":
        y, x = big[::2], x[::2]
    elif case == "other dtype":
        y, x = big, x.astype(np.float64)
    elif case == "same memory":
        y, x = big, big
    elif case == "read-only x":
        y = big
        x.setflags(write=False)
    else:
        y = big
        monkeypatch.setattr(axpy, "_AXPY", {})
    expected = y.copy()
    expected += 0.5 * x.copy()
    add_scaled_(y, x, 0.5)
    np.testing.assert_array_equal(y, expected)


def test_sgd_on_a_large_weight_follows_torch():
    torch = pytest.importorskip("torch")
    w0 = rng.standard_normal((320, 256)).astype(np.float32)  # 81,920 elements: the BLAS path
    data = rng.standard_normal((8, 320)).astype(np.float32)
    ours = cr.tensor(w0.copy(), requires_grad=True)
    theirs = torch.tensor(w0.copy(), requires_grad=True)
    opt, torch_opt = optim.SGD([ours], lr=0.1), torch.optim.SGD([theirs], lr=0.1)
    for _ in range(5):
        loss = ((cr.tensor(data) @ ours).tanh() ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        torch_loss = (torch.tanh(torch.tensor(data) @ theirs) ** 2).mean()
        torch_opt.zero_grad()
        torch_loss.backward()
        torch_opt.step()
    assert not np.array_equal(ours.data, w0)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_the_blas_is_the_one_numpy_loaded_so_its_thread_limits_apply():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not BUNDLED:
        pytest.skip("this NumPy bundles no OpenBLAS")
    numpy_blas = [  # SciPy or PyTorch, imported by other tests, may bring BLAS of their own
        os.path.realpath(i["filepath"])
        for i in threadpoolctl.threadpool_info()
        if os.path.realpath(i["filepath"]).startswith(os.path.realpath(LIBS))
    ]
    assert numpy_blas == [axpy.LIBRARY]
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        y = np.ones(MIN_SIZE, np.float32)
        add_scaled_(y, np.ones(MIN_SIZE, np.float32), 2.0)
    np.testing.assert_array_equal(y, 3.0)


def test_a_read_only_parameter_is_refused_and_left_unchanged():
    y = np.ones(2 * MIN_SIZE, np.float32)
    y.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        add_scaled_(y, np.ones(2 * MIN_SIZE, np.float32), 2.0)
    np.testing.assert_array_equal(y, 1.0)
