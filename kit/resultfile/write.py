"""Writing a meeting's result file: its rows from the store, packed into a zip, saved atomically.

>>> saved = save_result_file(conn, plan, closed_meeting_id, results_folder)
>>> saved.path.exists(), saved.name.endswith(".zip"), saved.path.parent == results_folder
(True, True, True)
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kit
from kit import messages as msg
from kit.files import write_atomically
from kit.meeting.meetings import require_phase
from kit.plan import Plan
from kit.resultfile import signing
from kit.resultfile.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    TABLES,
    TABLES_BY_NAME,
    UNSIGNED_FORMAT_VERSION,
    Column,
    CsvTable,
    Manifest,
    SavedResult,
    canonical_json,
    escape_cell,
    manifest_from,
    meeting_uid,
    parse_json,
    result_file_name,
)
from kit.resultfile.signing import Ed25519PrivateKey
from kit.store import handover as store
from kit.store import meetings as meeting_store
from kit.store import now, transaction
from kit.store.access import database_file as store_file


# --- building the file ------------------------------------------------------------------------------
def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def vote_tally(conn: sqlite3.Connection, vote_id: int) -> list[dict[str, Any]]:
    """The vote's result rows from the votes capability's tally (``kit.meeting.tally.tally``).

    One dict per item: ``position``, ``label``, ``goal_id``, ``issue_id``, ``score``,
    ``spread`` (members who gave it anything), ``rank`` (1224) and ``tied``.
    """
    from kit.meeting import tally, voting

    issue_of = {item.id: item.issue_id for item in voting.vote_items(conn, vote_id)}
    result = tally.vote_result(conn, vote_id)
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


def map_counts(conn: sqlite3.Connection, meeting_id: int) -> list[tuple[str, str, int]]:
    """支え合いマップ as ``(category, label, count)`` — counts only, no names, notes or positions.

    The categories are the map capability's (``kit.supportmap.privacy``), never typed text;
    they are the plain counts stored at each save of the map, so nothing sealed is opened
    (no passphrase needed). The map is the one at the end of the meeting: the map as it is
    now, or — when the meeting is saved again after the district's next meeting began — that
    next meeting's starting map.
    """
    from kit.supportmap.privacy import office_counts

    meeting = meeting_store.get_meeting(conn, meeting_id)
    return [tuple(row) for row in office_counts(conn, meeting.district_id, meeting.id)]


def snapshot_counts(data: Any, *, before: Any = None) -> list[tuple[str, str, int]]:
    """``kit.supportmap.privacy.map_office_counts`` of a map held in memory, as plain tuples."""
    from kit.supportmap.privacy import map_office_counts

    return [tuple(row) for row in map_office_counts(data, before=before)]


def build_result_file(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    *,
    created_at: str | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> tuple[bytes, Manifest]:
    """The zip bytes and manifest of one meeting (read-only; call inside a transaction)."""
    header, tables = result_contents(conn, plan, meeting_id, created_at=created_at)
    return pack_result_file(header, tables, signing_key=signing_key)


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
            choices = parse_json(ballot.choices_json, {})
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
                    "goal_id": None if is_missing(row["goal_id"]) else row["goal_id"],
                    "score": row["score"],
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


def is_missing(value: Any) -> bool:
    """``None``, NaN (a float or numpy NaN from pandas) and ``pd.NA``: no value, an empty cell."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the one value not equal to itself
    except (TypeError, ValueError):  # pd.NA refuses bool()
        return True


def cell_text(table: CsvTable, column: Column, value: Any) -> str:
    """How a value of ``column`` is written, by its declared kind (:data:`KINDS`).

    A missing value is an empty cell where the kind allows one; a whole-number column with
    no value is a bug of the kit, so it fails here instead of in the office.
    """
    if column.kind == "int" or (column.kind == "optional_int" and not is_missing(value)):
        if is_missing(value) or isinstance(value, str) or float(value) != int(value):
            raise ValueError(f"{table.name}: {column.name} needs a whole number, got {value!r}")
        return str(int(value))
    if is_missing(value):
        return ""
    if column.kind == "number":
        return _number(float(value))
    text = str(value)
    return escape_cell(text) if column.kind == "text" else text


