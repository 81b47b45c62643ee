"""Files the kit writes: atomically, with names every operating system accepts."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from kit import messages as msg
from kit.errors import ResultFileError

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


def safe_name_part(text: str, limit: int = 30) -> str:
    """A piece of a file name with nothing Windows, macOS or Linux refuse."""
    cleaned = _UNSAFE_NAME.sub("_", text).strip("._ ")
    return cleaned[:limit] or "_"


# --- writing -----------------------------------------------------------------------------------------
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that it is either complete or absent, never half-written.

    A hidden temp file in the same folder is written and fsynced, then renamed over
    ``path`` (``os.replace`` is atomic); the folder is fsynced where the OS allows it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ResultFileError(
            msg.HANDOVER_WRITE_FAILED.format(path=path), details=[exc.strerror or str(exc)]
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            with contextlib.suppress(OSError, AttributeError):
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ResultFileError(
                msg.HANDOVER_WRITE_FAILED.format(path=path), details=[exc.strerror or str(exc)]
            ) from exc
        raise
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path
