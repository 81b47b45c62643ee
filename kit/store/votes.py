"""SQL for priority votes (優先順位の投票): votes, their items and ballots (one per member).

Rows map to frozen dataclasses. A ballot's choices are stored as a JSON object
``{"<item id>": value}`` whatever the method: dots given (持ち点), ``1`` for approval,
the rank (1 = first) for ranking. Only items with a value are stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from kit import messages as msg
from kit.errors import NotFoundError
from kit.store import now


@dataclass(frozen=True)
class VoteSettings:
    """持ち点 ``dots`` and optional ``per_item_cap`` (dot voting); ``rank_k`` (ranking)."""

    dots: int = 5
    per_item_cap: int | None = None
    rank_k: int | None = None

    def to_json(self) -> str:
        return json.dumps(
            {"dots": self.dots, "per_item_cap": self.per_item_cap, "rank_k": self.rank_k},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> VoteSettings:
        data = json.loads(text or "{}")
        return cls(
            dots=int(data.get("dots", 5)),
            per_item_cap=data.get("per_item_cap"),
            rank_k=data.get("rank_k"),
        )


@dataclass(frozen=True)
class Vote:
    id: int
    meeting_id: int
    title: str
    method: str
    settings: VoteSettings
    status: str
    show_partial: bool
    opened_at: str | None
    closed_at: str | None
    created_at: str


@dataclass(frozen=True)
class VoteItem:
    """One thing voted on: a 困りごと (``issue_id`` set) or a proposed action (対策案)."""

    id: int
    vote_id: int
    position: int
    label: str
    goal_id: str | None = None
    issue_id: int | None = None


@dataclass(frozen=True)
class Ballot:
    """A member's ballot; ``choices`` maps item id → value; ``changes`` counts re-sends."""

    id: int
    vote_id: int
    member_id: int
    is_paper: bool
    choices: Mapping[int, int] = field(default_factory=dict)
    changes: int = 0
    cast_at: str = ""


@dataclass(frozen=True)
class IssueRef:
    """What a vote needs of a 困りごと: its text and focus goal (read-only here)."""

    id: int
    text: str
    goal_id: str
    raised_count: int


def _vote(row: sqlite3.Row) -> Vote:
    d = dict(row)
    d["settings"] = VoteSettings.from_json(d.pop("settings_json"))
    d["show_partial"] = bool(d["show_partial"])
    return Vote(**d)


def _item(row: sqlite3.Row) -> VoteItem:
    return VoteItem(**dict(row))


def choices_to_json(choices: Mapping[int, int]) -> str:
    return json.dumps({str(k): int(v) for k, v in sorted(choices.items())}, sort_keys=True)


def choices_from_json(text: str) -> dict[int, int]:
    return {int(k): int(v) for k, v in json.loads(text).items()}


def _ballot(row: sqlite3.Row) -> Ballot:
    d = dict(row)
    d["choices"] = choices_from_json(d.pop("choices_json"))
    d["is_paper"] = bool(d["is_paper"])
    return Ballot(**d)


# --- votes ------------------------------------------------------------------------------------
def insert_vote(
    conn: sqlite3.Connection, meeting_id: int, title: str, method: str, settings: VoteSettings
) -> int:
    cur = conn.execute(
        "INSERT INTO votes (meeting_id, title, method, settings_json, status, created_at)"
        " VALUES (?, ?, ?, ?, 'draft', ?)",
        (meeting_id, title, method, settings.to_json(), now()),
    )
    return cur.lastrowid


def insert_item(
    conn: sqlite3.Connection,
    vote_id: int,
    position: int,
    label: str,
    goal_id: str | None,
    issue_id: int | None,
) -> int:
    cur = conn.execute(
        "INSERT INTO vote_items (vote_id, position, label, goal_id, issue_id) VALUES (?, ?, ?, ?, ?)",
        (vote_id, position, label, goal_id, issue_id),
    )
    return cur.lastrowid


