"""load_mnist(download=True) from a local file:// mirror: MD5 checked, nothing kept on mismatch."""

import gzip
import hashlib

import numpy as np
import pytest

from chainrule.data import DatasetError, download, load_mnist
from tests.data.test_idx import _idx_bytes


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A fake MNIST mirror of 4 train / 2 test images, and HOME pointed at an empty folder."""
    served = tmp_path / "mirror"
    served.mkdir()
    rng = np.random.default_rng(0)
    checksums = {}
    for stem, n in (("train", 4), ("t10k", 2)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{stem}-{kind}-ubyte.gz"
            payload = gzip.compress(_idx_bytes(array, 0x08))
            (served / name).write_bytes(payload)
            checksums[name] = hashlib.md5(payload).hexdigest()
    monkeypatch.setitem(download.MIRRORS, "mnist", served.as_uri() + "/")
    monkeypatch.setitem(download.MD5, "mnist", checksums)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    return tmp_path / "home" / ".cache" / "chainrule" / "mnist", checksums


def test_download_fills_the_cache_after_checking_md5(mirror):
    cache, _ = mirror
    with pytest.raises(DatasetError, match="download=True"):
        load_mnist()  # never fetched unless asked
    (x, y), (x_test, y_test) = load_mnist(download=True)
    assert x.shape == (4, 784) and x_test.shape == (2, 784) and y.dtype == np.int64
    assert sorted(p.name for p in cache.iterdir()) == sorted(download.MD5["mnist"])


def test_a_file_with_the_wrong_md5_is_not_saved(mirror):
    cache, checksums = mirror
    checksums["t10k-images-idx3-ubyte.gz"] = "0" * 32
    with pytest.raises(DatasetError, match="does not match its published MD5"):
        load_mnist(download=True)
    assert not (cache / "t10k-images-idx3-ubyte.gz").exists()
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


def test_no_fetch_when_a_searched_folder_has_the_files(mirror, tmp_path, monkeypatch):
    cache, _ = mirror
    (x, _), _ = load_mnist(download=True)  # fills the cache from the mirror
    monkeypatch.setitem(download.MIRRORS, "mnist", (tmp_path / "gone").as_uri() + "/")
    local = tmp_path / "local"
    local.mkdir()
    for path in cache.iterdir():  # the same files under $CHAINRULE_DATA, the cache emptied
        path.rename(local / path.name)
    monkeypatch.setenv("CHAINRULE_DATA", str(local))
    (again, _), _ = load_mnist(download=True)  # found locally: the dead mirror is not asked
    np.testing.assert_array_equal(again, x)
    assert not list(cache.iterdir())


def test_train_download_option_fetches_then_trains(mirror, tmp_path, capsys):
    from chainrule.cli import main

    cache, _ = mirror
    args = ["train", "--data", "mnist", "--model", "4", "--epochs", "1", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "r1")]) == 2  # not there, not asked to fetch
    assert "--download" in capsys.readouterr().err
    assert main([*args, "--download", "--out", str(tmp_path / "r2")]) == 0
    assert sorted(p.name for p in cache.iterdir()) == sorted(download.MD5["mnist"])
    assert main(["train", "--download", "--epochs", "1"]) == 2
    assert "only mnist and fashion-mnist" in capsys.readouterr().err


@pytest.fixture
def cut_off_server():
    """A local HTTP server that promises 1000 bytes and sends 10, then closes the connection."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")

        def log_message(self, *args):  # keep the test output clean
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_truncated_response_is_a_dataset_error_and_nothing_is_saved(
    mirror, cut_off_server, monkeypatch, tmp_path, capsys
):
    from chainrule.cli import main

    cache, _ = mirror
    monkeypatch.setitem(download.MIRRORS, "mnist", cut_off_server)
    # http.client.IncompleteRead is an HTTPException, not an OSError
    with pytest.raises(DatasetError, match="cannot download http://127.0.0.1.*IncompleteRead"):
        load_mnist(download=True)
    assert not list(cache.iterdir())  # no partial or temporary file
    args = ["train", "--data", "mnist", "--model", "4", "--epochs", "1", "--quiet", "--download"]
    assert main([*args, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "cannot download" in err and "Traceback" not in err
    assert not list(cache.iterdir())
