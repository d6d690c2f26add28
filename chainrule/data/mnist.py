"""MNIST and Fashion-MNIST from IDX files found on this machine.

Search order without a path: ``$CHAINRULE_DATA`` (and its ``mnist``/``fashion-mnist``
subfolder), Debian's ``/usr/share/datasets/fashion-mnist/`` (package
``dataset-fashion-mnist``, Fashion-MNIST only), then ``~/.cache/chainrule/<name>``.
Nothing is downloaded unless ``download=True`` (then into the cache, MD5-verified); otherwise
the error says where chainrule looked and how to get the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from chainrule.data.download import download as fetch
from chainrule.data.errors import DatasetError
from chainrule.data.idx import read_idx

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def candidate_folders(name: str) -> list[Path]:
    """The folders searched for dataset ``name`` ('mnist' or 'fashion-mnist'), in order."""
    folders = []
    if os.environ.get("CHAINRULE_DATA"):
        root = Path(os.environ["CHAINRULE_DATA"])
        folders += [root / name, root]
    if name == "fashion-mnist":
        folders.append(DEBIAN_FASHION_MNIST)
    folders.append(cache_folder(name))
    return folders


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def cache_folder(name: str) -> Path:
    """Where ``download=True`` puts the files of dataset ``name``."""
    return Path.home() / ".cache" / "chainrule" / name


def _found_in(folder: Path) -> dict[str, Path] | None:
    found = {key: _find(folder, stem) for key, stem in FILES.items()}
    return found if all(found.values()) else None


def _locate(name: str, path, download: bool = False) -> dict[str, Path]:
    folders = [Path(path)] if path is not None else candidate_folders(name)
    for folder in folders:
        found = _found_in(folder)
        if found:
            return found
    if download and path is None:  # only when no folder has them: never a needless fetch
        fetch(name, cache_folder(name))
        found = _found_in(cache_folder(name))
        if found:
            return found
    if path is not None:  # a folder the user named: the search and the download do not apply
        raise DatasetError(
            f"{path}: the four IDX files ({', '.join(FILES.values())}, optionally .gz) are not "
            "all in this folder"
        )
    hint = "apt-get install dataset-fashion-mnist, or " if name == "fashion-mnist" else ""
    looked = ", ".join(str(f) for f in folders)
    raise DatasetError(
        f"{name}: the four IDX files ({', '.join(FILES.values())}, optionally .gz) were not "
        f"found in {looked}; get them with {hint}a path (--data PATH), $CHAINRULE_DATA, "
        f"or a download of the official files (chainrule train --download, or "
        f"load_{name.replace('-', '_')}(download=True))"
    )


def ensure_available(name: str) -> None:
    """Download dataset ``name`` into the cache unless one of the searched folders has it."""
    _locate(name, None, download=True)


def _load_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DatasetError(
            f"{images_path}: expected 28x28 uint8 images, got shape {images.shape} "
            f"of {images.dtype}"
        )
    if len(images) == 0:  # nothing to train or test on; reshape(0, -1) would fail obscurely
        raise DatasetError(f"{images_path}: contains no images")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DatasetError(
            f"{labels_path}: expected a 1-D uint8 label array, got shape {labels.shape} "
            f"of {labels.dtype}"
        )
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path}: {len(images)} images but {labels_path.name} has {len(labels)} labels"
        )
    if labels.size and labels.max() > 9:
        raise DatasetError(f"{labels_path}: labels must be 0-9, found {labels.max()}")
    x = images.reshape(len(images), -1).astype(np.float32)
    x /= 255.0
    return x, labels.astype(np.int64)


def load_idx_dataset(name: str, path=None, download: bool = False, train: bool = True):
    """``(X_train, y_train), (X_test, y_test)``: X float32 (N, 784) in [0, 1], y int64.

    With ``train=False`` the training files are not read (an evaluation needs only the test
    split, and a damaged training file should not stop it): ``None`` in their place.
    """
    files = _locate(name, path, download)
    pair = _load_pair(files["train_images"], files["train_labels"]) if train else None
    return pair, _load_pair(files["test_images"], files["test_labels"])


def load_mnist(path=None, download: bool = False, train: bool = True):
    """The MNIST handwritten digits (60,000 train, 10,000 test) from IDX files."""
    return load_idx_dataset("mnist", path, download, train)


def load_fashion_mnist(path=None, download: bool = False, train: bool = True):
    """Fashion-MNIST (Zalando's 28x28 clothing images, 10 classes) from IDX files."""
    return load_idx_dataset("fashion-mnist", path, download, train)