def get_vote(conn: sqlite3.Connection, vote_id: int) -> Vote:
    row = conn.execute("SELECT * FROM votes WHERE id = ?", (vote_id,)).fetchone()
    if row is None:
        raise NotFoundError(msg.VOTE_NOT_FOUND)
    return _vote(row)


def list_votes(conn: sqlite3.Connection, meeting_id: int) -> list[Vote]:
    rows = conn.execute("SELECT * FROM votes WHERE meeting_id = ? ORDER BY id", (meeting_id,))
    return [_vote(r) for r in rows]


def open_vote_id(conn: sqlite3.Connection, meeting_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM votes WHERE meeting_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
        (meeting_id,),
    ).fetchone()
    return None if row is None else row["id"]


def latest_vote_state(conn: sqlite3.Connection, meeting_id: int) -> tuple[int, str, int] | None:
    """(id, status, show_partial) of the vote a page should show: the open one, else the newest
    opened one. Cheap enough to call on every poll."""
    row = conn.execute(
        "SELECT id, status, show_partial FROM votes WHERE meeting_id = ? AND status <> 'draft'"
        " ORDER BY (status = 'open') DESC, id DESC LIMIT 1",
        (meeting_id,),
    ).fetchone()
    return None if row is None else (row["id"], row["status"], row["show_partial"])


def latest_closed_vote_id(conn: sqlite3.Connection, meeting_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM votes WHERE meeting_id = ? AND status = 'closed' ORDER BY id DESC LIMIT 1",
        (meeting_id,),
    ).fetchone()
    return None if row is None else row["id"]


def set_vote_status(conn: sqlite3.Connection, vote_id: int, status: str) -> None:
    column = {"open": "opened_at", "closed": "closed_at"}[status]
    conn.execute(
        f"UPDATE votes SET status = ?, {column} = ? WHERE id = ?",  # column name from a fixed dict
        (status, now(), vote_id),
    )


def set_show_partial(conn: sqlite3.Connection, vote_id: int, show: bool) -> None:
    conn.execute("UPDATE votes SET show_partial = ? WHERE id = ?", (int(show), vote_id))


# --- items --------------------------------------------------------------------------------------
def list_items(conn: sqlite3.Connection, vote_id: int) -> list[VoteItem]:
    rows = conn.execute(
        "SELECT id, vote_id, position, label, goal_id, issue_id FROM vote_items"
        " WHERE vote_id = ? ORDER BY position",
        (vote_id,),
    )
    return [_item(r) for r in rows]


def get_item(conn: sqlite3.Connection, item_id: int) -> VoteItem | None:
    row = conn.execute(
        "SELECT id, vote_id, position, label, goal_id, issue_id FROM vote_items WHERE id = ?",
        (item_id,),
    ).fetchone()
    return None if row is None else _item(row)


# --- ballots --------------------------------------------------------------------------------------
def upsert_ballot(
    conn: sqlite3.Connection,
    vote_id: int,
    member_id: int,
    choices: Mapping[int, int],
    is_paper: bool,
) -> None:
    """One row per (vote, member): a new ballot replaces the old one and counts a change."""
    conn.execute(
        "INSERT INTO ballots (vote_id, member_id, is_paper, choices_json, changes, cast_at)"
        " VALUES (?, ?, ?, ?, 0, ?)"
        " ON CONFLICT(vote_id, member_id) DO UPDATE SET is_paper = excluded.is_paper,"
        " choices_json = excluded.choices_json, changes = ballots.changes + 1,"
        " cast_at = excluded.cast_at",
        (vote_id, member_id, int(is_paper), choices_to_json(choices), now()),
    )


def get_ballot(conn: sqlite3.Connection, vote_id: int, member_id: int) -> Ballot | None:
    row = conn.execute(
        "SELECT * FROM ballots WHERE vote_id = ? AND member_id = ?", (vote_id, member_id)
    ).fetchone()
    return None if row is None else _ballot(row)