def _csv_bytes(table: CsvTable, rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in rows:
        writer.writerow([cell_text(table, column, row.get(column.name)) for column in table.fields])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _zip_time(created_at: str) -> tuple[int, int, int, int, int, int]:
    try:
        stamp = dt.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if stamp.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def pack_result_file(
    header: Mapping[str, Any],
    tables: Mapping[str, list[dict[str, Any]]],
    *,
    signing_key: Ed25519PrivateKey | None = None,
) -> tuple[bytes, Manifest]:
    """Zip ``tables`` under a manifest made from ``header`` (checksums added here).

    With ``signing_key`` the manifest carries the public key and an Ed25519 signature
    (format version 2); without, it is an unsigned version 1 file (as older kits wrote).
    Deterministic: the same header, rows and key give the same bytes.
    """
    members = {table.name: _csv_bytes(table, list(tables.get(table.name, []))) for table in TABLES}
    manifest = dict(header)
    for field_name in ("content_sha256", signing.PUBLIC_KEY_FIELD, signing.SIGNATURE_FIELD):
        manifest.pop(field_name, None)
    version = manifest.get("format_version")
    if signing_key is None and version == FORMAT_VERSION:
        manifest["format_version"] = UNSIGNED_FORMAT_VERSION  # unsigned: as older kits wrote
    elif signing_key is not None and isinstance(version, int) and version < FORMAT_VERSION:
        manifest["format_version"] = FORMAT_VERSION
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "rows": len(tables.get(name, []))}
        for name, data in members.items()
    }
    if signing_key is not None:
        manifest[signing.PUBLIC_KEY_FIELD] = signing.public_key_text(signing_key)
    manifest["content_sha256"] = hashlib.sha256(canonical_json(manifest)).hexdigest()
    if signing_key is not None:
        manifest[signing.SIGNATURE_FIELD] = signing.sign_manifest(manifest, signing_key)
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
    return buffer.getvalue(), manifest_from(manifest)


def store_signing_key(conn: sqlite3.Connection) -> Ed25519PrivateKey | None:
    """The signing key kept beside this connection's database file (made the first time);
    ``None`` for an in-memory database."""
    path = store_file(conn)
    return None if path is None else signing.load_or_create_signing_key(signing.key_path_for(path))


def save_result_file(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    out_dir: str | Path,
    *,
    bump: bool = True,
    created_at: str | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> SavedResult:
    """事務局へ提出するファイルを保存: one click at まとめ/終了 writes one file per save.

    The file carries the meeting's current revision (版); the save then raises it, so the
    next save is a newer revision and the office keeps the newest. Reading and raising
    happen in one transaction, so two clicks at once never give two files the same
    revision. Allowed in the まとめ and 終了 phases only (checked here, not in the page).
    """
    key = signing_key or store_signing_key(conn)
    with transaction(conn):
        require_phase(conn, meeting_id, "wrapup", "closed", message=msg.HANDOVER_WRONG_PHASE)
        data, manifest = build_result_file(
            conn, plan, meeting_id, created_at=created_at, signing_key=key
        )
        if bump:
            meeting_store.bump_revision(conn, meeting_id)
    name = result_file_name(manifest)
    path = write_atomically(Path(out_dir) / name, data)
    counts = {n[: -len(".csv")]: int(f["rows"]) for n, f in manifest.files.items()}
    return SavedResult(
        path=path, name=name, revision=manifest.revision, manifest=manifest, counts=counts
    )


def saved_result_files(conn: sqlite3.Connection, meeting_id: int, folder: str | Path) -> list[str]:
    """Names of this meeting's result files already in ``folder``, oldest revision first."""
    meeting = meeting_store.get_meeting(conn, meeting_id)
    uid = meeting_uid(meeting.district_id, meeting.held_on, meeting.title)
    try:
        return sorted(p.name for p in Path(folder).glob(f"*_{uid[:6]}.zip"))
    except OSError:
        return []


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
        seed = hashlib.sha256(f"tasukeai-sample-laptop\x1f{meeting.district_id}".encode()).digest()
        data, manifest = pack_result_file(
            header, tables, signing_key=signing.signing_key_from_seed(seed)
        )
        written.append(write_atomically(target / result_file_name(manifest), data))
    return written
