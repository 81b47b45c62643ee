"""The council office's own store (事務局の集計データ): imported result files and compiled tables.

A separate SQLite file from any meeting database. Meetings are keyed by ``meeting_uid``
(district + date + title) and keep only their newest revision; ``imported_files`` remembers
every file content (SHA-256) already taken in, so importing a file twice counts it once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.store import now
from kit.store.db import Migration, connect, migrate

OFFICE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "office_0001_initial",
        """
CREATE TABLE office_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE meetings (
    uid TEXT PRIMARY KEY,
    district_id TEXT NOT NULL,
    district_name TEXT NOT NULL,
    city TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    held_on TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    title TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    kit_version TEXT NOT NULL,
    format_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    members INTEGER NOT NULL,
    members_with_tablet INTEGER NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX office_meetings_by_district ON meetings(district_id, held_on);
CREATE INDEX office_meetings_by_year ON meetings(fiscal_year);

CREATE TABLE imported_files (
    sha256 TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    meeting_uid TEXT NOT NULL,
    revision INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE issues (
    meeting_uid TEXT NOT NULL REFERENCES meetings(uid) ON DELETE CASCADE,
    issue_no INTEGER NOT NULL,
    text TEXT NOT NULL,
    goal_id TEXT NOT NULL,
    seriousness INTEGER NOT NULL,
    reach INTEGER NOT NULL,
    place TEXT NOT NULL,
    raised_count INTEGER NOT NULL,
    PRIMARY KEY (meeting_uid, issue_no)
);

CREATE TABLE votes (
    meeting_uid TEXT NOT NULL REFERENCES meetings(uid) ON DELETE CASCADE,
    vote_no INTEGER NOT NULL,
    title TEXT NOT NULL,
    method TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    eligible INTEGER NOT NULL,
    ballots INTEGER NOT NULL,
    paper_ballots INTEGER NOT NULL,
    PRIMARY KEY (meeting_uid, vote_no)
);

CREATE TABLE tallies (
    meeting_uid TEXT NOT NULL REFERENCES meetings(uid) ON DELETE CASCADE,
    vote_no INTEGER NOT NULL,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    issue_no INTEGER,
    goal_id TEXT NOT NULL,
    score REAL NOT NULL,
    spread INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    tied INTEGER NOT NULL,
    PRIMARY KEY (meeting_uid, vote_no, position)
);

CREATE TABLE ballots (
    meeting_uid TEXT NOT NULL REFERENCES meetings(uid) ON DELETE CASCADE,
    vote_no INTEGER NOT NULL,
    ballot_no INTEGER NOT NULL,
    is_paper INTEGER NOT NULL,
    choices TEXT NOT NULL,
    PRIMARY KEY (meeting_uid, vote_no, ballot_no)
);

CREATE TABLE actions (
    meeting_uid TEXT NOT NULL REFERENCES meetings(uid) ON DELETE CASCADE,
    action_no INTEGER NOT NULL,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    goal_id TEXT NOT NULL,
    status TEXT NOT NULL,
    source_issue_no INTEGER,
    PRIMARY KEY (meeting_uid, action_no)
);

CREATE TABLE map_counts (
    meeting_uid TEXT NOT NULL REFERENCES meetings(uid) ON DELETE CASCADE,
    category TEXT NOT NULL,
    label TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (meeting_uid, category)
);
""",
    ),
    Migration(
        "office_0002_district_keys",
        """
CREATE TABLE district_keys (
    district_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    pinned_at TEXT NOT NULL,
    file_name TEXT NOT NULL
);

CREATE TABLE meeting_signatures (
    meeting_uid TEXT PRIMARY KEY,
    signed INTEGER NOT NULL,
    public_key TEXT NOT NULL DEFAULT ''
);
""",
    ),
)

PLAN_ID_SETTING = "plan_id"
COMPILED_TABLES = ("meetings", "issues", "votes", "tallies", "ballots", "actions", "map_counts")


def open_office_store(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the office database at ``path`` and bring it up to date."""
    conn = connect(path)
    migrate(conn, OFFICE_MIGRATIONS)
    return conn


# --- settings -------------------------------------------------------------------------------------
def get_plan_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT value FROM office_settings WHERE key = ?", (PLAN_ID_SETTING,)
    ).fetchone()
    return None if row is None else row["value"]


def set_plan_id_if_absent(conn: sqlite3.Connection, plan_id: str) -> str:
    """Remember the office's plan on the first compile; return the plan id now stored."""
    conn.execute(
        "INSERT OR IGNORE INTO office_settings (key, value) VALUES (?, ?)",
        (PLAN_ID_SETTING, plan_id),
    )
    return get_plan_id(conn)  # type: ignore[return-value]


# --- importing --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportedFile:
    sha256: str
    file_name: str
    meeting_uid: str
    revision: int
    imported_at: str


@dataclass(frozen=True)
class CompiledMeeting:
    """A meeting in the office store (one row per meeting, its newest revision)."""

    uid: str
    district_id: str
    district_name: str
    city: str
    plan_id: str
    held_on: str
    fiscal_year: int
    title: str
    revision: int
    kit_version: str
    format_version: int
    created_at: str
    members: int
    members_with_tablet: int
    file_sha256: str
    file_name: str
    imported_at: str


def find_imported_file(conn: sqlite3.Connection, sha256: str) -> ImportedFile | None:
    row = conn.execute("SELECT * FROM imported_files WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else ImportedFile(**dict(row))


def record_imported_file(
    conn: sqlite3.Connection, sha256: str, file_name: str, meeting_uid: str, revision: int
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO imported_files (sha256, file_name, meeting_uid, revision, imported_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (sha256, file_name, meeting_uid, revision, now()),
    )


def get_meeting(conn: sqlite3.Connection, uid: str) -> CompiledMeeting | None:
    row = conn.execute("SELECT * FROM meetings WHERE uid = ?", (uid,)).fetchone()
    return None if row is None else CompiledMeeting(**dict(row))


def replace_meeting(
    conn: sqlite3.Connection,
    meeting: Mapping[str, Any],
    tables: Mapping[str, list[Mapping[str, Any]]],
) -> None:
    """Put a meeting and its rows in place of any older revision (call inside a transaction).

    ``meeting`` has the columns of ``meetings``; ``tables`` maps ``issues``, ``votes``,
    ``tallies``, ``ballots``, ``actions`` and ``map_counts`` to row dicts.
    """
    uid = meeting["uid"]
    conn.execute("DELETE FROM meetings WHERE uid = ?", (uid,))
    _insert(conn, "meetings", [dict(meeting)])
    for table in COMPILED_TABLES[1:]:
        _insert(conn, table, [{"meeting_uid": uid, **row} for row in tables.get(table, [])])


def _insert(conn: sqlite3.Connection, table: str, rows: list[Mapping[str, Any]]) -> None:
    if not rows:
        return
    columns = tuple(rows[0])  # the caller's columns: kit.resultfile.format declares them
    if table not in COMPILED_TABLES or not all(c.isidentifier() for c in columns):
        raise ValueError(f"not a compiled table or column: {table} {columns}")
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in each compiled table (tests check nothing was lost or counted twice)."""
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COMPILED_TABLES}


# --- reading for the city views ---------------------------------------------------------------------
def _where(year: int | None, district_id: str | None, alias: str = "m") -> tuple[str, list]:
    clauses, params = [], []
    if year is not None:
        clauses.append(f"{alias}.fiscal_year = ?")
        params.append(year)
    if district_id is not None:
        clauses.append(f"{alias}.district_id = ?")
        params.append(district_id)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def list_meetings(
    conn: sqlite3.Connection, year: int | None = None, district_id: str | None = None
) -> list[CompiledMeeting]:
    where, params = _where(year, district_id)
    rows = conn.execute(
        f"SELECT * FROM meetings m{where} ORDER BY held_on, district_id, uid", params
    )
    return [CompiledMeeting(**dict(r)) for r in rows]


def list_fiscal_years(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT DISTINCT fiscal_year FROM meetings ORDER BY 1")]


def list_districts(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(district id, name from its newest meeting), by id."""
    rows = conn.execute(
        "SELECT district_id, district_name FROM meetings m WHERE held_on = ("
        " SELECT MAX(held_on) FROM meetings x WHERE x.district_id = m.district_id)"
        " GROUP BY district_id ORDER BY district_id"
    )
    return [(r[0], r[1]) for r in rows]


def _rows(conn: sqlite3.Connection, sql: str, params: list) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, params)]


def issue_rows(
    conn: sqlite3.Connection, year: int | None = None, district_id: str | None = None
) -> list[dict[str, Any]]:
    """Issues with their meeting's district and date."""
    where, params = _where(year, district_id)
    return _rows(
        conn,
        "SELECT m.uid, m.district_id, m.district_name, m.held_on, i.issue_no, i.text, i.goal_id,"
        " i.seriousness, i.reach, i.place, i.raised_count"
        f" FROM issues i JOIN meetings m ON m.uid = i.meeting_uid{where}"
        " ORDER BY m.held_on, m.district_id, i.issue_no",
        params,
    )


def tally_rows(
    conn: sqlite3.Connection, year: int | None = None, district_id: str | None = None
) -> list[dict[str, Any]]:
    """Tally rows of closed votes with the vote's method and total score."""
    where, params = _where(year, district_id)
    where += (" AND " if where else " WHERE ") + "v.status = 'closed'"
    return _rows(
        conn,
        "SELECT m.uid, m.district_id, m.district_name, m.held_on, m.title AS meeting_title,"
        " v.vote_no, v.title AS vote_title, v.method, t.position, t.label, t.issue_no, t.goal_id,"
        " t.score, t.spread, t.rank, t.tied,"
        " (SELECT SUM(score) FROM tallies s WHERE s.meeting_uid = t.meeting_uid"
        "  AND s.vote_no = t.vote_no) AS vote_total"
        " FROM tallies t JOIN votes v ON v.meeting_uid = t.meeting_uid AND v.vote_no = t.vote_no"
        f" JOIN meetings m ON m.uid = t.meeting_uid{where}"
        " ORDER BY m.held_on, m.district_id, t.vote_no, t.rank, t.position",
        params,
    )


def vote_rows(
    conn: sqlite3.Connection, year: int | None = None, district_id: str | None = None
) -> list[dict[str, Any]]:
    where, params = _where(year, district_id)
    return _rows(
        conn,
        "SELECT m.uid, m.district_id, m.district_name, m.held_on, v.vote_no, v.title, v.method,"
        " v.status, v.eligible, v.ballots, v.paper_ballots"
        f" FROM votes v JOIN meetings m ON m.uid = v.meeting_uid{where}"
        " ORDER BY m.held_on, m.district_id, v.vote_no",
        params,
    )


def action_rows(
    conn: sqlite3.Connection, year: int | None = None, district_id: str | None = None
) -> list[dict[str, Any]]:
    where, params = _where(year, district_id)
    return _rows(
        conn,
        "SELECT m.uid, m.district_id, m.district_name, m.held_on, a.action_no, a.title, a.owner,"
        " a.due_on, a.policy_id, a.goal_id, a.status"
        f" FROM actions a JOIN meetings m ON m.uid = a.meeting_uid{where}"
        " ORDER BY m.held_on, m.district_id, a.action_no",
        params,
    )


def map_count_rows(
    conn: sqlite3.Connection, year: int | None = None, district_id: str | None = None
) -> list[dict[str, Any]]:
    where, params = _where(year, district_id)
    return _rows(
        conn,
        "SELECT m.uid, m.district_id, m.district_name, m.held_on, c.category, c.label, c.count"
        f" FROM map_counts c JOIN meetings m ON m.uid = c.meeting_uid{where}"
        " ORDER BY m.district_id, m.held_on, c.category",
        params,
    )


def compiled_rows(conn: sqlite3.Connection, table: str, meeting_uid: str) -> list[dict[str, Any]]:
    """Every row one meeting has in a compiled table, without ``meeting_uid``, in key order."""
    if table not in COMPILED_TABLES[1:]:
        raise ValueError(f"not a compiled table: {table}")
    rows = _rows(conn, f"SELECT * FROM {table} WHERE meeting_uid = ? ORDER BY rowid", [meeting_uid])
    return [{k: v for k, v in row.items() if k != "meeting_uid"} for row in rows]


# --- district signing keys (pinned at the first import) ------------------------------------------
def get_district_key(conn: sqlite3.Connection, district_id: str) -> str | None:
    row = conn.execute(
        "SELECT public_key FROM district_keys WHERE district_id = ?", (district_id,)
    ).fetchone()
    return None if row is None else row["public_key"]


def pin_district_key(
    conn: sqlite3.Connection, district_id: str, public_key: str, file_name: str
) -> None:
    conn.execute(
        "INSERT INTO district_keys (district_id, public_key, pinned_at, file_name)"
        " VALUES (?, ?, ?, ?) ON CONFLICT(district_id) DO UPDATE SET"
        " public_key = excluded.public_key, pinned_at = excluded.pinned_at,"
        " file_name = excluded.file_name",
        (district_id, public_key, now(), file_name),
    )


def set_meeting_signature(
    conn: sqlite3.Connection, meeting_uid: str, signed: bool, public_key: str
) -> None:
    conn.execute(
        "INSERT INTO meeting_signatures (meeting_uid, signed, public_key) VALUES (?, ?, ?)"
        " ON CONFLICT(meeting_uid) DO UPDATE SET signed = excluded.signed,"
        " public_key = excluded.public_key",
        (meeting_uid, int(signed), public_key),
    )


def unsigned_meeting_uids(conn: sqlite3.Connection) -> set[str]:
    """Meetings compiled from a file without a signature (shown 「署名なし」)."""
    return {
        r["meeting_uid"]
        for r in conn.execute("SELECT meeting_uid FROM meeting_signatures WHERE signed = 0")
    }
