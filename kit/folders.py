"""Two folders, two purposes: what goes to the office, and what stays in the district.

- ``settings.results_dir`` (default ``~/.tasukeai/事務局へ提出``): the meeting result files
  (.zip) — counts and the meeting's own text, nothing about residents. This is the folder
  the facilitator copies to the office and the office compiles.
- ``settings.district_dir`` (default ``~/.tasukeai/地区で保管（個人情報）``): the printable
  map (配布用のマップ) and the map's backups — personal data that must not leave the district.
  The folder holds a note (:data:`README_NAME`) that says so and carries :data:`MARKER`; every
  handout carries the marker too (``<meta name="tasukeai-kit:district-private">``).

``tasukeai compile`` and the office page refuse a folder that is a district folder or holds
any district file — found by the marker and by content (an SQLite database), not by name
alone, so a renamed handout is refused as well (:func:`check_office_folder`).
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from pathlib import Path

from kit import messages as msg
from kit.errors import ValidationError
from kit.files import write_atomically

MARKER = "tasukeai-kit:district-private"
MARKER_BYTES = MARKER.encode("ascii")
HANDOUT_META = f'<meta name="{MARKER}" content="handout">'
README_NAME = msg.DISTRICT_FOLDER_README_NAME
SQLITE_MAGIC = b"SQLite format 3\x00"
SCAN_BYTES = 64 * 1024
SCAN_ZIP_MEMBERS = 200


def district_folder(path: str | Path) -> Path:
    """Make (if needed) the district-private folder, readable by this user only, with its note."""
    folder = Path(path).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    note = folder / README_NAME
    if not note.exists():
        write_atomically(note, f"{msg.DISTRICT_FOLDER_README}\n{MARKER}\n".encode())
    return folder


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(SCAN_BYTES)
    except OSError:
        return b""


def is_district_file(path: Path) -> bool:
    """True for a handout, the district folder's note or a database (a map backup), by content."""
    head = _head(path)
    if MARKER_BYTES in head or head.startswith(SQLITE_MAGIC):
        return True
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist()[:SCAN_ZIP_MEMBERS]:
                    if info.filename.lower().endswith((".csv", ".json")) or info.is_dir():
                        continue  # a result file's own members: counts and text, no marker
                    with archive.open(info) as member:
                        inner = member.read(SCAN_BYTES)
                    if MARKER_BYTES in inner or inner.startswith(SQLITE_MAGIC):
                        return True
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError):
            return False
    return False


def is_district_folder(folder: Path) -> bool:
    """The folder (or one above it) is a district folder: by its note, or by its name."""
    folder = Path(folder).expanduser().resolve()
    for candidate in (folder, *folder.parents):
        note = candidate / README_NAME
        if candidate.name == msg.DISTRICT_FOLDER_NAME or (
            note.is_file() and MARKER_BYTES in _head(note)
        ):
            return True
    return False


def check_office_folder(folder: str | Path, *, district_dir: str | Path | None = None) -> None:
    """Refuse (clearly, in Japanese) a folder that must not be compiled for the office.

    Reads only the first bytes of each file; nothing in the folder is changed.
    """
    folder = Path(folder).expanduser()
    resolved = folder.resolve()
    private = Path(district_dir).expanduser().resolve() if district_dir else None
    if is_district_folder(folder) or (
        private is not None and (resolved == private or private in resolved.parents)
    ):
        raise ValidationError(
            msg.PRIVATE_FOLDER_REFUSED.format(folder=folder, submit=msg.SUBMIT_FOLDER_NAME)
        )
    found = [
        str(path.relative_to(folder))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and is_district_file(path)
    ]
    if found:
        shown = "、".join(found[:5]) + ("…" if len(found) > 5 else "")
        raise ValidationError(msg.PRIVATE_FILE_REFUSED.format(folder=folder, files=shown))


def district_files(folder: str | Path) -> list[Path]:
    """The kit's files in a district folder (handouts, backups, the note), for the purge."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and is_district_file(p)]
