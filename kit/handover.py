"""The meeting result file (会議結果ファイル) handed to the council office (市社協事務局).

One zip per meeting, readable without the kit (see ``docs/result_file_format.md``):

- ``manifest.json`` — format and kit version, plan, district, meeting date, title,
  revision, member counts, the SHA-256 of every CSV and ``content_sha256`` over the
  manifest itself;
- UTF-8 CSVs (with BOM, so Excel opens them): ``issues.csv``, ``votes.csv``,
  ``tallies.csv``, ``ballots.csv`` (anonymous ballot numbers), ``actions.csv`` and
  ``map_counts.csv`` (the 支え合いマップ as counts by category only).

Writing is atomic (temp file, fsync, ``os.replace``); :func:`read_result_file` checks
everything the office relies on and raises :class:`ResultFileError` with a Japanese reason.

>>> saved = save_result_file(conn, plan, meeting_id, settings.results_dir)  # doctest: +SKIP
>>> saved.name  # doctest: +SKIP
'2026-11-26_さくら台地区_d01_r02_3f9a1c.zip'
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kit
from kit import messages as msg
from kit.errors import ResultFileError
from kit.meeting import require_phase
from kit.plan import Plan
from kit.store import handover as store
from kit.store import meetings as meeting_store
from kit.store import now, transaction

FORMAT_NAME = "tasukeai-result"
FORMAT_VERSION = 1
"""The version this kit writes and the newest it reads."""

MANIFEST_NAME = "manifest.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""Text starting with these could become a spreadsheet formula; ``'`` is escaped too."""

VOTE_METHODS = ("dots", "approval", "ranking")
VOTE_STATUSES = ("open", "closed")
ACTION_STATUSES = ("not_started", "in_progress", "done")


@dataclass(frozen=True)
class CsvTable:
    """One CSV in the result file: its columns, which are free text and which integers."""

    name: str
    columns: tuple[str, ...]
    text: frozenset[str] = frozenset()
    ints: frozenset[str] = frozenset()
    optional_ints: frozenset[str] = frozenset()


TABLES: tuple[CsvTable, ...] = (
    CsvTable(
        "issues.csv",
        (
            "issue_no",
            "text",
            "goal_id",
            "goal_name",
            "basic_plan_id",
            "seriousness",
            "reach",
            "place",
            "raised_count",
        ),
        text=frozenset({"text", "goal_name", "place"}),
        ints=frozenset({"issue_no", "seriousness", "reach", "raised_count"}),
    ),
    CsvTable(
        "votes.csv",
        (
            "vote_no",
            "title",
            "method",
            "settings_json",
            "status",
            "opened_at",
            "closed_at",
            "eligible",
            "ballots",
            "paper_ballots",
        ),
        text=frozenset({"title"}),
        ints=frozenset({"vote_no", "eligible", "ballots", "paper_ballots"}),
    ),
    CsvTable(
        "tallies.csv",
        ("vote_no", "position", "label", "issue_no", "goal_id", "score", "spread", "rank", "tied"),
        text=frozenset({"label"}),
        ints=frozenset({"vote_no", "position", "spread", "rank", "tied"}),
        optional_ints=frozenset({"issue_no"}),
    ),
    CsvTable(
        "ballots.csv",
        ("vote_no", "ballot_no", "is_paper", "choices"),
        ints=frozenset({"vote_no", "ballot_no", "is_paper"}),
    ),
    CsvTable(
        "actions.csv",
        (
            "action_no",
            "title",
            "owner",
            "due_on",
            "policy_id",
            "policy_name",
            "goal_id",
            "status",
            "source_issue_no",
        ),
        text=frozenset({"title", "owner", "policy_name"}),
        ints=frozenset({"action_no"}),
        optional_ints=frozenset({"source_issue_no"}),
    ),
    CsvTable(
        "map_counts.csv",
        ("category", "label", "count"),
        text=frozenset({"category", "label"}),
        ints=frozenset({"count"}),
    ),
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "issues.csv": ("issue_no",),
    "votes.csv": ("vote_no",),
    "tallies.csv": ("vote_no", "position"),
    "ballots.csv": ("vote_no", "ballot_no"),
    "actions.csv": ("action_no",),
    "map_counts.csv": ("category",),
}

