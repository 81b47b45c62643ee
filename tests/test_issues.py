"""地域の困りごと: submitting, editing, merging, hiding, the board — on real SQLite."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys

import pytest

from kit import messages as msg
from kit.errors import AccessDenied, ConflictError, NotFoundError, PhaseError, ValidationError
from kit.meeting import issues, meetings
from kit.sample.city import SampleMeeting
from kit.sample.issues import add_sample_issues
from kit.store import issues as store
from kit.store import meetings as meeting_store
from kit.store import open_store


@pytest.fixture
def live(conn, meeting):
    """The meeting in the 困りごと出し phase."""
    meetings.set_phase(conn, meeting.id, "issues")
    return meeting


def send(conn, plan, meeting, member, text="バス停までの坂道がきつい", goal_id="3-(1)", **extra):
    values = {"seriousness": 4, "reach": 3, "place": "", **extra}
    return issues.submit_issue(
        conn, plan, meeting.id, member.id, text=text, goal_id=goal_id, **values
    )


def rows(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT * FROM issues ORDER BY id")]


# --- submitting --------------------------------------------------------------------------------------
def test_submit_stores_the_issue(conn, plan, live, members):
    issue = send(conn, plan, live, members[0], place=" 駅の北側 ")
    assert issue.text == "バス停までの坂道がきつい"
    assert (issue.goal_id, issue.seriousness, issue.reach, issue.place) == (
        "3-(1)",
        4,
        3,
        "駅の北側",
    )
    assert (issue.status, issue.raised_count, issue.version, issue.spoken) == ("open", 1, 1, False)
    assert store.get_issue(conn, issue.id) == issue


def test_submit_only_in_the_issues_phase(conn, plan, meeting, members):
    with pytest.raises(PhaseError) as err:
        send(conn, plan, meeting, members[0])
    assert err.value.message == msg.ISSUE_PHASE_OVER
    meetings.set_phase(conn, meeting.id, "closed")
    with pytest.raises(PhaseError) as err:
        send(conn, plan, meeting, members[0])
    assert err.value.message == msg.ISSUE_MEETING_CLOSED
    assert rows(conn) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"text": ""}, msg.ISSUE_TEXT_EMPTY),
        ({"text": "  \n\u3000 "}, msg.ISSUE_TEXT_EMPTY),
        ({"text": None}, msg.ISSUE_TEXT_EMPTY),
        ({"text": "あ" * 201}, msg.ISSUE_TEXT_TOO_LONG.format(limit=200)),
        ({"text": 42}, msg.TEXT_CONTROL_CHARS),
        ({"text": "ベル\x07"}, msg.TEXT_CONTROL_CHARS),
        ({"goal_id": "9-(9)"}, msg.ISSUE_GOAL_UNKNOWN.format(goal="9-(9)")),
        ({"goal_id": "<script>"}, msg.ISSUE_GOAL_UNKNOWN.format(goal="<script>")),
        ({"goal_id": None}, msg.ISSUE_GOAL_MISSING),
        ({"goal_id": ""}, msg.ISSUE_GOAL_MISSING),
        ({"goal_id": ["1-(1)"]}, msg.ISSUE_GOAL_UNKNOWN.format(goal="['1-(1)']")),
        ({"seriousness": 0}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS)),
        ({"seriousness": 6}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS)),
        ({"seriousness": 99999}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS)),
        ({"seriousness": "3"}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS)),
        ({"seriousness": 2.5}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS)),
        ({"seriousness": True}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS)),
        ({"reach": -1}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_REACH)),
        ({"reach": None}, msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_REACH)),
        ({"place": "あ" * 41}, msg.ISSUE_PLACE_TOO_LONG.format(limit=40)),
    ],
)
def test_bad_input_gets_a_japanese_message_and_stores_nothing(
    conn, plan, live, members, values, message
):
    before = rows(conn)
    with pytest.raises(ValidationError) as err:
        send(conn, plan, live, members[0], **values)
    assert err.value.message == message
    assert rows(conn) == before


def test_the_limit_comes_from_the_setting(conn, plan, live, members):
    send(conn, plan, live, members[0], text="あ" * 200)
    with pytest.raises(ValidationError):
        send(conn, plan, live, members[0], text="あ" * 11, max_chars=10)
    send(conn, plan, live, members[0], text="あ" * 10, max_chars=10)
    assert len(rows(conn)) == 2


def test_html_is_stored_as_typed_not_cleaned(conn, plan, live, members):
    text = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    issue = send(conn, plan, live, members[0], text=text)
    assert store.get_issue(conn, issue.id).text == text


def test_member_of_another_meeting_cannot_submit(conn, plan, live, members, district):
    other = meetings.create_meeting(
        conn, district_id=district.id, title="別の会議", held_on="2026-11-27", plan_id=plan.plan_id
    )
    _, stranger = meetings.join_meeting(conn, other.join_code, "よそもの")
    with pytest.raises(AccessDenied):
        send(conn, plan, live, stranger)
    with pytest.raises(AccessDenied):
        issues.submit_issue(
            conn, plan, live.id, 9999, text="x", goal_id="1-(1)", seriousness=1, reach=1
        )
    with pytest.raises(AccessDenied):
        issues.submit_issue(
            conn, plan, live.id, "1", text="x", goal_id="1-(1)", seriousness=1, reach=1
        )
    assert rows(conn) == []


def test_closed_meetings_join_code_is_refused(conn, plan, live):
    meetings.set_phase(conn, live.id, "closed")
    with pytest.raises(ValidationError) as err:  # a closed meeting's code is a wrong code
        meetings.join_meeting(conn, live.join_code, "おそく来た人")
    assert err.value.message == msg.JOIN_CODE_WRONG
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 0


# --- editing and withdrawing (members) ------------------------------------------------------------------
def test_member_edits_own_issue(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    edited = issues.edit_issue(
        conn,
        plan,
        issue.id,
        members[0].id,
        issue.version,
        text="坂道に手すりがほしい",
        goal_id="3-(2)",
        seriousness=2,
        reach=5,
        place="坂の上",
    )
    assert (edited.text, edited.goal_id, edited.seriousness, edited.reach, edited.place) == (
        "坂道に手すりがほしい",
        "3-(2)",
        2,
        5,
        "坂の上",
    )
    assert edited.version == issue.version + 1


def test_two_tablets_editing_the_same_issue_conflict(conn, plan, live, members, db_path):
    issue = send(conn, plan, live, members[0])
    other_tablet = open_store(db_path)  # the same member rejoined on a second tablet
    try:
        issues.edit_issue(
            other_tablet,
            plan,
            issue.id,
            members[0].id,
            issue.version,
            text="二台目で直した",
            goal_id="3-(1)",
            seriousness=4,
            reach=3,
        )
        before = rows(conn)
        with pytest.raises(ConflictError) as err:
            issues.edit_issue(
                conn,
                plan,
                issue.id,
                members[0].id,
                issue.version,
                text="一台目で直した",
                goal_id="3-(1)",
                seriousness=4,
                reach=3,
            )
    finally:
        other_tablet.close()
    assert err.value.message == msg.ISSUE_CONFLICT.format(text="二台目で直した")
    assert rows(conn) == before
    # with the newer version, the first tablet may write over it on purpose
    latest = store.get_issue(conn, issue.id)
    issues.edit_issue(
        conn,
        plan,
        issue.id,
        members[0].id,
        latest.version,
        text="一台目で直した",
        goal_id="3-(1)",
        seriousness=4,
        reach=3,
    )
    assert store.get_issue(conn, issue.id).text == "一台目で直した"


def test_member_cannot_edit_or_withdraw_someone_elses_issue(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    with pytest.raises(AccessDenied):
        issues.edit_issue(
            conn,
            plan,
            issue.id,
            members[1].id,
            issue.version,
            text="乗っ取り",
            goal_id="3-(1)",
            seriousness=1,
            reach=1,
        )
    with pytest.raises(AccessDenied):
        issues.withdraw_issue(conn, issue.id, members[1].id, issue.version)
    assert store.get_issue(conn, issue.id) == issue


def test_edit_validates_like_submit(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    for bad in ({"text": " "}, {"goal_id": "x"}, {"seriousness": 7}, {"text": "あ" * 201}):
        values = {"text": "ok", "goal_id": "3-(1)", "seriousness": 3, "reach": 3, **bad}
        with pytest.raises(ValidationError):
            issues.edit_issue(conn, plan, issue.id, members[0].id, issue.version, **values)
    assert store.get_issue(conn, issue.id) == issue


def test_edit_and_withdraw_end_with_the_issues_phase(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    meetings.step_phase(conn, live.id, 1)
    with pytest.raises(PhaseError):
        issues.edit_issue(
            conn,
            plan,
            issue.id,
            members[0].id,
            issue.version,
            text="あとから",
            goal_id="3-(1)",
            seriousness=1,
            reach=1,
        )
    with pytest.raises(PhaseError):
        issues.withdraw_issue(conn, issue.id, members[0].id, issue.version)
    assert store.get_issue(conn, issue.id) == issue


def test_withdraw(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    withdrawn = issues.withdraw_issue(conn, issue.id, members[0].id, issue.version)
    assert withdrawn.status == "withdrawn"
    assert issues.my_issues(conn, live.id, members[0].id) == []
    assert issues.issue_board(conn, plan, live.id).cards == ()
    with pytest.raises(ConflictError) as err:
        issues.withdraw_issue(conn, issue.id, members[0].id)
    assert err.value.message == msg.ISSUE_NOW_WITHDRAWN
    with pytest.raises(ConflictError):
        issues.edit_issue(
            conn,
            plan,
            issue.id,
            members[0].id,
            withdrawn.version,
            text="もどして",
            goal_id="3-(1)",
            seriousness=1,
            reach=1,
        )


def test_unknown_issue_id(conn, plan, live, members):
    for bad in (9999, "1", None):
        with pytest.raises(NotFoundError):
            issues.withdraw_issue(conn, bad, members[0].id)
        with pytest.raises(NotFoundError):
            issues.hide_issue(conn, bad)


# --- the facilitator -------------------------------------------------------------------------------------
def test_facilitator_edits_wording_and_goal(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    edited = issues.facilitator_edit_issue(
        conn, plan, issue.id, issue.version, text="買い物に行きにくい（坂道）", goal_id="3-(2)"
    )
    assert (edited.text, edited.goal_id, edited.member_id) == (
        "買い物に行きにくい（坂道）",
        "3-(2)",
        members[0].id,
    )
    with pytest.raises(ConflictError):  # the member's form still shows the old version
        issues.edit_issue(
            conn,
            plan,
            issue.id,
            members[0].id,
            issue.version,
            text="x",
            goal_id="3-(1)",
            seriousness=1,
            reach=1,
        )
    with pytest.raises(ValidationError):
        issues.facilitator_edit_issue(conn, plan, issue.id, None, text="")
    with pytest.raises(ValidationError):
        issues.facilitator_edit_issue(conn, plan, issue.id, None, text="ok", goal_id="0-(0)")
    assert store.get_issue(conn, issue.id) == edited


def test_merge_keeps_who_raised_it_and_the_combined_count(conn, plan, live, members):
    a = send(conn, plan, live, members[0], text="坂道がきつい", seriousness=2, reach=2)
    b = send(
        conn, plan, live, members[1], text="坂がきつくて買い物に行けない", seriousness=5, reach=1
    )
    c = send(conn, plan, live, members[2], text="坂道の手すり", seriousness=1, reach=4)
    kept = issues.merge_issues(conn, a.id, b.id, keep_version=a.version, merge_version=b.version)
    assert (kept.raised_count, kept.seriousness, kept.reach) == (2, 5, 2)
    assert store.get_issue(conn, b.id).status == "merged"
    assert store.get_issue(conn, b.id).merged_into == a.id
    # merging the kept issue into a third one carries everyone along
    kept2 = issues.merge_issues(conn, c.id, a.id)
    assert kept2.raised_count == 3
    board = issues.issue_board(conn, plan, live.id)
    [card] = board.cards
    assert card.issue_id == c.id
    assert set(card.raisers) == {"あお", "みどり", "あか"}
    assert board.total_count == 3
    assert store.get_issue(conn, b.id).merged_into == c.id
    # the members still see their merged issues, marked as merged
    assert [i.status for i in issues.my_issues(conn, live.id, members[1].id)] == ["merged"]


def test_merge_refusals_change_nothing(conn, plan, live, members, district):
    a = send(conn, plan, live, members[0], text="一つ目")
    b = send(conn, plan, live, members[1], text="二つ目")
    before = rows(conn)
    with pytest.raises(ValidationError) as err:
        issues.merge_issues(conn, a.id, a.id)
    assert err.value.message == msg.ISSUE_MERGE_SAME
    with pytest.raises(ConflictError):
        issues.merge_issues(conn, a.id, b.id, keep_version=a.version + 5)
    assert rows(conn) == before
    issues.withdraw_issue(conn, b.id, members[1].id)
    with pytest.raises(ConflictError) as err:
        issues.merge_issues(conn, a.id, b.id)
    assert err.value.message == msg.ISSUE_MERGE_NOT_OPEN
    other = meetings.create_meeting(
        conn, district_id=district.id, title="別", held_on="2026-12-01", plan_id=plan.plan_id
    )
    meetings.set_phase(conn, other.id, "issues")
    _, stranger = meetings.join_meeting(conn, other.join_code, "よそ")
    c = issues.submit_issue(
        conn, plan, other.id, stranger.id, text="よその", goal_id="1-(1)", seriousness=1, reach=1
    )
    with pytest.raises(ValidationError) as err:
        issues.merge_issues(conn, a.id, c.id)
    assert err.value.message == msg.ISSUE_MERGE_OTHER_MEETING


def test_hide_and_unhide(conn, plan, live, members):
    issue = send(conn, plan, live, members[0])
    hidden = issues.hide_issue(conn, issue.id, issue.version)
    board = issues.issue_board(conn, plan, live.id)
    assert board.cards == () and [c.issue_id for c in board.hidden] == [issue.id]
    assert "3-(1)" in [g.id for g in board.unraised]
    with pytest.raises(ConflictError) as err:
        issues.hide_issue(conn, issue.id)
    assert err.value.message == msg.ISSUE_ALREADY_HIDDEN
    with pytest.raises(ConflictError):  # the member's tablet shows it as hidden: no edits
        issues.edit_issue(
            conn,
            plan,
            issue.id,
            members[0].id,
            hidden.version,
            text="x",
            goal_id="3-(1)",
            seriousness=1,
            reach=1,
        )
    shown = issues.unhide_issue(conn, issue.id, hidden.version)
    assert shown.status == "open"
    with pytest.raises(ConflictError) as err:
        issues.unhide_issue(conn, issue.id)
    assert err.value.message == msg.ISSUE_NOT_HIDDEN


def test_spoken_issue_for_a_member_without_a_tablet(conn, plan, live, members):
    paper = meetings.add_member_without_tablet(conn, live.id, "たなか")
    issue = issues.add_spoken_issue(
        conn, plan, live.id, text="回覧板が回るのが遅い", goal_id="2-(2)", member_id=paper.id
    )
    assert (issue.spoken, issue.member_id, issue.seriousness, issue.reach) == (True, paper.id, 3, 3)
    anonymous = issues.add_spoken_issue(
        conn, plan, live.id, text="声だけ", goal_id="1-(1)", reach=5
    )
    assert anonymous.member_id is None
    board = issues.issue_board(conn, plan, live.id)
    assert {c.raisers for c in board.cards} == {("たなか",), ()}
    with pytest.raises(ValidationError):
        issues.add_spoken_issue(conn, plan, live.id, text="", goal_id="1-(1)")
    with pytest.raises(ValidationError):
        issues.add_spoken_issue(conn, plan, live.id, text="x", goal_id="1-(1)", seriousness=0)
    meetings.set_phase(conn, live.id, "closed")
    with pytest.raises(PhaseError):
        issues.add_spoken_issue(conn, plan, live.id, text="閉会後", goal_id="1-(1)")
    assert len(rows(conn)) == 2


def test_facilitator_cannot_change_a_closed_meeting(conn, plan, live, members):
    a, b = send(conn, plan, live, members[0]), send(conn, plan, live, members[1], text="別件")
    meetings.set_phase(conn, live.id, "closed")
    before = rows(conn)
    for call in (
        lambda: issues.facilitator_edit_issue(conn, plan, a.id, None, text="x"),
        lambda: issues.merge_issues(conn, a.id, b.id),
        lambda: issues.hide_issue(conn, a.id),
    ):
        with pytest.raises(PhaseError):
            call()
    assert rows(conn) == before


# --- the board --------------------------------------------------------------------------------------------
def test_board_groups_by_basic_plan_and_goal(conn, plan, live, members):
    send(conn, plan, live, members[0], text="あいさつがない", goal_id="1-(1)")
    send(conn, plan, live, members[1], text="祭りの担い手", goal_id="1-(1)")
    send(conn, plan, live, members[2], text="相談先が遠い", goal_id="3-(1)")
    board = issues.issue_board(conn, plan, live.id)
    assert [g.basic_plan_id for g in board.plans] == [bp.id for bp in plan.basic_plans]
    first = board.plans[0]
    assert first.color == plan.basic_plans[0].color
    assert [c.text for c in first.goals[0].cards] == ["あいさつがない", "祭りの担い手"]
    assert first.goals[0].count == 2 and first.count == 2
    assert [g.id for g in board.unraised] == [
        g.id for g in plan.goals() if g.id not in ("1-(1)", "3-(1)")
    ]
    counts = {c.goal_id: c.count for c in board.goal_counts()}
    assert counts == {g.id: {"1-(1)": 2, "3-(1)": 1}.get(g.id, 0) for g in plan.goals()}
    assert len(board.cards) == 3 and board.total_count == 3


def test_board_keeps_issues_of_goals_not_in_the_plan(conn, plan, live, members):
    # an issue written with another plan file: shown in its own group, never dropped
    conn.execute(
        "INSERT INTO issues (meeting_id, member_id, text, goal_id, seriousness, reach, created_at,"
        " updated_at) VALUES (?, ?, '古い計画の困りごと', '9-(1)', 3, 3, 'x', 'x')",
        (live.id, members[0].id),
    )
    board = issues.issue_board(conn, plan, live.id)
    assert board.plans[-1].name == msg.ISSUE_BOARD_OTHER_PLAN
    assert [c.text for c in board.plans[-1].cards] == ["古い計画の困りごと"]


def test_empty_board(conn, plan, live):
    board = issues.issue_board(conn, plan, live.id)
    assert board.cards == () and board.total_count == 0
    assert len(board.unraised) == len(plan.goals())


def test_store_refuses_out_of_range_values_even_without_the_checks(conn, live, members):
    with pytest.raises(sqlite3.IntegrityError):
        store.insert_issue(
            conn,
            meeting_id=live.id,
            member_id=members[0].id,
            text="x",
            goal_id="1-(1)",
            seriousness=9,
            reach=1,
        )


# --- sample data and charts ------------------------------------------------------------------------------
def test_sample_issues_are_plausible(conn, plan, meeting, members):
    sample = SampleMeeting(meeting.id, meeting.district_id, tuple(m.id for m in members), False)
    open_ = add_sample_issues(conn, random.Random(3), plan, sample)
    assert 5 <= len(open_) <= 12
    assert all(plan.has_goal(i.goal_id) for i in open_)
    assert conn.execute("SELECT count(*) FROM issues WHERE status = 'merged'").fetchone()[0] >= 1
    assert any(i.raised_count > 1 for i in open_)
    assert any(i.spoken for i in open_)
    assert (
        conn.execute("SELECT phase FROM meetings WHERE id = ?", (meeting.id,)).fetchone()[0]
        == "setup"
    )


def test_sample_city_has_issues_in_every_meeting(plan):
    from kit.sample.city import build_sample_city

    conn = open_store(":memory:")
    built = build_sample_city(conn, plan)
    counts = [len(issues.open_issues(conn, s.meeting_id)) for s in built]
    assert all(5 <= n <= 12 for n in counts)
    assert conn.execute("SELECT count(*) FROM issues WHERE status = 'hidden'").fetchone()[0] >= 1
    again = open_store(":memory:")
    build_sample_city(again, plan)
    assert [tuple(r) for r in again.execute("SELECT text, goal_id, status FROM issues")] == [
        tuple(r) for r in conn.execute("SELECT text, goal_id, status FROM issues")
    ]


def test_goal_counts_chart(conn, plan, live, members):
    from kit.charts.issues import goal_counts_figure

    send(conn, plan, live, members[0], text="<b>太字</b>", goal_id="1-(1)")
    issues.merge_issues(
        conn,
        send(conn, plan, live, members[1], text="相談先", goal_id="3-(1)").id,
        send(conn, plan, live, members[2], text="相談先がない", goal_id="3-(1)").id,
    )
    fig = goal_counts_figure(issues.issue_board(conn, plan, live.id).goal_counts())
    assert [t.name for t in fig.data] == [f"{bp.id} {bp.name}" for bp in plan.basic_plans]
    assert [t.marker.color for t in fig.data] == [bp.color for bp in plan.basic_plans]
    bars = {y: x for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    assert len(bars) == len(plan.goals())
    assert bars["1-(1) " + plan.goal("1-(1)").plain] == 1
    assert bars["3-(1) " + plan.goal("3-(1)").plain] == 2
    assert sum(bars.values()) == 3


def test_tablet_modules_do_not_import_pandas_or_plotly():
    code = (
        "import sys, kit.ui.member, kit.ui.member_issues, kit.meeting.issues, kit.sample.issues;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pandas', 'plotly')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_spoken_issue_registers_a_member_without_a_tablet_by_name(conn, plan, live, members):
    issue = issues.add_spoken_issue(
        conn, plan, live.id, text="ごみ置き場が遠い", goal_id="3-(2)", speaker_name=" すずき "
    )
    member = meeting_store.get_member(conn, issue.member_id)
    assert (member.display_name, member.has_tablet, member.meeting_id) == ("すずき", False, live.id)
    again = issues.add_spoken_issue(
        conn, plan, live.id, text="街灯が少ない", goal_id="3-(2)", speaker_name="すずき"
    )
    assert again.member_id == member.id  # the same person, not a second member
    blank = issues.add_spoken_issue(
        conn, plan, live.id, text="名前なし", goal_id="1-(1)", speaker_name="  "
    )
    assert blank.member_id is None
    count = len(meeting_store.list_members(conn, live.id))
    before = rows(conn)
    with pytest.raises(ValidationError):  # a refused issue registers nobody
        issues.add_spoken_issue(
            conn, plan, live.id, text="", goal_id="1-(1)", speaker_name="さとう"
        )
    with pytest.raises(ValidationError):
        issues.add_spoken_issue(
            conn, plan, live.id, text="x", goal_id="1-(1)", speaker_name="長" * 21
        )
    with pytest.raises(ValidationError):
        issues.add_spoken_issue(conn, plan, live.id, text="x", goal_id="1-(1)", speaker_name=42)
    assert rows(conn) == before
    assert len(meeting_store.list_members(conn, live.id)) == count
