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
