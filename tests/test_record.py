"""The 会議録 (meeting record): what a district hands out after a meeting, and nothing personal."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from kit import messages as msg
from kit.cli import main
from kit.meeting import actions, meetings
from kit.record.contents import meeting_record, pick_meeting
from kit.record.page import japanese_date, record_html, write_record
from tests.office_helpers import (
    HOSTILE_ISSUE,
    SECRET_MEMBERS,
    SECRET_NOTES,
    SECRET_RESIDENTS,
    full_meeting,
)

MADE = dt.datetime(2026, 10, 3, 15, 30)


@pytest.fixture
def two_meetings(conn, plan):
    """A full meeting (map with secrets, a tied dot vote, two actions) and the next one."""
    first = full_meeting(conn, plan, held_on="2026-06-13")
    meetings.set_phase(conn, first, "closed")
    second = meetings.create_meeting(
        conn,
        district_id="d01",
        title="第2回 テスト会議",
        held_on="2026-10-03",
        plan_id=plan.plan_id,
        agenda="1. 前回のふりかえり\n2. 困りごと出し\n<script>alert(1)</script>",
    )
    meetings.join_meeting(conn, second.join_code, "新しい委員")
    meetings.set_phase(conn, second.id, "wrapup")
    done = actions.meeting_actions(conn, first)[0]
    actions.set_action_status(conn, done.id, "done")
    return first, second.id


def test_the_record_holds_what_was_decided(conn, plan, two_meetings):
    first, _ = two_meetings
    record = meeting_record(conn, plan, first, made_at=MADE)
    assert (record.district, record.held_on, record.members) == ("テスト地区", "2026-06-13", 3)
    assert record.issue_count == 4
    assert [g.goal_id for g in record.issues] == ["1-(2)", "2-(1)", "3-(1)"]  # plan order
    vote = record.votes[0]
    assert vote.method == "dots" and vote.closed and vote.ballots == 3 and vote.eligible == 3
    top = vote.lines[0]
    assert (top.rank, top.label, top.score, top.spread) == (1, "ひとり暮らしの見守りが心配", 7, 2)
    assert [line.rank for line in vote.lines] == [1, 2, 2, 4]  # a tie shares the better rank
    assert vote.ties == (("買い物に行けない高齢者が増えている", "サロンの担い手が足りない"),)
    assert [a.title for a in record.actions] == ["見守り当番表をつくる", "@買い物バスの相談"]
    assert record.actions[0].policy.startswith("1-(2)-①")
    assert record.follow_up is None  # the district's first meeting
    counts = dict(record.map_counts)
    assert counts["マップの人（世帯）"] == 3


def test_the_next_meeting_follows_up_the_previous_actions(conn, plan, two_meetings):
    _, second = two_meetings
    record = meeting_record(conn, plan, second, made_at=MADE)
    assert record.follow_up is not None
    assert record.follow_up.held_on == "2026-06-13"
    assert [a.status for a in record.follow_up.actions] == ["done", "not_started"]
    assert record.follow_up.counts == {"not_started": 1, "in_progress": 0, "done": 1}
    page = record_html(record)
    assert msg.RECORD_FOLLOW_UP in page and "完了" in page and "未着手" in page
    assert "<li>前回のふりかえり</li>" in page  # the typed number is not doubled
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_page_is_printable_offline_and_carries_no_personal_data(conn, plan, two_meetings):
    first, _ = two_meetings
    page = record_html(meeting_record(conn, plan, first, made_at=MADE))
    assert page.startswith("<!DOCTYPE html>") and 'lang="ja"' in page
    assert "@page { size: A4 portrait" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing from outside
    assert "<script" not in page
    for secret in (
        *SECRET_RESIDENTS,
        *SECRET_NOTES,
        *SECRET_MEMBERS,
        "世話焼きの人",
        "ひだまりサロン",
    ):
        assert secret not in page, secret
    assert HOSTILE_ISSUE not in page and "=HYPERLINK(&quot;" in page
    for text in (
        "テスト地区 会議録",
        japanese_date("2026-06-13"),
        "2026年6月13日（土）",
        msg.RECORD_ATTENDANCE_VALUE.format(members=3, tablet=3, paper=0),
        "ひとり暮らしの見守りが心配",
        msg.VOTE_METHOD_LABELS["dots"],
        msg.RECORD_TIE_MARK,
        msg.RECORD_SPREAD_NOTE,
        "見守り当番表をつくる",
        "自治会",
        "2026年9月30日（水）",
        msg.RECORD_MAP,
        msg.RECORD_FOLLOW_UP_NONE,
    ):
        assert text in page, text


def test_write_record_to_a_folder_or_a_file(conn, plan, two_meetings, tmp_path):
    first, _ = two_meetings
    in_folder = write_record(conn, plan, first, tmp_path / "records", made_at=MADE)
    assert in_folder.parent == tmp_path / "records"
    assert in_folder.name == "会議録_2026-06-13_テスト地区_第1回_テスト会議.html"
    as_file = write_record(conn, plan, first, tmp_path / "x" / "mine.html", made_at=MADE)
    assert as_file == tmp_path / "x" / "mine.html"
    assert as_file.read_bytes() == in_folder.read_bytes()


def test_pick_meeting_latest_or_an_id(conn, plan, two_meetings):
    first, second = two_meetings
    assert pick_meeting(conn, "latest") == second
    assert pick_meeting(conn, None) == second
    assert pick_meeting(conn, str(first)) == first
    with pytest.raises(Exception) as wrong:
        pick_meeting(conn, "1; DROP TABLE")
    assert "正しくありません" in str(wrong.value)


def test_tasukeai_record_command(db_path, conn, plan, two_meetings, tmp_path, capsys):
    first, second = two_meetings
    out = tmp_path / "latest.html"
    assert main(["record", "--db", str(db_path), "--out", str(out)]) == 0
    assert "第2回 テスト会議" in out.read_text(encoding="utf-8")
    assert msg.RECORD_CLI_WROTE.format(path=out) in capsys.readouterr().out
    folder = tmp_path / "folder"
    assert (
        main(["record", "--db", str(db_path), "--meeting", str(first), "--out", str(folder)]) == 0
    )
    assert len(list(folder.glob("会議録_2026-06-13_*.html"))) == 1
    assert main(["record", "--db", str(db_path), "--meeting", "zzz", "--out", str(folder)]) == 2
    assert "正しくありません" in capsys.readouterr().err
    missing = tmp_path / "none.sqlite"
    assert main(["record", "--db", str(missing)]) == 2
    assert not missing.exists()  # no database is created for a typo


def test_the_button_in_wrapup_and_closed_writes_the_record(conn, plan, settings, two_meetings):
    from kit.ui.context import PageContext
    from kit.ui.facilitator import facilitator_panels
    from kit.ui.wrapup import WrapUpPanel

    first, second = two_meetings
    wrapup = WrapUpPanel(PageContext(conn=conn, settings=settings, plan=plan, meeting_id=second))
    wrapup.handover.record.save_button.click()
    written = list(settings.records_dir.glob("*.html"))
    assert [p.name for p in written] == ["会議録_2026-10-03_テスト地区_第2回_テスト会議.html"]
    info = wrapup.handover.record.saved_info.value
    assert 'download="会議録_2026-10-03' in info and "data:text/html;charset=utf-8;base64," in info
    assert msg.RECORD_SAVED in wrapup.handover.record.feedback.value
    closed = facilitator_panels()["closed"](
        PageContext(conn=conn, settings=settings, plan=plan, meeting_id=first)
    )
    closed.record.save_button.click()
    assert len(list(settings.records_dir.glob("*.html"))) == 2


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils not installed")
def test_the_record_prints_on_a4_in_chromium(chromium, conn, plan, two_meetings, tmp_path):
    _, second = two_meetings
    path = write_record(conn, plan, second, tmp_path, made_at=MADE)
    pdf = tmp_path / "record.pdf"
    outside = []
    page = chromium.new_page()
    try:

        def route(r):
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(path.as_uri())
        page.pdf(path=str(pdf), format="A4", print_background=True)
    finally:
        page.close()
    assert outside == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert 1 <= pages <= 3
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "テスト地区 会議録" in text and "前回の取組のふりかえり" in text
    assert msg.RECORD_HINT[:10] not in text  # the on-screen hint is not printed
