"""SQL for members' devices (one device, one member per meeting), name claims and removal."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kit.store import now


@dataclass(frozen=True)
class Claim:
    """A device asking to take part as a member whose name another device already holds."""

    id: int
    meeting_id: int
    member_id: int
    device_hash: str
    status: str
    requested_at: str
    decided_at: str | None


def _claim(row: sqlite3.Row) -> Claim:
    return Claim(**dict(row))


def device_member_id(conn: sqlite3.Connection, meeting_id: int, device_hash: str) -> int | None:
    row = conn.execute(
        "SELECT member_id FROM member_devices WHERE meeting_id = ? AND device_hash = ?",
        (meeting_id, device_hash),
    ).fetchone()
    return None if row is None else row["member_id"]


def add_device(conn: sqlite3.Connection, meeting_id: int, member_id: int, device_hash: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO member_devices (meeting_id, member_id, device_hash, added_at)"
        " VALUES (?, ?, ?, ?)",
        (meeting_id, member_id, device_hash, now()),
    )


def count_devices(conn: sqlite3.Connection, member_id: int) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM member_devices WHERE member_id = ?", (member_id,)
    ).fetchone()[0]


def latest_open_membership(conn: sqlite3.Connection, device_hash: str) -> tuple[int, int] | None:
    """(meeting id, member id) of the device's newest membership in a meeting not closed."""
    row = conn.execute(
        "SELECT d.meeting_id, d.member_id FROM member_devices d"
        " JOIN meetings m ON m.id = d.meeting_id"
        " WHERE d.device_hash = ? AND m.phase <> 'closed'"
        " ORDER BY d.added_at DESC, d.rowid DESC LIMIT 1",
        (device_hash,),
    ).fetchone()
    return None if row is None else (row["meeting_id"], row["member_id"])


def find_member_id_by_name(conn: sqlite3.Connection, meeting_id: int, name_key: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM members WHERE meeting_id = ? AND name_key = ?", (meeting_id, name_key)
    ).fetchone()
    return None if row is None else row["id"]


def insert_member(
    conn: sqlite3.Connection, meeting_id: int, display_name: str, name_key: str, has_tablet: bool
) -> int:
    stamp = now()
    return conn.execute(
        "INSERT INTO members (meeting_id, display_name, name_key, has_tablet, joined_at,"
        " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
        (meeting_id, display_name, name_key, int(has_tablet), stamp, stamp),
    ).lastrowid


def touch_member(conn: sqlite3.Connection, member_id: int) -> None:
    conn.execute("UPDATE members SET last_seen_at = ? WHERE id = ?", (now(), member_id))


def member_exists(conn: sqlite3.Connection, member_id: int) -> bool:
    return conn.execute("SELECT 1 FROM members WHERE id = ?", (member_id,)).fetchone() is not None


# --- claims ------------------------------------------------------------------------------------
def pending_claim_of(conn: sqlite3.Connection, meeting_id: int, device_hash: str) -> Claim | None:
    row = conn.execute(
        "SELECT * FROM join_claims WHERE meeting_id = ? AND device_hash = ? AND status = 'pending'"
        " ORDER BY id DESC LIMIT 1",
        (meeting_id, device_hash),
    ).fetchone()
    return None if row is None else _claim(row)


def insert_claim(
    conn: sqlite3.Connection, meeting_id: int, member_id: int, device_hash: str
) -> int:
    return conn.execute(
        "INSERT INTO join_claims (meeting_id, member_id, device_hash, requested_at)"
        " VALUES (?, ?, ?, ?)",
        (meeting_id, member_id, device_hash, now()),
    ).lastrowid


def get_claim(conn: sqlite3.Connection, claim_id: int) -> Claim | None:
    row = conn.execute("SELECT * FROM join_claims WHERE id = ?", (claim_id,)).fetchone()
    return None if row is None else _claim(row)


def list_pending_claims(conn: sqlite3.Connection, meeting_id: int) -> list[Claim]:
    rows = conn.execute(
        "SELECT * FROM join_claims WHERE meeting_id = ? AND status = 'pending' ORDER BY id",
        (meeting_id,),
    )
    return [_claim(r) for r in rows]


def decide_claim(conn: sqlite3.Connection, claim_id: int, status: str) -> bool:
    cur = conn.execute(
        "UPDATE join_claims SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
        (status, now(), claim_id),
    )
    return cur.rowcount == 1


def withdraw_claims_of(conn: sqlite3.Connection, meeting_id: int, device_hash: str) -> None:
    conn.execute(
        "UPDATE join_claims SET status = 'denied', decided_at = ? WHERE meeting_id = ?"
        " AND device_hash = ? AND status = 'pending'",
        (now(), meeting_id, device_hash),
    )


# --- removal ---------------------------------------------------------------------------------------
def removal_counts(conn: sqlite3.Connection, member_id: int) -> tuple[int, int, int]:
    """(ballots, issues sent, devices) of a member, shown before the facilitator confirms."""
    row = conn.execute(
        "SELECT (SELECT COUNT(*) FROM ballots WHERE member_id = :m) AS ballots,"
        " (SELECT COUNT(*) FROM issues WHERE member_id = :m) AS issues,"
        " (SELECT COUNT(*) FROM member_devices WHERE member_id = :m) AS devices",
        {"m": member_id},
    ).fetchone()
    return row["ballots"], row["issues"], row["devices"]


def delete_member(conn: sqlite3.Connection, member_id: int) -> None:
    """The member, their ballots, devices and claims; the issues they sent stay, unsigned."""
    conn.execute("DELETE FROM ballots WHERE member_id = ?", (member_id,))
    conn.execute("UPDATE issues SET member_id = NULL WHERE member_id = ?", (member_id,))
    conn.execute("DELETE FROM member_devices WHERE member_id = ?", (member_id,))
    conn.execute("DELETE FROM join_claims WHERE member_id = ?", (member_id,))
    conn.execute("DELETE FROM members WHERE id = ?", (member_id,))


def recent_members(conn: sqlite3.Connection, meeting_id: int, limit: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, display_name, joined_at, has_tablet FROM members WHERE meeting_id = ?"
        " ORDER BY joined_at DESC, id DESC LIMIT ?",
        (meeting_id, limit),
    ).fetchall()
