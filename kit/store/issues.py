"""SQL for local issues (地域の困りごと): rows ↔ :class:`Issue`, versioned updates, merges.

Every update that a person started from what they saw carries the ``version`` they saw;
the row is changed only if it still has that version (optimistic concurrency), so two
tablets editing the same issue cannot silently overwrite each other.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import NotFoundError
from kit.store import now

STATUSES = ("open", "hidden", "merged", "withdrawn")
EDITABLE_FIELDS = ("text", "goal_id", "seriousness", "reach", "place")


@dataclass(frozen=True)
class Issue:
    """One 困りごと as stored. ``raised_count`` includes the issues merged into it."""

    id: int
    meeting_id: int
    member_id: int | None
    text: str
    goal_id: str
    seriousness: int
    reach: int
    place: str
    status: str
    merged_into: int | None
    raised_count: int
    spoken: bool
    version: int
    created_at: str
    updated_at: str


def _issue(row: sqlite3.Row) -> Issue:
    d = dict(row)
    d["spoken"] = bool(d["spoken"])
    return Issue(**d)


def insert_issue(
    conn: sqlite3.Connection,
    *,
    meeting_id: int,
    member_id: int | None,
    text: str,
    goal_id: str,
    seriousness: int,
    reach: int,
    place: str = "",
    spoken: bool = False,
) -> Issue:
    stamp = now()
    cur = conn.execute(
        "INSERT INTO issues (meeting_id, member_id, text, goal_id, seriousness, reach, place,"
        " spoken, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meeting_id,
            member_id,
            text,
            goal_id,
            seriousness,
            reach,
            place,
            int(spoken),
            stamp,
            stamp,
        ),
    )
    return get_issue(conn, cur.lastrowid)


def get_issue(conn: sqlite3.Connection, issue_id: int) -> Issue:
    row = conn.execute("SELECT * FROM issues WHERE id = ?", (issue_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.ISSUE_NOT_FOUND)
    return _issue(row)


def list_issues(
    conn: sqlite3.Connection,
    meeting_id: int,
    *,
    statuses: tuple[str, ...] = STATUSES,
    member_id: int | None = None,
) -> list[Issue]:
    """Issues of a meeting in the order they arrived, filtered by status (and member)."""
    marks = ", ".join("?" for _ in statuses)
    sql = f"SELECT * FROM issues WHERE meeting_id = ? AND status IN ({marks})"
    params: list = [meeting_id, *statuses]
    if member_id is not None:
        sql += " AND member_id = ?"
        params.append(member_id)
    rows = conn.execute(sql + " ORDER BY created_at, id", params)
    return [_issue(r) for r in rows]


def update_issue(conn: sqlite3.Connection, issue_id: int, version: int, **fields) -> bool:
    """Change ``fields`` if the row still has ``version``; return whether it did."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    assignments = "".join(f"{name} = ?, " for name in fields)
    cur = conn.execute(
        f"UPDATE issues SET {assignments}version = version + 1, updated_at = ?"
        " WHERE id = ? AND version = ?",
        (*fields.values(), now(), issue_id, version),
    )
    return cur.rowcount == 1


def set_status(
    conn: sqlite3.Connection,
    issue_id: int,
    version: int,
    status: str,
    *,
    merged_into: int | None = None,
) -> bool:
    """Move an issue to ``status`` if it still has ``version``; return whether it did."""
    cur = conn.execute(
        "UPDATE issues SET status = ?, merged_into = ?, version = version + 1, updated_at = ?"
        " WHERE id = ? AND version = ?",
        (status, merged_into, now(), issue_id, version),
    )
    return cur.rowcount == 1


def absorb(
    conn: sqlite3.Connection,
    target_id: int,
    version: int,
    *,
    raised_count: int,
    seriousness: int,
    reach: int,
) -> bool:
    """Store the combined count and scales on the issue that is kept by a merge."""
    cur = conn.execute(
        "UPDATE issues SET raised_count = ?, seriousness = ?, reach = ?, version = version + 1,"
        " updated_at = ? WHERE id = ? AND version = ?",
        (raised_count, seriousness, reach, now(), target_id, version),
    )
    return cur.rowcount == 1


def repoint_merged(conn: sqlite3.Connection, old_target_id: int, new_target_id: int) -> None:
    """Issues merged earlier into ``old_target_id`` now point at ``new_target_id`` (flat merges)."""
    conn.execute(
        "UPDATE issues SET merged_into = ?, updated_at = ? WHERE merged_into = ?",
        (new_target_id, now(), old_target_id),
    )


def raiser_ids(conn: sqlite3.Connection, meeting_id: int) -> dict[int, list[int]]:
    """For every open or hidden issue: the member ids who raised it (its own and merged ones)."""
    rows = conn.execute(
        "SELECT COALESCE(merged_into, id) AS kept, member_id FROM issues"
        " WHERE meeting_id = ? AND member_id IS NOT NULL AND status IN ('open', 'hidden', 'merged')"
        " ORDER BY created_at, id",
        (meeting_id,),
    )
    raisers: dict[int, list[int]] = {}
    for row in rows:
        ids = raisers.setdefault(row["kept"], [])
        if row["member_id"] not in ids:
            ids.append(row["member_id"])
    return raisers
