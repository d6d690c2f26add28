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
from pathlib import Path

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.io.atomic import atomic_write

FORMAT = "chainrule-state/1"
META_KEY = "__chainrule__"


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


def _decode(node: dict, arrays: dict):
    ((kind, value),) = node.items()
    if kind == "tensor":
        return Tensor(arrays[f"a{value}"])
    if kind == "array":
        return arrays[f"a{value}"]
    if kind == "dict":
        return {(k if t == "str" else int(k)): _decode(v, arrays) for t, k, v in value}
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays) for v in value]
        return items if kind == "list" else tuple(items)
    if kind == "float":
        return float(value)
    if kind in ("none", "bool", "int", "str"):
        return value
    raise ValueError(f"unknown node kind {kind!r}")


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


def load(path):
    """Read what ``save`` wrote, verifying its SHA-256; never executes code from the file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):  # an .npy array, text, an empty or cut-off file
        raise CheckpointError(
            f"{path}: corrupt or not a chainrule state file (not a complete .npz archive)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            if META_KEY not in archive.files:
                raise CheckpointError(f"{path}: not a chainrule state file (no metadata entry)")
            meta = json.loads(archive[META_KEY].tobytes().decode())
            arrays = {name: archive[name] for name in archive.files if name != META_KEY}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: corrupt or not a chainrule state file ({exc})") from None
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
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise CheckpointError(f"{path}: malformed structure ({exc})") from None
