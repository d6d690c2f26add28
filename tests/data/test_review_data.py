"""Splits refused where scikit-learn refuses them, and label files of another dtype named."""

import numpy as np
import pytest

from chainrule.data import DataLoader, DatasetError, load_digits, load_mnist, stratified_split

model_selection = pytest.importorskip("sklearn.model_selection")


@pytest.mark.parametrize(("n", "fraction"), [(3, 0.9), (1, 0.1), (10, 0.95), (1797, 0.9999)])
def test_stratified_split_refuses_to_leave_a_part_empty_as_sklearn_does(n, fraction):
    x, y = np.zeros((n, 2), np.float32), np.arange(n) % 2
    with pytest.raises(ValueError, match="train set will be empty"):
        model_selection.train_test_split(x, y, test_size=fraction)
    with pytest.raises(DatasetError, match=rf"stratified_split: test_fraction {fraction} of {n}"):
        stratified_split(x, y, fraction)


def test_load_digits_with_a_fraction_leaving_no_training_data_is_refused():
    with pytest.raises(DatasetError, match="leaving none for the first part"):
        load_digits(test_fraction=0.9999)


def test_stratified_split_refuses_inputs_of_different_lengths_by_name():
    x, y = np.zeros((3, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model_selection.train_test_split(x, y, test_size=0.5)
    with pytest.raises(ValueError, match="stratified_split: x has 3 samples but y has 4"):
        stratified_split(x, y, 0.5)


def _write_idx(path, array, code):
    header = bytes([0, 0, code, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.tobytes())


def test_a_label_file_of_another_dtype_is_named_with_that_dtype(tmp_path):
    images = np.zeros((2, 28, 28), np.uint8)
    labels = np.array([1, 2], dtype=">i4")  # IDX code 0x0C: int32 labels, shape still (2,)
    for split in ("train", "t10k"):
        _write_idx(tmp_path / f"{split}-images-idx3-ubyte", images, 0x08)
        _write_idx(tmp_path / f"{split}-labels-idx1-ubyte", labels, 0x0C)
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte: .* of int32"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("seed", [-1, 1.5, "7"])
def test_dataloader_names_a_bad_seed(seed):
    # NumPy's "expected non-negative integer" named neither the loader nor the option
    with pytest.raises(ValueError, match=r"DataLoader: seed must be None or an integer >= 0"):
        DataLoader(np.zeros((4, 2)), np.zeros(4, dtype=np.int64), 2, seed=seed)