def list_ballots(conn: sqlite3.Connection, vote_id: int) -> list[Ballot]:
    rows = conn.execute("SELECT * FROM ballots WHERE vote_id = ? ORDER BY cast_at, id", (vote_id,))
    return [_ballot(r) for r in rows]


def turnout_counts(conn: sqlite3.Connection, vote_id: int, meeting_id: int) -> tuple[int, int, int]:
    """(members who voted, members joined, paper ballots) in one read."""
    row = conn.execute(
        "SELECT (SELECT COUNT(*) FROM ballots WHERE vote_id = :v) AS voted,"
        " (SELECT COUNT(*) FROM members WHERE meeting_id = :m) AS joined,"
        " (SELECT COUNT(*) FROM ballots WHERE vote_id = :v AND is_paper = 1) AS paper",
        {"v": vote_id, "m": meeting_id},
    ).fetchone()
    return row["voted"], row["joined"], row["paper"]


def voter_ids(conn: sqlite3.Connection, vote_id: int) -> set[int]:
    return {
        r[0] for r in conn.execute("SELECT member_id FROM ballots WHERE vote_id = ?", (vote_id,))
    }


def member_meeting_id(conn: sqlite3.Connection, member_id: int) -> int | None:
    row = conn.execute("SELECT meeting_id FROM members WHERE id = ?", (member_id,)).fetchone()
    return None if row is None else row["meeting_id"]


# --- issues (read only: the 困りごと of the meeting that can be voted on) ------------------------
def list_open_issues(conn: sqlite3.Connection, meeting_id: int) -> list[IssueRef]:
    rows = conn.execute(
        "SELECT id, text, goal_id, raised_count FROM issues"
        " WHERE meeting_id = ? AND status = 'open' ORDER BY created_at, id",
        (meeting_id,),
    )
    return [IssueRef(**dict(r)) for r in rows]


def get_open_issue(conn: sqlite3.Connection, meeting_id: int, issue_id: int) -> IssueRef | None:
    row = conn.execute(
        "SELECT id, text, goal_id, raised_count FROM issues"
        " WHERE id = ? AND meeting_id = ? AND status = 'open'",
        (issue_id, meeting_id),
    ).fetchone()
    return None if row is None else IssueRef(**dict(row))


def ballots_signature(conn: sqlite3.Connection, vote_id: int) -> tuple[int, int, str]:
    """Moves whenever a ballot of the vote is added or changed (for redrawing partial results)."""
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(changes), 0), COALESCE(MAX(cast_at), '') FROM ballots"
        " WHERE vote_id = ?",
        (vote_id,),
    ).fetchone()
    return row[0], row[1], row[2]


# --- drafts: allocations moved on a tablet and not sent yet (issue 17) --------------------------
def put_draft(
    conn: sqlite3.Connection, vote_id: int, member_id: int, choices: Mapping[int, int]
) -> None:
    """Keep (or replace) a member's unsent allocation for a vote."""
    conn.execute(
        "INSERT INTO ballot_drafts (vote_id, member_id, choices_json, saved_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(vote_id, member_id) DO UPDATE SET choices_json = excluded.choices_json,"
        " saved_at = excluded.saved_at",
        (vote_id, member_id, choices_to_json(choices), now()),
    )


def get_draft(conn: sqlite3.Connection, vote_id: int, member_id: int) -> dict[int, int] | None:
    row = conn.execute(
        "SELECT choices_json FROM ballot_drafts WHERE vote_id = ? AND member_id = ?",
        (vote_id, member_id),
    ).fetchone()
    return None if row is None else choices_from_json(row["choices_json"])


def delete_draft(conn: sqlite3.Connection, vote_id: int, member_id: int) -> None:
    conn.execute(
        "DELETE FROM ballot_drafts WHERE vote_id = ? AND member_id = ?", (vote_id, member_id)
    )
