"""Priority voting (優先順位の投票): create, open and close a vote; cast ballots; turnout.

Every rule is checked here, on the server side, whatever the tablet's widgets allow: a
crafted widget message can send any value. One ballot per member per vote, written with
an upsert inside ``BEGIN IMMEDIATE``: two tablets of the same member sending at once, or
the facilitator closing the vote while a ballot is in flight, are serialised by SQLite,
so each member is counted exactly once and a ballot is either in before the close or
refused with a message.

Kept free of pandas and plotly: the tablet page imports this module.

>>> vote = create_vote(conn, meeting_id, [proposal("見守り当番"), proposal("サロン")],
...                    plan=plan, method="dots", dots=5, open_now=True)
>>> items = vote_items(conn, vote.id)
>>> ballot = cast_ballot(conn, vote.id, member_id, {items[0].id: 3, items[1].id: 2})
>>> sorted(ballot.choices.values()), ballot.changes
([2, 3], 0)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import ConflictError, NotFoundError, PhaseError, ValidationError
from kit.ids import checked_ids
from kit.meeting import meetings
from kit.plan import Plan
from kit.store import meetings as meeting_store
from kit.store import transaction
from kit.store import votes as store
from kit.store.meetings import Member
from kit.store.votes import Ballot, IssueRef, Vote, VoteItem, VoteSettings
from kit.text import clean_text

__all__ = [
    "Ballot",
    "ItemSpec",
    "Turnout",
    "Vote",
    "VoteItem",
    "VoteSettings",
    "cast_ballot",
    "cast_paper_ballot",
    "close_vote",
    "create_vote",
    "current_vote",
    "issue_item",
    "normalize_choices",
    "open_issues",
    "open_vote",
    "proposal",
    "set_show_partial",
    "turnout",
]

METHODS: tuple[str, ...] = ("dots", "approval", "ranking")
DEFAULT_DOTS = 5
MAX_DOTS = 30
DEFAULT_RANK_K = 3
MIN_ITEMS = 2
MAX_ITEMS = 30
ITEM_MAX_CHARS = 100
TITLE_MAX_CHARS = 60
_MAX_ENTRIES = 1000  # a crafted ballot longer than this is refused before looking inside


@dataclass(frozen=True)
class ItemSpec:
    """What to put in a vote: a 困りごと (``issue_id``) or a typed 対策案 (``label``)."""

    label: str = ""
    goal_id: str | None = None
    issue_id: int | None = None


@checked_ids
def issue_item(issue_id: int) -> ItemSpec:
    return ItemSpec(issue_id=issue_id)


def proposal(label: str, goal_id: str | None = None) -> ItemSpec:
    return ItemSpec(label=label, goal_id=goal_id or None)


@dataclass(frozen=True)
class Turnout:
    """投票率: members who have a ballot in, of the members who joined the meeting."""

    voted: int
    joined: int
    paper: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.voted / self.joined) if self.joined else 0


# --- reading --------------------------------------------------------------------------------------
@checked_ids
def open_issues(conn: sqlite3.Connection, meeting_id: int) -> list[IssueRef]:
    """The meeting's 困りごと that can be voted on (status ``open``)."""
    return store.list_open_issues(conn, meeting_id)


@checked_ids
def get_vote(conn: sqlite3.Connection, vote_id: int) -> Vote:
    return store.get_vote(conn, vote_id)


@checked_ids
def vote_items(conn: sqlite3.Connection, vote_id: int) -> list[VoteItem]:
    return store.list_items(conn, vote_id)


@checked_ids
def current_vote(conn: sqlite3.Connection, meeting_id: int) -> Vote | None:
    """The vote pages show: the open one, otherwise the newest closed one (drafts never)."""
    state = store.latest_vote_state(conn, meeting_id)
    return None if state is None else store.get_vote(conn, state[0])


@checked_ids
def vote_state(conn: sqlite3.Connection, meeting_id: int) -> tuple[int, str, int] | None:
    """(vote id, status, show_partial) of :func:`current_vote`, for cheap polling."""
    return store.latest_vote_state(conn, meeting_id)


