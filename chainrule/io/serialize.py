"""``save`` and ``load``: nested state (dicts, lists, arrays, Tensors, numbers) in one file.

The file is a NumPy ``.npz`` archive: each array is an entry, and one more entry holds the
structure as JSON plus a SHA-256 of the structure and every array's bytes. ``load`` reads
it with ``allow_pickle=False`` — a file can never run code — and verifies the hash, so a
truncated, bit-flipped or foreign file is refused with a ``CheckpointError`` naming it.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.io.atomic import atomic_write

FORMAT = "chainrule-state/1"
META_KEY = "__chainrule__"
_SCALARS = {"none": type(None), "bool": bool, "int": int, "str": str}
# the first bytes np.load takes for an .npz archive; it reads anything else as .npy or pickle
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_VERSIONS = ((1, 0), (2, 0), (3, 0))  # the .npy format versions NumPy reads and writes


class CheckpointError(ValueError):
    """A state file cannot be read: missing, corrupt, tampered with, or not chainrule's."""


def _encode(obj, arrays: list) -> dict:
    """JSON-compatible description of ``obj``; arrays are appended to ``arrays``."""
    if isinstance(obj, Tensor):
        arrays.append(obj.data)
        return {"tensor": len(arrays) - 1}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError("save: arrays of Python objects cannot be stored")
        arrays.append(obj)
        return {"array": len(arrays) - 1}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not isinstance(key, (str, int, np.integer)) or isinstance(key, bool):
                raise TypeError(f"save: dict keys must be str or int, got {key!r}")
            kind = "str" if isinstance(key, str) else "int"
            items.append([kind, key if kind == "str" else int(key), _encode(value, arrays)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [_encode(v, arrays) for v in obj]}
    if obj is None:
        return {"none": None}
    if isinstance(obj, (bool, np.bool_)):
        return {"bool": bool(obj)}
    if isinstance(obj, (int, np.integer)):
        return {"int": int(obj)}
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return {"float": value if math.isfinite(value) else repr(value)}
    if isinstance(obj, str):
        return {"str": obj}
    raise TypeError(f"save: cannot store a {type(obj).__name__}")


def _decode(node, arrays: dict):
    """The object ``node`` describes; raises ValueError for anything ``_encode`` never writes.

    The SHA-256 proves integrity, not origin (anyone can recompute it), so every node is
    checked rather than trusted: a wrong type would otherwise come back as a wrong value.
    """
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"expected a one-entry object, got {_describe(node)}")
    ((kind, value),) = node.items()
    if kind in ("tensor", "array"):
        if type(value) is not int or f"a{value}" not in arrays:
            raise ValueError(f"{kind} node refers to no stored array: {_describe(value)}")
        return Tensor(arrays[f"a{value}"]) if kind == "tensor" else arrays[f"a{value}"]
    if kind == "dict":
        if not isinstance(value, list):
            raise ValueError(f"dict node holds {_describe(value)}, expected a list of entries")
        result = {}
        for entry in value:
            if not isinstance(entry, list) or len(entry) != 3:
                raise ValueError(f"dict entry {_describe(entry)} is not [key kind, key, value]")
            key_kind, key, item = entry
            if not (
                (key_kind == "str" and type(key) is str) or (key_kind == "int" and type(key) is int)
            ):
                raise ValueError(f"dict key {key!r} of kind {key_kind!r}: keys are str or int")
            if key in result:
                raise ValueError(f"dict key {key!r} appears twice")
            result[key] = _decode(item, arrays)
        return result
    if kind in ("list", "tuple"):
        if not isinstance(value, list):
            raise ValueError(f"{kind} node holds {_describe(value)}, expected a list")
        items = [_decode(v, arrays) for v in value]
        return items if kind == "list" else tuple(items)
    if kind == "float":
        # non-finite floats are stored as their repr, since JSON has no nan or inf
        if value in ("nan", "inf", "-inf") or type(value) is float:
            return float(value)
        raise ValueError(f"float node holds {_describe(value)}")
    if kind in _SCALARS:
        if type(value) is not _SCALARS[kind]:
            raise ValueError(f"{kind} node holds {_describe(value)}")
        return value
    raise ValueError(f"unknown node kind {kind!r}")


