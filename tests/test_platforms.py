"""Windows and macOS choices, tested here by setting the platform (no Windows on these machines).

What these tests cannot show is listed in the README's Windows section: nothing here ran on
a real Windows or macOS.
"""

from __future__ import annotations

import os
import re
import sys
import types
from pathlib import Path

import pytest

from kit.errors import ServeError
from kit.serving import checks, serve
from kit.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
# POSIX-only calls, and the files allowed to make them because they guard them.
POSIX_ONLY = re.compile(
    r"\bos\.(killpg|fchmod|fchown|getuid|geteuid|setsid|fork|getpgid|setpgrp)\b|"
    r"\bimport fcntl\b|\bsignal\.(SIGKILL|SIGSTOP|SIGCONT|SIGHUP|SIGUSR1|SIGUSR2)\b"
)
GUARDED = {
    "kit/files.py": "os.fchmod inside contextlib.suppress(OSError, AttributeError)",
    "kit/serving/checks.py": "fcntl only on the non-Windows branch of _try_lock/_unlock",
}


def test_no_unguarded_posix_only_calls_in_kit():
    found = {}
    for path in sorted((REPO / "kit").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if POSIX_ONLY.search(path.read_text(encoding="utf-8")):
            found[relative] = True
    assert set(found) <= set(GUARDED), f"POSIX-only calls outside guarded places: {found}"


class FakeMsvcrt(types.ModuleType):
    """Windows' byte-range locks, as msvcrt.locking behaves (per file and offset)."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: set[tuple[int, int]] = set()

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        import os

        where = (os.fstat(fd).st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        if mode == self.LK_NBLCK:
            if where in self.held:
                raise OSError(36, "Resource deadlock avoided")
            self.held.add(where)
        else:
            self.held.discard(where)


def test_the_server_lock_on_windows(tmp_path, monkeypatch):
    fake = FakeMsvcrt()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # Windows has none
    db = tmp_path / "m.sqlite"
    first = checks.ServerLock(db).acquire()
    first.write_info(url="http://192.168.0.12:8866/voila/render/member.ipynb", port=8866)
    with pytest.raises(ServeError, match="192.168.0.12:8866"):
        checks.ServerLock(db).acquire()
    first.release()
    assert not fake.held
    checks.ServerLock(db).acquire().release()


def test_ipc_is_refused_on_windows_with_a_japanese_message(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(ServeError, match="tcp"):
        serve.check_settings(load_settings(environ={}, kernel_transport="ipc"))
    serve.check_settings(load_settings(environ={}, kernel_transport="tcp"))


def test_no_display_no_browser_on_linux_but_always_on_windows(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert serve.display_available() is False
    monkeypatch.setattr(sys, "platform", "win32")
    assert serve.display_available() is True


def test_a_windows_folder_marked_read_only_is_still_used(tmp_path, monkeypatch):
    # Desktop and Documents carry Windows' read-only mark, which Windows ignores for folders.
    folder = tmp_path / "Desktop"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        monkeypatch.setattr(sys, "platform", "win32")
        if os.geteuid() == 0:  # root can write anyway, as Windows does: the folder is used
            checks.check_database_location(folder / "m.sqlite")
        monkeypatch.setattr(sys, "platform", "linux")
        with pytest.raises(ServeError, match="読み取り専用"):
            checks.check_database_location(folder / "m.sqlite")
    finally:
        folder.chmod(0o755)
