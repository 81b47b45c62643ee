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
    MAX_UNPACKED_BYTES,
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


def read_result_file(data: bytes, plan: Plan) -> ResultFile:
    """Open and check a result file; raise :class:`ResultFileError` with a Japanese reason.

    Checks, in order: a readable zip, a manifest in a known format version, every required
    field, ``content_sha256``, the plan id against ``plan``, each CSV's SHA-256 and
    columns, and the values (numbers, plan ids, statuses). Nothing is trusted before that.
    """
    if not data:
        raise ResultFileError(msg.OFFICE_FILE_EMPTY_FILE)
    if len(data) > MAX_FILE_BYTES:
        raise ResultFileError(msg.OFFICE_FILE_TOO_BIG.format(mb=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ResultFileError(msg.OFFICE_FILE_DAMAGED_ZIP, details=[str(exc)]) from exc
    with archive:
        names = [info.filename for info in infos]
        if MANIFEST_NAME not in names:
            raise NotAResultFile(msg.OFFICE_FILE_NOT_RESULT_FILE)
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES or len(infos) > 64:
            raise ResultFileError(
                msg.OFFICE_FILE_TOO_BIG.format(mb=MAX_UNPACKED_BYTES // (1024 * 1024))
            )
        if len(set(names)) != len(names):
            raise ResultFileError(msg.OFFICE_FILE_DUPLICATE_MEMBER)
        contents = {}
        for info in infos:
            try:
                contents[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
                raise ResultFileError(msg.OFFICE_FILE_DAMAGED_ZIP, details=[str(exc)]) from exc
    manifest_data = _readmanifest_from(contents[MANIFEST_NAME])
    manifest = _checkmanifest_from(manifest_data, plan)
    listed = set(manifest.files)
    missing = [t.name for t in TABLES if t.name not in listed or t.name not in contents]
    if missing:
        raise ResultFileError(msg.OFFICE_FILE_MISSING_FILES, details=missing)
    extra = sorted(set(contents) - listed - {MANIFEST_NAME})
    if extra:
        raise ResultFileError(msg.OFFICE_FILE_EXTRA_FILES, details=extra)
    for member in sorted(listed):
        info = manifest.files[member]
        if member not in contents:
            raise ResultFileError(msg.OFFICE_FILE_MISSING_FILES, details=[member])
        expected = info.get("sha256") if isinstance(info, Mapping) else None
        if hashlib.sha256(contents[member]).hexdigest() != expected:
            raise ResultFileError(msg.OFFICE_FILE_CHECKSUM_MISMATCH.format(member=member))
    tables = {t.name: _read_csv(t, contents[t.name], plan) for t in TABLES}
    _check_references(tables)
    return ResultFile(manifest=manifest, tables=tables, sha256=hashlib.sha256(data).hexdigest())


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
    without = {k: v for k, v in data.items() if k != "content_sha256"}
    if hashlib.sha256(canonical_json(without)).hexdigest() != data["content_sha256"]:
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_EDITED)
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


def _read_csv(table: CsvTable, raw: bytes, plan: Plan) -> list[dict[str, Any]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultFileError(msg.OFFICE_FILE_CSV_NOT_UTF8.format(member=table.name)) from exc
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        lines = list(reader)
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
    for line_no, line in enumerate(lines, start=2):
        if not any(cell.strip() for cell in line):
            continue
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
