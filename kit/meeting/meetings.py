"""The meeting itself: creating it, members joining, moving through the phases (会議の段階)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

from kit import messages as msg
from kit.errors import PhaseError, ValidationError
from kit.ids import checked_ids
from kit.meeting import access, districts
from kit.store import meetings as store
from kit.store import supportmap as map_store
from kit.store import transaction
from kit.store.meetings import Meeting, Member
from kit.text import clean_text, name_key

PHASES: tuple[str, ...] = ("setup", "issues", "map", "vote", "wrapup", "closed")
TITLE_MAX_CHARS = 60
AGENDA_MAX_CHARS = 2000


def create_meeting(
    conn: sqlite3.Connection,
    *,
    district_id: str | None = None,
    district_name: str | None = None,
    title: str,
    held_on: str | dt.date,
    plan_id: str,
    agenda: str = "",
    join_code: str | None = None,
) -> Meeting:
    """Start a new meeting of a district with a fresh join code (参加コード).

    The district is ``district_id`` (one already known) or ``district_name``, added when it
    is new; all of it is written, or (on any error) none of it.
    """
    title = clean_text(
        title,
        max_chars=TITLE_MAX_CHARS,
        empty_message=msg.MEETING_TITLE_EMPTY,
        too_long_message=msg.MEETING_TITLE_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    agenda = clean_text(
        agenda,
        max_chars=AGENDA_MAX_CHARS,
        empty_message=None,
        too_long_message=msg.AGENDA_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
        multiline=True,
    )
    held_on = parse_date(held_on)
    if district_name is not None and str(district_name).strip():
        name = districts.clean_district_name(district_name)
    elif district_id is not None:
        name = None
        store.get_district(conn, district_id)
    else:
        raise ValidationError(msg.DISTRICT_PICK_FIRST)
    with transaction(conn):
        if name is not None:
            district_id = districts.add_or_find(conn, name)[0].id
        code = join_code or access.new_join_code(conn)
        return store.insert_meeting(
            conn,
            district_id=district_id,
            title=title,
            held_on=held_on,
            agenda=agenda,
            join_code=code,
            plan_id=plan_id,
        )


def parse_date(value: str | dt.date) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise ValidationError(msg.MEETING_DATE_INVALID) from exc


def join_meeting(
    conn: sqlite3.Connection,
    join_code: str,
    display_name: str,
    *,
    name_max_chars: int = 20,
    has_tablet: bool = True,
    device: str | None = None,
    attempt_scopes: Sequence[str] = (),
) -> tuple[Meeting, Member]:
    """A member joins with the code on the projector and a display name (呼び名).

    From a tablet, ``device`` is the hash of the browser's device secret and the rules of
    :mod:`kit.meeting.identity` apply (one member per device, a name held by another device
    needs the facilitator's approval, a paper voter cannot be taken over). Without a device
    (the facilitator registering a paper voter, scripts, the sample city) the same name
    (ignoring width, case and spaces) continues as the same member.

    Wrong codes count against ``attempt_scopes`` (this page, this client address): five in a
    row make them wait (:func:`kit.meeting.access.record_wrong_code`). A closed meeting's
    code is a wrong code: it says nothing about the meeting.
    """
    from kit.meeting import identity

    code = "".join(str(join_code or "").split())
    code = code.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not code:
        raise ValidationError(msg.JOIN_CODE_EMPTY)
    access.refuse_if_blocked(conn, attempt_scopes)
    meeting = store.find_meeting_by_code(conn, code) if len(code) <= 16 else None
    if meeting is None or meeting.phase == "closed":
        access.record_wrong_code(conn, attempt_scopes)
        raise ValidationError(msg.JOIN_CODE_WRONG)
    name = clean_text(
        display_name,
        max_chars=name_max_chars,
        empty_message=msg.NAME_EMPTY,
        too_long_message=msg.NAME_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    if device is not None:
        return meeting, identity.join_with_device(conn, meeting, name, name_key(name), device)
    member = store.join_member(conn, meeting.id, name, name_key(name), has_tablet)
    return meeting, member


def add_member_without_tablet(
    conn: sqlite3.Connection, meeting_id: int, display_name: str
) -> Member:
    """The facilitator registers a member who takes part on paper (紙で参加)."""
    meeting = store.get_meeting(conn, meeting_id)
    _, member = join_meeting(conn, meeting.join_code, display_name, has_tablet=False)
    return member


@checked_ids
def set_phase(conn: sqlite3.Connection, meeting_id: int, phase: str) -> Meeting:
    """Move the meeting to ``phase``; every member page follows it from the store."""
    if phase not in PHASES:
        raise ValidationError(msg.PHASE_UNKNOWN)
    with transaction(conn):
        return _enter_phase(conn, meeting_id, phase)


@checked_ids
def step_phase(conn: sqlite3.Connection, meeting_id: int, step: int) -> Meeting:
    """Move one phase forward (``step=1``) or back (``step=-1``)."""
    with transaction(conn):
        index = PHASES.index(store.get_phase(conn, meeting_id)) + step
        if not 0 <= index < len(PHASES):
            raise PhaseError(msg.PHASE_NO_FURTHER)
        return _enter_phase(conn, meeting_id, PHASES[index])


def _enter_phase(conn: sqlite3.Connection, meeting_id: int, phase: str) -> Meeting:
    """Set the phase; entering the 支え合いマップ phase takes the meeting's map baseline (the
    map as the meeting found it, once; no passphrase needed — the sealed rows are copied),
    so 「前回の会議からの変化」 does not depend on which page was opened."""
    meeting = store.set_phase(conn, meeting_id, phase)
    if phase == "map":
        map_store.ensure_baseline(conn, meeting.district_id, meeting.id)
    return meeting


@checked_ids
def require_phase(conn: sqlite3.Connection, meeting_id: int, *phases: str, message: str) -> None:
    """Raise :class:`PhaseError` unless the meeting is in one of ``phases`` (checked in the store)."""
    if store.get_phase(conn, meeting_id) not in phases:
        raise PhaseError(message)
