"""A state file whose array header declares more data than it holds: a message naming the
file, not NumPy's MemoryError for the declared petabytes."""

import io
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.io import CheckpointError


def _with_header(source, target, entry, shape):
    """``source`` with ``entry``'s .npy header replaced by one declaring ``shape`` (float64),
    as one damaged digit of the shape would."""
    header = io.BytesIO()
    descriptor = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(header, descriptor)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == entry:
                data = header.getvalue() + b"\0" * 24  # the three values that were there
            new.writestr(info, data)


# petabytes: beyond any address space, so NumPy's allocation fails even with overcommit
@pytest.mark.parametrize("shape", [(10**15,), (1000, 10**12)])
def test_an_array_header_declaring_petabytes_is_refused_by_name(tmp_path, shape):
    good, damaged = tmp_path / "state.npz", tmp_path / "damaged.npz"
    cr.save({"w": np.zeros(3)}, good)
    _with_header(good, damaged, "a0.npy", shape)
    # NumPy itself allocates what the header declares before it reads a byte
    with zipfile.ZipFile(damaged) as archive, archive.open("a0.npy") as member:
        with pytest.raises(MemoryError):
            np.lib.format.read_array(member, allow_pickle=False)
    with pytest.raises(CheckpointError) as caught:
        cr.load(damaged)
    message = str(caught.value)
    assert message.startswith(f"{damaged}: corrupt or not a chainrule state file")
    assert f"entry 'a0.npy' declares a float64 array of shape {shape}" in message
    assert "holds 24 bytes" in message


def test_a_header_declaring_what_the_entry_holds_still_loads(tmp_path):
    good, same = tmp_path / "state.npz", tmp_path / "same.npz"
    cr.save({"w": np.zeros(3)}, good)
    _with_header(good, same, "a0.npy", (3,))  # the check must not refuse an intact file
    np.testing.assert_array_equal(cr.load(same)["w"], np.zeros(3))
