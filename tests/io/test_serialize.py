"""save/load: round trips, atomicity, and refusal of corrupt, tampered or pickled files."""

import json
import os
import pickle

import numpy as np
import pytest

import chainrule as cr
from chainrule.io import CheckpointError, atomic_write, serialize


def _state():
    return {
        "model": {"0.weight": cr.randn(3, 2, seed=0), "0.bias": cr.zeros(2)},
        "optimizer": {
            "state": {0: {"step": 3, "exp_avg": np.ones((3, 2), np.float32)}},
            "param_groups": [
                {"lr": 0.001, "betas": (0.9, 0.999), "amsgrad": False, "params": [0, 1]}
            ],
        },
        "labels": np.arange(5, dtype=np.int64),
        "name": "run",
        "nothing": None,
        "best": float("inf"),
    }


def test_round_trip_keeps_types_and_dtypes(tmp_path):
    path = tmp_path / "state.npz"
    cr.save(_state(), path)
    got = cr.load(path)
    assert isinstance(got["model"]["0.weight"], cr.Tensor)
    np.testing.assert_array_equal(got["model"]["0.weight"].data, _state()["model"]["0.weight"].data)
    assert got["model"]["0.weight"].dtype == np.float32
    assert got["optimizer"]["state"][0]["step"] == 3
    assert got["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert got["labels"].dtype == np.int64
    assert got["nothing"] is None and got["best"] == float("inf") and got["name"] == "run"


def test_bit_flip_and_truncation_are_detected(tmp_path):
    path = tmp_path / "state.npz"
    cr.save(_state(), path)
    raw = bytearray(path.read_bytes())
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CheckpointError, match="cut.npz"):
        cr.load(tmp_path / "cut.npz")
    offset = raw.find(np.ones((3, 2), np.float32).tobytes())
    raw[offset + 1] ^= 0x40
    (tmp_path / "flipped.npz").write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="flipped.npz"):
        cr.load(tmp_path / "flipped.npz")


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_that_would_run_code_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(CheckpointError, match="evil.npz"):
        cr.load(path)
    np.save(tmp_path / "evil_array.npy", np.array([_Payload(str(marker))], dtype=object))
    with pytest.raises(CheckpointError):
        cr.load(tmp_path / "evil_array.npy")
    assert not marker.exists()


def test_a_foreign_npz_is_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", x=np.zeros(3))
    with pytest.raises(CheckpointError, match="not a chainrule state file"):
        cr.load(tmp_path / "plain.npz")
    with pytest.raises(CheckpointError, match="no such file"):
        cr.load(tmp_path / "absent.npz")


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "state.npz"
    cr.save({"x": np.zeros(2)}, path)
    with pytest.raises(TypeError):
        cr.save({"x": object()}, path)
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write(b"partial")
        raise RuntimeError("interrupted")
    np.testing.assert_array_equal(cr.load(path)["x"], np.zeros(2))
    assert os.listdir(tmp_path) == ["state.npz"]


def test_unwritable_folder_is_named(tmp_path):
    with pytest.raises(OSError, match="nowhere"):
        cr.save({"x": 1}, tmp_path / "nowhere" / "state.npz")


def test_object_arrays_and_malformed_metadata_are_refused(tmp_path):
    objects = tmp_path / "objects.npz"
    np.savez(objects, __chainrule__=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="objects.npz"):
        cr.load(objects)
    meta = tmp_path / "meta.npz"
    header = b'{"format": "chainrule-state/1"}'
    np.savez(meta, __chainrule__=np.frombuffer(header, np.uint8))
    with pytest.raises(CheckpointError, match="no structure"):
        cr.load(meta)
    with pytest.raises(TypeError, match="objects"):
        cr.save({"x": np.array([None], dtype=object)}, tmp_path / "out.npz")


def test_saved_files_get_the_permissions_of_an_ordinary_open(tmp_path):
    """Not mkstemp's owner-only 0600: a run folder stays readable by the group/others the
    umask allows, like any file written with open()."""
    import stat

    previous = os.umask(0o022)
    try:
        (tmp_path / "plain.txt").write_text("x")  # the reference: what open() gives
        cr.save({"w": np.ones(3)}, tmp_path / "state.npz")
        modes = {stat.S_IMODE((tmp_path / n).stat().st_mode) for n in ("plain.txt", "state.npz")}
        assert modes == {0o644}
        os.umask(0o077)
        cr.save({"w": np.ones(3)}, tmp_path / "private.npz")
        assert stat.S_IMODE((tmp_path / "private.npz").stat().st_mode) == 0o600
    finally:
        os.umask(previous)


@pytest.mark.parametrize(
    "content",
    [None, b'{"model": {}}', os.urandom(64), b""],  # None: an .npy array under an .npz name
)
def test_a_file_that_is_no_npz_archive_is_refused_by_name(tmp_path, content):
    path = tmp_path / "state.npz"
    if content is None:
        with open(path, "wb") as handle:
            np.save(handle, np.arange(4))
    else:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match="not a complete .npz archive") as caught:
        cr.load(path)
    assert str(path) in str(caught.value) and "pickled" not in str(caught.value)


@pytest.mark.parametrize("structure", ["[1, 2]", "[" * 100_000 + "]" * 100_000])
def test_a_foreign_structure_with_a_valid_checksum_is_refused(tmp_path, structure):
    # the checksum is recomputed as a foreign tool could: it proves integrity, not origin
    path = tmp_path / "state.npz"
    meta = {"format": serialize.FORMAT, "structure": structure}
    meta["sha256"] = serialize._digest(structure.encode(), [])
    np.savez(path, **{serialize.META_KEY: np.frombuffer(json.dumps(meta).encode(), np.uint8)})
    with pytest.raises(CheckpointError, match="malformed structure"):
        cr.load(path)
