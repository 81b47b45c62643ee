"""Widget tests for 困りごと出し: set values, click buttons, check the store and the widgets."""

from __future__ import annotations

import pytest

from kit import messages as msg
from kit.meeting import issues, meetings
from kit.store import issues as store
from kit.store import meetings as meeting_store
from kit.store import open_store
from kit.ui.board import IssueBoardPanel
from kit.ui.context import PageContext
from kit.ui.member_issues import MemberIssuesPanel, goal_css

XSS = '<script>window.hacked=1</script><img src=x onerror="alert(1)">'


@pytest.fixture
def live(conn, meeting):
    meetings.set_phase(conn, meeting.id, "issues")
    return meeting


def tablet(conn, settings, plan, meeting, member) -> MemberIssuesPanel:
    return MemberIssuesPanel(PageContext(conn, settings, plan, meeting.id, member.id))


def rows(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT * FROM issues ORDER BY id")]


def fill(
    panel: MemberIssuesPanel, text="ごみ出しが難しい方がいる", goal="3-(2)", seriousness=4, reach=2
):
    panel.text.value = text
    if goal:
        panel.goal_buttons[goal].click()
    panel.seriousness.value = seriousness
    panel.reach.value = reach


def find(widget, cls: str) -> list:
    """All widgets under ``widget`` carrying the CSS class ``cls``."""
    found = [widget] if cls in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, cls)
    return found


# --- the tablet form --------------------------------------------------------------------------------
def test_form_offers_every_goal_in_plain_words_grouped_by_basic_plan(
    conn, settings, plan, live, members
):
    panel = tablet(conn, settings, plan, live, members[0])
    sections = find(panel.widget, "tk-issue-plan")
    assert len(sections) == len(plan.basic_plans)
    for section, bp in zip(sections, plan.basic_plans, strict=True):
        buttons = find(section, "tk-issue-goal")
        assert [b.description for b in buttons] == [g.plain for g in bp.goals]
        summaries = [s.value for s in find(section, "tk-issue-goal-summary")]
        assert all(g.summary in s for g, s in zip(bp.goals, summaries, strict=True))
        assert bp.name in find(section, "tk-issue-plan-header")[0].value
    assert goal_css("1-(2)") == "tk-goal-1-2"
    assert "tk-goal-1-2" in panel.goal_buttons["1-(2)"]._dom_classes


def test_counter_follows_the_text(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    assert panel.counter.value == "0 / 200 文字"
    panel.text.value = "坂道"
    assert panel.counter.value == "2 / 200 文字"
    panel.text.value = "あ" * 205
    assert panel.counter.value == msg.ISSUE_COUNTER_OVER.format(count=205, limit=200, over=5)
    assert "tk-issue-counter-over" in panel.counter._dom_classes
    panel.text.value = "あ"
    assert "tk-issue-counter-over" not in panel.counter._dom_classes


def test_slider_words(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    word = find(panel.widget, "tk-issue-seriousness-word")[0]
    panel.seriousness.value = 5
    assert word.value == "5：" + msg.ISSUE_SERIOUSNESS_WORDS[5]
    reach_word = find(panel.widget, "tk-issue-reach-word")[0]
    panel.reach.value = 1
    assert reach_word.value == "1：" + msg.ISSUE_REACH_WORDS[1]


def test_send_stores_the_issue_and_clears_the_form(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel)
    panel.place.value = "団地の3号棟"
    panel.send.click()
    [issue] = store.list_issues(conn, live.id)
    assert (
        issue.text,
        issue.goal_id,
        issue.seriousness,
        issue.reach,
        issue.place,
        issue.member_id,
    ) == (
        "ごみ出しが難しい方がいる",
        "3-(2)",
        4,
        2,
        "団地の3号棟",
        members[0].id,
    )
    assert msg.ISSUE_SENT in panel.feedback.value
    assert (panel.text.value, panel.place.value, panel.selected_goal) == ("", "", None)
    assert (panel.seriousness.value, panel.reach.value) == (3, 3)
    assert panel.tab_mine.description == msg.ISSUE_TAB_MINE.format(count=1)
    # a double tap right after sending does nothing (no second issue, no red error)
    panel.send.click()
    assert len(store.list_issues(conn, live.id)) == 1
    assert "tk-error" not in panel.feedback.value


def test_goal_buttons_act_like_radio_buttons(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    panel.goal_buttons["1-(1)"].click()
    panel.goal_buttons["2-(2)"].click()
    assert panel.selected_goal == "2-(2)"
    chosen = [gid for gid, b in panel.goal_buttons.items() if "tk-selected" in b._dom_classes]
    assert chosen == ["2-(2)"]
    assert panel.goal_buttons["2-(2)"].button_style == "info"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"text": ""}, msg.ISSUE_TEXT_EMPTY),
        ({"text": " \u3000 "}, msg.ISSUE_TEXT_EMPTY),
        ({"text": "あ" * 201}, msg.ISSUE_TEXT_TOO_LONG.format(limit=200)),
        ({"goal": None}, msg.ISSUE_GOAL_MISSING),
    ],
)
def test_bad_input_shows_the_message_and_stores_nothing(
    conn, settings, plan, live, members, values, message
):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel, **values)
    panel.send.click()
    assert rows(conn) == []
    assert "tk-error" in panel.feedback.value and message in panel.feedback.value
    assert panel.text.value == values.get("text", "ごみ出しが難しい方がいる")  # kept for fixing


