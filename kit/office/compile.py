"""Compiling every district's result files into the office store (事務局の集計).

``compile_folder`` reads every file in a folder, checks each one and reports per file in
Japanese — 取り込み / 取り込み済み / 古い版を置き換え / 新しい版があるので不使用 / 関係のない
ファイル / エラー (with the reason) — without stopping at a bad file. Importing the same file
twice counts it once; a newer revision of a meeting replaces the older one; a bad file
changes nothing, so nothing already compiled is lost or counted twice.

>>> report = compile_folder(office_conn, results_folder, plan)
>>> report.counts()["ok"] == len(report.files) > 0
True
>>> compile_folder(office_conn, results_folder, plan).counts()["duplicate"] == len(report.files)
True
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from kit import messages as msg
from kit.errors import ResultFileError, ValidationError
from kit.folders import check_office_folder
from kit.plan import Plan
from kit.resultfile.format import MAX_FILE_BYTES, TABLES, NotAResultFile, ResultFile
from kit.resultfile.read import ImportLimits, read_result_file
from kit.store import now, savepoint, transaction
from kit.store import office as store
from kit.store.office import open_office_store

__all__ = [
    "CompileReport",
    "FileReport",
    "compile_folder",
    "fiscal_year",
    "import_result",
    "open_office_store",
]

STATUSES = ("ok", "replaced", "duplicate", "older", "unrelated", "error")
"""Outcome of one file: imported, replaced an older revision, same file again, an older
revision than the one compiled, not a result file, or refused with a reason."""

ProgressCallback = Callable[[int, int, str], None]
BATCH_SIZE = 250
MAX_FOLDER_FILES = 20_000


@dataclass(frozen=True)
class FileReport:
    """One line of the report: which file, what happened, why (in Japanese)."""

    name: str
    status: str
    message: str
    details: tuple[str, ...] = ()
    key_refused: bool = False  # a district's signing key changed (details[0]: its id)

    @property
    def label(self) -> str:
        return msg.OFFICE_STATUS_LABELS[self.status]

    def line(self) -> str:
        text = f"[{self.label}] {self.name}: {self.message}"
        if self.details:
            text += (
                "（" + "、".join(self.details[:5]) + ("…" if len(self.details) > 5 else "") + "）"
            )
        return text


@dataclass
class CompileReport:
    """What ``compile_folder`` did, file by file."""

    folder: Path
    files: list[FileReport] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = Counter(f.status for f in self.files)
        return {status: counted.get(status, 0) for status in STATUSES}

    @property
    def has_errors(self) -> bool:
        return any(f.status == "error" for f in self.files)

    def summary(self) -> str:
        if not self.files:
            return msg.OFFICE_FOLDER_EMPTY.format(folder=self.folder)
        c = self.counts()
        return msg.OFFICE_SUMMARY.format(total=len(self.files), **c)

    def lines(self) -> list[str]:
        return [f.line() for f in self.files]


def fiscal_year(held_on: str) -> int:
    """年度 (April to March) of a date: 2026-03-31 → 2025, 2026-04-01 → 2026."""
    year, month = int(held_on[:4]), int(held_on[5:7])
    return year if month >= 4 else year - 1


def import_limits(settings) -> ImportLimits:
    """The limits of the settings ``import_max_mb`` and ``import_max_rows``."""
    return ImportLimits(
        max_unpacked_bytes=max(int(settings.import_max_mb), 1) * 1024 * 1024,
        max_rows=max(int(settings.import_max_rows), 1),
    )


def list_candidate_files(folder: Path, limit: int = MAX_FOLDER_FILES) -> list[Path]:
    """Every file under ``folder`` (sub-folders too), hidden files and temp files excluded.

    Symbolic links are not followed (a link must not lead the office out of the folder),
    and at most ``limit`` files are listed: a results folder holds a few hundred.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not os.path.islink(Path(root) / d)
        )
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            found.append(path)
            if len(found) > limit:
                raise ValidationError(msg.OFFICE_FOLDER_TOO_MANY.format(folder=folder, limit=limit))
    return sorted(found, key=lambda p: str(p.relative_to(folder)))


