"""The IDX reader on synthetic files (every corruption) and on the real Fashion-MNIST."""

import gzip
import struct

import numpy as np
import pytest

from chainrule.data import DatasetError, load_fashion_mnist, read_idx
from chainrule.data.mnist import DEBIAN_FASHION_MNIST


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize(
    ("dtype", "code"), [(np.uint8, 0x08), (np.int16, 0x0B), (np.float32, 0x0D)]
)
@pytest.mark.parametrize("compress", [False, True])
def test_reads_valid_files(tmp_path, dtype, code, compress):
    array = (np.arange(24).reshape(2, 3, 4) * 3).astype(dtype)
    raw = _idx_bytes(array, code)
    path = tmp_path / "x.idx"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    got = read_idx(path)
    np.testing.assert_array_equal(got, array)
    assert got.dtype == np.dtype(dtype)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b"\x01" + b[1:], "bad magic"),
        (lambda b: b[:2] + b"\x07" + b[3:], "unknown IDX dtype code 0x07"),
        (lambda b: b[:-5], "truncated: shape"),
        (lambda b: b + b"\x00", "trailing bytes"),
        (lambda b: b[:6], "truncated IDX header"),
        (lambda b: gzip.compress(b)[:-20], "corrupt or truncated gzip"),
        (lambda b: b[:3] + b"\x00", "zero dimensions"),
        # 3 dims declared for a 2-D file: the data's first 4 bytes are read as a size (0)
        (lambda b: b[:3] + b"\x03" + b[4:], r"shape \(2, 3, 0\) needs 0 bytes, found 2"),
        (lambda b: b"\x89PNG\r\n\x1a\n" + b, "bad magic number 89504e47"),  # a foreign file
        (lambda b: b"", "bad magic"),
    ],
)
def test_corrupt_files_are_refused_with_the_file_named(tmp_path, mutate, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(mutate(_idx_bytes(np.zeros((2, 3), np.uint8), 0x08)))
    with pytest.raises(DatasetError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_missing_dataset_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    with pytest.raises(DatasetError, match=str(tmp_path)):
        load_fashion_mnist(tmp_path / "nowhere")


def test_label_count_mismatch(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    labels = np.zeros(2, np.uint8)
    for stem in ("train", "t10k"):
        (tmp_path / f"{stem}-images-idx3-ubyte").write_bytes(_idx_bytes(images, 0x08))
        (tmp_path / f"{stem}-labels-idx1-ubyte").write_bytes(_idx_bytes(labels, 0x08))
    with pytest.raises(DatasetError, match="3 images but train-labels-idx1-ubyte has 2 labels"):
        load_fashion_mnist(tmp_path)


@pytest.mark.skipif(not DEBIAN_FASHION_MNIST.is_dir(), reason="dataset-fashion-mnist not installed")
def test_real_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0.0 == x_train.min() and x_train.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        # 2**22 * 2**21 * 2**21 = 2**64 bytes: np.prod in int64 wraps to 0, the empty data's size
        ((4194304, 2097152, 2097152), "needs 18446744073709551616 bytes, found 0"),
        ((0, 2**32 - 1, 2**32 - 1), "too big for NumPy"),  # 0 bytes, but no such array
    ],
)
def test_a_header_whose_sizes_overflow_is_refused_by_name(tmp_path, shape, message):
    path = tmp_path / "huge.idx"
    path.write_bytes(struct.pack(">BBBB", 0, 0, 0x08, len(shape)) + struct.pack(">3I", *shape))
    with pytest.raises(DatasetError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_an_empty_image_file_is_refused_by_name(tmp_path):
    for stem in ("train", "t10k"):
        images = tmp_path / f"{stem}-images-idx3-ubyte"
        images.write_bytes(_idx_bytes(np.zeros((0, 28, 28), np.uint8), 0x08))
        (tmp_path / f"{stem}-labels-idx1-ubyte").write_bytes(
            _idx_bytes(np.zeros(0, np.uint8), 0x08)
        )
    with pytest.raises(DatasetError, match="contains no images") as info:
        load_fashion_mnist(tmp_path)
    assert str(tmp_path / "train-images-idx3-ubyte") in str(info.value)
