"""Issue 16: every screen right for an elderly member and for the back of the room.

Widget and figure tests of the defects found when a 12-member meeting was played in Chromium;
the browser side (axe-core, touch targets, the projector's fold) is tests/browser/test_screens.py.
"""

from __future__ import annotations

from kit.charts.supportmap import map_figure
from kit.store.supportmap import MapLink, MapNode
from kit.supportmap.analysis import analyse_map
from kit.supportmap.model import MapData

STAMP = "2026-01-01T00:00:00.000Z"


def _person(node_id, label, x, y, flags=()):
    return MapNode(
        node_id, "d", "person", label, "", tuple(flags), "", "", "", x, y, False, STAMP, STAMP
    )


def _traces(fig, prefix):
    return [t for t in fig.data if str(t.meta).startswith(prefix)]


def test_finding_rings_do_not_cover_the_names():
    """A ringed person's name moves from under the ring to above it (on the ring's trace)."""
    nodes = (
        _person(1, "孤立さん", 20, 20, ["alone"]),
        _person(2, "見守りさん", 60, 60, ["needs_watch"]),
        _person(3, "Bさん", 80, 60),
    )
    data = MapData(nodes, (MapLink(1, "d", 3, 2, "visit", "strong", False, STAMP),))
    analysis = analyse_map(data)
    fig = map_figure(data, analysis=analysis, show_findings=True)
    shown = {}
    for trace in _traces(fig, "persons:"):
        shown.update({i: t for i, t in zip(trace.customdata, trace.text, strict=True)})
    assert shown[1] == "" and shown[2] == "" and shown[3] == "Bさん"
    isolated = _traces(fig, "finding:isolated")[0]
    watch = _traces(fig, "finding:watch_gap")[0]
    assert "text" in isolated.mode and isolated.textposition == "top center"
    assert list(isolated.text) == ["孤立さん"] and list(watch.text) == ["見守りさん"]
    # Findings off: the names are back on the persons, nothing on the (hidden) rings.
    plain = map_figure(data, analysis=analysis, show_findings=False)
    names = [t for tr in _traces(plain, "persons:") for t in tr.text]
    assert sorted(names) == ["Bさん", "孤立さん", "見守りさん"]
    assert all(not any(tr.text) for tr in _traces(plain, "finding:"))


# --- the tablet and projector defects ---------------------------------------------------------
def _find(widget, cls: str) -> list:
    found = [widget] if cls in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, cls)
    return found


def _open_dots_vote(conn, plan, meeting, labels=("見守り当番", "サロン")):
    from kit.meeting import meetings, voting

    meetings.set_phase(conn, meeting.id, "vote")
    specs = [voting.proposal(label) for label in labels]
    vote = voting.create_vote(conn, meeting.id, specs, plan=plan, method="dots", open_now=True)
    return vote, voting.vote_items(conn, vote.id)


def test_paper_ballot_for_a_member_who_joined_by_tablet(conn, settings, plan, meeting, members):
    """Typing a tablet member's name saves their paper ballot and shows no unexpected error."""
    from kit import messages as msg
    from kit.meeting import voting
    from kit.ui.context import PageContext
    from kit.ui.vote_panel import VotePanel

    vote, (a, b) = _open_dots_vote(conn, plan, meeting)
    panel = VotePanel(PageContext(conn, settings, plan, meeting.id))
    paper = panel.paper
    tablet_member = members[0]
    assert tablet_member.has_tablet
    paper.new_name.value = tablet_member.display_name
    paper.inputs[a.id].value = 2
    paper.save.click()
    assert msg.UNEXPECTED_ERROR not in paper.feedback.value
    assert msg.VOTE_PAPER_SAVED.format(name=tablet_member.display_name) in paper.feedback.value
    assert paper.member.value == tablet_member.id
    ballot = voting.my_ballot(conn, vote.id, tablet_member.id)
    assert ballot is not None and ballot.is_paper
    # The same member is offered in the list, so a second entry goes to them, not a new name.
    other = members[1]
    assert other.id in [value for _, value in paper.member.options]
    paper.member.value = other.id
    paper.inputs[b.id].value = 1
    paper.save.click()
    assert msg.VOTE_PAPER_SAVED.format(name=other.display_name) in paper.feedback.value
    assert voting.turnout(conn, vote.id).voted == 2