@checked_ids
def list_votes(conn: sqlite3.Connection, meeting_id: int) -> list[Vote]:
    return store.list_votes(conn, meeting_id)


@checked_ids
def latest_closed_vote(conn: sqlite3.Connection, meeting_id: int) -> Vote | None:
    vote_id = store.latest_closed_vote_id(conn, meeting_id)
    return None if vote_id is None else store.get_vote(conn, vote_id)


@checked_ids
def ballots(conn: sqlite3.Connection, vote_id: int) -> list[Ballot]:
    return store.list_ballots(conn, vote_id)


@checked_ids
def my_ballot(conn: sqlite3.Connection, vote_id: int, member_id: int) -> Ballot | None:
    return store.get_ballot(conn, vote_id, member_id)


@checked_ids
def turnout(conn: sqlite3.Connection, vote_id: int) -> Turnout:
    """Members who voted / members joined (paper ballots included and counted apart)."""
    vote = store.get_vote(conn, vote_id)
    return Turnout(*store.turnout_counts(conn, vote_id, vote.meeting_id))


@checked_ids
def ballots_signature(conn: sqlite3.Connection, vote_id: int) -> tuple[int, int, str]:
    """Changes whenever a ballot is added or changed: a page redraws results only then."""
    return store.ballots_signature(conn, vote_id)


@checked_ids
def non_voters(conn: sqlite3.Connection, vote_id: int) -> list[Member]:
    """Joined members without a ballot yet (for the facilitator to ask)."""
    vote = store.get_vote(conn, vote_id)
    voted = store.voter_ids(conn, vote_id)
    return [m for m in meeting_store.list_members(conn, vote.meeting_id) if m.id not in voted]


def rank_k_of(vote: Vote, item_count: int) -> int:
    """How many places a ranking ballot fills (K), bounded by the number of items."""
    return min(vote.settings.rank_k or DEFAULT_RANK_K, item_count)


