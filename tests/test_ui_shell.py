"""The page shells as widget trees: member joining, facilitator phases, refusal without the key."""

from __future__ import annotations

from kit.meeting import access, meetings
from kit.store import meetings as store
from kit.ui.context import PageContext
from kit.ui.facilitator import FacilitatorApp
from kit.ui.member import MemberApp
from kit.ui.pages import facilitator_page


def _ctx(conn, settings, plan):
    return PageContext(conn=conn, settings=settings, plan=plan)


def test_member_joins_and_follows_the_phase(conn, settings, plan, meeting):
    app = MemberApp(_ctx(conn, settings, plan))
    app.code.value, app.name.value = meeting.join_code, "はな"
    app.join_button.click()
    assert app.ctx.member_id is not None
    assert app.join_box.layout.display == "none"
    assert "準備" in app.phase_title.value
    meetings.set_phase(conn, meeting.id, "issues")
    app.refresh()
    assert "困りごと" in app.phase_title.value
    assert app.body.children  # the issue form is shown


def test_member_wrong_code_shows_message_and_joins_nobody(conn, settings, plan, meeting):
    app = MemberApp(_ctx(conn, settings, plan))
    app.code.value, app.name.value = "0000", "はな"
    app.join_button.click()
    assert "参加コードが違います" in app.feedback.value
    assert app.ctx.member_id is None


def test_member_name_with_html_is_escaped_in_the_status(conn, settings, plan, meeting):
    app = MemberApp(_ctx(conn, settings, plan))
    app.code.value, app.name.value = meeting.join_code, "<img src=x>"
    app.join_button.click()
    assert "<img" not in app.status.value and "&lt;img" in app.status.value


def test_facilitator_moves_phases_and_shows_the_setup_panel(conn, settings, plan, meeting):
    app = FacilitatorApp(_ctx(conn, settings, plan))
    assert app.ctx.meeting_id == meeting.id
    assert meeting.join_code in app.panel.join_screen.value
    assert 'viewBox="0 0' in app.panel.join_screen.value  # scaled, never clipped
    assert app.join_info.layout.display == "none"  # the join screen is the body in 準備
    app.next_button.click()
    assert store.get_phase(conn, meeting.id) == "issues"
    assert app.join_info.layout.display is None and "<svg" in app.join_info.value  # the corner
    app.phase_buttons["vote"].value = True
    assert store.get_phase(conn, meeting.id) == "vote"
    app.phase_buttons["vote"].value = False  # un-pressing the current phase keeps it
    assert app.phase_buttons["vote"].value is True
    app.back_button.click()
    assert store.get_phase(conn, meeting.id) == "map"


def test_facilitator_creates_a_meeting_from_the_setup_form(conn, settings, plan, district):
    app = FacilitatorApp(_ctx(conn, settings, plan))
    form = app.setup
    form.district_pick.value = district.id
    form.title.value, form.date.value, form.agenda.value = (
        "新しい会議",
        "2026-12-01",
        "1. あいさつ\n2. <b>話し合い</b>",
    )
    form.create.click()
    assert app.ctx.meeting_id is not None
    assert "参加コード" in form.feedback.value
    assert "&lt;b&gt;" in app.panel.agenda.value


def test_facilitator_page_without_key_builds_no_controls(conn, settings, plan):
    access.ensure_facilitator_key(conn, "right")
    widget = facilitator_page(settings, query_string="key=wrong", show=False)
    assert "tk-refused" in widget._dom_classes
    widget = facilitator_page(settings, query_string="", show=False)
    assert "tk-refused" in widget._dom_classes
    app = facilitator_page(settings, query_string="key=right", show=False)
    assert isinstance(app, FacilitatorApp)


def _on_stage(app) -> list:
    """The panels a tablet shows (the others are in the page, drawn ahead, hidden)."""
    from kit.ui.common import OFFSTAGE

    return [c for c in app.body.children if OFFSTAGE not in c._dom_classes]