def test_tapping_the_selected_tab_keeps_it_selected(conn, settings, plan, meeting, members):
    from kit.meeting import meetings
    from kit.ui.context import PageContext
    from kit.ui.member_issues import MemberIssuesPanel

    meetings.set_phase(conn, meeting.id, "issues")
    panel = MemberIssuesPanel(PageContext(conn, settings, plan, meeting.id, members[0].id))
    assert panel.tab_write.value is True
    panel.tab_write.value = False  # the browser un-presses a pressed ToggleButton on a tap
    assert panel.tab_write.value is True and panel.tab_mine.value is False
    assert panel.form.layout.display is None and panel.mine.layout.display == "none"
    panel.tab_mine.value = True
    panel.tab_mine.value = False
    assert panel.tab_mine.value is True and panel.tab_write.value is False
    assert panel.mine.layout.display is None


def test_after_the_vote_closes_the_tablet_drops_the_prompt_and_the_sent_line(
    conn, settings, plan, meeting, members
):
    from kit import messages as msg
    from kit.meeting import voting
    from kit.ui.context import PageContext
    from kit.ui.member import MemberApp

    vote, (a, _b) = _open_dots_vote(conn, plan, meeting)
    app = MemberApp(PageContext(conn, settings, plan))
    app.code.value, app.name.value = meeting.join_code, members[0].display_name
    app.join_button.click()
    assert msg.PHASE_MEMBER_HINTS["vote"] in app.phase_hint.value
    panel = app.panel
    panel.sliders[a.id].value = 3
    panel.send.click()
    assert msg.VOTE_SENT in panel.feedback.value
    voting.close_vote(conn, vote.id)
    app.refresh()
    assert _find(app.widget, "tk-vote-closed-msg")
    assert msg.PHASE_MEMBER_HINTS["vote"] not in app.phase_hint.value
    assert panel.feedback.value == ""
    assert msg.VOTE_DONE_BADGE not in panel.badge.value


def test_office_progress_line_says_done_after_compiling(conn, settings, plan, meeting, tmp_path):
    from kit import messages as msg
    from kit.meeting import meetings
    from kit.resultfile.write import save_result_file
    from kit.ui.context import PageContext
    from kit.ui.office import OfficeApp

    meetings.set_phase(conn, meeting.id, "wrapup")
    save_result_file(conn, plan, meeting.id, settings.results_dir)
    app = OfficeApp(PageContext(conn=conn, settings=settings, plan=plan))
    app.compile_button.click()
    assert "集計中" not in app.progress_label.value
    assert app.progress_label.value == msg.OFFICE_PROGRESS_DONE.format(total=1)
    assert app.progress_label.value.endswith("集計しました")
    app.conn.close()


# --- chart labels --------------------------------------------------------------------------------
def test_chart_labels_are_wrapped_whole_never_cut():
    from kit.charts.votes import tick_label, wrapped

    label = "新聞がたまっている家に気づいても、どこに知らせればよいかわからない<b>"
    lines = wrapped(label)
    assert "".join(lines) == label and len(lines) >= 2
    assert all(len(line) <= 18 for line in lines)
    assert not any(line[0] in "、。）" for line in lines)
    assert "…" not in tick_label(label) and "&lt;b&gt;" in tick_label(label)
    assert tick_label(label).count("<br>") == len(lines) - 1


