"""Widget tests for voting and the wrap-up: set values, click, check the store and the widgets."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from kit import messages as msg
from kit.meeting import actions, meetings, voting
from kit.store import open_store
from kit.ui.common import OFFSTAGE
from kit.ui.context import PageContext
from kit.ui.member_vote import MemberVotePanel
from kit.ui.vote_panel import VotePanel
from kit.ui.wrapup import WrapUpPanel

XSS = '<img src=x onerror="alert(1)">'


def find(widget, cls: str) -> list:
    """All shown widgets under ``widget`` carrying the CSS class ``cls`` (a tablet keeps what
    it built ahead in the page, hidden: ``OFFSTAGE``)."""
    if OFFSTAGE in getattr(widget, "_dom_classes", ()):
        return []
    found = [widget] if cls in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, cls)
    return found


def text_of(widget) -> str:
    parts = [str(getattr(widget, "value", "")) if hasattr(widget, "value") else ""]
    parts.append(str(getattr(widget, "description", "")))
    for child in getattr(widget, "children", ()):
        parts.append(text_of(child))
    return " ".join(p for p in parts if p)


@pytest.fixture
def vote_phase(conn, meeting, members):
    meetings.set_phase(conn, meeting.id, "vote")
    return meeting


def open_vote(conn, plan, meeting, method="dots", labels=("見守り当番", "サロン", XSS), **kw):
    goals = ("1-(2)", "2-(1)", None)
    specs = [voting.proposal(label, goals[i]) for i, label in enumerate(labels)]
    vote = voting.create_vote(
        conn, meeting.id, specs, plan=plan, method=method, open_now=True, **kw
    )
    return vote, voting.vote_items(conn, vote.id)


def tablet(conn, settings, plan, meeting, member) -> MemberVotePanel:
    return MemberVotePanel(PageContext(conn, settings, plan, meeting.id, member.id))


def projector(conn, settings, plan, meeting) -> VotePanel:
    return VotePanel(PageContext(conn, settings, plan, meeting.id))


# --- tablet ---------------------------------------------------------------------------------------
def test_tablet_waits_then_follows_the_vote(conn, settings, plan, vote_phase, members):
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    assert find(panel.widget, "tk-vote-waiting")
    vote, _ = open_vote(conn, plan, vote_phase)
    panel.refresh()
    assert len(find(panel.widget, "tk-vote-slider")) == 3
    assert msg.VOTE_NOT_YET_BADGE in panel.badge.value
    voting.close_vote(conn, vote.id)
    panel.refresh()
    assert find(panel.widget, "tk-vote-closed-msg")
    assert not find(panel.widget, "tk-vote-slider")


def test_dot_sliders_cannot_go_over_and_send(conn, settings, plan, vote_phase, members):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase)
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    assert 'data-left="5"' in panel.remaining.value and "残り 5 点" in panel.remaining.value
    panel.sliders[a.id].value = 3
    assert "残り 2 点" in panel.remaining.value
    panel.sliders[b.id].value = 4  # only 2 left: held at 2
    assert panel.sliders[b.id].value == 2
    assert msg.VOTE_NO_DOTS_LEFT in panel.feedback.value
    assert msg.VOTE_REMAINING_NONE in panel.remaining.value
    find(panel.widget, "tk-vote-plus-3")[0].click()  # nothing left: stays 0
    assert panel.sliders[c.id].value == 0
    find(panel.widget, "tk-vote-minus-1")[0].click()
    find(panel.widget, "tk-vote-plus-3")[0].click()
    assert (panel.sliders[a.id].value, panel.sliders[c.id].value) == (2, 1)
    panel.send.click()
    assert msg.VOTE_SENT in panel.feedback.value
    assert voting.my_ballot(conn, vote.id, members[0].id).choices == {a.id: 2, b.id: 2, c.id: 1}
    assert msg.VOTE_DONE_BADGE in panel.badge.value
    assert panel.send.description == msg.VOTE_SEND_CHANGE
    panel.sliders[b.id].value = 0
    panel.send.click()
    assert msg.VOTE_CHANGED in panel.feedback.value
    ballot = voting.my_ballot(conn, vote.id, members[0].id)
    assert ballot.choices == {a.id: 2, c.id: 1} and ballot.changes == 1


def test_item_text_is_escaped(conn, settings, plan, vote_phase, members):
    open_vote(conn, plan, vote_phase)
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    labels = " ".join(w.value for w in find(panel.widget, "tk-vote-item-label"))
    assert "<img" not in labels and "&lt;img src=x" in labels
    assert plan.basic_plan("1").color in labels  # plan colour beside the item


def test_refresh_does_not_reset_a_ballot_being_filled(conn, settings, plan, vote_phase, members):
    vote, (a, _b, _c) = open_vote(conn, plan, vote_phase)
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    panel.sliders[a.id].value = 4
    voting.cast_ballot(conn, vote.id, members[1].id, {a.id: 1})  # another tablet votes
    panel.refresh()
    assert panel.sliders[a.id].value == 4


def test_ballot_is_prefilled_when_the_page_comes_back(conn, settings, plan, vote_phase, members):
    vote, (a, b, _c) = open_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 1, b.id: 3})
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    assert (panel.sliders[a.id].value, panel.sliders[b.id].value) == (1, 3)
    assert msg.VOTE_DONE_BADGE in panel.badge.value


def test_crafted_values_are_refused_by_the_server_side(conn, settings, plan, vote_phase, members):
    vote, (a, b, _c) = open_vote(conn, plan, vote_phase)
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    # A crafted comm message can set anything; cast_ballot refuses it with a message.
    panel.choices = lambda: {a.id: 5, b.id: 5}
    panel.send.click()
    assert msg.VOTE_DOTS_OVER.format(allowance=5, total=10) in panel.feedback.value
    panel.choices = lambda: {a.id: -3}
    panel.send.click()
    assert msg.VOTE_DOTS_NEGATIVE in panel.feedback.value
    assert voting.my_ballot(conn, vote.id, members[0].id) is None


def test_send_after_close_shows_message(conn, settings, plan, vote_phase, members):
    vote, (a, _b, _c) = open_vote(conn, plan, vote_phase)
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    panel.sliders[a.id].value = 2
    voting.close_vote(conn, vote.id)  # the facilitator closes while the tablet still shows the form
    panel.send.click()
    assert msg.VOTE_CLOSED in panel.feedback.value
    assert voting.ballots(conn, vote.id) == []
    panel.refresh()
    assert find(panel.widget, "tk-vote-closed-msg") and msg.VOTE_CLOSED in panel.feedback.value


def test_approval_toggles(conn, settings, plan, vote_phase, members):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase, method="approval")
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    panel.send.click()
    assert msg.VOTE_APPROVAL_EMPTY in panel.feedback.value
    panel.toggles[a.id].value = True
    panel.toggles[c.id].value = True
    assert panel.toggles[a.id].description == msg.VOTE_APPROVE_ON
    assert panel.toggles[b.id].description == msg.VOTE_APPROVE_OFF
    panel.send.click()
    assert voting.my_ballot(conn, vote.id, members[0].id).choices == {a.id: 1, c.id: 1}


def test_ranking_buttons(conn, settings, plan, vote_phase, members):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase, method="ranking", rank_k=2)
    panel = tablet(conn, settings, plan, vote_phase, members[0])
    assert panel.rank_buttons[a.id].description == msg.VOTE_RANK_PICK.format(next=1)
    panel.rank_buttons[c.id].click()
    panel.rank_buttons[a.id].click()
    assert panel.rank_buttons[c.id].description == msg.VOTE_RANK_BADGE.format(rank=1)
    assert panel.rank_buttons[a.id].description == msg.VOTE_RANK_BADGE.format(rank=2)
    panel.rank_buttons[b.id].click()  # K = 2: full
    assert msg.VOTE_RANK_FULL.format(k=2) in panel.feedback.value
    panel.send.click()
    assert voting.my_ballot(conn, vote.id, members[0].id).choices == {c.id: 1, a.id: 2}
    panel.rank_buttons[c.id].click()  # tapping a ranked item takes it out
    assert panel.ranking == [a.id]
    find(panel.widget, "tk-vote-rank-reset")[0].click()
    assert panel.ranking == []
    panel.rank_buttons[b.id].click()
    panel.send.click()
    assert voting.my_ballot(conn, vote.id, members[0].id).choices == {b.id: 1}


def test_member_page_does_not_import_pandas_or_plotly():
    code = (
        "import sys, kit.ui.member, kit.ui.member_vote, kit.meeting.voting\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pandas', 'plotly')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_projector_follows_an_open_vote_without_pandas(tmp_path):
    """The projector's page kept ready in the pool follows the meeting into 投票: until a vote
    is counted its kernel stays without pandas (~45 MiB, counted against the laptop's memory
    with 40 tablets joined); counting the vote imports it."""
    code = f"""