def test_crafted_widget_messages_are_refused_by_the_server_side(
    conn, settings, plan, live, members
):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel)
    # a crafted comm message can widen a slider and set any value, or any goal id
    panel.seriousness.max = 99
    panel.seriousness.value = 99
    panel.send.click()
    assert rows(conn) == []
    assert msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_SERIOUSNESS) in panel.feedback.value
    panel.seriousness.max, panel.seriousness.value = 5, 3
    panel.selected_goal = "9-(9)"
    panel.send.click()
    assert rows(conn) == []
    assert msg.ISSUE_GOAL_UNKNOWN.format(goal="9-(9)") in panel.feedback.value
    panel.reach.min = -5
    panel.reach.value = -5
    panel.selected_goal = "1-(1)"
    panel.send.click()
    assert rows(conn) == []
    assert msg.ISSUE_SCALE_INVALID.format(what=msg.ISSUE_REACH) in panel.feedback.value


def test_html_in_the_text_is_shown_as_text(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel, text=XSS)
    panel.send.click()
    assert store.list_issues(conn, live.id)[0].text == XSS
    body = find(panel.mine, "tk-my-issue-body")[0].value
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;window.hacked=1&lt;/script&gt;" in body


def test_sending_after_the_phase_ended(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    meetings.step_phase(conn, live.id, 1)
    fill(panel)
    panel.send.click()
    assert rows(conn) == []
    assert msg.ISSUE_PHASE_OVER in panel.feedback.value


def test_tabs_show_one_task_at_a_time(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    assert panel.form.layout.display is None and panel.mine.layout.display == "none"
    panel.tab_mine.value = True
    assert panel.form.layout.display == "none" and panel.mine.layout.display is None
    assert panel.tab_write.value is False
    assert msg.ISSUE_MINE_EMPTY in find(panel.mine, "tk-my-issues-empty")[0].value
    panel.tab_write.value = True
    assert panel.form.layout.display is None


def test_edit_from_my_issues(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel)
    panel.send.click()
    panel.tab_mine.value = True
    find(panel.mine, "tk-my-issue-edit")[0].click()
    assert panel.form.layout.display is None
    assert (panel.text.value, panel.selected_goal, panel.seriousness.value) == (
        "ごみ出しが難しい方がいる",
        "3-(2)",
        4,
    )
    assert panel.send.description == msg.ISSUE_SAVE_EDIT
    panel.text.value = "ごみ出しを手伝ってほしい方がいる"
    panel.goal_buttons["1-(2)"].click()
    panel.send.click()
    [issue] = store.list_issues(conn, live.id)
    assert (issue.text, issue.goal_id, issue.version) == (
        "ごみ出しを手伝ってほしい方がいる",
        "1-(2)",
        2,
    )
    assert msg.ISSUE_SAVED in panel.mine_feedback.value
    assert panel.send.description == msg.ISSUE_SEND and panel.editing_id is None
    assert "ごみ出しを手伝ってほしい方がいる" in find(panel.mine, "tk-my-issue-body")[0].value


def test_cancel_editing(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel)
    panel.send.click()
    find(panel.mine, "tk-my-issue-edit")[0].click()
    panel.text.value = "途中まで"
    panel.cancel_edit.click()
    assert panel.editing_id is None and panel.text.value == ""
    assert store.list_issues(conn, live.id)[0].text == "ごみ出しが難しい方がいる"


def test_two_tablets_editing_the_same_issue(conn, settings, plan, live, members, db_path):
    first = tablet(conn, settings, plan, live, members[0])
    fill(first)
    first.send.click()
    second_conn = open_store(db_path)  # the same member rejoined on another tablet (own kernel)
    try:
        second = tablet(second_conn, settings, plan, live, members[0])
        find(first.mine, "tk-my-issue-edit")[0].click()
        find(second.mine, "tk-my-issue-edit")[0].click()
        second.text.value = "二台目の言葉"
        second.send.click()
        assert msg.ISSUE_SAVED in second.mine_feedback.value
        first.text.value = "一台目の言葉"
        first.send.click()
        assert "tk-error" in first.feedback.value
        assert msg.ISSUE_CONFLICT.format(text="二台目の言葉") in first.feedback.value
        assert store.list_issues(conn, live.id)[0].text == "二台目の言葉"
        assert first.text.value == "一台目の言葉"  # what was typed is kept
        first.send.click()  # a second press writes it over, on purpose
        assert store.list_issues(conn, live.id)[0].text == "一台目の言葉"
    finally:
        second_conn.close()


def test_withdraw_asks_first(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel)
    panel.send.click()
    card = find(panel.mine, "tk-my-issue")[0]
    confirm = find(card, "tk-my-issue-confirm")[0]
    assert confirm.layout.display == "none"
    find(card, "tk-my-issue-withdraw")[0].click()
    assert confirm.layout.display is None
    assert store.list_issues(conn, live.id)[0].status == "open"
    find(card, "tk-my-issue-withdraw-cancel")[0].click()
    assert confirm.layout.display == "none"
    find(card, "tk-my-issue-withdraw")[0].click()
    find(card, "tk-my-issue-withdraw-confirm")[0].click()
    assert store.list_issues(conn, live.id)[0].status == "withdrawn"
    assert msg.ISSUE_WITHDRAWN in panel.mine_feedback.value
    assert panel.tab_mine.description == msg.ISSUE_TAB_MINE.format(count=0)


def test_my_issues_follow_the_facilitator(conn, settings, plan, live, members):
    panel = tablet(conn, settings, plan, live, members[0])
    fill(panel, text="一つ目")
    panel.send.click()
    fill(panel, text="二つ目")
    panel.send.click()
    a, b = store.list_issues(conn, live.id)
    issues.merge_issues(conn, a.id, b.id)
    panel.refresh()
    cards = find(panel.mine, "tk-my-issue")
    assert ["tk-my-issue-open" in c._dom_classes for c in cards] == [True, False]
    assert msg.ISSUE_STATUS["merged"] in find(cards[1], "tk-my-issue-body")[0].value
    assert find(cards[1], "tk-my-issue-edit") == []


# --- the projector board ----------------------------------------------------------------------------------
@pytest.fixture
def board_setup(conn, settings, plan, live, members):
    sent = [
        issues.submit_issue(
            conn,
            plan,
            live.id,
            members[0].id,
            text="あいさつがない",
            goal_id="1-(1)",
            seriousness=2,
            reach=3,
        ),
        issues.submit_issue(
            conn,
            plan,
            live.id,
            members[1].id,
            text="あいさつする機会がない",
            goal_id="1-(1)",
            seriousness=3,
            reach=3,
        ),
        issues.submit_issue(
            conn, plan, live.id, members[2].id, text=XSS, goal_id="3-(1)", seriousness=5, reach=1
        ),
    ]
    panel = IssueBoardPanel(PageContext(conn, settings, plan, live.id, None))
    return panel, sent


def test_board_shows_issues_grouped_and_escaped(board_setup, plan):
    panel, sent = board_setup
    html = panel.groups.value
    assert (
        html.index('data-plan="1"') < html.index('data-goal="1-(1)"') < html.index("あいさつがない")
    )
    assert html.index('data-plan="3"') < html.index('data-goal="3-(1)"')
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<b>3</b>" in panel.total.value
    unraised = panel.unraised.value
    assert "1-(1)" not in unraised and "2-(1)" in unraised
    figure = panel.chart.figure  # what goes to the browser: a plain dict
    assert set(figure) == {"data", "layout"} and len(figure["data"]) == len(plan.basic_plans)
    assert panel.chart.config["displayModeBar"] is False  # no plotly toolbar on the projector


def test_board_follows_new_issues(board_setup, conn, plan, live, members):
    panel, _ = board_setup
    chart = panel.chart.figure
    issues.submit_issue(
        conn,
        plan,
        live.id,
        members[0].id,
        text="会費の使い道が見えない",
        goal_id="4-(2)",
        seriousness=2,
        reach=2,
    )
    panel.refresh()
    assert "会費の使い道が見えない" in panel.groups.value
    assert panel.chart.figure != chart
    before = panel.chart.figure
    panel.refresh()  # nothing changed: nothing redrawn
    assert panel.chart.figure is before


def test_board_edit_wording(board_setup, conn):
    panel, sent = board_setup
    panel.show_controls(True)
    assert panel.controls.layout.display is None
    panel.pick.value = sent[0].id
    assert panel.edit_text.value == "あいさつがない" and panel.edit_goal.value == "1-(1)"
    panel.edit_text.value = "ご近所であいさつが少ない"
    panel.edit_save.click()
    assert store.get_issue(conn, sent[0].id).text == "ご近所であいさつが少ない"
    assert msg.ISSUE_BOARD_EDITED.format(id=sent[0].id) in panel.feedback.value
    assert "ご近所であいさつが少ない" in panel.groups.value


def test_board_edit_conflicts_with_a_tablet(board_setup, conn, plan, members):
    panel, sent = board_setup
    panel.pick.value = sent[0].id
    issues.edit_issue(
        conn,
        plan,
        sent[0].id,
        members[0].id,
        sent[0].version,
        text="本人が直した",
        goal_id="1-(1)",
        seriousness=2,
        reach=3,
    )
    panel.edit_text.value = "進行役の言葉"
    panel.edit_save.click()
    assert msg.ISSUE_CONFLICT.format(text="本人が直した") in panel.feedback.value
    assert store.get_issue(conn, sent[0].id).text == "本人が直した"


def test_new_issues_do_not_wipe_what_the_facilitator_types(board_setup, conn, plan, live, members):
    panel, sent = board_setup
    panel.pick.value = sent[0].id
    panel.edit_text.value = "書きかけ"
    issues.submit_issue(
        conn, plan, live.id, members[1].id, text="新しい声", goal_id="2-(1)", seriousness=1, reach=1
    )
    panel.refresh()
    assert panel.pick.value == sent[0].id and panel.edit_text.value == "書きかけ"


def test_board_merge(board_setup, conn):
    panel, sent = board_setup
    panel.merge_keep.value = sent[0].id
    panel.merge_from.value = sent[1].id
    panel.merge.click()
    kept = store.get_issue(conn, sent[0].id)
    assert kept.raised_count == 2 and store.get_issue(conn, sent[1].id).status == "merged"
    assert (
        msg.ISSUE_BOARD_MERGED.format(source=sent[1].id, target=sent[0].id, count=2)
        in panel.feedback.value
    )
    html = panel.groups.value
    assert "あいさつする機会がない" not in html
    assert "×2" in html and "あお・みどり" in html
    assert sent[1].id not in [v for _, v in panel.merge_from.options]


def test_board_merge_same_issue_is_refused(board_setup, conn):
    panel, sent = board_setup
    before = rows(conn)
    panel.merge_keep.value = panel.merge_from.value = sent[0].id
    panel.merge.click()
    assert msg.ISSUE_MERGE_SAME in panel.feedback.value
    panel.merge_keep.value = None
    panel.merge.click()
    assert msg.ISSUE_CHOOSE_FIRST in panel.feedback.value
    assert rows(conn) == before


def test_board_hide_and_unhide(board_setup, conn):
    panel, sent = board_setup
    panel.pick.value = sent[2].id
    panel.hide.click()
    assert store.get_issue(conn, sent[2].id).status == "hidden"
    assert "&lt;script&gt;" not in panel.groups.value
    assert "3-(1)" in panel.unraised.value
    assert panel.pick.value == sent[2].id  # still picked, now marked hidden
    panel.hide.click()
    assert msg.ISSUE_ALREADY_HIDDEN in panel.feedback.value
    panel.unhide.click()
    assert store.get_issue(conn, sent[2].id).status == "open"
    assert "&lt;script&gt;" in panel.groups.value


def test_board_spoken_issue(board_setup, conn, live):
    panel, _ = board_setup
    paper = meetings.add_member_without_tablet(conn, live.id, "紙のたなか")
    panel.refresh()
    panel.spoken_text.value = "回覧板が届くのが遅い"
    panel.spoken_goal.value = "2-(2)"
    panel.spoken_member.value = paper.id
    panel.spoken_reach.value = 4
    panel.spoken_add.click()
    issue = store.list_issues(conn, live.id)[-1]
    assert (issue.text, issue.goal_id, issue.member_id, issue.spoken, issue.reach) == (
        "回覧板が届くのが遅い",
        "2-(2)",
        paper.id,
        True,
        4,
    )
    assert panel.spoken_text.value == ""
    assert msg.ISSUE_BOARD_SPOKEN in panel.groups.value and "紙のたなか" in panel.groups.value
    before = rows(conn)
    panel.spoken_add.click()  # empty text now
    assert msg.ISSUE_TEXT_EMPTY in panel.feedback.value
    assert rows(conn) == before


def test_board_spoken_issue_by_a_new_name(board_setup, conn, live):
    panel, _ = board_setup
    panel.spoken_text.value = "回覧板が読みにくい"
    panel.spoken_name.value = "はやし"
    panel.spoken_add.click()
    issue = store.list_issues(conn, live.id)[-1]
    member = meeting_store.get_member(conn, issue.member_id)
    assert (member.display_name, member.has_tablet) == ("はやし", False)
    assert panel.spoken_name.value == "" and "はやし" in panel.groups.value
    assert ("はやし", member.id) in list(panel.spoken_member.options)


def test_empty_board(conn, settings, plan, live):
    panel = IssueBoardPanel(PageContext(conn, settings, plan, live.id, None))
    assert msg.ISSUE_BOARD_EMPTY in panel.groups.value
    assert msg.ISSUE_BOARD_UNRAISED_TITLE in panel.unraised.value


def test_shells_use_the_issue_panels(conn, settings, plan, live, members):
    from kit.ui.facilitator import FacilitatorApp, facilitator_panels
    from kit.ui.member import MemberApp, member_panels

    assert member_panels()["issues"] is MemberIssuesPanel
    assert facilitator_panels()["issues"] is IssueBoardPanel
    app = MemberApp(PageContext(conn, settings, plan))
    app.code.value, app.name.value = live.join_code, "あお"
    app.join_button.click()
    assert isinstance(app.panel, MemberIssuesPanel)
    projector = FacilitatorApp(PageContext(conn, settings, plan))
    assert isinstance(projector.panel, IssueBoardPanel)
    projector.poller.stop()
    app.poller.stop()
