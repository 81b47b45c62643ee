"""SQL for action items (まとめの取組): what, who, by when, which 活動方針, how far along."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import NotFoundError
from kit.store import now


@dataclass(frozen=True)
class ActionItem:
    id: int
    meeting_id: int
    district_id: str
    title: str
    owner: str
    due_on: str | None
    policy_id: str
    source_issue_id: int | None
    source_vote_item_id: int | None
    status: str
    created_at: str
    updated_at: str


def _action(row: sqlite3.Row) -> ActionItem:
    return ActionItem(**dict(row))


def insert_action(
    conn: sqlite3.Connection,
    *,
    meeting_id: int,
    district_id: str,
    title: str,
    owner: str,
    due_on: str | None,
    policy_id: str,
    source_issue_id: int | None = None,
    source_vote_item_id: int | None = None,
    status: str = "not_started",
) -> ActionItem:
    stamp = now()
    cur = conn.execute(
        "INSERT INTO action_items (meeting_id, district_id, title, owner, due_on, policy_id,"
        " source_issue_id, source_vote_item_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meeting_id,
            district_id,
            title,
            owner,
            due_on,
            policy_id,
            source_issue_id,
            source_vote_item_id,
            status,
            stamp,
            stamp,
        ),
    )
    return get_action(conn, cur.lastrowid)


def get_action(conn: sqlite3.Connection, action_id: int) -> ActionItem:
    row = conn.execute("SELECT * FROM action_items WHERE id = ?", (action_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.WRAPUP_ACTION_NOT_FOUND)
    return _action(row)


def list_actions(conn: sqlite3.Connection, meeting_id: int) -> list[ActionItem]:
    rows = conn.execute(
        "SELECT * FROM action_items WHERE meeting_id = ? ORDER BY id", (meeting_id,)
    )
    return [_action(r) for r in rows]


def list_district_actions(conn: sqlite3.Connection, district_id: str) -> list[ActionItem]:
    rows = conn.execute(
        "SELECT a.* FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
        " WHERE a.district_id = ? ORDER BY m.held_on, m.id, a.id",
        (district_id,),
    )
    return [_action(r) for r in rows]


def set_status(conn: sqlite3.Connection, action_id: int, status: str) -> None:
    conn.execute(
        "UPDATE action_items SET status = ?, updated_at = ? WHERE id = ?",
        (status, now(), action_id),
    )


def delete_action(conn: sqlite3.Connection, action_id: int) -> None:
    conn.execute("DELETE FROM action_items WHERE id = ?", (action_id,))


def vote_item_meeting(conn: sqlite3.Connection, item_id: int) -> tuple[int, int | None] | None:
    """(meeting id, issue id) of a vote item, or None when there is no such item."""
    row = conn.execute(
        "SELECT v.meeting_id, i.issue_id FROM vote_items i JOIN votes v ON v.id = i.vote_id"
        " WHERE i.id = ?",
        (item_id,),
    ).fetchone()
    return None if row is None else (row["meeting_id"], row["issue_id"])