import sys
from pathlib import Path
from kit.meeting import meetings, voting
from kit.plan import load_plan
from kit.settings import load_settings
from kit.store import meetings as meeting_store, open_store
from kit.ui.context import PageContext
from kit.ui.facilitator import FacilitatorApp
db = Path({str(tmp_path)!r}) / "m.sqlite"
settings = load_settings(environ={{}}, db_path=db, office_db_path=db.with_name("o.sqlite"))
conn, plan = open_store(db), load_plan()
district = meeting_store.upsert_district(conn, "d01", "テスト地区", "テスト市")
meeting = meetings.create_meeting(conn, district_id=district.id, title="会議",
                                  held_on="2026-12-02", plan_id=plan.plan_id)
member = meetings.join_meeting(conn, meeting.join_code, "あお")[1]
meetings.set_phase(conn, meeting.id, "vote")
vote = voting.create_vote(conn, meeting.id, [voting.proposal("見守り", "1-(2)"),
                          voting.proposal("サロン", None)], plan=plan, method="dots", open_now=True)
app = FacilitatorApp(PageContext(conn, settings, plan))
app.refresh()
assert app.phase == "vote" and app.panel is not None
assert "pandas" not in sys.modules, "pandas imported by an open vote's projector panel"
voting.close_vote(conn, vote.id)
app.refresh()
assert "pandas" in sys.modules
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