def _describe(value) -> str:
    """``value`` for an error message, cut short: a foreign file's value may be huge."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _digest(structure: bytes, arrays) -> str:
    h = hashlib.sha256(structure)
    for array in arrays:
        h.update(f"{array.dtype.str}{array.shape}".encode())
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def save(obj, path) -> None:
    """Write ``obj`` to ``path`` atomically (temporary file, fsync, rename)."""
    arrays: list = []
    structure = json.dumps(_encode(obj, arrays)).encode()
    meta = {"format": FORMAT, "structure": structure.decode(), "sha256": _digest(structure, arrays)}
    entries = {f"a{i}": a for i, a in enumerate(arrays)}
    entries[META_KEY] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with atomic_write(path) as handle:
        np.savez(handle, **entries)


def _check_declared_sizes(archive: zipfile.ZipFile) -> None:
    """ValueError for an .npy entry whose header declares more data than the entry holds.

    NumPy allocates the declared array before reading it, so one damaged digit of a shape
    would otherwise end in a MemoryError (terabytes) instead of a message about the file.
    """
    for info in archive.infolist():
        with archive.open(info) as member:
            if member.read(len(np.lib.format.MAGIC_PREFIX)) != np.lib.format.MAGIC_PREFIX:
                continue  # no .npy entry: refused below, once np.load has returned its bytes
            member.seek(0)
            version = np.lib.format.read_magic(member)
            if version not in _NPY_VERSIONS:
                continue  # np.load refuses it below, naming the versions it reads
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0  # 3.0 differs only in encoding
            )
            shape, _, dtype = read_header(member)
            declared = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            held = info.file_size - member.tell()
        if declared > held:
            raise ValueError(
                f"entry {info.filename!r} declares a {dtype} array of shape {shape} "
                f"({declared:,} bytes) but holds {held:,} bytes"
            )


def load(path):
    """Read what ``save`` wrote, verifying its SHA-256; never executes code from the file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file")
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    # both checks: an .npy or text file can end in bytes that look like a zip directory
    if magic not in _ZIP_MAGIC or not zipfile.is_zipfile(path):
        raise CheckpointError(
            f"{path}: corrupt or not a chainrule state file (not a complete .npz archive)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            if META_KEY not in archive.files:
                raise CheckpointError(f"{path}: not a chainrule state file (no metadata entry)")
            _check_declared_sizes(archive.zip)
            entries = {name: archive[name] for name in archive.files}
    except CheckpointError:
        raise
    except (
        zipfile.BadZipFile,
        ValueError,
        OSError,
        EOFError,
        KeyError,
        NotImplementedError,  # a compression method zipfile lacks
        zlib.error,
    ) as exc:
        raise CheckpointError(f"{path}: corrupt or not a chainrule state file ({exc})") from None
    for name, entry in entries.items():
        # np.load returns a member without an .npy header as raw bytes
        if not isinstance(entry, np.ndarray):
            raise CheckpointError(
                f"{path}: corrupt or not a chainrule state file "
                f"(entry {name!r} is not an .npy array)"
            )
    meta_bytes = entries.pop(META_KEY)
    arrays = entries
    try:
        if meta_bytes.dtype != np.uint8 or meta_bytes.ndim != 1:
            raise ValueError(f"a {meta_bytes.dtype} array of shape {meta_bytes.shape}")
        meta = json.loads(meta_bytes.tobytes().decode())
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise CheckpointError(
            f"{path}: not a chainrule state file (metadata entry is not JSON text: {exc})"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CheckpointError(f"{path}: unknown format {found!r}, expected {FORMAT}")
    if not isinstance(meta.get("structure"), str):
        raise CheckpointError(f"{path}: metadata has no structure description")
    structure = meta["structure"].encode()
    ordered = [arrays.get(f"a{i}") for i in range(len(arrays))]
    if any(a is None for a in ordered) or _digest(structure, ordered) != meta.get("sha256"):
        raise CheckpointError(f"{path}: SHA-256 check failed: the file is corrupt or was modified")
    try:
        return _decode(json.loads(structure), arrays)
    # _decode refuses what it does not know; TypeError: a tensor of strings, dates...
    except (ValueError, TypeError, RecursionError) as exc:
        raise CheckpointError(f"{path}: malformed structure ({exc})") from None
