"""Which folders the office page may read: the results folder, or ones the clerk chose.

The folder box of the office page is typed text, and a compile lists every file under the
folder. So it accepts only folders under the results folder (``settings.results_dir``) or
folders the clerk chose in this session with 「このフォルダーを使う」 — and never a system
folder (``/etc``, ``/usr``, ``C:\\Windows`` …), the root of a disk or the home folder itself.
"""

from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath

from kit import messages as msg
from kit.errors import ValidationError

POSIX_SYSTEM = (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc",
    "/run", "/sbin", "/srv", "/sys", "/usr", "/var", "/snap", "/System", "/Library",
    "/Applications", "/private", "/cores",
)  # fmt: skip
WINDOWS_SYSTEM = ("windows", "program files", "program files (x86)", "programdata")


def _resolved(folder: str | Path) -> Path:
    return Path(os.path.expanduser(str(folder))).resolve()


def is_system_folder(folder: str | Path) -> bool:
    """A folder of the operating system, a disk's root, or the home folder itself."""
    path = _resolved(folder)
    if path == path.parent or path == Path.home().resolve():
        return True
    text = str(path)
    for root in POSIX_SYSTEM:
        if text == root or text.startswith(root + "/"):
            return True
    if os.name == "nt":
        parts = PureWindowsPath(text).parts
        if len(parts) >= 2 and parts[1].lower() in WINDOWS_SYSTEM:
            return True
    return False


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class FolderChoice:
    """The folders one office page may compile: the results folder and the ones chosen."""

    def __init__(self, results_dir: str | Path) -> None:
        self.results_dir = _resolved(results_dir)
        self.chosen: set[Path] = set()

    def choose(self, folder: str | Path) -> Path:
        """The clerk chose ``folder`` on purpose (「このフォルダーを使う」)."""
        path = _resolved(folder)
        if is_system_folder(path):
            raise ValidationError(msg.OFFICE_FOLDER_SYSTEM.format(folder=path))
        if not path.is_dir():
            raise ValidationError(msg.OFFICE_FOLDER_NOT_DIR.format(folder=path))
        self.chosen.add(path)
        return path

    def check(self, folder: str | Path) -> Path:
        """The folder to compile, or :class:`ValidationError` with the reason."""
        path = _resolved(folder)
        if is_system_folder(path):
            raise ValidationError(msg.OFFICE_FOLDER_SYSTEM.format(folder=path))
        if not path.exists():
            raise ValidationError(msg.OFFICE_FOLDER_MISSING.format(folder=path))
        if _under(path, self.results_dir) or any(_under(path, c) for c in self.chosen):
            return path
        raise ValidationError(
            msg.OFFICE_FOLDER_NOT_ALLOWED.format(folder=path, results=self.results_dir)
        )
