"""Drafts survive (issue 17): allocations moved on a tablet and not sent are kept in the store,
come back on a new page (reload, lost kernel, restarted server), and never hide a sent ballot."""

from __future__ import annotations

import pytest

from kit import messages as msg
from kit.errors import KitError
from kit.meeting import meetings, voting
from kit.ui.member import draft_scope
from tests.test_ui_voting import open_vote, tablet


@pytest.fixture
def vote_phase(conn, meeting, members):
    meetings.set_phase(conn, meeting.id, "vote")
    return meeting


def dots(panel) -> dict[int, int]:
    return {item_id: s.value for item_id, s in panel.sliders.items()}


def test_moved_dots_come_back_on_a_new_page_and_go_when_sent(
    conn, settings, plan, vote_phase, members
):
    vote, items = open_vote(conn, plan, vote_phase)
    first = tablet(conn, settings, plan, vote_phase, members[0])
    first.sliders[items[0].id].value = 2
    first.sliders[items[1].id].value = 1
    assert voting.ballot_draft(conn, vote.id, members[0].id) == {items[0].id: 2, items[1].id: 1}
    assert voting.my_ballot(conn, vote.id, members[0].id) is None
    assert msg.VOTE_DRAFT_UNSENT in first.badge.value

    # the page is loaded again (new kernel): the same allocation, still not a ballot
    again = tablet(conn, settings, plan, vote_phase, members[0])
    assert dots(again) == {items[0].id: 2, items[1].id: 1, items[2].id: 0}
    assert msg.VOTE_NOT_YET_BADGE in again.badge.value
    assert msg.VOTE_DRAFT_UNSENT in again.badge.value
    # another member's page shows nothing of it
    other = tablet(conn, settings, plan, vote_phase, members[1])
    assert set(dots(other).values()) == {0}

    again.send.click()
    assert dict(voting.my_ballot(conn, vote.id, members[0].id).choices) == {
        items[0].id: 2,
        items[1].id: 1,
    }
    assert voting.ballot_draft(conn, vote.id, members[0].id) is None
    assert msg.VOTE_DRAFT_UNSENT not in again.badge.value
    # moved back to what was sent: no draft; moved away: a draft, and the badge says so
    again.sliders[items[1].id].value = 0
    assert msg.VOTE_DRAFT_UNSENT in again.badge.value
    again.sliders[items[1].id].value = 1
    assert voting.ballot_draft(conn, vote.id, members[0].id) is None
    assert msg.VOTE_DRAFT_UNSENT not in again.badge.value


def test_a_sent_ballot_is_what_a_new_page_shows(conn, settings, plan, vote_phase, members):
    vote, items = open_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {items[2].id: 4})
    page = tablet(conn, settings, plan, vote_phase, members[0])
    assert dots(page) == {items[0].id: 0, items[1].id: 0, items[2].id: 4}
    assert msg.VOTE_DRAFT_UNSENT not in page.badge.value


def test_approval_and_ranking_drafts(conn, settings, plan, vote_phase, members):
    vote, items = open_vote(conn, plan, vote_phase, method="approval")
    page = tablet(conn, settings, plan, vote_phase, members[0])
    page.toggles[items[1].id].value = True
    again = tablet(conn, settings, plan, vote_phase, members[0])
    assert [i for i, t in again.toggles.items() if t.value] == [items[1].id]
    voting.close_vote(conn, vote.id)

    vote, items = open_vote(conn, plan, vote_phase, method="ranking", labels=("甲", "乙", "丙"))
    page = tablet(conn, settings, plan, vote_phase, members[0])
    page._rank_clicked(items[2].id)
    page._rank_clicked(items[0].id)
    again = tablet(conn, settings, plan, vote_phase, members[0])
    assert again.ranking == [items[2].id, items[0].id]


def test_drafts_are_checked_on_the_server(conn, plan, vote_phase, members, meeting):
    vote, items = open_vote(conn, plan, vote_phase)
    # over the allowance, an unknown item, a stranger: nothing kept
    assert voting.save_ballot_draft(conn, vote.id, members[0].id, {items[0].id: 99}) is None
    assert voting.save_ballot_draft(conn, vote.id, members[0].id, {999_999: 1}) is None
    assert voting.ballot_draft(conn, vote.id, members[0].id) is None
    other = meetings.create_meeting(
        conn, district_id=meeting.district_id, title="別の会議", held_on="2026-12-02",
        plan_id=meeting.plan_id,
    )  # fmt: skip
    _, stranger = meetings.join_meeting(conn, other.join_code, "よその人")
    with pytest.raises(KitError):
        voting.save_ballot_draft(conn, vote.id, stranger.id, {items[0].id: 1})
    with pytest.raises(KitError):
        voting.save_ballot_draft(conn, vote.id, "1 OR 1=1", {items[0].id: 1})
    # a closed vote keeps no drafts
    voting.close_vote(conn, vote.id)
    with pytest.raises(KitError):
        voting.save_ballot_draft(conn, vote.id, members[0].id, {items[0].id: 1})


def test_draft_scope_class_names_the_member():
    assert draft_scope(7, 42) == "tk-scope-7-42"


def test_two_devices_of_one_member_show_the_sent_ballot_live(
    conn, settings, plan, vote_phase, members
):
    vote, items = open_vote(conn, plan, vote_phase)
    phone = tablet(conn, settings, plan, vote_phase, members[0])
    pad = tablet(conn, settings, plan, vote_phase, members[0])
    phone.sliders[items[0].id].value = 3
    phone.send.click()
    pad.refresh()  # the poller's next look at the store
    assert dots(pad) == {items[0].id: 3, items[1].id: 0, items[2].id: 0}
    assert msg.VOTE_DONE_BADGE in pad.badge.value
    pad.sliders[items[0].id].value = 1
    pad.sliders[items[2].id].value = 2
    pad.send.click()
    phone.refresh()
    assert dots(phone) == {items[0].id: 1, items[1].id: 0, items[2].id: 2}
    assert len(voting.ballots(conn, vote.id)) == 1  # one person on the projector
    # a refresh with nothing new keeps what is being moved on this device
    phone.sliders[items[1].id].value = 1
    phone.refresh()
    assert phone.sliders[items[1].id].value == 1
