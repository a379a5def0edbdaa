"""Crash-safe file writing: write to a temporary file beside the target, then rename.

Every file lamina writes (``write_data`` in every format, ``record(..., to_file=)``,
``Projection.save``, the classic text formats, checkpoints) goes through `replacing`: the
data are written to a hidden temporary file in the target's folder, flushed to disk, and
moved over the target with `os.replace`, which is atomic on POSIX and Windows within one
file system. A crash, ``SIGKILL`` or full disk mid-write leaves the previous file intact
(and at worst a stray ``.NAME.*.tmp`` file beside it); readers never see a half-written
file. No dependencies inside lamina: any layer may use it.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def is_path(target: Any) -> bool:
    """Whether `target` names a file (str or path-like) rather than being an open file."""
    return isinstance(target, (str, bytes, os.PathLike))


@contextmanager
def replacing(target: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path to write `target`'s new content to; on leaving the block
    without an exception it becomes `target` (atomically), else it is deleted and
    `target` is untouched.

    The temporary name keeps `target`'s suffix (``np.savetxt`` compresses ``.gz`` names;
    some writers choose the format by suffix). Missing folders are created.
    """
    path = os.fspath(target)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base = os.path.basename(path)
    suffix = "".join(os.path.splitext(base)[1:]) if not base.endswith(".gz") else \
        "".join(os.path.splitext(base[:-3])[1:]) + ".gz"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{base}.", suffix=".tmp" + suffix)
    os.close(fd)
    try:
        yield tmp
        _flush_to_disk(tmp)
        if os.path.exists(path):
            _copy_mode(path, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _flush_to_disk(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:   # some file systems cannot; the rename still protects against crashes
        pass
    finally:
        os.close(fd)


def _copy_mode(src: str, dst: str) -> None:
    try:
        os.chmod(dst, os.stat(src).st_mode & 0o7777)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def savetxt(target: Any, rows: Any, **kwargs: Any) -> None:
    """`numpy.savetxt`, crash-safe when `target` is a file name (an open file object is
    written directly)."""
    import numpy as np
    if not is_path(target):
        np.savetxt(target, rows, **kwargs)
        return
    with replacing(target) as tmp:
        np.savetxt(tmp, rows, **kwargs)
