"""What ``tasukeai serve`` makes sure of before it prints a URL, each with a Japanese message.

- the database's folder exists (it is made if it can be) and can be written, the disk has
  room, and the database file is not read-only;
- no other ``tasukeai serve`` runs on the same database: a lock file beside it
  (``meetings.sqlite.lock``) is held with an operating-system lock for as long as the
  server runs, and names the running server (process, URL) for the one refused;
- the port is free: the listening socket is bound here, before the URLs and the QR code
  are printed, and handed to the server, so the printed port is always the served one.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sqlite3
import stat
import sys
import tempfile
from pathlib import Path

from kit import messages as msg
from kit.errors import KitError, ServeError

MIN_FREE_BYTES = 512 * 1024  # room for a new meeting's first writes (WAL, schema)
PROBE_BYTES = 64 * 1024
# Windows spells some socket errors with their own numbers.
ADDRESS_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
ACCESS_DENIED = {errno.EACCES, getattr(errno, "WSAEACCES", errno.EACCES)}
ADDRESS_NOT_HERE = {errno.EADDRNOTAVAIL, getattr(errno, "WSAEADDRNOTAVAIL", errno.EADDRNOTAVAIL)}
DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def is_marked_read_only(path: Path) -> bool:
    """True when nobody may write ``path`` (its permissions or a read-only file system).

    The permission bits are looked at too, because an administrator (or root in a test)
    could still write a file its owner marked read-only; the owner's wish wins.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True
    return not os.access(path, os.W_OK)


def check_database_location(db_path: Path) -> None:
    """Make the database's folder if needed and check it can hold the meeting's data."""
    db_path = Path(db_path)
    folder = db_path.parent
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _folder_error(exc, folder, making=True) from None
    if not folder.is_dir():
        raise ServeError(msg.SERVE_DB_FOLDER_NOT_FOLDER.format(folder=folder))
    if db_path.exists() and not db_path.is_file():
        raise ServeError(msg.SERVE_DB_NOT_FILE.format(path=db_path))
    # Windows marks folders such as Desktop and Documents read-only only to keep their look,
    # and ignores the mark: there the probe below is the test.
    if sys.platform != "win32" and is_marked_read_only(folder):
        raise ServeError(msg.SERVE_DB_FOLDER_READ_ONLY.format(folder=folder))
    if db_path.exists() and is_marked_read_only(db_path):
        raise ServeError(msg.SERVE_DB_FILE_READ_ONLY.format(path=db_path))
    try:
        probe_folder(folder)
    except OSError as exc:
        raise _folder_error(exc, folder, making=False) from None


def probe_folder(folder: Path) -> None:
    """Write, flush and remove a small file in ``folder`` (a read-only or full disk fails here)."""
    if _free_bytes(folder) < MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    fd, name = tempfile.mkstemp(prefix=".tasukeai-check-", dir=folder)
    try:
        os.write(fd, b"\0" * PROBE_BYTES)
        os.fsync(fd)
    finally:
        os.close(fd)
        try:
            os.unlink(name)
        except OSError:
            pass


def _free_bytes(folder: Path) -> int:
    import shutil

    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return MIN_FREE_BYTES


def _folder_error(exc: OSError, folder: Path, *, making: bool) -> ServeError:
    if exc.errno in DISK_FULL:
        return ServeError(msg.SERVE_DISK_FULL.format(folder=folder))
    if exc.errno in READ_ONLY and not making:
        return ServeError(msg.SERVE_DB_FOLDER_READ_ONLY.format(folder=folder))
    if making:
        return ServeError(
            msg.SERVE_DB_FOLDER_CANNOT_MAKE.format(folder=folder, reason=_reason(exc))
        )
    return ServeError(msg.SERVE_DB_FOLDER_UNUSABLE.format(folder=folder, reason=_reason(exc)))


def store_error(exc: Exception, db_path: Path) -> KitError:
    """A Japanese message for an error SQLite or the file system gave on opening the store."""
    if isinstance(exc, KitError):
        return exc
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in DISK_FULL or "disk is full" in text:
        return ServeError(msg.SERVE_DISK_FULL.format(folder=Path(db_path).parent))
    if (
        "readonly" in text
        or "read-only" in text
        or (isinstance(exc, OSError) and exc.errno in READ_ONLY)
    ):
        return ServeError(msg.SERVE_DB_FILE_READ_ONLY.format(path=db_path))
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return ServeError(msg.DB_DAMAGED.format(path=db_path))
    return ServeError(msg.SERVE_DB_CANNOT_OPEN.format(path=db_path, reason=str(exc)))


# --- one server per database -----------------------------------------------------------------
def lock_path_for(db_path: Path) -> Path:
    return Path(db_path).parent / (Path(db_path).name + ".lock")


# Windows locks a byte range; one far past the written text keeps the text readable.
_WINDOWS_LOCK_OFFSET = 1 << 30


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - runs on Windows only
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - runs on Windows only
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class ServerLock:
    """Held while a server runs on a database; the file says which server it is.

    The file stays (empty) when the server stops: removing it would let two servers that
    opened it at the same moment both believe they hold it.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path_for(db_path)
        self.fd: int | None = None

    def acquire(self) -> ServerLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _folder_error(exc, self.path.parent, making=False) from None
        if not _try_lock(fd):
            running = self.read_info()
            os.close(fd)
            raise ServeError(already_running_message(self.db_path, running))
        self.fd = fd
        return self

    def write_info(self, **info) -> None:
        """Record who holds the lock (process id, tablet URL, start time) for the one refused."""
        if self.fd is None:
            return
        info = {"pid": os.getpid(), "started": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), **info}
        data = json.dumps(info, ensure_ascii=False).encode("utf-8")
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, data)

    def read_info(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
            info = json.loads(text) if text.strip() else {}
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            os.ftruncate(self.fd, 0)
            _unlock(self.fd)
        except OSError:
            pass
        finally:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> ServerLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def already_running_message(db_path: Path, info: dict) -> str:
    details = []
    if info.get("pid"):
        details.append(msg.SERVE_RUNNING_PID.format(pid=info["pid"]))
    if info.get("url"):
        details.append(msg.SERVE_RUNNING_URL.format(url=info["url"]))
    if info.get("started"):
        details.append(msg.SERVE_RUNNING_SINCE.format(started=info["started"]))
    which = "（" + "、".join(details) + "）" if details else ""
    return msg.SERVE_ALREADY_RUNNING.format(path=db_path, which=which)


# --- the port -------------------------------------------------------------------------------
def bind_port(host: str, port: int) -> list:
    """Listening sockets on ``host:port`` for the server, or a Japanese message saying why not.

    Bound with the same options Tornado uses, so a port Tornado could use is never refused.
    """
    import socket

    from tornado.netutil import bind_sockets

    try:
        return bind_sockets(port, host or None)
    except socket.gaierror:
        raise ServeError(msg.SERVE_HOST_UNKNOWN.format(host=host)) from None
    except OSError as exc:
        if exc.errno in ADDRESS_IN_USE:
            raise ServeError(msg.SERVE_PORT_TAKEN.format(port=port, next=port + 1)) from None
        if exc.errno in ACCESS_DENIED:
            raise ServeError(msg.SERVE_PORT_DENIED.format(port=port)) from None
        if exc.errno in ADDRESS_NOT_HERE:
            raise ServeError(msg.SERVE_HOST_NOT_HERE.format(host=host)) from None
        raise ServeError(msg.SERVE_PORT_OTHER.format(port=port, reason=_reason(exc))) from None
