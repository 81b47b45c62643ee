"""Reading a result file back with every check the office relies on (Japanese reasons)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kit import messages as msg
from kit.errors import ResultFileError
from kit.plan import Plan
from kit.resultfile.format import (
    ACTION_STATUSES,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MAX_FILE_BYTES,
    REQUIRED_MANIFEST,
    TABLES,
    UNIQUE_KEYS,
    VOTE_METHODS,
    VOTE_STATUSES,
    CsvTable,
    Manifest,
    NotAResultFile,
    ResultFile,
    canonical_json,
    manifest_from,
    meeting_uid,
    parse_json,
    unescape_cell,
)
from kit.resultfile.signing import PUBLIC_KEY_FIELD, SIGNATURE_FIELD, verify_manifest

MAX_ENTRIES = 64
MAX_ROWS = 50_000
"""Rows per CSV: a real meeting has a few hundred; a hostile file stops here."""
MAX_RATIO = 200
"""Declared unpacked size / packed size: the kit's CSVs pack about 5:1; a bomb, thousands."""
MANIFEST_MAX_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
SMALL_MEMBER_BYTES = 2 * 1024 * 1024
MAX_LINE_CHARS = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """How much one result file may unpack to, and how many rows a CSV may have.

    ``max_unpacked_bytes`` is the setting ``import_max_mb``; ``max_rows`` is
    ``import_max_rows``. Checked before inflating (declared sizes, ratio) and while
    inflating (in chunks), so a hostile file stops at the limit, not at the end of memory.
    """

    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_rows: int = MAX_ROWS
    max_ratio: int = MAX_RATIO


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit
        self.limit = limit

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise ResultFileError(msg.OFFICE_FILE_INFLATES_TOO_MUCH.format(mb=_mb(self.limit)))


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


