"""Read-only SQL for the meeting result file (事務局へ提出するファイル).

Only what the council office may see is read here: no member names and no member ids on
issues or ballots. The 支え合いマップ is not read here at all: its counts come from
``kit.supportmap.privacy``. Every query is a plain ``SELECT``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ResultIssue:
    """One 困りごと as the office sees it (no author)."""

    id: int
    text: str
    goal_id: str
    seriousness: int
    reach: int
    place: str
    raised_count: int


@dataclass(frozen=True)
class ResultVote:
    id: int
    title: str
    method: str
    settings_json: str
    status: str
    opened_at: str | None
    closed_at: str | None


@dataclass(frozen=True)
class ResultVoteItem:
    id: int
    vote_id: int
    position: int
    issue_id: int | None
    label: str
    goal_id: str | None


@dataclass(frozen=True)
class ResultBallot:
    """A ballot without its member: only whether it was on paper and the choices."""

    vote_id: int
    is_paper: bool
    choices_json: str


@dataclass(frozen=True)
class ResultAction:
    id: int
    title: str
    owner: str
    due_on: str | None
    policy_id: str
    source_issue_id: int | None
    source_vote_item_id: int | None
    status: str


def list_result_issues(conn: sqlite3.Connection, meeting_id: int) -> list[ResultIssue]:
    """Issues still on the board (merged, hidden and withdrawn ones are left out)."""
    rows = conn.execute(
        "SELECT id, text, goal_id, seriousness, reach, place, raised_count FROM issues"
        " WHERE meeting_id = ? AND status = 'open' ORDER BY id",
        (meeting_id,),
    )
    return [ResultIssue(**dict(r)) for r in rows]


def list_result_votes(conn: sqlite3.Connection, meeting_id: int) -> list[ResultVote]:
    rows = conn.execute(
        "SELECT id, title, method, settings_json, status, opened_at, closed_at FROM votes"
        " WHERE meeting_id = ? AND status <> 'draft' ORDER BY id",
        (meeting_id,),
    )
    return [ResultVote(**dict(r)) for r in rows]


def list_result_vote_items(conn: sqlite3.Connection, vote_id: int) -> list[ResultVoteItem]:
    rows = conn.execute(
        "SELECT id, vote_id, position, issue_id, label, goal_id FROM vote_items"
        " WHERE vote_id = ? ORDER BY position",
        (vote_id,),
    )
    return [ResultVoteItem(**dict(r)) for r in rows]


def list_result_ballots(conn: sqlite3.Connection, vote_id: int) -> list[ResultBallot]:
    """Ballots in an order that says nothing about who cast them (by content, not time)."""
    rows = conn.execute(
        "SELECT vote_id, is_paper, choices_json FROM ballots WHERE vote_id = ?"
        " ORDER BY choices_json, is_paper",
        (vote_id,),
    )
    return [ResultBallot(r["vote_id"], bool(r["is_paper"]), r["choices_json"]) for r in rows]


def list_result_actions(conn: sqlite3.Connection, meeting_id: int) -> list[ResultAction]:
    rows = conn.execute(
        "SELECT id, title, owner, due_on, policy_id, source_issue_id, source_vote_item_id, status"
        " FROM action_items WHERE meeting_id = ? ORDER BY id",
        (meeting_id,),
    )
    return [ResultAction(**dict(r)) for r in rows]


def count_members(conn: sqlite3.Connection, meeting_id: int) -> tuple[int, int]:
    """(members who joined, of whom with a tablet) — 参加者数, never names."""
    row = conn.execute(
        "SELECT COUNT(*) AS n, COALESCE(SUM(has_tablet), 0) AS t FROM members WHERE meeting_id = ?",
        (meeting_id,),
    ).fetchone()
    return int(row["n"]), int(row["t"])
