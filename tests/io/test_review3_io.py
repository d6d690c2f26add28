"""A state file in an .npy format version NumPy cannot read: NumPy's message naming the
versions, not a size check reading the header as if it were version 2.0."""

import io
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.io import CheckpointError


@pytest.mark.parametrize("version", [(4, 0), (0, 9)])
def test_an_npy_entry_of_an_unknown_format_version_is_refused_naming_it(tmp_path, version):
    good, future = tmp_path / "state.npz", tmp_path / "future.npz"
    cr.save({"w": np.arange(3.0)}, good)
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(future, "w") as new:
        for info in old.infolist():
            data = bytearray(old.read(info))
            if info.filename == "a0.npy":
                data[6:8] = bytes(version)  # the two version bytes after b"\x93NUMPY"
            new.writestr(info, bytes(data))
    # NumPy's own reader names the version it cannot read
    with zipfile.ZipFile(future) as archive, archive.open("a0.npy") as member:
        with pytest.raises(ValueError, match=rf"not \({version[0]}, {version[1]}\)"):
            np.lib.format.read_array(io.BytesIO(member.read()), allow_pickle=False)
    with pytest.raises(CheckpointError) as caught:
        cr.load(future)
    message = str(caught.value)
    assert message.startswith(f"{future}: corrupt or not a chainrule state file")
    # it was "EOF: reading array header, expected ... bytes": version 4.0 read as 2.0
    assert "format version" in message and f"not {version}" in message
