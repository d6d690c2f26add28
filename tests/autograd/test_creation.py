"""Creation helpers against NumPy: values, shapes, dtypes, seeds and generators."""

import numpy as np
import pytest

import chainrule as cr


def test_constant_tensors_match_numpy():
    for make, ref in ((cr.zeros, np.zeros), (cr.ones, np.ones)):
        for shape in ((2, 3), ((2, 3),), (4,)):
            t = make(*shape)
            expected = ref(shape[0] if isinstance(shape[0], tuple) else shape)
            assert t.dtype == np.float32 and t.shape == expected.shape
            np.testing.assert_array_equal(t.data, expected)
    full = cr.full((2, 2), 1.5)
    assert full.dtype == np.float32
    np.testing.assert_array_equal(full.data, np.full((2, 2), 1.5))
    assert cr.full(3, 7.0, dtype=np.float64).data.tolist() == [7.0, 7.0, 7.0]
    assert cr.zeros(2, requires_grad=True).requires_grad


def test_like_helpers_keep_shape_and_dtype():
    x = cr.tensor(np.arange(6.0).reshape(2, 3))  # float64 from NumPy
    for make, value in ((cr.zeros_like, 0.0), (cr.ones_like, 1.0)):
        y = make(x)
        assert y.shape == (2, 3) and y.dtype == np.float64
        np.testing.assert_array_equal(y.data, np.full((2, 3), value))
        assert make(x, dtype=np.float32).dtype == np.float32
        assert make(np.zeros((4,), np.float32)).shape == (4,)


def test_arange_matches_numpy_integers_stay_int64_floats_become_float32():
    np.testing.assert_array_equal(cr.arange(5).data, np.arange(5))
    assert cr.arange(5).dtype == np.int64
    np.testing.assert_array_equal(cr.arange(2, 11, 3).data, [2, 5, 8])
    halves = cr.arange(0.0, 1.0, 0.25)
    assert halves.dtype == np.float32
    np.testing.assert_array_equal(halves.data, np.arange(0.0, 1.0, 0.25, dtype=np.float32))


def test_random_tensors_follow_seed_generator_and_manual_seed():
    # the same draws NumPy's generator makes for that seed
    np.testing.assert_array_equal(
        cr.randn(3, 4, seed=7).data,
        np.random.default_rng(7).standard_normal((3, 4)).astype(np.float32),
    )
    np.testing.assert_array_equal(
        cr.rand(5, seed=7).data, np.random.default_rng(7).random(5).astype(np.float32)
    )
    gen_a, gen_b = np.random.default_rng(3), np.random.default_rng(3)
    first = cr.randn(2, generator=gen_a)
    np.testing.assert_array_equal(first.data, cr.randn(2, generator=gen_b).data)
    assert not np.array_equal(first.data, cr.randn(2, generator=gen_a).data)  # gen advanced
    cr.manual_seed(11)
    a = cr.rand(3, dtype=np.float64)
    cr.manual_seed(11)
    b = cr.rand(3, dtype=np.float64)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a.data, b.data)
    u = cr.rand(10_000, seed=0).data
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02


def test_integer_creation_cannot_require_grad():
    with pytest.raises(TypeError, match="floating"):
        cr.arange(3, requires_grad=True)