def compile_folder(
    office_conn: sqlite3.Connection,
    folder: str | Path,
    plan: Plan,
    *,
    progress: ProgressCallback | None = None,
    batch_size: int = BATCH_SIZE,
    accept_new_keys: Collection[str] = (),
    limits: ImportLimits | None = None,
    district_dir: str | Path | None = None,
) -> CompileReport:
    """Import every result file in ``folder`` into the office store; return the report.

    The office's plan is fixed by the first compile; a later compile with another plan
    is refused. Files are written in batches (one transaction each), every file inside
    its own savepoint, so a file that fails leaves nothing behind.

    Each district's signing key is pinned at its first import; a file of that district
    signed by another key (or unsigned) is refused unless its district id is in
    ``accept_new_keys`` (the clerk accepted the new key on purpose). ``limits`` bound what a
    file may unpack to (settings ``import_max_mb``, ``import_max_rows``).

    A district-private folder (``district_dir``, or any folder carrying the district note)
    and a folder holding a handout or a map backup are refused before anything is read
    (:func:`kit.folders.check_office_folder`).
    """
    folder = Path(folder).expanduser()
    if not folder.exists():
        raise ValidationError(msg.OFFICE_FOLDER_MISSING.format(folder=folder))
    if not folder.is_dir():
        raise ValidationError(msg.OFFICE_FOLDER_NOT_DIR.format(folder=folder))
    check_office_folder(folder, district_dir=district_dir)
    with transaction(office_conn):
        stored = store.set_plan_id_if_absent(office_conn, plan.plan_id)
    if stored != plan.plan_id:
        raise ValidationError(msg.OFFICE_PLAN_MISMATCH.format(stored=stored, given=plan.plan_id))
    paths = list_candidate_files(folder)
    report = CompileReport(folder=folder)
    total = len(paths)
    if progress:
        progress(0, total, "")
    for start in range(0, total, max(batch_size, 1)):
        batch = paths[start : start + batch_size]
        with transaction(office_conn):
            for offset, path in enumerate(batch):
                name = str(path.relative_to(folder))
                report.files.append(
                    _compile_one(office_conn, path, name, plan, accept_new_keys, limits)
                )
                if progress:
                    progress(start + offset + 1, total, name)
    return report


