"""Atomic file writes: a reader sees the old file or the complete new one, never a part."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb"):
    """Yield a temporary file next to ``path``; on success flush, fsync and rename it over
    ``path``. On any error the temporary file is removed and ``path`` is left untouched.

    The file gets the permissions an ordinary ``open`` would give it: those of the file it
    replaces, else 0666 less the umask (not the owner-only 0600 of ``mkstemp``'s file). An
    I/O error (a full disk mid-write, a failed rename) is raised as an ``OSError`` naming
    ``path``, not the temporary file.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with os.fdopen(fd, mode) as handle:
            with contextlib.suppress(OSError):  # best effort (e.g. filesystems without modes)
                os.chmod(tmp, _mode_for(path))
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write_error(path: Path, exc: OSError) -> OSError:
    """``exc`` restated for ``path``, keeping its errno (e.g. ENOSPC) for callers to test."""
    error = OSError(f"cannot write {path}: {exc.strerror or exc}")
    error.errno = exc.errno
    return error


def _mode_for(path: Path) -> int:
    """The permission bits ``open(path, "w")`` leaves: an existing file keeps its own."""
    try:
        return os.stat(path).st_mode & 0o777  # the permission bits; set-id bits are not copied
    except OSError:  # no file yet (or unreadable): a new file's mode
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
