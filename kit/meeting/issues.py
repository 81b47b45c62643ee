"""Local issues (地域の困りごと): members send them from tablets, the facilitator tidies them.

Members submit, edit and withdraw their own issues only while the meeting is in the
``issues`` phase. The facilitator edits wording, merges duplicates (the kept issue keeps
who raised it and the combined count), hides and unhides, and writes down issues spoken
aloud by members without tablets, until the meeting is closed. Every change a person
makes from what they saw carries the ``version`` they saw; a stale one raises
:class:`ConflictError` and changes nothing.

>>> issue = submit_issue(conn, plan, meeting_id, member_id, text="坂道がきつい",
...                      goal_id="3-(1)", seriousness=4, reach=3)
>>> issue.text, issue.status, issue.raised_count
('坂道がきつい', 'open', 1)
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import AccessDenied, ConflictError, NotFoundError, PhaseError, ValidationError
from kit.ids import checked_ids
from kit.meeting import meetings
from kit.plan import FocusGoal, Plan
from kit.store import issues as store
from kit.store import meetings as meeting_store
from kit.store import transaction
from kit.store.issues import Issue
from kit.text import clean_text

__all__ = [
    "DEFAULT_MAX_CHARS",
    "PLACE_MAX_CHARS",
    "SCALE",
    "BoardCard",
    "GoalCount",
    "GoalGroup",
    "Issue",
    "IssueBoard",
    "PlanGroup",
    "add_spoken_issue",
    "check_issue",
    "edit_issue",
    "facilitator_edit_issue",
    "hide_issue",
    "issue_board",
    "merge_issues",
    "my_issues",
    "open_issues",
    "submit_issue",
    "unhide_issue",
    "withdraw_issue",
]

DEFAULT_MAX_CHARS = 200
PLACE_MAX_CHARS = 40
SCALE = (1, 2, 3, 4, 5)
OTHER_COLOR = "#777777"


# --- checking input ------------------------------------------------------------------------------
def check_scale(value: object, what: str) -> int:
    """A 1–5 value from a slider; anything else (crafted, bool, text) is refused."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValidationError(msg.ISSUE_SCALE_INVALID.format(what=what))
    return value


def check_goal(plan: Plan, goal_id: object) -> str:
    """A 重点目標 id of ``plan``."""
    if goal_id is None or (isinstance(goal_id, str) and not goal_id.strip()):
        raise ValidationError(msg.ISSUE_GOAL_MISSING)
    if not isinstance(goal_id, str) or not plan.has_goal(goal_id):
        raise ValidationError(msg.ISSUE_GOAL_UNKNOWN.format(goal=str(goal_id)[:40]))
    return goal_id


def check_text(text: object, max_chars: int) -> str:
    return clean_text(
        text,
        max_chars=max_chars,
        empty_message=msg.ISSUE_TEXT_EMPTY,
        too_long_message=msg.ISSUE_TEXT_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )


def check_place(place: object) -> str:
    return clean_text(
        place,
        max_chars=PLACE_MAX_CHARS,
        empty_message=None,
        too_long_message=msg.ISSUE_PLACE_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )


