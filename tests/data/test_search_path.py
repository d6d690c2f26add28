"""Where load_mnist / load_fashion_mnist look: $CHAINRULE_DATA, Debian's folder, the cache."""

import numpy as np
import pytest

import chainrule.data.mnist as mnist
from chainrule.data import DatasetError, load_fashion_mnist, load_mnist


def _write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def _dataset(folder, label):
    """A tiny IDX dataset whose every label is ``label``, so tests can tell folders apart."""
    folder.mkdir(parents=True)
    for split, n in (("train", 4), ("t10k", 2)):
        _write_idx(folder / f"{split}-images-idx3-ubyte", np.full((n, 28, 28), 255))
        _write_idx(folder / f"{split}-labels-idx1-ubyte", np.full(n, label))
    return folder


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty stand-ins for $CHAINRULE_DATA, Debian's folder and the home (cache) folder."""
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "env"))
    monkeypatch.setattr(mnist, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def _label(loaded):
    (_, y_train), (_, y_test) = loaded
    assert len(y_train) == 4 and len(y_test) == 2
    return int(y_train[0])


def test_search_order_env_subfolder_env_debian_cache(places):
    cache = places / "home" / ".cache" / "chainrule" / "fashion-mnist"
    _dataset(cache, 4)
    assert _label(load_fashion_mnist()) == 4
    _dataset(places / "debian", 3)
    assert _label(load_fashion_mnist()) == 3  # Debian's package before the cache
    _dataset(places / "env", 2)
    assert _label(load_fashion_mnist()) == 2  # $CHAINRULE_DATA before Debian's
    _dataset(places / "env" / "fashion-mnist", 1)
    assert _label(load_fashion_mnist()) == 1  # its named subfolder first
    assert _label(load_fashion_mnist(cache)) == 4  # an explicit path is the only place


def test_debian_folder_is_only_for_fashion_mnist(places):
    _dataset(places / "debian", 3)
    with pytest.raises(DatasetError) as info:
        load_mnist()
    assert str(places / "debian") not in str(info.value)
    assert "apt-get" not in str(info.value)
    _dataset(places / "env" / "mnist", 5)
    assert _label(load_mnist()) == 5


def test_missing_files_message_lists_every_place_and_the_debian_package(places):
    with pytest.raises(DatasetError) as info:
        load_fashion_mnist()
    message = str(info.value)
    cache = "home/.cache/chainrule/fashion-mnist"
    for folder in ("env/fashion-mnist", "env", "debian", cache):
        assert str(places / folder) in message
    assert "apt-get install dataset-fashion-mnist" in message and "--data PATH" in message


def test_gzipped_files_are_found_too(places):
    import gzip

    folder = _dataset(places / "env" / "fashion-mnist", 6)
    for path in list(folder.iterdir()):
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    assert _label(load_fashion_mnist()) == 6