# --- creating, opening, closing ------------------------------------------------------------------
@checked_ids
def create_vote(
    conn: sqlite3.Connection,
    meeting_id: int,
    items: Sequence[ItemSpec],
    *,
    plan: Plan,
    method: str = "dots",
    title: str = msg.VOTE_DEFAULT_TITLE,
    dots: int = DEFAULT_DOTS,
    per_item_cap: int | None = None,
    rank_k: int | None = None,
    open_now: bool = False,
) -> Vote:
    """Create a vote over ``items`` (困りごと or 対策案) with its method and settings.

    With ``open_now`` it is opened at once (one transaction), as the projector does.
    """
    if method not in METHODS:
        raise ValidationError(msg.VOTE_METHOD_UNKNOWN)
    title = clean_text(
        title,
        max_chars=TITLE_MAX_CHARS,
        empty_message=msg.VOTE_TITLE_EMPTY,
        too_long_message=msg.VOTE_TITLE_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise ValidationError(msg.VOTE_ITEMS_TOO_FEW)
    items = list(items)
    if len(items) < MIN_ITEMS:
        raise ValidationError(msg.VOTE_ITEMS_TOO_FEW)
    if len(items) > MAX_ITEMS:
        raise ValidationError(msg.VOTE_ITEMS_TOO_MANY.format(limit=MAX_ITEMS))
    settings = _settings(method, len(items), dots, per_item_cap, rank_k)
    meeting_store.get_meeting(conn, meeting_id)
    with transaction(conn):
        meetings.require_phase(conn, meeting_id, "vote", message=msg.VOTE_PHASE)
        if open_now and store.open_vote_id(conn, meeting_id) is not None:
            raise ConflictError(msg.VOTE_ALREADY_OPEN)
        rows = [_resolve_item(conn, meeting_id, spec, plan) for spec in items]
        seen: set = set()
        for label, _goal, issue_id in rows:
            key = ("issue", issue_id) if issue_id is not None else ("label", label)
            if key in seen:
                raise ValidationError(msg.VOTE_ITEM_DUPLICATE.format(label=label))
            seen.add(key)
        vote_id = store.insert_vote(conn, meeting_id, title, method, settings)
        for position, (label, goal_id, issue_id) in enumerate(rows, start=1):
            store.insert_item(conn, vote_id, position, label, goal_id, issue_id)
        if open_now:
            store.set_vote_status(conn, vote_id, "open")
    return store.get_vote(conn, vote_id)


def _int_setting(value: object, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(message)
    return value


def _settings(
    method: str, item_count: int, dots: object, cap: object, rank_k: object
) -> VoteSettings:
    if method == "dots":
        dots = _int_setting(dots, 1, MAX_DOTS, msg.VOTE_DOTS_SETTING.format(limit=MAX_DOTS))
        if cap in (None, 0):
            cap = None
        else:
            cap = _int_setting(cap, 1, dots, msg.VOTE_CAP_SETTING.format(dots=dots))
        return VoteSettings(dots=dots, per_item_cap=cap)
    if method == "ranking":
        k = DEFAULT_RANK_K if rank_k is None else rank_k
        if rank_k is None:
            k = min(k, item_count)
        k = _int_setting(k, 2, item_count, msg.VOTE_RANK_SETTING.format(count=item_count))
        return VoteSettings(rank_k=k)
    return VoteSettings()


def _resolve_item(
    conn: sqlite3.Connection, meeting_id: int, spec: object, plan: Plan
) -> tuple[str, str | None, int | None]:
    if not isinstance(spec, ItemSpec):
        raise ValidationError(msg.VOTE_ITEM_EMPTY)
    if spec.issue_id is not None:
        issue_id = spec.issue_id
        if isinstance(issue_id, bool) or not isinstance(issue_id, int):
            raise ValidationError(msg.VOTE_ISSUE_NOT_AVAILABLE)
        issue = store.get_open_issue(conn, meeting_id, issue_id)
        if issue is None:
            raise ValidationError(msg.VOTE_ISSUE_NOT_AVAILABLE)
        goal = issue.goal_id if plan.has_goal(issue.goal_id) else None
        return issue.text, goal, issue.id
    label = clean_text(
        spec.label,
        max_chars=ITEM_MAX_CHARS,
        empty_message=msg.VOTE_ITEM_EMPTY,
        too_long_message=msg.VOTE_ITEM_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    goal_id = spec.goal_id or None
    if goal_id is not None and (not isinstance(goal_id, str) or not plan.has_goal(goal_id)):
        raise ValidationError(msg.VOTE_GOAL_UNKNOWN.format(goal=goal_id))
    return label, goal_id, None


@checked_ids
def open_vote(conn: sqlite3.Connection, vote_id: int) -> Vote:
    """Open a draft vote for ballots; only one vote of a meeting is open at a time."""
    with transaction(conn):
        vote = store.get_vote(conn, vote_id)
        meetings.require_phase(conn, vote.meeting_id, "vote", message=msg.VOTE_PHASE)
        if vote.status != "draft":
            raise ConflictError(msg.VOTE_NOT_DRAFT)
        if store.open_vote_id(conn, vote.meeting_id) is not None:
            raise ConflictError(msg.VOTE_ALREADY_OPEN)
        store.set_vote_status(conn, vote_id, "open")
    return store.get_vote(conn, vote_id)


@checked_ids
def close_vote(conn: sqlite3.Connection, vote_id: int) -> Vote:
    """Close the vote (締め切り): from now on every ballot is refused; the result is final."""
    with transaction(conn):
        vote = store.get_vote(conn, vote_id)
        if vote.status != "open":
            raise ConflictError(msg.VOTE_NOT_OPEN)
        store.set_vote_status(conn, vote_id, "closed")
    return store.get_vote(conn, vote_id)


@checked_ids
def set_show_partial(conn: sqlite3.Connection, vote_id: int, show: bool) -> Vote:
    """Let the projector show results while the vote is open (off by default)."""
    store.get_vote(conn, vote_id)
    store.set_show_partial(conn, vote_id, bool(show))
    return store.get_vote(conn, vote_id)


# --- ballots --------------------------------------------------------------------------------------
def _item_id(value: object) -> int:
    if isinstance(value, bool):
        raise ValidationError(msg.VOTE_BALLOT_UNREADABLE)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value) < 19:
        return int(value.strip())
    raise ValidationError(msg.VOTE_BALLOT_UNREADABLE)


def _sequence(choices: object) -> list:
    if isinstance(choices, (str, bytes, Mapping)) or not isinstance(choices, Iterable):
        raise ValidationError(msg.VOTE_BALLOT_UNREADABLE)
    values = []
    for value in choices:
        values.append(value)
        if len(values) > _MAX_ENTRIES:
            raise ValidationError(msg.VOTE_BALLOT_UNREADABLE)
    return values


def normalize_choices(vote: Vote, items: Sequence[VoteItem], choices: object) -> dict[int, int]:
    """Check a ballot against the vote's rules; return it as ``{item id: value}``.

    - dots (持ち点): ``{item id: dots}``; whole numbers ≥ 0, each at most the cap, together
      at most the allowance, at least one dot in all;
    - approval: the item ids approved (any number ≥ 1, no repeats);
    - ranking: item ids in order, first = rank 1; 1 to K of them, no repeats.
    """
    known = {item.id for item in items}
    if vote.method == "dots":
        if not isinstance(choices, Mapping) or len(choices) > _MAX_ENTRIES:
            raise ValidationError(msg.VOTE_BALLOT_UNREADABLE)
        result: dict[int, int] = {}
        for key, value in choices.items():
            item_id = _item_id(key)
            if item_id not in known:
                raise ValidationError(msg.VOTE_ITEM_NOT_IN_VOTE)
            if item_id in result:
                raise ValidationError(msg.VOTE_BALLOT_UNREADABLE)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(msg.VOTE_DOTS_NOT_INTEGER)
            if value < 0:
                raise ValidationError(msg.VOTE_DOTS_NEGATIVE)
            cap = vote.settings.per_item_cap
            if cap is not None and value > cap:
                raise ValidationError(msg.VOTE_DOTS_OVER_CAP.format(cap=cap))
            result[item_id] = value
        total = sum(result.values())
        if total > vote.settings.dots:
            raise ValidationError(
                msg.VOTE_DOTS_OVER.format(allowance=vote.settings.dots, total=total)
            )
        result = {k: v for k, v in result.items() if v > 0}
        if not result:
            raise ValidationError(msg.VOTE_DOTS_EMPTY)
        return result
    values = [_item_id(v) for v in _sequence(choices)]
    if any(v not in known for v in values):
        raise ValidationError(msg.VOTE_ITEM_NOT_IN_VOTE)
    if vote.method == "approval":
        if len(set(values)) != len(values):
            raise ValidationError(msg.VOTE_APPROVAL_REPEAT)
        if not values:
            raise ValidationError(msg.VOTE_APPROVAL_EMPTY)
        return dict.fromkeys(values, 1)
    if vote.method == "ranking":
        if len(set(values)) != len(values):
            raise ValidationError(msg.VOTE_RANK_REPEAT)
        if not values:
            raise ValidationError(msg.VOTE_RANK_EMPTY)
        k = rank_k_of(vote, len(items))
        if len(values) > k:
            raise ValidationError(msg.VOTE_RANK_TOO_MANY.format(k=k))
        return {item_id: rank for rank, item_id in enumerate(values, start=1)}
    raise ValidationError(msg.VOTE_METHOD_UNKNOWN)  # pragma: no cover - checked on create


def _refuse_unless_open(conn: sqlite3.Connection, vote: Vote) -> None:
    if vote.status == "draft":
        raise PhaseError(msg.VOTE_NOT_OPEN_YET)
    if vote.status == "closed":
        raise PhaseError(msg.VOTE_CLOSED)
    meetings.require_phase(conn, vote.meeting_id, "vote", message=msg.VOTE_PHASE)


@checked_ids
def cast_ballot(
    conn: sqlite3.Connection,
    vote_id: int,
    member_id: int,
    choices: object,
    *,
    paper: bool = False,
) -> Ballot:
    """Store ``member_id``'s ballot; a later one replaces it until the vote closes.

    The check that the vote is open and the write happen in one ``BEGIN IMMEDIATE``
    transaction, so a close racing this ballot either comes after it (counted) or
    before it (refused with :data:`msg.VOTE_CLOSED`).
    """
    vote = store.get_vote(conn, vote_id)
    items = store.list_items(conn, vote_id)
    normalized = normalize_choices(vote, items, choices)
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise NotFoundError(msg.MEMBER_NOT_FOUND)
    with transaction(conn):
        vote = store.get_vote(conn, vote_id)
        _refuse_unless_open(conn, vote)
        meeting_id = store.member_meeting_id(conn, member_id)
        if meeting_id is None:
            raise NotFoundError(msg.MEMBER_NOT_FOUND)
        if meeting_id != vote.meeting_id:
            raise ValidationError(msg.VOTE_MEMBER_NOT_IN_MEETING)
        if not paper:  # a paper voter's ballot belongs to the facilitator: no tablet takes it
            existing = store.get_ballot(conn, vote_id, member_id)
            if (existing is not None and existing.is_paper) or not meeting_store.get_member(
                conn, member_id
            ).has_tablet:
                raise ConflictError(msg.VOTE_PAPER_BALLOT_LOCKED)
        store.upsert_ballot(conn, vote_id, member_id, normalized, paper)
        store.delete_draft(conn, vote_id, member_id)  # what was sent is what the page shows
        ballot = store.get_ballot(conn, vote_id, member_id)
    return ballot  # type: ignore[return-value]


@checked_ids
def save_ballot_draft(
    conn: sqlite3.Connection, vote_id: int, member_id: int, choices: object
) -> dict[int, int] | None:
    """Keep a member's unsent allocation (下書き), so a reload, a lost kernel or a restarted
    server does not lose it; returns what was kept (``None``: nothing to keep).

    Only an open vote of the member's own meeting; the same rules as a ballot. An
    allocation that is no ballot yet (no dot given) or equals the sent ballot clears it.
    """
    vote = store.get_vote(conn, vote_id)
    items = store.list_items(conn, vote_id)
    try:
        normalized: dict[int, int] | None = normalize_choices(vote, items, choices)
    except ValidationError:
        normalized = None
    with transaction(conn):
        vote = store.get_vote(conn, vote_id)
        _refuse_unless_open(conn, vote)
        if store.member_meeting_id(conn, member_id) != vote.meeting_id:
            raise ValidationError(msg.VOTE_MEMBER_NOT_IN_MEETING)
        sent = store.get_ballot(conn, vote_id, member_id)
        if normalized is None or (sent is not None and dict(sent.choices) == normalized):
            store.delete_draft(conn, vote_id, member_id)
            return None
        store.put_draft(conn, vote_id, member_id, normalized)
    return normalized


@checked_ids
def ballot_draft(conn: sqlite3.Connection, vote_id: int, member_id: int) -> dict[int, int] | None:
    """The member's unsent allocation for a vote, as ``{item id: value}``, or ``None``."""
    return store.get_draft(conn, vote_id, member_id)


@checked_ids
def cast_paper_ballot(
    conn: sqlite3.Connection,
    vote_id: int,
    choices: object,
    *,
    member_id: int | None = None,
    new_name: str = "",
) -> tuple[Member, Ballot]:
    """紙の投票: the facilitator enters a ballot for a member without a tablet.

    Either an existing member (``member_id``) or a new one registered by name
    (``new_name``, 紙で参加). The ballot counts the same and is marked ``is_paper``.
    """
    vote = store.get_vote(conn, vote_id)
    normalize_choices(vote, store.list_items(conn, vote_id), choices)
    _refuse_unless_open(conn, vote)
    if new_name and str(new_name).strip():
        member = meetings.add_member_without_tablet(conn, vote.meeting_id, new_name)
    elif member_id is not None:
        member = meeting_store.get_member(conn, member_id)
    else:
        raise ValidationError(msg.VOTE_PAPER_NO_MEMBER)
    return member, cast_ballot(conn, vote_id, member.id, choices, paper=True)
