"""DataLoader against torch.utils.data.DataLoader: the default order (no shuffling), len()
and the batches with and without drop_last, and the batch sizes both refuse."""

import numpy as np
import pytest

from chainrule.data import DataLoader


def _torch_batches(torch, x, y, batch_size, **options):
    data = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, **options)
    return len(loader), [(xb.numpy(), yb.numpy()) for xb, yb in loader]


def _data(n):
    return np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n, dtype=np.int64)


def test_dataloader_keeps_the_dataset_order_by_default_as_torch():
    torch = pytest.importorskip("torch")
    x, y = _data(10)
    _, expected = _torch_batches(torch, x, y, 4)  # torch's shuffle default: None, i.e. off
    loader = DataLoader(x, y, 4)
    for _ in range(2):  # every epoch, not only the first
        ours = [(xb.numpy(), yb.numpy()) for xb, yb in loader]
        assert len(ours) == len(expected)
        for (our_x, our_y), (ref_x, ref_y) in zip(ours, expected, strict=True):
            np.testing.assert_array_equal(our_x, ref_x)
            np.testing.assert_array_equal(our_y, ref_y)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n, batch_size", [(10, 4), (12, 4), (3, 4), (4, 4), (1, 1), (0, 4)])
def test_dataloader_len_and_batches_match_torch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    x, y = _data(n)
    expected_len, expected = _torch_batches(torch, x, y, batch_size, drop_last=drop_last)
    loader = DataLoader(x, y, batch_size, shuffle=False, drop_last=drop_last)
    assert len(loader) == expected_len
    ours = list(loader)
    assert [len(yb) for _, yb in ours] == [len(ref_y) for _, ref_y in expected]
    for (our_x, our_y), (ref_x, ref_y) in zip(ours, expected, strict=True):
        np.testing.assert_array_equal(our_x.numpy(), ref_x)
        np.testing.assert_array_equal(our_y.numpy(), ref_y)


@pytest.mark.parametrize("batch_size", [0, -3, 2.0, np.float64(2.0), True, False, "4"])
def test_dataloader_refuses_the_batch_sizes_torch_refuses_by_name(batch_size):
    torch = pytest.importorskip("torch")
    x, y = _data(5)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        _torch_batches(torch, x, y, batch_size)
    with pytest.raises(ValueError) as caught:
        DataLoader(x, y, batch_size)
    message = str(caught.value)
    assert message == f"DataLoader: batch_size must be a positive integer, got {batch_size!r}"
