"""DataLoader against torch.utils.data.DataLoader: the global seed fixes an unseeded loader's
order, and a batch is the loader's own array, never a view into the dataset."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import DataLoader


def _epoch_labels(loader) -> list[list[int]]:
    return [yb.data.tolist() for _, yb in loader]  # torch's .data is a tensor, ours an array


def test_an_unseeded_shuffling_loader_follows_the_global_seed_as_torch_does():
    torch = pytest.importorskip("torch")
    x, y = np.zeros((20, 2), np.float32), np.arange(20)
    data = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))

    def torch_orders(seed):
        torch.manual_seed(seed)
        loader = torch.utils.data.DataLoader(data, batch_size=6, shuffle=True)
        return [_epoch_labels(loader) for _ in range(2)]

    def our_orders(seed):
        cr.manual_seed(seed)
        loader = DataLoader(x, y, batch_size=6, shuffle=True)
        return [_epoch_labels(loader) for _ in range(2)]

    # torch: the same global seed gives the same orders, another seed other ones
    assert torch_orders(0) == torch_orders(0) != torch_orders(1)
    assert our_orders(0) == our_orders(0) != our_orders(1)  # was drawn from OS entropy
    first, second = our_orders(0)
    assert first != second  # still reshuffled every epoch


@pytest.mark.parametrize("shuffle", [False, True])
def test_changing_a_batch_in_place_leaves_the_dataset_as_torch_does(shuffle):
    torch = pytest.importorskip("torch")
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    data = torch.utils.data.TensorDataset(torch.from_numpy(x.copy()), torch.from_numpy(y))
    for xb, yb in torch.utils.data.DataLoader(data, batch_size=4, shuffle=shuffle):
        xb += 100.0  # e.g. noise added to a batch as augmentation
        yb.zero_()
    np.testing.assert_array_equal(data.tensors[0].numpy(), x)
    np.testing.assert_array_equal(data.tensors[1].numpy(), y)

    ours, labels = x.copy(), y.copy()
    loader = DataLoader(ours, labels, batch_size=4, shuffle=shuffle, seed=0)
    for xb, yb in loader:
        xb += 100.0  # shuffle=False used to hand out views: this changed `ours`
        yb.zero_()
    np.testing.assert_array_equal(ours, x)
    np.testing.assert_array_equal(labels, y)
    batches = np.concatenate([xb.data for xb, _ in loader])  # the next epoch: the data again
    np.testing.assert_array_equal(np.sort(batches, axis=0), x)
