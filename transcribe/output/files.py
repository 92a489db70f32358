"""Writing files: every output goes to a temporary file beside its target and is
renamed into place, so a crash or Ctrl-C never leaves a truncated file, and an
existing file is never replaced without ``force``."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from ..errors import OutputError


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Permissions of a new output file: what ``open()`` would give (mkstemp alone gives 0600).
_NEW_FILE_MODE = 0o666 & ~_umask()


def check_target(path: str | os.PathLike[str], *, force: bool) -> Path:
    """Validate an output path before any work is spent on it.

    Raises:
        OutputError: If it is a folder, exists without ``force``, or its folder
            cannot be created or written.
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p}: is a folder, not a file: choose another output name")
    if p.exists() and not force:
        raise OutputError(f"{p}: already exists: pass --force to overwrite it, or choose another -o folder")
    parent = p.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create the output folder ({exc.strerror}): choose another -o folder") from None
    if not parent.is_dir():
        raise OutputError(f"{parent}: is not a folder: choose another -o folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: the output folder is not writable: fix its permissions or choose another -o folder")
    return p


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    Raises:
        OutputError: On any failure (disk full, permissions...); no partial
            file is left behind and an existing file is untouched.
    """
    p = check_target(path, force=force)
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), (p.stat().st_mode & 0o777) if p.exists() else _NEW_FILE_MODE)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if p.exists() and not force:  # appeared while we were working
            raise OutputError(f"{p}: already exists: pass --force to overwrite it")
        os.replace(tmp, p)
    except OSError as exc:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        hint = "free some disk space" if exc.errno == errno.ENOSPC else "check the output folder"
        raise OutputError(f"{p}: cannot be written ({exc.strerror or exc}): {hint}") from None
    except BaseException:  # OutputError above, Ctrl-C: never leave the .part file
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return p
