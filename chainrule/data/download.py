"""Opt-in download of the official MNIST / Fashion-MNIST files, verified by published MD5s.

Only ``load_mnist(download=True)`` / ``load_fashion_mnist(download=True)`` call this; tests and
the default path never touch the network. Each file is written atomically after its MD5 (the
checksum the dataset authors publish) matched, so a failed or tampered download leaves nothing.
"""

from __future__ import annotations

import hashlib
import http.client
import urllib.request
from pathlib import Path

from chainrule.data.errors import DatasetError
from chainrule.io.atomic import atomic_write

MIRRORS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}
MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}


def download(name: str, folder: Path, timeout: float = 60.0) -> None:
    """Fetch the four ``.gz`` files of ``name`` into ``folder`` (files already there are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    for filename, md5 in MD5[name].items():
        target = folder / filename
        if target.is_file():
            continue
        url = MIRRORS[name] + filename
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                payload = response.read()
        # HTTPException is no OSError: IncompleteRead (a response cut short), a bad status line
        except (OSError, http.client.HTTPException) as exc:
            detail = str(exc) or type(exc).__name__
            raise DatasetError(f"{name}: cannot download {url} ({detail})") from None
        if hashlib.md5(payload).hexdigest() != md5:
            raise DatasetError(f"{name}: {url} does not match its published MD5 {md5}; not saved")
        with atomic_write(target) as handle:
            handle.write(payload)
