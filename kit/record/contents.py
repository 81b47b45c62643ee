"""What a 会議録 (meeting record) says, read from one meeting: plain data, no HTML.

The district hands the record to its members and to the 自治会 after the meeting, so it
holds what was decided and nothing personal: the number of members (never their names),
the 困りごと by focus goal, each vote with its method, result, ties and spread, the action
items, how the previous meeting's actions are going, and the 支え合いマップ as counts only
(never a resident's name, note, area or position).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import ValidationError
from kit.meeting import actions as meeting_actions
from kit.meeting import issues as meeting_issues
from kit.meeting import tally, voting
from kit.plan import Plan
from kit.resultfile.write import map_counts
from kit.store import meetings as meeting_store

MAP_CATEGORIES = (
    "persons",
    "places",
    "links",
    "persons_with_concern",
    "finding:isolated",
    "finding:watch_gap",
    "finding:key_person",
    "change:new_link",
    "change:not_isolated",
    "change:gap_filled",
)
"""The map counts a record shows (labels come from the map's own vocabulary)."""


@dataclass(frozen=True)
class IssueLine:
    text: str
    place: str
    seriousness: int
    reach: int
    raised_count: int


@dataclass(frozen=True)
class GoalIssues:
    """The 困りごと raised under one 重点目標, with its 基本計画 for the heading and colour."""

    goal_id: str
    goal_name: str
    basic_plan_name: str
    color: str
    issues: tuple[IssueLine, ...]


@dataclass(frozen=True)
class ResultLine:
    rank: int
    label: str
    score: float
    spread: int
    tied: bool
    goal: str


@dataclass(frozen=True)
class VoteRecord:
    title: str
    method: str
    method_label: str
    rule: str
    closed: bool
    eligible: int
    ballots: int
    paper_ballots: int
    lines: tuple[ResultLine, ...]
    ties: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ActionLine:
    title: str
    owner: str
    due_on: str
    policy: str
    status: str


@dataclass(frozen=True)
class FollowUp:
    """The previous meeting of the district that decided actions, and where they stand now."""

    title: str
    held_on: str
    actions: tuple[ActionLine, ...]
    counts: dict[str, int]


@dataclass(frozen=True)
class MeetingRecord:
    """Everything the 会議録 prints, in the order it prints it."""

    city: str
    district: str
    title: str
    held_on: str
    agenda: tuple[str, ...]
    members: int
    with_tablet: int
    issues: tuple[GoalIssues, ...]
    issue_count: int
    votes: tuple[VoteRecord, ...]
    actions: tuple[ActionLine, ...]
    follow_up: FollowUp | None
    map_counts: tuple[tuple[str, int], ...]
    made_at: dt.datetime


def _policy(plan: Plan, policy_id: str) -> str:
    if plan.has_policy(policy_id):
        return f"{policy_id} {plan.policy(policy_id).name}"
    return policy_id


def _action_line(plan: Plan, action) -> ActionLine:
    return ActionLine(
        title=action.title,
        owner=action.owner,
        due_on=action.due_on or "",
        policy=_policy(plan, action.policy_id),
        status=action.status,
    )


def _rule(vote) -> str:
    if vote.method == "dots":
        cap = vote.settings.per_item_cap
        return msg.RECORD_RULE_DOTS.format(dots=vote.settings.dots) + (
            msg.RECORD_RULE_CAP.format(cap=cap) if cap else ""
        )
    if vote.method == "ranking":
        return msg.RECORD_RULE_RANKING
    return msg.RECORD_RULE_APPROVAL


def _goal_label(plan: Plan, goal_id) -> str:
    if isinstance(goal_id, str) and goal_id and plan.has_goal(goal_id):
        return f"{goal_id} {plan.goal(goal_id).name}"
    return ""


def _votes(conn: sqlite3.Connection, plan: Plan, meeting_id: int, members: int) -> list[VoteRecord]:
    out = []
    for vote in voting.list_votes(conn, meeting_id):
        if vote.status == "draft":
            continue
        result = tally.vote_result(conn, vote.id)
        cast = voting.ballots(conn, vote.id)
        lines = tuple(
            ResultLine(
                rank=int(row["rank"]),
                label=row["label"],
                score=float(row["score"]),
                spread=int(row["spread"]),
                tied=bool(row["tied"]),
                goal=_goal_label(plan, row["goal_id"]),
            )
            for row in result.to_dict("records")
        )
        out.append(
            VoteRecord(
                title=vote.title,
                method=vote.method,
                method_label=msg.VOTE_METHOD_LABELS.get(vote.method, vote.method),
                rule=_rule(vote),
                closed=vote.status == "closed",
                eligible=members,
                ballots=len(cast),
                paper_ballots=sum(1 for b in cast if b.is_paper),
                lines=lines,
                ties=tuple(tuple(group) for group in tally.tie_groups(result)),
            )
        )
    return out


def _issue_groups(plan: Plan, issues) -> list[GoalIssues]:
    by_goal: dict[str, list] = {}
    for issue in issues:
        by_goal.setdefault(issue.goal_id, []).append(issue)
    groups = []
    for goal in plan.goals():
        found = by_goal.pop(goal.id, [])
        if not found:
            continue
        basic = plan.basic_plan_of(goal.id)
        found.sort(key=lambda i: (-i.raised_count, -i.seriousness, i.id))
        groups.append(
            GoalIssues(
                goal_id=goal.id,
                goal_name=goal.name,
                basic_plan_name=basic.name,
                color=basic.color or "#757575",
                issues=tuple(
                    IssueLine(i.text, i.place, i.seriousness, i.reach, i.raised_count)
                    for i in found
                ),
            )
        )
    return groups


def meeting_record(
    conn: sqlite3.Connection, plan: Plan, meeting_id: int, *, made_at: dt.datetime | None = None
) -> MeetingRecord:
    """The 会議録 of one meeting (read-only; any phase — a record of a meeting still in
    progress says what has been decided so far)."""
    meeting = meeting_store.get_meeting(conn, meeting_id)
    district = meeting_store.get_district(conn, meeting.district_id)
    members = meeting_store.list_members(conn, meeting_id)
    on_board = meeting_issues.open_issues(conn, meeting_id)
    past = meeting_actions.past_actions(conn, meeting_id)
    follow_up = None
    if past:
        previous = past[0]
        follow_up = FollowUp(
            title=previous.meeting.title,
            held_on=previous.meeting.held_on,
            actions=tuple(_action_line(plan, a) for a in previous.actions),
            counts=previous.counts(),
        )
    counts = {category: (label, n) for category, label, n in map_counts(conn, meeting_id)}
    return MeetingRecord(
        city=district.city or plan.city,
        district=district.name,
        title=meeting.title,
        held_on=meeting.held_on,
        agenda=tuple(line.strip() for line in meeting.agenda.splitlines() if line.strip()),
        members=len(members),
        with_tablet=sum(1 for m in members if m.has_tablet),
        issues=tuple(_issue_groups(plan, on_board)),
        issue_count=len(on_board),
        votes=tuple(_votes(conn, plan, meeting_id, len(members))),
        actions=tuple(
            _action_line(plan, a) for a in meeting_actions.meeting_actions(conn, meeting_id)
        ),
        follow_up=follow_up,
        map_counts=tuple(counts[c] for c in MAP_CATEGORIES if c in counts),
        made_at=made_at or dt.datetime.now().replace(microsecond=0),
    )


def pick_meeting(conn: sqlite3.Connection, which: str | int | None) -> int:
    """The meeting a ``tasukeai record --meeting`` names: an id, or ``latest`` (the default)."""
    if which is None or str(which).strip().lower() in ("", "latest"):
        latest = meeting_store.latest_meeting(conn)
        if latest is None:
            raise ValidationError(msg.RECORD_NO_MEETING)
        return latest.id
    text = str(which).strip()
    if not text.isdecimal() or len(text) > 12:
        raise ValidationError(msg.RECORD_MEETING_WRONG.format(given=text[:20]))
    return meeting_store.get_meeting(conn, int(text)).id
