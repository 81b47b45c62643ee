"""The wrap-up (まとめ): action items for the top priorities, and how past ones are going.

Each action item says what will be done, who does it (a person or a group), by when,
and which 活動方針 (activity policy) of the plan it serves, so the council office can see
the plan through the meetings. Status: 未着手 ``not_started`` → 進行中 ``in_progress`` →
完了 ``done``; the next meeting of the district reviews them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import ValidationError
from kit.ids import checked_ids
from kit.meeting import meetings
from kit.plan import Plan
from kit.store import actions as store
from kit.store import meetings as meeting_store
from kit.store import transaction
from kit.store.actions import ActionItem
from kit.store.meetings import Meeting
from kit.text import clean_text

__all__ = [
    "STATUSES",
    "ActionItem",
    "PastMeetingActions",
    "TopItem",
    "add_action",
    "meeting_actions",
    "past_actions",
    "remove_action",
    "set_action_status",
    "suggested_policy",
    "top_vote_items",
]

STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done")
TITLE_MAX_CHARS = 100
OWNER_MAX_CHARS = 40
TOP_N = 3


@dataclass(frozen=True)
class TopItem:
    """A vote item near the top of the result (ties at the boundary included)."""

    item_id: int
    label: str
    goal_id: str | None
    issue_id: int | None
    score: int
    spread: int
    rank: int
    tied: bool


@dataclass(frozen=True)
class PastMeetingActions:
    """An earlier meeting of the district and the actions it decided."""

    meeting: Meeting
    actions: tuple[ActionItem, ...]

    def counts(self) -> dict[str, int]:
        return {s: sum(a.status == s for a in self.actions) for s in STATUSES}


@checked_ids
def top_vote_items(conn: sqlite3.Connection, meeting_id: int, n: int = TOP_N) -> list[TopItem]:
    """Items ranked ``n`` or better in the meeting's latest closed vote (empty if none)."""
    from kit.meeting import voting
    from kit.meeting.tally import top_items, vote_result

    vote = voting.latest_closed_vote(conn, meeting_id)
    if vote is None:
        return []
    items = {item.id: item for item in voting.vote_items(conn, vote.id)}
    top = top_items(vote_result(conn, vote.id), n)
    return [
        TopItem(
            item_id=int(row.item_id),
            label=row.label,
            goal_id=row.goal_id,
            issue_id=items[int(row.item_id)].issue_id,
            score=int(row.score),
            spread=int(row.spread),
            rank=int(row.rank),
            tied=bool(row.tied),
        )
        for row in top.itertuples()
    ]


def suggested_policy(plan: Plan, goal_id: str | None) -> str | None:
    """The first 活動方針 of an item's 重点目標, as the form's starting choice."""
    if goal_id and plan.has_goal(goal_id):
        policies = plan.goal(goal_id).policies
        return policies[0].id if policies else None
    return None


def _due(value: object) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(msg.WRAPUP_DUE_EMPTY)
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise ValidationError(msg.WRAPUP_DUE_INVALID) from exc


@checked_ids
def add_action(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    *,
    title: str,
    owner: str,
    due_on: str | dt.date | None,
    policy_id: str | None,
    source_vote_item_id: int | None = None,
) -> ActionItem:
    """Save one action item (取組) of this meeting's まとめ; every field is checked."""
    title = clean_text(
        title,
        max_chars=TITLE_MAX_CHARS,
        empty_message=msg.WRAPUP_WHAT_EMPTY,
        too_long_message=msg.WRAPUP_WHAT_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    owner = clean_text(
        owner,
        max_chars=OWNER_MAX_CHARS,
        empty_message=msg.WRAPUP_WHO_EMPTY,
        too_long_message=msg.WRAPUP_WHO_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    due = _due(due_on)
    if not policy_id:
        raise ValidationError(msg.WRAPUP_POLICY_EMPTY)
    if not isinstance(policy_id, str) or not plan.has_policy(policy_id):
        raise ValidationError(msg.WRAPUP_POLICY_UNKNOWN.format(policy=policy_id))
    meeting = meeting_store.get_meeting(conn, meeting_id)
    with transaction(conn):
        meetings.require_phase(conn, meeting_id, "wrapup", message=msg.WRAPUP_PHASE)
        issue_id = None
        if source_vote_item_id is not None:
            found = store.vote_item_meeting(conn, source_vote_item_id)
            if found is None or found[0] != meeting_id:
                raise ValidationError(msg.WRAPUP_SOURCE_NOT_IN_MEETING)
            issue_id = found[1]
        return store.insert_action(
            conn,
            meeting_id=meeting_id,
            district_id=meeting.district_id,
            title=title,
            owner=owner,
            due_on=due,
            policy_id=policy_id,
            source_issue_id=issue_id,
            source_vote_item_id=source_vote_item_id,
        )


@checked_ids
def remove_action(conn: sqlite3.Connection, action_id: int) -> None:
    """Delete an action item of a meeting that is still in まとめ (a mistake while typing)."""
    with transaction(conn):
        action = store.get_action(conn, action_id)
        meetings.require_phase(conn, action.meeting_id, "wrapup", message=msg.WRAPUP_PHASE)
        store.delete_action(conn, action_id)


@checked_ids
def set_action_status(conn: sqlite3.Connection, action_id: int, status: str) -> ActionItem:
    """Record how far an action has come (未着手・進行中・完了), at any later meeting."""
    if status not in STATUSES:
        raise ValidationError(msg.WRAPUP_STATUS_UNKNOWN)
    with transaction(conn):
        store.get_action(conn, action_id)
        store.set_status(conn, action_id, status)
        return store.get_action(conn, action_id)


@checked_ids
def meeting_actions(conn: sqlite3.Connection, meeting_id: int) -> list[ActionItem]:
    """This meeting's action items, in the order they were decided."""
    return store.list_actions(conn, meeting_id)


@checked_ids
def past_actions(conn: sqlite3.Connection, meeting_id: int) -> list[PastMeetingActions]:
    """Earlier meetings of the same district that decided actions, newest first."""
    meeting = meeting_store.get_meeting(conn, meeting_id)
    earlier = [
        m
        for m in meeting_store.list_meetings(conn, meeting.district_id)
        if m.id != meeting.id and (m.held_on, m.id) < (meeting.held_on, meeting.id)
    ]
    by_meeting: dict[int, list[ActionItem]] = {}
    for action in store.list_district_actions(conn, meeting.district_id):
        by_meeting.setdefault(action.meeting_id, []).append(action)
    return [
        PastMeetingActions(m, tuple(by_meeting[m.id]))
        for m in reversed(earlier)
        if by_meeting.get(m.id)
    ]