class _Inflating(io.RawIOBase):
    """A zip member as a stream: every chunk counted against the budget and hashed."""

    def __init__(self, source, budget: _Budget) -> None:
        self.source = source
        self.budget = budget
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.source.read(min(len(buffer), CHUNK_BYTES))
        self.budget.take(len(chunk))
        self.sha.update(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _directory_entries(data: bytes) -> int | None:
    """The entry count the zip's end record declares, read before the directory is parsed."""
    tail = data[-(65535 + 22) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    return int.from_bytes(tail[at + 10 : at + 12], "little")


def read_result_file(data: bytes, plan: Plan, limits: ImportLimits | None = None) -> ResultFile:
    """Open and check a result file; raise :class:`ResultFileError` with a Japanese reason.

    Checks, in order: a readable zip with few entries, each member's declared size and
    compression ratio (before inflating anything), a manifest in a known format version,
    every required field, ``content_sha256``, the signature (version 2), the plan id, each
    CSV — inflated in chunks within ``limits`` and read as a stream with a row cap — against
    its SHA-256 and columns, and the values (numbers, plan ids, statuses). Nothing is
    trusted before that.
    """
    limits = limits or ImportLimits()
    if not data:
        raise ResultFileError(msg.OFFICE_FILE_EMPTY_FILE)
    if len(data) > MAX_FILE_BYTES:
        raise ResultFileError(msg.OFFICE_FILE_TOO_BIG.format(mb=MAX_FILE_BYTES // (1024 * 1024)))
    entries = _directory_entries(data)
    if entries is not None and entries > MAX_ENTRIES:
        raise ResultFileError(msg.OFFICE_FILE_TOO_MANY_ENTRIES.format(limit=MAX_ENTRIES))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ResultFileError(msg.OFFICE_FILE_DAMAGED_ZIP, details=[str(exc)]) from exc
    with archive:
        names = [info.filename for info in infos]
        if len(infos) > MAX_ENTRIES:
            raise ResultFileError(msg.OFFICE_FILE_TOO_MANY_ENTRIES.format(limit=MAX_ENTRIES))
        if MANIFEST_NAME not in names:
            raise NotAResultFile(msg.OFFICE_FILE_NOT_RESULT_FILE)
        if len(set(names)) != len(names):
            raise ResultFileError(msg.OFFICE_FILE_DUPLICATE_MEMBER)
        _check_declared_sizes(infos, limits)
        by_name = {info.filename: info for info in infos}
        budget = _Budget(limits.max_unpacked_bytes)
        raw_manifest = _inflate(archive, by_name[MANIFEST_NAME], budget, MANIFEST_MAX_BYTES)
        manifest_data = _readmanifest_from(raw_manifest)
        manifest = _checkmanifest_from(manifest_data, plan)
        listed = set(manifest.files)
        missing = [t.name for t in TABLES if t.name not in listed or t.name not in by_name]
        if missing:
            raise ResultFileError(msg.OFFICE_FILE_MISSING_FILES, details=missing)
        extra = sorted(set(by_name) - listed - {MANIFEST_NAME})
        if extra:
            raise ResultFileError(msg.OFFICE_FILE_EXTRA_FILES, details=extra)
        for member in sorted(listed):
            if member not in by_name:
                raise ResultFileError(msg.OFFICE_FILE_MISSING_FILES, details=[member])
        tables = {}
        for table in TABLES:
            info = manifest.files[table.name]
            expected = info.get("sha256") if isinstance(info, Mapping) else None
            tables[table.name] = _read_csv_member(
                archive, by_name[table.name], table, plan, budget, limits, expected
            )
    _check_references(tables)
    return ResultFile(manifest=manifest, tables=tables, sha256=hashlib.sha256(data).hexdigest())


def _check_declared_sizes(infos: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    """Refuse by the zip's own headers, before a byte is inflated."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_unpacked_bytes or total > limits.max_unpacked_bytes:
            raise ResultFileError(
                msg.OFFICE_FILE_INFLATES_TOO_MUCH.format(mb=_mb(limits.max_unpacked_bytes))
            )
        if info.file_size > 4096 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ResultFileError(
                msg.OFFICE_FILE_RATIO.format(member=info.filename, ratio=limits.max_ratio)
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ResultFileError(msg.OFFICE_FILE_DAMAGED_ZIP, details=[info.filename])


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, cap: int) -> bytes:
    parts, size = [], 0
    try:
        with archive.open(info) as source:
            while chunk := source.read(CHUNK_BYTES):
                budget.take(len(chunk))
                size += len(chunk)
                if size > cap:
                    raise ResultFileError(msg.OFFICE_FILE_MANIFEST_TOO_BIG.format(kb=cap // 1024))
                parts.append(chunk)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise ResultFileError(msg.OFFICE_FILE_DAMAGED_ZIP, details=[str(exc)]) from exc
    return b"".join(parts)


def _read_csv_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    table: CsvTable,
    plan: Plan,
    budget: _Budget,
    limits: ImportLimits,
    expected_sha256: object,
) -> list[dict[str, Any]]:
    """One CSV, inflated in chunks and parsed as a stream; its SHA-256 checked at the end.

    A small member (the usual case) is inflated into memory first — within the budget —
    which is quicker; a large one is parsed while it inflates.
    """
    if info.file_size <= SMALL_MEMBER_BYTES:
        raw_bytes = _inflate(archive, info, budget, SMALL_MEMBER_BYTES)
        try:
            text = raw_bytes.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ResultFileError(msg.OFFICE_FILE_CSV_NOT_UTF8.format(member=table.name)) from exc
        lines = _bounded_lines(io.StringIO(text, newline=""), table)
        rows = _read_csv(table, lines, plan, limits.max_rows)
        if hashlib.sha256(raw_bytes).hexdigest() != expected_sha256:
            raise ResultFileError(msg.OFFICE_FILE_CHECKSUM_MISMATCH.format(member=table.name))
        return rows
    try:
        with archive.open(info) as source:
            raw = _Inflating(source, budget)
            text = io.TextIOWrapper(
                io.BufferedReader(raw, CHUNK_BYTES), encoding="utf-8-sig", newline=""
            )
            rows = _read_csv(table, _bounded_lines(text, table), plan, limits.max_rows)
            while text.read(CHUNK_BYTES):  # the rest (blank lines), for the checksum
                pass
    except UnicodeDecodeError as exc:
        raise ResultFileError(msg.OFFICE_FILE_CSV_NOT_UTF8.format(member=table.name)) from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        raise ResultFileError(msg.OFFICE_FILE_DAMAGED_ZIP, details=[str(exc)]) from exc
    if raw.sha.hexdigest() != expected_sha256:
        raise ResultFileError(msg.OFFICE_FILE_CHECKSUM_MISMATCH.format(member=table.name))
    return rows


def _bounded_lines(text: io.TextIOBase, table: CsvTable):
    while True:
        line = text.readline(MAX_LINE_CHARS)
        if not line:
            return
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise ResultFileError(msg.OFFICE_FILE_LINE_TOO_LONG.format(member=table.name))
        yield line


def _readmanifest_from(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_UNREADABLE, details=[str(exc)]) from exc
    if not isinstance(data, dict):
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_UNREADABLE)
    return data


def _checkmanifest_from(data: dict[str, Any], plan: Plan) -> Manifest:
    if data.get("format") != FORMAT_NAME:
        raise NotAResultFile(msg.OFFICE_FILE_NOT_RESULT_FILE)
    version = data.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ResultFileError(msg.OFFICE_FILE_BAD_VERSION.format(version=version))
    if version > FORMAT_VERSION:
        raise ResultFileError(
            msg.OFFICE_FILE_FUTURE_VERSION.format(version=version, supported=FORMAT_VERSION)
        )
    problems = []
    for key, kind in REQUIRED_MANIFEST.items():
        value = data.get(key)
        if value is None:
            problems.append(msg.OFFICE_FILE_FIELD_MISSING.format(field=key))
        elif isinstance(value, bool) or not isinstance(value, kind):
            problems.append(msg.OFFICE_FILE_FIELD_WRONG_TYPE.format(field=key))
        elif isinstance(value, str) and not value.strip() and key not in ("city",):
            problems.append(msg.OFFICE_FILE_FIELD_MISSING.format(field=key))
    if problems:
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_INCOMPLETE, details=problems)
    without = {k: v for k, v in data.items() if k not in ("content_sha256", SIGNATURE_FIELD)}
    if hashlib.sha256(canonical_json(without)).hexdigest() != data["content_sha256"]:
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_EDITED)
    if version >= 2 or SIGNATURE_FIELD in data or PUBLIC_KEY_FIELD in data:
        if not verify_manifest(data):
            raise ResultFileError(msg.OFFICE_FILE_BAD_SIGNATURE)
    if data["plan_id"] != plan.plan_id:
        raise ResultFileError(
            msg.OFFICE_FILE_OTHER_PLAN.format(theirs=data["plan_id"], ours=plan.plan_id)
        )
    try:
        dt.date.fromisoformat(data["meeting_date"])
    except ValueError:
        problems.append(msg.OFFICE_FILE_FIELD_WRONG_TYPE.format(field="meeting_date"))
    if data["revision"] < 1 or data["members"] < 0 or data["members_with_tablet"] < 0:
        problems.append(msg.OFFICE_FILE_FIELD_WRONG_TYPE.format(field="revision/members"))
    if data["meeting_uid"] != meeting_uid(data["district_id"], data["meeting_date"], data["title"]):
        problems.append(msg.OFFICE_FILE_UID_MISMATCH)
    if problems:
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_INCOMPLETE, details=problems)
    return manifest_from(data)


def _read_csv(table: CsvTable, lines, plan: Plan, max_rows: int = MAX_ROWS) -> list[dict[str, Any]]:
    try:
        reader = csv.reader(lines)
        header = next(reader, None)
    except csv.Error as exc:
        raise ResultFileError(
            msg.OFFICE_FILE_CSV_BROKEN.format(member=table.name), details=[str(exc)]
        ) from exc
    if header is None:
        raise ResultFileError(msg.OFFICE_FILE_CSV_BROKEN.format(member=table.name))
    missing = [c for c in table.columns if c not in header]
    if missing:
        raise ResultFileError(
            msg.OFFICE_FILE_CSV_COLUMNS.format(member=table.name), details=missing
        )
    index = {c: header.index(c) for c in table.columns}
    rows = []
    for line_no, line in enumerate(_records(reader, table), start=2):
        if not any(cell.strip() for cell in line):
            continue
        if len(rows) >= max_rows:
            raise ResultFileError(
                msg.OFFICE_FILE_TOO_MANY_ROWS.format(member=table.name, limit=max_rows)
            )
        if len(line) < len(header):
            raise ResultFileError(msg.OFFICE_FILE_CSV_ROW.format(member=table.name, line=line_no))
        row: dict[str, Any] = {}
        for column, i in index.items():
            value = line[i]
            if column in table.ints or column in table.optional_ints:
                if value == "" and column in table.optional_ints:
                    row[column] = None
                    continue
                try:
                    row[column] = int(value)
                except ValueError:
                    raise ResultFileError(
                        msg.OFFICE_FILE_CSV_VALUE.format(
                            member=table.name, line=line_no, column=column
                        )
                    ) from None
            elif column in table.text:
                row[column] = unescape_cell(value)
            else:
                row[column] = value
        problem = _check_row(table.name, row, plan)
        if problem:
            raise ResultFileError(
                msg.OFFICE_FILE_CSV_VALUE.format(member=table.name, line=line_no, column=problem)
            )
        rows.append(row)
    return rows


def _records(reader, table: CsvTable):
    try:
        yield from reader
    except csv.Error as exc:
        raise ResultFileError(
            msg.OFFICE_FILE_CSV_BROKEN.format(member=table.name), details=[str(exc)]
        ) from exc


def _check_row(name: str, row: dict[str, Any], plan: Plan) -> str | None:
    """The column whose value is out of range or not in the plan, or ``None``."""
    if name == "issues.csv":
        if not plan.has_goal(row["goal_id"]):
            return "goal_id"
        for column in ("seriousness", "reach"):
            if not 1 <= row[column] <= 5:
                return column
        if row["raised_count"] < 1:
            return "raised_count"
    elif name == "votes.csv":
        if row["method"] not in VOTE_METHODS:
            return "method"
        if row["status"] not in VOTE_STATUSES:
            return "status"
        if min(row["eligible"], row["ballots"], row["paper_ballots"]) < 0:
            return "ballots"
        if not isinstance(parse_json(row["settings_json"], None), dict):
            return "settings_json"
    elif name == "tallies.csv":
        try:
            float(row["score"])
        except ValueError:
            return "score"
        if row["goal_id"] and not plan.has_goal(row["goal_id"]):
            return "goal_id"
        if row["rank"] < 1 or row["spread"] < 0:
            return "rank"
    elif name == "ballots.csv":
        if not isinstance(parse_json(row["choices"], None), dict):
            return "choices"
    elif name == "actions.csv":
        if not plan.has_policy(row["policy_id"]):
            return "policy_id"
        if row["status"] not in ACTION_STATUSES:
            return "status"
        if row["due_on"]:
            try:
                dt.date.fromisoformat(row["due_on"])
            except ValueError:
                return "due_on"
    elif name == "map_counts.csv":
        if row["count"] < 0 or not row["category"]:
            return "count"
    return None


def _check_references(tables: Mapping[str, list[dict[str, Any]]]) -> None:
    issue_nos = {r["issue_no"] for r in tables["issues.csv"]}
    vote_nos = {r["vote_no"] for r in tables["votes.csv"]}
    problems = []
    for name, key in UNIQUE_KEYS.items():
        keys = [tuple(r[c] for c in key) for r in tables[name]]
        if len(set(keys)) != len(keys):
            problems.append(f"{name}: {'+'.join(key)}")
    for name in ("tallies.csv", "ballots.csv"):
        if any(r["vote_no"] not in vote_nos for r in tables[name]):
            problems.append(f"{name}: vote_no")
    for name, column in (("tallies.csv", "issue_no"), ("actions.csv", "source_issue_no")):
        if any(r[column] is not None and r[column] not in issue_nos for r in tables[name]):
            problems.append(f"{name}: {column}")
    if problems:
        raise ResultFileError(msg.OFFICE_FILE_BAD_REFERENCES, details=problems)
