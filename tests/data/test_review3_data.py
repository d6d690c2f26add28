"""An unseeded shuffling DataLoader takes its seed from the global generator when it first
shuffles, as torch's does: building one leaves the global stream (the model's init) alone."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import DataLoader

X, Y = np.zeros((12, 2), np.float32), np.arange(12)


def _torch_data(torch):
    return torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))


def test_building_a_shuffling_loader_leaves_the_global_stream_as_torch_does():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    alone = torch.randn(4)
    torch.manual_seed(0)
    torch.utils.data.DataLoader(_torch_data(torch), batch_size=5, shuffle=True)
    assert torch.equal(torch.randn(4), alone)  # e.g. the weights of a model built next

    cr.manual_seed(0)
    alone = cr.randn(4).numpy()
    cr.manual_seed(0)
    DataLoader(X, Y, batch_size=5, shuffle=True)
    # the loader drew its seed here: the model built after it got other weights
    np.testing.assert_array_equal(cr.randn(4).numpy(), alone)


def test_an_unseeded_loader_shuffles_with_the_global_state_of_its_first_epoch_as_torch():
    torch = pytest.importorskip("torch")

    def torch_first_epoch(seed_before):
        torch.manual_seed(seed_before)
        loader = torch.utils.data.DataLoader(_torch_data(torch), batch_size=5, shuffle=True)
        torch.manual_seed(1)
        return [yb.tolist() for _, yb in loader]

    def our_first_epoch(seed_before):
        cr.manual_seed(seed_before)
        loader = DataLoader(X, Y, batch_size=5, shuffle=True)
        cr.manual_seed(1)
        state = loader.state_dict()  # draws nothing: the seed is still to be taken
        loader.load_state_dict(state)
        return [yb.data.tolist() for _, yb in loader]

    # torch: only the global state when the epoch starts matters, not when the loader was built
    assert torch_first_epoch(0) == torch_first_epoch(7)
    assert our_first_epoch(0) == our_first_epoch(7)