def check_issue(
    plan: Plan,
    *,
    text: object,
    goal_id: object,
    seriousness: object,
    reach: object,
    place: object = "",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> dict:
    """All fields of an issue, checked; raises :class:`ValidationError` on the first bad one.

    Text is kept as typed (HTML included) and escaped wherever it is shown.
    """
    return {
        "text": check_text(text, max_chars),
        "goal_id": check_goal(plan, goal_id),
        "seriousness": check_scale(seriousness, msg.ISSUE_SERIOUSNESS),
        "reach": check_scale(reach, msg.ISSUE_REACH),
        "place": check_place(place),
    }


# --- rules that need the store ---------------------------------------------------------------------
def _require_issues_phase(conn: sqlite3.Connection, meeting_id: int) -> None:
    phase = meeting_store.get_phase(conn, meeting_id)
    if phase == "closed":
        raise PhaseError(msg.ISSUE_MEETING_CLOSED)
    if phase != "issues":
        raise PhaseError(msg.ISSUE_PHASE_OVER)


def _require_not_closed(conn: sqlite3.Connection, meeting_id: int) -> None:
    if meeting_store.get_phase(conn, meeting_id) == "closed":
        raise PhaseError(msg.ISSUE_MEETING_CLOSED)


def _require_member_of(conn: sqlite3.Connection, meeting_id: int, member_id: object) -> int:
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise AccessDenied(msg.ISSUE_MEMBER_ELSEWHERE)
    try:
        member = meeting_store.get_member(conn, member_id)
    except NotFoundError:
        raise AccessDenied(msg.ISSUE_MEMBER_ELSEWHERE) from None
    if member.meeting_id != meeting_id:
        raise AccessDenied(msg.ISSUE_MEMBER_ELSEWHERE)
    return member_id


def _get(conn: sqlite3.Connection, issue_id: object) -> Issue:
    if isinstance(issue_id, bool) or not isinstance(issue_id, int):
        raise NotFoundError(msg.ISSUE_NOT_FOUND)
    return store.get_issue(conn, issue_id)


# --- the lifecycle: open → (hidden ⇄ open) → merged | withdrawn ------------------------------------
LIVE_STATUSES = ("open", "hidden")
"""An issue in one of these is still in play: it can be withdrawn, tidied or merged."""


def can_be_edited(issue: Issue) -> bool:
    """Its raiser may still change the wording (only while it is on the board)."""
    return issue.status == "open"


def is_live(issue: Issue) -> bool:
    """Still in play: its raiser may withdraw it, the facilitator may tidy or merge it."""
    return issue.status in LIVE_STATUSES


def _status_message(status: str) -> str:
    return {
        "merged": msg.ISSUE_NOW_MERGED,
        "withdrawn": msg.ISSUE_NOW_WITHDRAWN,
        "hidden": msg.ISSUE_NOW_HIDDEN,
    }.get(status, msg.ISSUE_CONFLICT_SHORT)


def _check_version(issue: Issue, version: int | None, *, full_message: bool = False) -> int:
    """The version to write against: the caller's, which must still be current."""
    if version is None:
        return issue.version
    if version != issue.version:
        text = (
            msg.ISSUE_CONFLICT.format(text=issue.text) if full_message else msg.ISSUE_CONFLICT_SHORT
        )
        raise ConflictError(text)
    return version


# --- members (tablets) -----------------------------------------------------------------------------
@checked_ids
def submit_issue(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    member_id: int,
    *,
    text: object,
    goal_id: object,
    seriousness: object,
    reach: object,
    place: object = "",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Issue:
    """A member sends a 困りごと from a tablet (only in the 困りごと出し phase)."""
    fields = check_issue(
        plan,
        text=text,
        goal_id=goal_id,
        seriousness=seriousness,
        reach=reach,
        place=place,
        max_chars=max_chars,
    )
    with transaction(conn):
        _require_issues_phase(conn, meeting_id)
        _require_member_of(conn, meeting_id, member_id)
        return store.insert_issue(conn, meeting_id=meeting_id, member_id=member_id, **fields)


@checked_ids
def edit_issue(
    conn: sqlite3.Connection,
    plan: Plan,
    issue_id: int,
    member_id: int,
    version: int,
    *,
    text: object,
    goal_id: object,
    seriousness: object,
    reach: object,
    place: object = "",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Issue:
    """A member changes their own open issue; ``version`` is the one their form showed.

    Raises :class:`ConflictError` (with the current wording) when another tablet or the
    facilitator changed it first.
    """
    fields = check_issue(
        plan,
        text=text,
        goal_id=goal_id,
        seriousness=seriousness,
        reach=reach,
        place=place,
        max_chars=max_chars,
    )
    with transaction(conn):
        issue = _get(conn, issue_id)
        if issue.member_id != member_id:
            raise AccessDenied(msg.ISSUE_NOT_YOURS)
        _require_issues_phase(conn, issue.meeting_id)
        if not can_be_edited(issue):
            raise ConflictError(_status_message(issue.status))
        _check_version(issue, version, full_message=True)
        store.update_issue(conn, issue.id, version, **fields)
        return store.get_issue(conn, issue.id)


@checked_ids
def withdraw_issue(
    conn: sqlite3.Connection, issue_id: int, member_id: int, version: int | None = None
) -> Issue:
    """A member takes back their own issue (取り下げ) while the 困りごと出し phase lasts."""
    with transaction(conn):
        issue = _get(conn, issue_id)
        if issue.member_id != member_id:
            raise AccessDenied(msg.ISSUE_NOT_YOURS)
        _require_issues_phase(conn, issue.meeting_id)
        if not is_live(issue):
            raise ConflictError(_status_message(issue.status))
        version = _check_version(issue, version)
        store.set_status(conn, issue.id, version, "withdrawn")
        return store.get_issue(conn, issue.id)


@checked_ids
def my_issues(conn: sqlite3.Connection, meeting_id: int, member_id: int) -> list[Issue]:
    """The issues a member sent and has not withdrawn (open, hidden or merged), oldest first."""
    return store.list_issues(
        conn, meeting_id, statuses=("open", "hidden", "merged"), member_id=member_id
    )


@checked_ids
def open_issues(conn: sqlite3.Connection, meeting_id: int) -> list[Issue]:
    """The issues on the board (not hidden, merged or withdrawn), oldest first."""
    return store.list_issues(conn, meeting_id, statuses=("open",))


# --- the facilitator (projector) ---------------------------------------------------------------------
@checked_ids
def facilitator_edit_issue(
    conn: sqlite3.Connection,
    plan: Plan,
    issue_id: int,
    version: int | None,
    *,
    text: object,
    goal_id: object | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Issue:
    """The facilitator rewords an issue (and may move it to another 重点目標)."""
    new_text = check_text(text, max_chars)
    with transaction(conn):
        issue = _get(conn, issue_id)
        _require_not_closed(conn, issue.meeting_id)
        if not is_live(issue):
            raise ConflictError(_status_message(issue.status))
        version = _check_version(issue, version, full_message=True)
        fields = {"text": new_text}
        if goal_id is not None:
            fields["goal_id"] = check_goal(plan, goal_id)
        store.update_issue(conn, issue.id, version, **fields)
        return store.get_issue(conn, issue.id)


@checked_ids
def merge_issues(
    conn: sqlite3.Connection,
    keep_id: int,
    merge_id: int,
    *,
    keep_version: int | None = None,
    merge_version: int | None = None,
) -> Issue:
    """Merge a duplicate into the issue that is kept (似た困りごとをまとめる).

    The kept issue's count becomes the sum of both counts, its 深刻さ and reach the larger
    of the two; the merged one points at it, so who raised either is still known.
    Returns the kept issue.
    """
    if keep_id == merge_id:
        raise ValidationError(msg.ISSUE_MERGE_SAME)
    with transaction(conn):
        keep, merge = _get(conn, keep_id), _get(conn, merge_id)
        if keep.meeting_id != merge.meeting_id:
            raise ValidationError(msg.ISSUE_MERGE_OTHER_MEETING)
        _require_not_closed(conn, keep.meeting_id)
        if not (is_live(keep) and is_live(merge)):
            raise ConflictError(msg.ISSUE_MERGE_NOT_OPEN)
        keep_v = _check_version(keep, keep_version)
        merge_v = _check_version(merge, merge_version)
        store.set_status(conn, merge.id, merge_v, "merged", merged_into=keep.id)
        store.repoint_merged(conn, merge.id, keep.id)
        store.absorb(
            conn,
            keep.id,
            keep_v,
            raised_count=keep.raised_count + merge.raised_count,
            seriousness=max(keep.seriousness, merge.seriousness),
            reach=max(keep.reach, merge.reach),
        )
        return store.get_issue(conn, keep.id)


@checked_ids
def hide_issue(conn: sqlite3.Connection, issue_id: int, version: int | None = None) -> Issue:
    """Take an issue off the board without deleting it (非表示)."""
    return _move(conn, issue_id, version, "open", "hidden", msg.ISSUE_ALREADY_HIDDEN)


@checked_ids
def unhide_issue(conn: sqlite3.Connection, issue_id: int, version: int | None = None) -> Issue:
    """Put a hidden issue back on the board."""
    return _move(conn, issue_id, version, "hidden", "open", msg.ISSUE_NOT_HIDDEN)


def _move(conn, issue_id, version, old: str, new: str, wrong_message: str) -> Issue:
    with transaction(conn):
        issue = _get(conn, issue_id)
        _require_not_closed(conn, issue.meeting_id)
        if issue.status == new:
            raise ConflictError(wrong_message)
        if issue.status != old:
            raise ConflictError(_status_message(issue.status))
        version = _check_version(issue, version)
        store.set_status(conn, issue.id, version, new)
        return store.get_issue(conn, issue.id)


@checked_ids
def add_spoken_issue(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    *,
    text: object,
    goal_id: object,
    seriousness: object = 3,
    reach: object = 3,
    place: object = "",
    member_id: int | None = None,
    speaker_name: object = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    name_max_chars: int = 20,
) -> Issue:
    """The facilitator writes down an issue a member said aloud (口頭の困りごと).

    ``member_id`` names a member already in the meeting; ``speaker_name`` instead registers
    a member without a tablet (紙で参加) under that name, or finds them if already there.
    The issue is checked first, so a refused issue registers nobody.
    """
    fields = check_issue(
        plan,
        text=text,
        goal_id=goal_id,
        seriousness=seriousness,
        reach=reach,
        place=place,
        max_chars=max_chars,
    )
    if speaker_name is not None and not (
        isinstance(speaker_name, str) and not speaker_name.strip()
    ):
        _require_not_closed(conn, meeting_id)
        meeting = meeting_store.get_meeting(conn, meeting_id)
        _, member = meetings.join_meeting(
            conn, meeting.join_code, speaker_name, name_max_chars=name_max_chars, has_tablet=False
        )
        member_id = member.id
    with transaction(conn):
        _require_not_closed(conn, meeting_id)
        if member_id is not None:
            _require_member_of(conn, meeting_id, member_id)
        return store.insert_issue(
            conn, meeting_id=meeting_id, member_id=member_id, spoken=True, **fields
        )


# --- the board (困りごとボード) ------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardCard:
    """An issue as the projector shows it, with the names of everyone who raised it."""

    issue_id: int
    text: str
    goal_id: str
    seriousness: int
    reach: int
    place: str
    raised_count: int
    raisers: tuple[str, ...]
    spoken: bool
    version: int


@dataclass(frozen=True)
class GoalGroup:
    """One 重点目標 with its cards; ``count`` is the combined count (のべ人数)."""

    goal_id: str
    name: str
    plain: str
    cards: tuple[BoardCard, ...]

    @property
    def count(self) -> int:
        return sum(card.raised_count for card in self.cards)


@dataclass(frozen=True)
class PlanGroup:
    """One 基本計画 with all its goals (empty ones included, for the chart)."""

    basic_plan_id: str
    name: str
    color: str
    goals: tuple[GoalGroup, ...]

    @property
    def count(self) -> int:
        return sum(goal.count for goal in self.goals)

    @property
    def cards(self) -> tuple[BoardCard, ...]:
        return tuple(card for goal in self.goals for card in goal.cards)


@dataclass(frozen=True)
class GoalCount:
    """A bar of the chart: a goal, its 基本計画 and colour, and its combined count."""

    goal_id: str
    label: str
    basic_plan_id: str
    basic_plan_name: str
    color: str
    count: int


@dataclass(frozen=True)
class IssueBoard:
    """The projector board: issues grouped by 基本計画 → 重点目標, and what is missing."""

    meeting_id: int
    plans: tuple[PlanGroup, ...]
    unraised: tuple[FocusGoal, ...]
    hidden: tuple[BoardCard, ...]

    @property
    def cards(self) -> tuple[BoardCard, ...]:
        return tuple(card for group in self.plans for card in group.cards)

    @property
    def total_count(self) -> int:
        return sum(group.count for group in self.plans)

    def goal_counts(self) -> list[GoalCount]:
        return [
            GoalCount(
                goal.goal_id,
                f"{goal.goal_id} {goal.plain}" if goal.plain else goal.goal_id,
                group.basic_plan_id,
                group.name,
                group.color,
                goal.count,
            )
            for group in self.plans
            for goal in group.goals
        ]


@checked_ids
def issue_board(conn: sqlite3.Connection, plan: Plan, meeting_id: int) -> IssueBoard:
    """Group a meeting's open issues by the plan, with counts and the goals nobody raised."""
    names = {m.id: m.display_name for m in meeting_store.list_members(conn, meeting_id)}
    raisers = store.raiser_ids(conn, meeting_id)

    def card(issue: Issue) -> BoardCard:
        return BoardCard(
            issue.id,
            issue.text,
            issue.goal_id,
            issue.seriousness,
            issue.reach,
            issue.place,
            issue.raised_count,
            tuple(names[i] for i in raisers.get(issue.id, []) if i in names),
            issue.spoken,
            issue.version,
        )

    visible = store.list_issues(conn, meeting_id, statuses=("open",))
    by_goal: dict[str, list[BoardCard]] = {}
    for issue in visible:
        by_goal.setdefault(issue.goal_id, []).append(card(issue))
    groups = [
        PlanGroup(
            bp.id,
            bp.name,
            bp.color,
            tuple(GoalGroup(g.id, g.name, g.plain, tuple(by_goal.pop(g.id, ()))) for g in bp.goals),
        )
        for bp in plan.basic_plans
    ]
    if by_goal:  # goals of another plan file: shown, never dropped
        groups.append(
            PlanGroup(
                "",
                msg.ISSUE_BOARD_OTHER_PLAN,
                OTHER_COLOR,
                tuple(GoalGroup(gid, gid, "", tuple(cards)) for gid, cards in by_goal.items()),
            )
        )
    unraised = tuple(
        g
        for g in plan.goals()
        if not any(goal.goal_id == g.id and goal.cards for pg in groups for goal in pg.goals)
    )
    hidden = tuple(card(i) for i in store.list_issues(conn, meeting_id, statuses=("hidden",)))
    return IssueBoard(meeting_id, tuple(groups), unraised, hidden)
