"""SQL for districts, meetings (phases, join codes), members and app settings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import NotFoundError
from kit.store import now, transaction


@dataclass(frozen=True)
class District:
    id: str
    name: str
    city: str


@dataclass(frozen=True)
class Meeting:
    id: int
    district_id: str
    title: str
    held_on: str
    agenda: str
    join_code: str
    phase: str
    plan_id: str
    revision: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Member:
    id: int
    meeting_id: int
    display_name: str
    has_tablet: bool
    joined_at: str
    last_seen_at: str


def _meeting(row: sqlite3.Row) -> Meeting:
    return Meeting(**dict(row))


def _member(row: sqlite3.Row) -> Member:
    d = dict(row)
    d.pop("name_key", None)
    d["has_tablet"] = bool(d["has_tablet"])
    return Member(**d)


# --- app settings ------------------------------------------------------------------------------
def get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM app_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else row["value"]


def set_setting_if_absent(conn: sqlite3.Connection, key: str, value: str) -> str:
    """Store ``value`` unless a value exists; return the value now stored (race-safe)."""
    conn.execute("INSERT OR IGNORE INTO app_settings (key, value) VALUES (?, ?)", (key, value))
    return get_setting(conn, key)  # type: ignore[return-value]


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO app_settings (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# --- districts -----------------------------------------------------------------------------------
def upsert_district(
    conn: sqlite3.Connection, district_id: str, name: str, city: str = ""
) -> District:
    conn.execute(
        "INSERT INTO districts (id, name, city) VALUES (?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, city = excluded.city",
        (district_id, name, city),
    )
    return get_district(conn, district_id)


def insert_district(
    conn: sqlite3.Connection, district_id: str, name: str, city: str = ""
) -> District:
    """Add a district; an existing id is left as it is (check with :func:`find_district`)."""
    conn.execute(
        "INSERT INTO districts (id, name, city) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
        (district_id, name, city),
    )
    return get_district(conn, district_id)


def find_district(conn: sqlite3.Connection, district_id: str) -> District | None:
    row = conn.execute("SELECT * FROM districts WHERE id = ?", (district_id,)).fetchone()
    return None if row is None else District(**dict(row))


def get_district(conn: sqlite3.Connection, district_id: str) -> District:
    row = conn.execute("SELECT * FROM districts WHERE id = ?", (district_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.DISTRICT_NOT_FOUND)
    return District(**dict(row))


def list_districts(conn: sqlite3.Connection) -> list[District]:
    return [District(**dict(r)) for r in conn.execute("SELECT * FROM districts ORDER BY id")]


# --- meetings --------------------------------------------------------------------------------------
def insert_meeting(
    conn: sqlite3.Connection,
    *,
    district_id: str,
    title: str,
    held_on: str,
    agenda: str,
    join_code: str,
    plan_id: str,
    phase: str = "setup",
) -> Meeting:
    stamp = now()
    cur = conn.execute(
        "INSERT INTO meetings (district_id, title, held_on, agenda, join_code, phase, plan_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (district_id, title, held_on, agenda, join_code, phase, plan_id, stamp, stamp),
    )
    return get_meeting(conn, cur.lastrowid)


def get_meeting(conn: sqlite3.Connection, meeting_id: int) -> Meeting:
    row = conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.MEETING_NOT_FOUND)
    return _meeting(row)


def find_meeting_by_code(conn: sqlite3.Connection, join_code: str) -> Meeting | None:
    row = conn.execute("SELECT * FROM meetings WHERE join_code = ?", (join_code,)).fetchone()
    return None if row is None else _meeting(row)


def join_code_taken(conn: sqlite3.Connection, join_code: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM meetings WHERE join_code = ?", (join_code,)).fetchone()
        is not None
    )


def list_meetings(conn: sqlite3.Connection, district_id: str | None = None) -> list[Meeting]:
    if district_id is None:
        rows = conn.execute("SELECT * FROM meetings ORDER BY held_on, id")
    else:
        rows = conn.execute(
            "SELECT * FROM meetings WHERE district_id = ? ORDER BY held_on, id", (district_id,)
        )
    return [_meeting(r) for r in rows]


def current_meeting(conn: sqlite3.Connection) -> Meeting | None:
    """The meeting a tablet joins by default: the newest one that is not closed."""
    row = conn.execute(
        "SELECT * FROM meetings WHERE phase <> 'closed' ORDER BY created_at DESC, id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else _meeting(row)


def latest_meeting(conn: sqlite3.Connection) -> Meeting | None:
    """The meeting the facilitator worked on last (closed ones included), for the projector."""
    row = conn.execute(
        "SELECT * FROM meetings ORDER BY updated_at DESC, id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else _meeting(row)


def set_phase(conn: sqlite3.Connection, meeting_id: int, phase: str) -> Meeting:
    conn.execute(
        "UPDATE meetings SET phase = ?, updated_at = ? WHERE id = ?", (phase, now(), meeting_id)
    )
    return get_meeting(conn, meeting_id)


def get_phase(conn: sqlite3.Connection, meeting_id: int) -> str:
    row = conn.execute("SELECT phase FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.MEETING_NOT_FOUND)
    return row["phase"]


def bump_revision(conn: sqlite3.Connection, meeting_id: int) -> int:
    conn.execute("UPDATE meetings SET revision = revision + 1 WHERE id = ?", (meeting_id,))
    return conn.execute("SELECT revision FROM meetings WHERE id = ?", (meeting_id,)).fetchone()[0]


# --- members -------------------------------------------------------------------------------------
def join_member(
    conn: sqlite3.Connection, meeting_id: int, display_name: str, name_key: str, has_tablet: bool
) -> Member:
    """Insert the member, or return the existing one with the same name key (rejoin)."""
    stamp = now()
    with transaction(conn):
        conn.execute(
            "INSERT INTO members (meeting_id, display_name, name_key, has_tablet, joined_at,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(meeting_id, name_key) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            (meeting_id, display_name, name_key, int(has_tablet), stamp, stamp),
        )
        row = conn.execute(
            "SELECT * FROM members WHERE meeting_id = ? AND name_key = ?", (meeting_id, name_key)
        ).fetchone()
    return _member(row)


def get_member(conn: sqlite3.Connection, member_id: int) -> Member:
    row = conn.execute("SELECT * FROM members WHERE id = ?", (member_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.MEMBER_NOT_FOUND)
    return _member(row)


def list_members(conn: sqlite3.Connection, meeting_id: int) -> list[Member]:
    rows = conn.execute(
        "SELECT * FROM members WHERE meeting_id = ? ORDER BY joined_at, id", (meeting_id,)
    )
    return [_member(r) for r in rows]