# --- projector ----------------------------------------------------------------------------------------
def test_setup_over_issues_and_proposals(conn, settings, plan, meeting, members):
    from kit.meeting import issues

    meetings.set_phase(conn, meeting.id, "issues")
    made = [
        issues.submit_issue(
            conn, plan, meeting.id, members[0].id, text=t, goal_id="3-(1)", seriousness=3, reach=3
        )
        for t in ("坂道がきつい", "ごみ出しが大変")
    ]
    meetings.set_phase(conn, meeting.id, "vote")
    panel = projector(conn, settings, plan, meeting)
    setup = panel.setup
    assert set(setup.issue_checks) == {i.id for i in made}
    find(panel.widget, "tk-vote-issues-none")[0].click()
    setup.issue_checks[made[1].id].value = True
    setup.proposal_text.value = "送迎を試す"
    setup.proposal_goal.value = "3-(1)"
    find(panel.widget, "tk-vote-proposal-add")[0].click()
    setup.proposal_text.value = ""
    find(panel.widget, "tk-vote-proposal-add")[0].click()
    assert msg.VOTE_ITEM_EMPTY in panel.feedback.value
    setup.method.value = "ranking"
    assert setup.settings_box.children == (setup.rank_k,)
    setup.rank_k.value = 2
    setup.open_button.click()
    vote = voting.current_vote(conn, meeting.id)
    assert vote.method == "ranking" and vote.settings.rank_k == 2 and vote.status == "open"
    assert [(i.label, i.issue_id) for i in voting.vote_items(conn, vote.id)] == [
        ("ごみ出しが大変", made[1].id),
        ("送迎を試す", None),
    ]
    assert find(panel.widget, "tk-vote-turnout")


def test_setup_refusal_shows_message(conn, settings, plan, vote_phase):
    panel = projector(conn, settings, plan, vote_phase)
    assert find(panel.widget, "tk-vote-no-issues")
    panel.setup.open_button.click()
    assert msg.VOTE_ITEMS_TOO_FEW in panel.feedback.value
    panel.setup.proposal_text.value = "a"
    find(panel.widget, "tk-vote-proposal-add")[0].click()
    panel.setup.proposal_text.value = "b"
    find(panel.widget, "tk-vote-proposal-add")[0].click()
    find(panel.widget, "tk-vote-proposal-remove-0")[0].click()
    assert [p.label for p in panel.setup.proposals] == ["b"]
    panel.setup.dots.value = 0
    panel.setup.proposal_text.value = "c"
    find(panel.widget, "tk-vote-proposal-add")[0].click()
    panel.setup.open_button.click()
    assert msg.VOTE_DOTS_SETTING.format(limit=voting.MAX_DOTS) in panel.feedback.value
    assert voting.list_votes(conn, vote_phase.id) == []


