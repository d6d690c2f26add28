"""The bundled digits split and the DataLoader's batching, shuffling and resumability."""

import numpy as np
import pytest

from chainrule.data import DataLoader, load_digits, stratified_split


def test_digits_split_is_stratified_and_deterministic():
    pytest.importorskip("sklearn")
    (x_train, y_train), (x_test, y_test) = load_digits()
    assert (len(x_train), len(x_test)) == (1437, 360)  # as sklearn's train_test_split
    assert x_train.dtype == np.float32 and x_train.shape[1] == 64
    assert 0 <= x_train.min() and x_train.max() <= 1
    counts = np.bincount(np.concatenate([y_train, y_test]))
    assert np.all(np.abs(np.bincount(y_test) - 0.2 * counts) < 1)
    (again, _), _ = load_digits()
    np.testing.assert_array_equal(again, x_train)


def test_stratified_split_keeps_every_sample_once():
    y = np.repeat(np.arange(3), [10, 20, 30])
    x = np.arange(60)
    (xa, ya), (xb, yb) = stratified_split(x, y, 0.1, seed=4)
    assert sorted(np.concatenate([xa, xb]).tolist()) == list(range(60))
    np.testing.assert_array_equal(np.bincount(yb), [1, 2, 3])


def test_loader_batches_cover_the_data_and_reshuffle_each_epoch():
    x = np.arange(10, dtype=np.float32)[:, None]
    y = np.arange(10)
    loader = DataLoader(x, y, batch_size=4, shuffle=True, seed=0)
    assert len(loader) == 3
    first = np.concatenate([yb.data for _, yb in loader])
    second = np.concatenate([yb.data for _, yb in loader])
    assert sorted(first) == list(range(10)) and not np.array_equal(first, second)
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.data[:, 0], yb.data)
    assert len(DataLoader(x, y, batch_size=4, drop_last=True)) == 2
    fixed = [yb.data.tolist() for _, yb in DataLoader(x, y, batch_size=4, shuffle=False)]
    assert fixed == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_loader_state_round_trip_reproduces_the_order():
    x, y = np.zeros((20, 1)), np.arange(20)
    a = DataLoader(x, y, batch_size=5, shuffle=True, seed=1)
    list(a)
    b = DataLoader(x, y, batch_size=5, shuffle=True, seed=99)
    b.load_state_dict(a.state_dict())
    assert [yb.data.tolist() for _, yb in a] == [yb.data.tolist() for _, yb in b]


def test_loader_rejects_bad_input():
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        DataLoader(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(np.zeros((3, 1)), np.zeros(3), batch_size=0)


def test_loader_yields_float32_and_int64_and_its_state_survives_save(tmp_path):
    import chainrule as cr

    x, y = np.random.default_rng(0).random((9, 2)), np.arange(9, dtype=np.int32)
    a = DataLoader(x, y, batch_size=4, shuffle=True, seed=3)
    xb, yb = next(iter(a))
    assert xb.data.dtype == np.float32 and yb.data.dtype == np.int64 and not xb.requires_grad
    cr.save(a.state_dict(), tmp_path / "loader.npz")
    b = DataLoader(x, y, batch_size=4, shuffle=True, seed=0)
    b.load_state_dict(cr.load(tmp_path / "loader.npz"))
    assert [v.data.tolist() for _, v in a] == [v.data.tolist() for _, v in b]
