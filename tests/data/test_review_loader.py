"""DataLoader arguments refused as PyTorch refuses them."""

import numpy as np
import pytest

from chainrule.data import DataLoader


@pytest.mark.parametrize("batch_size", [True, 0, -1, 2.0])
def test_loader_refuses_what_torch_refuses_as_a_batch_size(batch_size):
    torch = pytest.importorskip("torch")
    x, y = np.zeros((5, 3), np.float32), np.zeros(5, np.int64)
    data = torch.utils.data.TensorDataset(torch.from_numpy(x))
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(data, batch_size=batch_size)
    with pytest.raises(ValueError, match="DataLoader: batch_size must be a positive integer"):
        DataLoader(x, y, batch_size)
