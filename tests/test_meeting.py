"""Meetings, joining and phases (会議・参加・段階)."""

from __future__ import annotations

import time

import pytest

from kit.errors import NotFoundError, PhaseError, ValidationError
from kit.meeting import access, meetings
from kit.store import meetings as store


def test_create_meeting_gets_a_short_numeric_join_code(meeting):
    assert meeting.join_code.isdigit() and len(meeting.join_code) == access.JOIN_CODE_LENGTH
    assert meeting.phase == "setup"


def test_join_codes_are_unique(conn, district, plan):
    codes = {
        meetings.create_meeting(
            conn,
            district_id=district.id,
            title=f"会議{i}",
            held_on="2026-01-01",
            plan_id=plan.plan_id,
        ).join_code
        for i in range(50)
    }
    assert len(codes) == 50


@pytest.mark.parametrize(
    ("title", "held_on"),
    [
        ("", "2026-01-01"),
        ("   ", "2026-01-01"),
        ("会議", "きのう"),
        ("会議", "2026-13-01"),
        ("x" * 61, "2026-01-01"),
    ],
)
def test_bad_meeting_input_is_refused(conn, district, plan, title, held_on):
    with pytest.raises(ValidationError):
        meetings.create_meeting(
            conn, district_id=district.id, title=title, held_on=held_on, plan_id=plan.plan_id
        )
    assert store.list_meetings(conn) == []


def test_unknown_district_is_refused(conn, plan):
    with pytest.raises(NotFoundError):
        meetings.create_meeting(
            conn, district_id="nope", title="会議", held_on="2026-01-01", plan_id=plan.plan_id
        )


def test_rejoining_with_the_same_name_continues_as_the_same_member(conn, meeting):
    _, first = meetings.join_meeting(conn, meeting.join_code, "やまだ")
    _, again = meetings.join_meeting(conn, f" {meeting.join_code} ", " やまだ ")
    _, wide = meetings.join_meeting(conn, meeting.join_code, "ｙａｍａｄａ")
    _, narrow = meetings.join_meeting(conn, meeting.join_code, "Yamada")
    assert first.id == again.id
    assert wide.id == narrow.id != first.id
    assert len(store.list_members(conn, meeting.id)) == 2


def test_full_width_join_code_is_accepted(conn, meeting):
    full_width = meeting.join_code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    joined, _ = meetings.join_meeting(conn, full_width, "すずき")
    assert joined.id == meeting.id


@pytest.mark.parametrize(
    ("code", "name", "message_part"),
    [
        ("", "たなか", "参加コード"),
        ("0000", "たなか", "参加コードが違います"),
        (None, "たなか", "参加コード"),
    ],
)
def test_wrong_join_codes_get_clear_messages(conn, meeting, code, name, message_part):
    with pytest.raises(ValidationError) as info:
        meetings.join_meeting(conn, code, name)
    assert message_part in info.value.message
    assert store.list_members(conn, meeting.id) == []


@pytest.mark.parametrize("name", ["", "   ", "あ" * 21, "a\x00b", 123])
def test_bad_names_are_refused(conn, meeting, name):
    with pytest.raises(ValidationError):
        meetings.join_meeting(conn, meeting.join_code, name)
    assert store.list_members(conn, meeting.id) == []


def test_html_in_a_name_is_stored_as_typed(conn, meeting):
    _, member = meetings.join_meeting(conn, meeting.join_code, "<b>x</b>")
    assert member.display_name == "<b>x</b>"


def test_closed_meeting_cannot_be_joined_and_says_nothing_about_itself(conn, meeting):
    meetings.set_phase(conn, meeting.id, "closed")
    with pytest.raises(ValidationError) as info:
        meetings.join_meeting(conn, meeting.join_code, "たなか")
    with pytest.raises(ValidationError) as wrong:
        meetings.join_meeting(conn, "999999", "たなか")
    assert info.value.message == wrong.value.message  # the same answer as a wrong code
    assert "終了" not in info.value.message


def test_phases_move_forward_and_back_and_are_stored(conn, meeting, db_path):
    from kit.store import open_store

    assert meetings.step_phase(conn, meeting.id, 1).phase == "issues"
    assert meetings.step_phase(conn, meeting.id, 1).phase == "map"
    assert meetings.step_phase(conn, meeting.id, -1).phase == "issues"
    assert store.get_phase(open_store(db_path), meeting.id) == "issues"
    with pytest.raises(ValidationError):
        meetings.set_phase(conn, meeting.id, "party")
    meetings.set_phase(conn, meeting.id, "setup")
    with pytest.raises(PhaseError):
        meetings.step_phase(conn, meeting.id, -1)


def test_require_phase(conn, meeting):
    meetings.require_phase(conn, meeting.id, "setup", message="x")
    with pytest.raises(PhaseError, match="まだです"):
        meetings.require_phase(conn, meeting.id, "vote", message="まだです")


def test_paper_member_is_registered_without_tablet(conn, meeting):
    member = meetings.add_member_without_tablet(conn, meeting.id, "かみ")
    assert member.has_tablet is False


def test_current_meeting_is_the_newest_open_one(conn, district, plan):
    first = meetings.create_meeting(
        conn, district_id=district.id, title="一", held_on="2026-01-01", plan_id=plan.plan_id
    )
    second = meetings.create_meeting(
        conn, district_id=district.id, title="二", held_on="2026-02-01", plan_id=plan.plan_id
    )
    assert store.current_meeting(conn).id == second.id
    meetings.set_phase(conn, second.id, "closed")
    assert store.current_meeting(conn).id == first.id


def test_latest_meeting_is_the_one_worked_on_last_even_when_closed(conn, district, plan):
    first = meetings.create_meeting(
        conn, district_id=district.id, title="一", held_on="2026-01-01", plan_id=plan.plan_id
    )
    meetings.create_meeting(
        conn, district_id=district.id, title="二", held_on="2026-02-01", plan_id=plan.plan_id
    )
    time.sleep(0.01)  # timestamps have millisecond resolution
    meetings.set_phase(conn, first.id, "closed")
    assert store.latest_meeting(conn).id == first.id


def test_too_long_title_and_agenda_get_their_own_messages(conn, district, plan):
    with pytest.raises(ValidationError, match="会議名は60文字まで"):
        meetings.create_meeting(
            conn,
            district_id=district.id,
            title="x" * 61,
            held_on="2026-01-01",
            plan_id=plan.plan_id,
        )
    with pytest.raises(ValidationError, match="次第は"):
        meetings.create_meeting(
            conn,
            district_id=district.id,
            title="会議",
            held_on="2026-01-01",
            plan_id=plan.plan_id,
            agenda="あ" * 2001,
        )
    assert store.list_meetings(conn) == []