REQUIRED_MANIFEST: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "format_version": int,
    "kit_version": str,
    "plan_id": str,
    "city": str,
    "district_id": str,
    "district_name": str,
    "meeting_uid": str,
    "meeting_date": str,
    "title": str,
    "revision": int,
    "created_at": str,
    "members": int,
    "members_with_tablet": int,
    "files": dict,
    "content_sha256": str,
}


@dataclass(frozen=True)
class Manifest:
    """The ``manifest.json`` of a result file, checked."""

    format_version: int
    kit_version: str
    plan_id: str
    city: str
    district_id: str
    district_name: str
    meeting_uid: str
    meeting_date: str
    title: str
    revision: int
    created_at: str
    members: int
    members_with_tablet: int
    files: Mapping[str, Mapping[str, Any]]
    content_sha256: str


@dataclass(frozen=True)
class ResultFile:
    """A result file read back and checked: manifest plus one list of row dicts per CSV."""

    manifest: Manifest
    tables: Mapping[str, list[dict[str, Any]]]
    sha256: str = ""

    def rows(self, name: str) -> list[dict[str, Any]]:
        return self.tables[name]


@dataclass(frozen=True)
class SavedResult:
    """Where :func:`save_result_file` wrote the file (保存先)."""

    path: Path
    name: str
    revision: int
    manifest: Manifest
    counts: Mapping[str, int] = field(default_factory=dict)


# --- identity and names --------------------------------------------------------------------------
def meeting_uid(district_id: str, held_on: str, title: str) -> str:
    """The office's key for a meeting: the same district, date and title is the same meeting."""
    key = "\x1f".join(("tasukeai-meeting", district_id, held_on, title))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


def safe_name_part(text: str, limit: int = 30) -> str:
    """A piece of a file name with nothing Windows, macOS or Linux refuse."""
    cleaned = _UNSAFE_NAME.sub("_", text).strip("._ ")
    return cleaned[:limit] or "_"


def result_file_name(manifest: Manifest) -> str:
    """``開催日_地区名_地区ID_r版_識別子.zip`` — sortable by date, clear to a person."""
    return (
        f"{manifest.meeting_date}_{safe_name_part(manifest.district_name)}_"
        f"{safe_name_part(manifest.district_id, 16)}_r{manifest.revision:02d}_"
        f"{manifest.meeting_uid[:6]}.zip"
    )


