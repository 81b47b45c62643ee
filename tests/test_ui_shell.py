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
