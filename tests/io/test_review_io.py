"""atomic_write against what an ordinary open() does, and I/O failures in the middle of a write."""

import errno
import os
import stat

import numpy as np
import pytest

import chainrule as cr
from chainrule.io import serialize


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_atomic_write_keeps_the_permissions_of_the_file_it_replaces(tmp_path, mode):
    """open(path, "w") on an existing file keeps its mode (POSIX applies the mode argument
    only when it creates the file): a checkpoint made private must not become readable."""
    reference, saved = tmp_path / "reference.npz", tmp_path / "state.npz"
    for path in (reference, saved):
        path.write_bytes(b"old")
        path.chmod(mode)
    with open(reference, "wb") as handle:  # the reference: an ordinary open
        handle.write(b"new")
    cr.save({"w": np.ones(3)}, saved)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (reference, saved)}
    assert modes == {mode}


def _fail_halfway(file, **arrays):
    """Stand-in for np.savez on a full disk: part of the archive is written, then ENOSPC."""
    file.write(b"PK\x03\x04 partial archive")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _fail_with(name):
    def fail(*args, **kwargs):
        raise OSError(errno.EIO, f"{name} failed")

    return fail


@pytest.mark.parametrize(
    ("target", "name", "replacement"),
    [
        (serialize.np, "savez", _fail_halfway),
        (os, "fsync", _fail_with("fsync")),
        (os, "replace", _fail_with("rename")),
    ],
)
def test_an_io_error_mid_write_names_the_file_and_leaves_only_the_old_one(
    tmp_path, monkeypatch, target, name, replacement
):
    path = tmp_path / "state.npz"
    cr.save({"x": np.arange(3)}, path)
    monkeypatch.setattr(target, name, replacement)
    with pytest.raises(OSError) as caught:
        cr.save({"x": np.zeros(3)}, path)
    monkeypatch.undo()
    # the message names the user's file, not the temporary one; the errno survives
    assert str(path) in str(caught.value) and ".tmp" not in str(caught.value)
    assert caught.value.errno in (errno.ENOSPC, errno.EIO)
    np.testing.assert_array_equal(cr.load(path)["x"], np.arange(3))
    assert os.listdir(tmp_path) == ["state.npz"]