def test_open_vote_turnout_partial_paper_close(conn, settings, plan, vote_phase, members):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase)
    panel = projector(conn, settings, plan, vote_phase)
    assert 'data-voted="0"' in panel.turnout.value and "0</b> / 3" in panel.turnout.value
    other = open_store(settings.db_path)  # a tablet's kernel
    voting.cast_ballot(other, vote.id, members[0].id, {a.id: 5})
    panel.refresh()
    assert 'data-voted="1"' in panel.turnout.value
    assert "みどり" in panel.not_voted.value
    # No partial results unless the facilitator turns them on.
    assert panel.figure is None and panel.partial_note.layout.display is None
    panel.partial.value = True
    assert voting.get_vote(conn, vote.id).show_partial and panel.figure is not None
    panel.partial.value = False
    assert panel.figure is None
    # 紙の投票 for a member without a tablet.
    paper = panel.paper
    paper.new_name.value = "ゆり"
    paper.inputs[b.id].value = 3
    paper.inputs[c.id].value = 2
    paper.save.click()
    assert "ゆり" in paper.feedback.value
    assert 'data-voted="2"' in panel.turnout.value and "紙の投票 1 人" in panel.turnout.value
    labels = [label for label, _ in paper.member.options if label]
    assert "ゆり" + msg.VOTE_PAPER_DONE_MARK in labels
    assert any(label.startswith("あお" + msg.VOTE_PAPER_TABLET_MARK) for label in labels)
    paper.inputs[b.id].value = 9
    paper.save.click()
    assert msg.VOTE_DOTS_OVER.format(allowance=5, total=9) in paper.feedback.value
    # Closing asks first.
    find(panel.widget, "tk-vote-close")[0].click()
    assert panel.confirm_box.layout.display is None
    find(panel.widget, "tk-vote-close-cancel")[0].click()
    assert voting.get_vote(conn, vote.id).status == "open"
    find(panel.widget, "tk-vote-close")[0].click()
    find(panel.widget, "tk-vote-close-confirm")[0].click()
    assert voting.get_vote(conn, vote.id).status == "closed"
    assert find(panel.widget, "tk-vote-view")
    other.close()


def test_closed_result_chart_ties_spread_and_views(conn, settings, plan, vote_phase, members):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 3, c.id: 2})
    voting.cast_ballot(conn, vote.id, members[1].id, {b.id: 3, c.id: 1})
    voting.cast_ballot(conn, vote.id, members[2].id, {c.id: 2})
    voting.close_vote(conn, vote.id)
    panel = projector(conn, settings, plan, vote_phase)
    # c: 5 from 3 members; a: 3 from 1; b: 3 from 1 → a and b tied.
    result = panel.result
    assert list(result["item_id"]) == [c.id, a.id, b.id]
    assert list(result["tied"]) == [False, True, True]
    score_traces = [t for t in panel.figure.data if t.meta == "score"]
    colors = {t.marker.color for t in score_traces}
    assert colors == {plan.basic_plan("1").color, plan.basic_plan("2").color, "#888888"}
    tied_texts = [txt for t in score_traces for txt in t.text if msg.VOTE_CHART_TIE_MARK in txt]
    assert len(tied_texts) == 2
    spreads = sorted(x for t in panel.figure.data if t.meta == "spread" for x in t.x)
    assert spreads == [1, 1, 3]
    assert "見守り当番" in panel.ties.value and "サロン" in panel.ties.value
    assert "<img" not in panel.table.value and "&lt;img" in panel.table.value
    panel.view.value = "by_plan"
    assert [t.meta for t in panel.figure.data] == ["score", "spread"]
    panel.view.value = "1"
    assert [x for t in panel.figure.data if t.meta == "score" for x in t.x] == [3]
    find(panel.widget, "tk-vote-new")[0].click()
    assert panel.setup is not None and find(panel.widget, "tk-vote-setup")
    panel.refresh()  # stays on the form until a vote is opened
    assert find(panel.widget, "tk-vote-setup")


def test_the_next_vote_opens_without_the_last_result_chart(
    conn, settings, plan, vote_phase, members
):
    """The chart of a closed vote is not left under the next open vote's turnout (it was
    drawn on the projector, squeezed, while 「途中結果は締め切るまで映しません」 stood above it)."""
    vote, (a, _b, _c) = open_vote(conn, plan, vote_phase, method="ranking")
    panel = projector(conn, settings, plan, vote_phase)
    voting.close_vote(conn, vote.id)
    panel.refresh()
    assert panel.chart.figure["data"]  # the result is drawn
    find(panel.widget, "tk-vote-new")[0].click()
    open_vote(conn, plan, vote_phase)
    panel.refresh()
    assert find(panel.widget, "tk-vote-turnout") and panel.chart.figure == {}
    assert panel.spec is None and panel.table.value == ""


