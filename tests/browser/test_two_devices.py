"""One member on two devices (issue 17, item 5), in two real browsers and the projector.

A member joins on a tablet, then on a phone with the same name; the projector asks and the
facilitator approves. From then on both screens are the same member, live: an issue sent on
one is listed on the other; dots sent on one show on the other; a change sent on the other
comes back to the first; the store holds one ballot, the last one sent, and the projector
counts one person.
"""

from __future__ import annotations

import pytest

from kit import messages as msg
from kit.meeting import issues as meeting_issues
from kit.meeting import meetings, voting
from kit.plan import load_plan
from kit.store import meetings as store
from tests.browser.helpers import PHONE, PROJECTOR, TABLET, click, current_meeting, fill, open_page

WAIT = 60_000
NAME = "二台さん"
GOAL = "tk-goal-1-2"


@pytest.fixture(scope="module")
def two_devices(chromium, kit_server):
    meeting = current_meeting(kit_server)
    conn = kit_server.connect()
    try:
        meetings.set_phase(conn, meeting.id, "issues")
    finally:
        conn.close()
    projector = open_page(chromium, kit_server.facilitator_url, PROJECTOR)
    tablet = open_page(chromium, kit_server.member_url, TABLET, wait_for=".tk-join-form")
    fill(tablet, "tk-join-code", meeting.join_code)
    fill(tablet, "tk-join-name", NAME)
    click(tablet, "tk-join-button")
    tablet.wait_for_selector(".tk-task", state="visible", timeout=WAIT)
    phone = open_page(chromium, kit_server.member_url, PHONE, wait_for=".tk-join-form")
    fill(phone, "tk-join-code", meeting.join_code)
    fill(phone, "tk-join-name", NAME)
    click(phone, "tk-join-button")
    phone.wait_for_selector(".tk-join-feedback .tk-ok", timeout=WAIT)  # 確認を待っています
    projector.wait_for_selector(".tk-claim-approve", state="visible", timeout=WAIT)
    click(projector, "tk-claim-approve")
    phone.wait_for_selector(".tk-task", state="visible", timeout=WAIT)
    yield meeting, projector, tablet, phone
    for page in (projector, tablet, phone):
        page.context.close()


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel)].some(e => e.innerText.includes(text))",
        arg=[selector, text],
        timeout=WAIT,
    )


def test_both_devices_are_the_same_member_and_follow_each_other(kit_server, two_devices):
    meeting, projector, tablet, phone = two_devices
    assert NAME in tablet.inner_text(".tk-member-status")
    assert NAME in phone.inner_text(".tk-member-status")
    conn = kit_server.connect()
    try:
        names = [m.display_name for m in store.list_members(conn, meeting.id)]
    finally:
        conn.close()
    assert names.count(NAME) == 1

    # an issue sent on the tablet is listed among the member's issues on the phone
    fill(tablet, "tk-issue-text", "集会所の段差が危ない")
    click(tablet, GOAL)
    tablet.wait_for_selector(f".{GOAL}.tk-selected", timeout=WAIT)
    click(tablet, "tk-issue-send")
    tablet.wait_for_selector(".tk-issue-feedback .tk-ok", timeout=WAIT)
    click(phone, "tk-issues-tab-mine")
    wait_text(phone, ".tk-my-issues-list", "集会所の段差が危ない")

    # a dot vote over three issues, opened by the facilitator
    conn = kit_server.connect()
    try:
        for n in range(2):
            _, other = meetings.join_meeting(conn, meeting.join_code, f"ほかの委員{n + 1}")
            meeting_issues.submit_issue(
                conn, load_plan(), meeting.id, other.id, text=f"困りごと{n + 1}",
                goal_id="1-(2)", seriousness=3, reach=3,
            )  # fmt: skip
        ids = [i.id for i in meeting_issues.open_issues(conn, meeting.id)][:3]
        meetings.set_phase(conn, meeting.id, "vote")
        vote = voting.create_vote(
            conn,
            meeting.id,
            [voting.issue_item(i) for i in ids],
            plan=load_plan(),
            method="dots",
            dots=5,
            open_now=True,
        )
    finally:
        conn.close()
    for page in (tablet, phone):
        page.wait_for_selector(".tk-vote-send", state="visible", timeout=WAIT)

    # dots sent on the tablet show on the phone, live
    click(tablet, "tk-vote-plus-1")
    click(tablet, "tk-vote-plus-1")
    wait_text(tablet, ".tk-vote-count-1", "2")
    click(tablet, "tk-vote-send")
    tablet.wait_for_selector(".tk-vote-feedback .tk-ok", timeout=WAIT)
    wait_text(phone, ".tk-vote-count-1", "2")
    wait_text(phone, ".tk-vote-badge", msg.VOTE_DONE_BADGE)

    # a change sent on the phone comes back to the tablet; the last one sent is the ballot
    click(phone, "tk-vote-plus-2")
    wait_text(phone, ".tk-vote-count-2", "1")
    click(phone, "tk-vote-send")
    phone.wait_for_selector(".tk-vote-feedback .tk-ok", timeout=WAIT)
    wait_text(tablet, ".tk-vote-count-2", "1")
    wait_text(tablet, ".tk-vote-count-1", "2")

    conn = kit_server.connect()
    try:
        member = next(m for m in store.list_members(conn, meeting.id) if m.display_name == NAME)
        ballots = conn.execute(
            "SELECT COUNT(*) FROM ballots WHERE vote_id = ? AND member_id = ?", (vote.id, member.id)
        ).fetchone()[0]
        mine = voting.my_ballot(conn, vote.id, member.id)
    finally:
        conn.close()
    assert ballots == 1
    assert sorted(v for v in mine.choices.values() if v) == [1, 2]
    # the projector counts one person for the two devices
    projector.wait_for_selector(".tk-vote-turnout-box", timeout=WAIT)
    assert projector.get_attribute(".tk-vote-turnout-box", "data-voted") == "1"
