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


def _with_valid_checksum(path, structure, arrays=()):
    """A state file with ``structure`` and a recomputed (so valid) SHA-256, as a foreign tool
    could write it."""
    meta = {"format": serialize.FORMAT, "structure": structure}
    meta["sha256"] = serialize._digest(structure.encode(), list(arrays))
    entries = {f"a{i}": a for i, a in enumerate(arrays)}
    entries[serialize.META_KEY] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(path, **entries)


@pytest.mark.parametrize(
    "structure",
    [
        '{"dict": [["str", 5, {"int": 1}]]}',  # a non-str key tagged str
        '{"dict": [["int", 1.5, {"int": 1}]]}',  # would come back as key 1
        '{"dict": [["int", 1, {"int": 1}], ["int", 1, {"int": 2}]]}',
        '{"dict": {"abc": 1}}',
        '{"dict": [["str", "x"]]}',
        '{"int": "x"}',
        '{"float": true}',
        '{"bool": 1}',
        '{"none": 0}',
        '{"str": ["a"]}',
        '{"list": "abc"}',
        '{"tuple": {"x": 1}}',
        '{"array": "0"}',
        '{"tensor": 1}',
        '{"int": 1, "str": "x"}',
        '{"pickle": 1}',
        '"text"',
    ],
)
def test_a_structure_save_never_writes_is_refused_not_decoded(tmp_path, structure):
    path = tmp_path / "state.npz"
    _with_valid_checksum(path, structure, [np.zeros(2)])
    with pytest.raises(CheckpointError, match="malformed structure") as caught:
        cr.load(path)
    assert str(path) in str(caught.value)


def test_a_tensor_node_over_strings_is_refused_by_name(tmp_path):
    path = tmp_path / "state.npz"
    _with_valid_checksum(path, '{"tensor": 0}', [np.array(["a", "b"])])
    with pytest.raises(CheckpointError, match="malformed structure") as caught:
        cr.load(path)
    assert str(path) in str(caught.value)


def test_non_finite_floats_and_int_keys_still_round_trip(tmp_path):
    state = {"nan": float("nan"), "inf": float("-inf"), 3: [1.5, True, None, ("x",)]}
    cr.save(state, tmp_path / "state.npz")
    got = cr.load(tmp_path / "state.npz")
    assert np.isnan(got["nan"]) and got["inf"] == float("-inf")
    assert got[3] == [1.5, True, None, ("x",)] and type(got[3][1]) is bool


@pytest.mark.parametrize("start", [b"", b'{"model": 1}'])
def test_a_file_ending_like_a_zip_directory_is_refused_by_name(tmp_path, start):
    # an .npy array or text whose last 22 bytes look like an empty zip's directory passes
    # zipfile.is_zipfile; np.load then returns an ndarray or tries to unpickle it
    tail = b"PK\x05\x06" + bytes(18)
    path = tmp_path / "state.npz"
    if start:
        path.write_bytes(start + tail)
    else:
        with open(path, "wb") as handle:
            np.save(handle, np.frombuffer(tail, np.uint8))
    with pytest.raises(CheckpointError, match="not a complete .npz archive") as caught:
        cr.load(path)
    assert str(path) in str(caught.value) and "pickled" not in str(caught.value)


def test_zip_members_that_are_no_npy_arrays_are_refused_by_name(tmp_path):
    import zipfile

    raw = tmp_path / "raw.npz"
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("__chainrule__", b'{"format": "chainrule-state/1"}')
    with pytest.raises(CheckpointError, match="not an .npy array") as caught:
        cr.load(raw)
    assert str(raw) in str(caught.value)
    for name, meta in [("deep.npz", b"[" * 100_000), ("floats.npz", np.zeros(4))]:
        entry = np.frombuffer(meta, np.uint8) if isinstance(meta, bytes) else meta
        np.savez(tmp_path / name, __chainrule__=entry)
        with pytest.raises(CheckpointError, match="metadata entry is not JSON") as caught:
            cr.load(tmp_path / name)
        assert name in str(caught.value)