# --- the phase timer -------------------------------------------------------------------------------
def test_phase_timer_counts_down_and_does_nothing_when_over(conn, meeting):
    import datetime as dt

    import pytest

    from kit import messages as msg
    from kit.errors import PhaseError, ValidationError
    from kit.meeting import meetings
    from kit.meeting import timer as timers

    meetings.set_phase(conn, meeting.id, "issues")
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    timer = timers.start_timer(conn, meeting.id, 15, now=start)
    assert timers.current_timer(conn, meeting.id) == timer and timer.phase == "issues"
    left = timers.time_left(timer, now=start + dt.timedelta(minutes=2, seconds=30))
    assert (left.seconds, left.over, left.big) == (750, False, "のこり 12:30")
    assert left.small == msg.TIMER_LEFT_SMALL.format(minutes=13)
    over = timers.time_left(timer, now=start + dt.timedelta(minutes=16))
    assert over.over and over.seconds == 0 and over.big == msg.TIMER_OVER
    assert meetings.store.get_phase(conn, meeting.id) == "issues"  # nothing happened by itself
    # A timer belongs to its phase; a new one replaces the old one.
    meetings.set_phase(conn, meeting.id, "map")
    assert timers.current_timer(conn, meeting.id) is None
    timers.start_timer(conn, meeting.id, 5, now=start)
    assert timers.current_timer(conn, meeting.id).minutes == 5
    assert timers.stop_timer(conn, meeting.id) and timers.current_timer(conn, meeting.id) is None
    # Bad minutes change nothing.
    timers.start_timer(conn, meeting.id, 7, now=start)
    for bad in (0, 181, -3, 2.5, "10", True, None, 10**30):
        with pytest.raises(ValidationError, match="1〜180"):
            timers.start_timer(conn, meeting.id, bad)
    assert timers.current_timer(conn, meeting.id).minutes == 7
    meetings.set_phase(conn, meeting.id, "closed")
    with pytest.raises(PhaseError):
        timers.start_timer(conn, meeting.id, 5)


def test_timer_on_the_projector_and_the_tablet(conn, settings, plan, meeting, members):
    import datetime as dt

    from kit import messages as msg
    from kit.meeting import meetings
    from kit.store import open_store
    from kit.ui.context import PageContext
    from kit.ui.facilitator import FacilitatorApp
    from kit.ui.member import MemberApp

    meetings.set_phase(conn, meeting.id, "issues")
    projector = FacilitatorApp(PageContext(conn, settings, plan))
    projector.poller.stop()
    tablet_conn = open_store(settings.db_path)
    tablet = MemberApp(PageContext(tablet_conn, settings, plan))
    tablet.code.value, tablet.name.value = meeting.join_code, members[0].display_name
    tablet.join_button.click()
    tablet.poller.stop()
    assert projector.timer.view.widget.value == "" and tablet.timer.widget.value == ""
    projector.timer.minutes.value = 999
    projector.timer.start.click()
    assert "1〜180" in projector.feedback.value and projector.timer.view.widget.value == ""
    projector.timer.minutes.value = 10
    projector.timer.start.click()
    assert msg.TIMER_STARTED.format(minutes=10) in projector.feedback.value
    big = projector.timer.view.widget.value
    assert "tk-timer-left-big" in big and ("のこり 10:00" in big or "のこり 9:59" in big)
    tablet.refresh()
    assert (
        "tk-timer-left-small" in tablet.timer.widget.value
        and "約 10 分" in tablet.timer.widget.value
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    assert not tablet.timer.tick(now=later)
    assert msg.TIMER_OVER_SMALL in tablet.timer.widget.value
    assert "tk-timer-over" in tablet.timer.widget.value
    projector.timer.stop.click()
    tablet.refresh()
    assert tablet.timer.widget.value == ""
    # The larger-text toggle and the compact header after 準備.
    projector.text_size.value = True
    assert "tk-larger-text" in projector.widget._dom_classes
    assert projector.text_size.description == msg.TEXT_SIZE_NORMAL
    projector.text_size.value = False
    assert "tk-larger-text" not in projector.widget._dom_classes
    assert "tk-compact" in projector.widget._dom_classes
    tablet_conn.close()


def test_findings_say_what_a_key_person_is():
    from kit import messages as msg
    from kit.supportmap.render import findings_html

    helpers = [_person(i, f"H{i}", 10 * i, 10) for i in range(1, 6)]
    links = tuple(MapLink(i, "d", 1, i, "visit", "strong", False, STAMP) for i in range(2, 6))
    html = findings_html(analyse_map(MapData(tuple(helpers), links)))
    assert msg.MAP_FINDING_MEANING["key_person"] in html and "H1" in html