def _compile_one(
    conn: sqlite3.Connection,
    path: Path,
    name: str,
    plan: Plan,
    accept_new_keys: Collection[str] = (),
    limits: ImportLimits | None = None,
) -> FileReport:
    if path.suffix.lower() != ".zip":
        return FileReport(name, "unrelated", msg.OFFICE_UNRELATED_FILE)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ResultFileError(
                msg.OFFICE_FILE_TOO_BIG.format(mb=MAX_FILE_BYTES // (1024 * 1024))
            )
        data = path.read_bytes()
    except ResultFileError as exc:
        return FileReport(name, "error", exc.message, tuple(exc.details))
    except OSError as exc:
        return FileReport(name, "error", msg.OFFICE_FILE_UNREADABLE, (exc.strerror or str(exc),))
    sha = hashlib.sha256(data).hexdigest()
    known = store.find_imported_file(conn, sha)
    if known is not None:
        return FileReport(
            name, "duplicate", msg.OFFICE_DUPLICATE_FILE.format(first=known.file_name)
        )
    try:
        result = read_result_file(data, plan, limits)
    except NotAResultFile as exc:
        return FileReport(name, "unrelated", exc.message)
    except ResultFileError as exc:
        return FileReport(name, "error", exc.message, tuple(exc.details))
    try:
        with savepoint(conn, "office_file"):
            return import_result(conn, result, name, accept_new_keys=accept_new_keys)
    except sqlite3.Error as exc:
        return FileReport(name, "error", msg.OFFICE_STORE_FAILED, (str(exc),))


class KeyRefused(Exception):
    """A file signed by another key than the one pinned for its district (or unsigned)."""


def check_district_key(
    conn: sqlite3.Connection, result: ResultFile, name: str, accept_new_keys: Collection[str]
) -> str:
    """Pin or check the district's signing key; return a note for the report line.

    Raises :class:`KeyRefused` (with the Japanese reason) for another key, or for an
    unsigned file of a district whose files were signed, unless accepted on purpose.
    """
    m = result.manifest
    pinned = store.get_district_key(conn, m.district_id)
    accepted = m.district_id in set(accept_new_keys)
    if not m.signed:
        if pinned is not None and not accepted:
            raise KeyRefused(
                msg.OFFICE_UNSIGNED_BUT_PINNED.format(
                    district=m.district_name, district_id=m.district_id
                )
            )
        return msg.OFFICE_UNSIGNED_MARK
    if pinned is None:
        store.pin_district_key(conn, m.district_id, m.public_key, name)
        return msg.OFFICE_KEY_PINNED
    if pinned != m.public_key:
        if not accepted:
            raise KeyRefused(
                msg.OFFICE_KEY_CHANGED.format(district=m.district_name, district_id=m.district_id)
            )
        store.pin_district_key(conn, m.district_id, m.public_key, name)
        return msg.OFFICE_KEY_ACCEPTED
    return ""


def import_result(
    conn: sqlite3.Connection,
    result: ResultFile,
    name: str,
    *,
    accept_new_keys: Collection[str] = (),
) -> FileReport:
    """Take one checked result file into the store (inside a transaction); say what happened."""
    m = result.manifest
    try:
        note = check_district_key(conn, result, name, accept_new_keys)
    except KeyRefused as refused:
        return FileReport(name, "error", str(refused), (m.district_id,), key_refused=True)
    existing = store.get_meeting(conn, m.meeting_uid)
    where = msg.OFFICE_MEETING_LABEL.format(
        district=m.district_name, date=m.meeting_date, revision=m.revision
    )
    if note == msg.OFFICE_UNSIGNED_MARK:
        where = f"{msg.OFFICE_UNSIGNED_MARK}{where}"
    if existing is not None and existing.revision > m.revision:
        store.record_imported_file(conn, result.sha256, name, m.meeting_uid, m.revision)
        return FileReport(
            name, "older", msg.OFFICE_OLDER_REVISION.format(where=where, newer=existing.revision)
        )
    if existing is not None and existing.revision == m.revision:
        return FileReport(
            name,
            "error",
            msg.OFFICE_SAME_REVISION_DIFFERS.format(where=where, first=existing.file_name),
        )
    store.replace_meeting(conn, _meeting_row(result, name), _table_rows(result))
    store.record_imported_file(conn, result.sha256, name, m.meeting_uid, m.revision)
    store.set_meeting_signature(conn, m.meeting_uid, m.signed, m.public_key)
    extra = "" if note == msg.OFFICE_UNSIGNED_MARK else note
    if existing is None:
        return FileReport(name, "ok", msg.OFFICE_IMPORTED.format(where=where) + extra)
    return FileReport(
        name, "replaced", msg.OFFICE_REPLACED.format(where=where, old=existing.revision) + extra
    )


def _meeting_row(result: ResultFile, name: str) -> dict:
    m = result.manifest
    return {
        "uid": m.meeting_uid,
        "district_id": m.district_id,
        "district_name": m.district_name,
        "city": m.city,
        "plan_id": m.plan_id,
        "held_on": m.meeting_date,
        "fiscal_year": fiscal_year(m.meeting_date),
        "title": m.title,
        "revision": m.revision,
        "kit_version": m.kit_version,
        "format_version": m.format_version,
        "created_at": m.created_at,
        "members": m.members,
        "members_with_tablet": m.members_with_tablet,
        "file_sha256": result.sha256,
        "file_name": name,
        "imported_at": now(),
    }


def _table_rows(result: ResultFile) -> dict[str, list[dict]]:
    """Each compiled table's rows from its CSV, with the columns :data:`TABLES` says it keeps."""
    return {
        table.office_table: [
            {c: float(row[c]) if c in table.numbers else row[c] for c in table.office_columns}
            for row in result.rows(table.name)
        ]
        for table in TABLES
    }