# --- spreadsheet-safe text -------------------------------------------------------------------------
def escape_cell(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet could read as a formula (and to text starting with ``'``)."""
    if text and (text.startswith(FORMULA_STARTS) or text.startswith("'")):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell` (the result file's text columns round-trip exactly)."""
    return text[1:] if text.startswith("'") else text


# --- building the file ------------------------------------------------------------------------------
def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def vote_tally(conn: sqlite3.Connection, vote_id: int) -> list[dict[str, Any]]:
    """The vote's result rows from the votes capability's tally (``kit.tally.tally``).

    One dict per item: ``position``, ``label``, ``goal_id``, ``issue_id``, ``score``,
    ``spread`` (members who gave it anything), ``rank`` (1224) and ``tied``.
    """
    from kit import tally, voting

    vote = voting.get_vote(conn, vote_id)
    items = voting.vote_items(conn, vote_id)
    issue_of = {item.id: item.issue_id for item in items}
    result = tally.tally(
        vote.method, items, voting.ballots(conn, vote_id), rank_k=voting.rank_k_of(vote, len(items))
    )
    return [
        {
            "position": int(r["position"]),
            "label": r["label"],
            "goal_id": r["goal_id"],
            "issue_id": issue_of.get(int(r["item_id"])),
            "score": float(r["score"]),
            "spread": int(r["spread"]),
            "rank": int(r["rank"]),
            "tied": bool(r["tied"]),
        }
        for r in result.to_dict("records")
    ]


def _parse_json(text: str, default: Any) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return default


def map_counts(conn: sqlite3.Connection, meeting_id: int) -> list[tuple[str, str, int]]:
    """支え合いマップ as ``(category, label, count)`` — counts only, no names, notes or positions.

    The categories are the map capability's (``kit.map_privacy``), never typed text. The map
    is the one at the end of the meeting: the map as it is now, or — when the meeting is
    saved again after the district's next meeting began — that next meeting's starting
    snapshot.
    """
    from kit.map_privacy import office_counts

    meeting = meeting_store.get_meeting(conn, meeting_id)
    later = _later_snapshot(conn, meeting)
    if later is None:
        return [tuple(row) for row in office_counts(conn, meeting.district_id, meeting_id)]
    return snapshot_counts(later, before=_baseline(conn, meeting_id))


def _baseline(conn: sqlite3.Connection, meeting_id: int) -> Any:
    from kit.supportmap import baseline

    return baseline(conn, meeting_id)


def _later_snapshot(conn: sqlite3.Connection, meeting: meeting_store.Meeting) -> Any:
    after = [
        m
        for m in meeting_store.list_meetings(conn, meeting.district_id)
        if (m.held_on, m.id) > (meeting.held_on, meeting.id)
    ]
    for later in after:
        data = _baseline(conn, later.id)
        if data is not None:
            return data
    return None


def snapshot_counts(data: Any, *, before: Any = None) -> list[tuple[str, str, int]]:
    """``kit.map_privacy.map_office_counts`` of a map snapshot, as plain tuples."""
    from kit.map_privacy import map_office_counts

    return [tuple(row) for row in map_office_counts(data, before=before)]


def build_result_file(
    conn: sqlite3.Connection, plan: Plan, meeting_id: int, *, created_at: str | None = None
) -> tuple[bytes, Manifest]:
    """The zip bytes and manifest of one meeting (read-only; call inside a transaction)."""
    header, tables = result_contents(conn, plan, meeting_id, created_at=created_at)
    return pack_result_file(header, tables)


def result_contents(
    conn: sqlite3.Connection, plan: Plan, meeting_id: int, *, created_at: str | None = None
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The manifest header (without checksums) and the rows of every CSV of one meeting."""
    meeting = meeting_store.get_meeting(conn, meeting_id)
    district = meeting_store.get_district(conn, meeting.district_id)
    members, with_tablet = store.count_members(conn, meeting_id)

    def goal_name(goal_id: str | None) -> str:
        return plan.goal(goal_id).name if goal_id and plan.has_goal(goal_id) else ""

    issues = store.list_result_issues(conn, meeting_id)
    issue_no = {issue.id: number for number, issue in enumerate(issues, start=1)}
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES_BY_NAME}
    for issue in issues:
        tables["issues.csv"].append(
            {
                "issue_no": issue_no[issue.id],
                "text": issue.text,
                "goal_id": issue.goal_id,
                "goal_name": goal_name(issue.goal_id),
                "basic_plan_id": plan.goal(issue.goal_id).basic_plan_id
                if plan.has_goal(issue.goal_id)
                else "",
                "seriousness": issue.seriousness,
                "reach": issue.reach,
                "place": issue.place,
                "raised_count": issue.raised_count,
            }
        )

    for vote_no, vote in enumerate(store.list_result_votes(conn, meeting_id), start=1):
        items = store.list_result_vote_items(conn, vote.id)
        ballots = store.list_result_ballots(conn, vote.id)
        position = {item.id: item.position for item in items}
        tables["votes.csv"].append(
            {
                "vote_no": vote_no,
                "title": vote.title,
                "method": vote.method,
                "settings_json": vote.settings_json or "{}",
                "status": vote.status,
                "opened_at": vote.opened_at or "",
                "closed_at": vote.closed_at or "",
                "eligible": members,
                "ballots": len(ballots),
                "paper_ballots": sum(1 for b in ballots if b.is_paper),
            }
        )
        for ballot_no, ballot in enumerate(ballots, start=1):
            choices = _parse_json(ballot.choices_json, {})
            by_position = {
                position[int(k)]: v
                for k, v in (choices.items() if isinstance(choices, dict) else ())
                if str(k).isdigit() and int(k) in position
            }
            tables["ballots.csv"].append(
                {
                    "vote_no": vote_no,
                    "ballot_no": ballot_no,
                    "is_paper": int(ballot.is_paper),
                    "choices": json.dumps({str(p): by_position[p] for p in sorted(by_position)}),
                }
            )
        for row in vote_tally(conn, vote.id):
            tables["tallies.csv"].append(
                {
                    "vote_no": vote_no,
                    "position": row["position"],
                    "label": row["label"],
                    "issue_no": issue_no.get(row["issue_id"]) if row["issue_id"] else None,
                    "goal_id": row["goal_id"] or "",
                    "score": _number(row["score"]),
                    "spread": row["spread"],
                    "rank": row["rank"],
                    "tied": int(row["tied"]),
                }
            )

    for action_no, action in enumerate(store.list_result_actions(conn, meeting_id), start=1):
        policy_name = goal_id = ""
        if plan.has_policy(action.policy_id):
            policy_name = plan.policy(action.policy_id).name
            goal_id = plan.policy(action.policy_id).goal_id
        tables["actions.csv"].append(
            {
                "action_no": action_no,
                "title": action.title,
                "owner": action.owner,
                "due_on": action.due_on or "",
                "policy_id": action.policy_id,
                "policy_name": policy_name,
                "goal_id": goal_id,
                "status": action.status,
                "source_issue_no": issue_no.get(action.source_issue_id)
                if action.source_issue_id
                else None,
            }
        )

    for category, label, count in map_counts(conn, meeting_id):
        tables["map_counts.csv"].append({"category": category, "label": label, "count": count})

    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "kit_version": kit.__version__,
        "plan_id": meeting.plan_id,
        "city": district.city or plan.city,
        "district_id": district.id,
        "district_name": district.name,
        "meeting_uid": meeting_uid(district.id, meeting.held_on, meeting.title),
        "meeting_date": meeting.held_on,
        "title": meeting.title,
        "revision": meeting.revision,
        "created_at": created_at or now(),
        "members": members,
        "members_with_tablet": with_tablet,
    }
    return header, tables


def _csv_bytes(table: CsvTable, rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in rows:
        values = []
        for column in table.columns:
            value = row.get(column)
            value = "" if value is None else str(value)
            values.append(escape_cell(value) if column in table.text else value)
        writer.writerow(values)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def canonical_json(obj: Any) -> bytes:
    """The bytes ``content_sha256`` is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def _zip_time(created_at: str) -> tuple[int, int, int, int, int, int]:
    try:
        stamp = dt.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if stamp.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def pack_result_file(
    header: Mapping[str, Any], tables: Mapping[str, list[dict[str, Any]]]
) -> tuple[bytes, Manifest]:
    """Zip ``tables`` under a manifest made from ``header`` (checksums added here).

    Deterministic: the same header and rows give the same bytes.
    """
    members = {table.name: _csv_bytes(table, list(tables.get(table.name, []))) for table in TABLES}
    manifest = dict(header)
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "rows": len(tables.get(name, []))}
        for name, data in members.items()
    }
    manifest.pop("content_sha256", None)
    manifest["content_sha256"] = hashlib.sha256(canonical_json(manifest)).hexdigest()
    stamp = _zip_time(str(manifest.get("created_at", "")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [
            (MANIFEST_NAME, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode())
        ]
        for name, data in [*entries, *members.items()]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue(), _manifest(manifest)


def _manifest(data: Mapping[str, Any]) -> Manifest:
    return Manifest(
        format_version=data["format_version"],
        kit_version=data["kit_version"],
        plan_id=data["plan_id"],
        city=data["city"],
        district_id=data["district_id"],
        district_name=data["district_name"],
        meeting_uid=data["meeting_uid"],
        meeting_date=data["meeting_date"],
        title=data["title"],
        revision=data["revision"],
        created_at=data["created_at"],
        members=data["members"],
        members_with_tablet=data["members_with_tablet"],
        files=data["files"],
        content_sha256=data["content_sha256"],
    )


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


def save_result_file(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    out_dir: str | Path,
    *,
    bump: bool = True,
    created_at: str | None = None,
) -> SavedResult:
    """事務局へ提出するファイルを保存: one click at まとめ/終了 writes one file per save.

    The file carries the meeting's current revision (版); the save then raises it, so the
    next save is a newer revision and the office keeps the newest. Reading and raising
    happen in one transaction, so two clicks at once never give two files the same
    revision. Allowed in the まとめ and 終了 phases only (checked here, not in the page).
    """
    with transaction(conn):
        require_phase(conn, meeting_id, "wrapup", "closed", message=msg.HANDOVER_WRONG_PHASE)
        data, manifest = build_result_file(conn, plan, meeting_id, created_at=created_at)
        if bump:
            meeting_store.bump_revision(conn, meeting_id)
    name = result_file_name(manifest)
    path = write_atomically(Path(out_dir) / name, data)
    counts = {n[: -len(".csv")]: int(f["rows"]) for n, f in manifest.files.items()}
    return SavedResult(
        path=path, name=name, revision=manifest.revision, manifest=manifest, counts=counts
    )


def write_sample_result_files(
    conn: sqlite3.Connection, plan: Plan, out_dir: str | Path
) -> list[Path]:
    """The sample city's closed meetings as result files in ``out_dir/results``.

    Deterministic: the sample city is built today, so its times (file made, vote opened and
    closed) are set to the day of each meeting; the same seed gives the same bytes.
    """
    target = Path(out_dir) / "results"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.zip"):
        old.unlink()
    written = []
    for meeting in meeting_store.list_meetings(conn):
        if meeting.phase != "closed":
            continue
        with transaction(conn, immediate=False):
            header, tables = result_contents(
                conn, plan, meeting.id, created_at=f"{meeting.held_on}T12:00:00.000Z"
            )
        for vote in tables["votes.csv"]:
            vote["opened_at"] = vote["opened_at"] and f"{meeting.held_on}T11:00:00.000Z"
            vote["closed_at"] = vote["closed_at"] and f"{meeting.held_on}T11:15:00.000Z"
        data, manifest = pack_result_file(header, tables)
        written.append(write_atomically(target / result_file_name(manifest), data))
    return written


# --- reading and checking ----------------------------------------------------------------------------
class NotAResultFile(ResultFileError):
    """A file that is not a meeting result file at all (skipped, not an error)."""


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
    manifest_data = _read_manifest(contents[MANIFEST_NAME])
    manifest = _check_manifest(manifest_data, plan)
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


def _read_manifest(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_UNREADABLE, details=[str(exc)]) from exc
    if not isinstance(data, dict):
        raise ResultFileError(msg.OFFICE_FILE_MANIFEST_UNREADABLE)
    return data


def _check_manifest(data: dict[str, Any], plan: Plan) -> Manifest:
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
    return _manifest(data)


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
        if not isinstance(_parse_json(row["settings_json"], None), dict):
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
        if not isinstance(_parse_json(row["choices"], None), dict):
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