def test_projector_follows_a_close_from_another_page(conn, settings, plan, vote_phase, members):
    vote, _ = open_vote(conn, plan, vote_phase)
    panel = projector(conn, settings, plan, vote_phase)
    voting.close_vote(conn, vote.id)
    panel.refresh()
    assert find(panel.widget, "tk-vote-view") and not find(panel.widget, "tk-vote-turnout")


# --- wrap-up --------------------------------------------------------------------------------------
@pytest.fixture
def wrapup(conn, settings, plan, vote_phase, members):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 5})
    voting.cast_ballot(conn, vote.id, members[1].id, {a.id: 2, b.id: 3})
    voting.close_vote(conn, vote.id)
    meetings.set_phase(conn, vote_phase.id, "wrapup")
    return WrapUpPanel(PageContext(conn, settings, plan, vote_phase.id)), (a, b, c)


def test_wrapup_top_items_prefill_and_add(conn, plan, meeting, wrapup):
    panel, (a, b, _c) = wrapup
    lines = [w.value for w in find(panel.widget, "tk-wrapup-top-line")]
    assert "見守り当番" in lines[0] and "サロン" in lines[1]
    find(panel.widget, f"tk-wrapup-use-item-{a.id}")[0].click()
    assert panel.what.value == "見守り当番" and panel.policy.value == "1-(2)-①"
    panel.add.click()
    assert msg.WRAPUP_WHO_EMPTY in panel.feedback.value
    panel.who.value = "民生委員"
    panel.add.click()
    assert msg.WRAPUP_DUE_EMPTY in panel.feedback.value
    panel.due.value = dt.date(2026, 12, 31)
    panel.add.click()
    assert msg.WRAPUP_ADDED in panel.feedback.value
    saved = actions.meeting_actions(conn, meeting.id)
    assert [(x.title, x.owner, x.due_on, x.policy_id, x.source_vote_item_id) for x in saved] == [
        ("見守り当番", "民生委員", "2026-12-31", "1-(2)-①", a.id)
    ]
    assert panel.what.value == "" and panel.policy.value == ""
    assert "見守り当番" in text_of(panel.action_list)
    find(panel.widget, f"tk-wrapup-remove-{saved[0].id}")[0].click()
    assert actions.meeting_actions(conn, meeting.id) == []


def test_wrapup_escapes_and_reviews_past_actions(conn, settings, plan, district, wrapup):
    panel, _ = wrapup
    earlier = meetings.create_meeting(
        conn, district_id=district.id, title="前回", held_on="2025-01-01", plan_id=plan.plan_id
    )
    meetings.set_phase(conn, earlier.id, "wrapup")
    old = actions.add_action(
        conn, plan, earlier.id, title=XSS, owner="自治会", due_on="2025-06-01", policy_id="2-(1)-①"
    )
    panel.refresh()
    html = text_of(panel.past_list)
    assert "<img" not in html and "&lt;img" in html and "前回" in html
    status = find(panel.widget, f"tk-wrapup-status-{old.id}")[0]
    status.value = "done"
    assert actions.meeting_actions(conn, earlier.id)[0].status == "done"
    assert "完了 1" in text_of(panel.past_list)


def test_wrapup_without_a_vote(conn, settings, plan, meeting):
    meetings.set_phase(conn, meeting.id, "wrapup")
    panel = WrapUpPanel(PageContext(conn, settings, plan, meeting.id))
    assert find(panel.widget, "tk-wrapup-no-vote") and find(panel.widget, "tk-wrapup-no-past")


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_paper_ballot_form_for_other_methods(conn, settings, plan, vote_phase, members, method):
    vote, (a, b, c) = open_vote(conn, plan, vote_phase, method=method)
    panel = projector(conn, settings, plan, vote_phase)
    paper = panel.paper
    paper.new_name.value = "ゆり"
    if method == "approval":
        paper.inputs[a.id].value = True
        paper.inputs[c.id].value = True
        expected = {a.id: 1, c.id: 1}
    else:
        paper.rank_inputs[0].value = c.id
        paper.rank_inputs[1].value = c.id
        paper.save.click()
        assert msg.VOTE_RANK_REPEAT in paper.feedback.value
        paper.rank_inputs[1].value = b.id
        expected = {c.id: 1, b.id: 2}
    paper.save.click()
    ballot = next(x for x in voting.ballots(conn, vote.id) if x.is_paper)
    assert ballot.choices == expected
    assert 'data-voted="1"' in panel.turnout.value