def _build_all_ahead(app, limit: int = 100) -> int:
    steps = 0
    while app.prebuild_step():
        steps += 1
        assert steps < limit, "building ahead never ends"
    return steps


def test_a_joined_tablet_builds_its_panels_ahead_and_a_phase_change_shows_them(
    conn, settings, plan, meeting
):
    from kit.meeting import issues, voting
    from kit.ui.member import PREBUILT_ROWS

    app = MemberApp(_ctx(conn, settings, plan))
    assert app.prebuild_step() is False  # nobody joined: nothing is built for nobody
    app.code.value, app.name.value = meeting.join_code, "はな"
    app.join_button.click()
    _build_all_ahead(app)
    issues_panel, vote_panel = app.built["issues"], app.built["vote"]
    assert len(vote_panel.rows) == PREBUILT_ROWS
    assert app.body.children == (issues_panel.widget, vote_panel.widget)  # drawn now
    assert _on_stage(app) == []  # and hidden: 準備 has no panel
    meetings.set_phase(conn, meeting.id, "issues")
    app.refresh()
    assert _on_stage(app) == [issues_panel.widget]  # the panel built ahead, not a new one
    open_issues = PREBUILT_ROWS + 2
    for n in range(open_issues):
        issues.submit_issue(
            conn, plan, meeting.id, app.ctx.member_id, text=f"困りごと{n}", goal_id="1-(1)",
            seriousness=2, reach=2,
        )  # fmt: skip
    meetings.set_phase(conn, meeting.id, "vote")
    app.refresh()
    assert _on_stage(app) == [vote_panel.widget]
    assert app.body.children == (issues_panel.widget, vote_panel.widget)  # nothing redrawn
    assert app.prebuild_step() is True  # in 投票: a row for every open issue
    rows, drawn = list(vote_panel.rows), vote_panel.body.children
    assert len(rows) == PREBUILT_ROWS + 1 and all(r.widget in drawn for r in rows)  # hidden
    specs = [voting.proposal(f"案{n}", None) for n in range(3)]
    voting.create_vote(conn, meeting.id, specs, plan=plan, method="dots", open_now=True)
    app.refresh()
    assert vote_panel.body.children == drawn  # opening the vote draws nothing new
    shown = [c for c in drawn if "tk-offstage" not in c._dom_classes]
    assert [r.widget for r in rows[:3]] == [c for c in shown if c in [r.widget for r in rows]]
    assert vote_panel.ballot_open and vote_panel.rows[:3] == rows[:3]  # rows reused
    assert app.prebuild_step() is False  # a ballot is open: nothing more is built beside it
    assert len(vote_panel.rows) == PREBUILT_ROWS + 1 < open_issues


def test_building_ahead_builds_nothing_for_a_member_who_was_removed(
    conn, settings, plan, meeting
):
    from kit.meeting import identity

    app = MemberApp(_ctx(conn, settings, plan))
    app.code.value, app.name.value = meeting.join_code, "はな"
    app.join_button.click()
    identity.remove_member(conn, meeting.id, app.ctx.member_id)
    app.refresh()
    assert app.join_box.layout.display is None
    assert app.prebuild_step() is False and app.built == {}


def test_a_page_of_the_kits_server_joins_only_once_bound_to_its_device(
    conn, settings, plan, meeting, monkeypatch
):
    from kit import messages as msg
    from kit.settings import KIT_SERVER_ENV

    monkeypatch.setenv(KIT_SERVER_ENV, "1")
    app = MemberApp(_ctx(conn, settings, plan))
    app.ctx.kernel_id = "a-kernel-the-guard-never-bound"
    app.code.value, app.name.value = meeting.join_code, "はな"
    app.join_button.click()
    assert msg.NEEDS_RELOAD in app.feedback.value and app.ctx.member_id is None
    # plain Voila (the benchmarks' baseline) has no guard and no devices: it joins
    monkeypatch.delenv(KIT_SERVER_ENV)
    app.join_button.click()
    assert app.ctx.member_id is not None
