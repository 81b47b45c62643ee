"""One member, one device, one ballot (issue 12): the rules in kit, on real SQLite.

Each test is an attack a tablet in the room tried: the same name from another device,
joining again from one page or under a new name, taking over a paper voter, guessing codes.
"""

from __future__ import annotations

import pytest

from kit import messages as msg
from kit.errors import ConflictError, ValidationError
from kit.meeting import access, identity, meetings, voting
from kit.store import meetings as store
from kit.ui.context import PageContext
from kit.ui.facilitator import FacilitatorApp
from kit.ui.member import MemberApp

A, B, C = (access.device_hash(f"device-secret-{n}" + "x" * 40) for n in "abc")


@pytest.fixture
def vote(conn, plan, meeting):
    meetings.set_phase(conn, meeting.id, "vote")
    specs = [voting.proposal("見守り当番"), voting.proposal("サロン")]
    created = voting.create_vote(conn, meeting.id, specs, plan=plan, open_now=True)
    return created, voting.vote_items(conn, created.id)


def test_a_name_held_by_another_device_needs_the_facilitators_approval(conn, meeting, vote):
    v, (a, b) = vote
    _, hanako = meetings.join_meeting(conn, meeting.join_code, "はなこ", device=A)
    voting.cast_ballot(conn, v.id, hanako.id, {a.id: 5})
    for typed in ("はなこ", " はなこ ", "ﾊﾅｺ".replace("ﾊﾅｺ", "はなこ")):
        with pytest.raises(identity.ApprovalNeeded) as waiting:
            meetings.join_meeting(conn, meeting.join_code, typed, device=B)
    assert "はなこ" in waiting.value.message
    assert len(store.list_members(conn, meeting.id)) == 1
    assert voting.my_ballot(conn, v.id, hanako.id).choices == {a.id: 5}  # nothing replaced
    claims = identity.pending_claims(conn, meeting.id)
    assert [m.id for _, m in claims] == [hanako.id] and len(claims) == 1  # asked once
    # 「いいえ」: nothing changes, device B is still nobody
    identity.deny_claim(conn, meeting.id, claims[0][0].id)
    assert identity.resume(conn, B) is None
    with pytest.raises(identity.ApprovalNeeded) as again:
        meetings.join_meeting(conn, meeting.join_code, "はなこ", device=B)
    # 「はい、同じ方です」: B becomes one more device of the same member (tablet + phone)
    identity.approve_claim(conn, meeting.id, again.value.claim_id)
    _, same = meetings.join_meeting(conn, meeting.join_code, "はなこ", device=B)
    assert same.id == hanako.id
    assert identity.resume(conn, B)[1].id == hanako.id
    with pytest.raises(Exception):  # noqa: B017 - a decided claim cannot be decided again
        identity.approve_claim(conn, meeting.id, again.value.claim_id)


def test_wide_and_spaced_names_are_the_same_name(conn, meeting):
    meetings.join_meeting(conn, meeting.join_code, "Yamada Taro", device=A)
    with pytest.raises(identity.ApprovalNeeded):
        meetings.join_meeting(conn, meeting.join_code, "ｙａｍａｄａ　ｔａｒｏ", device=B)


def test_one_device_is_one_member_and_one_page_joins_once(conn, meeting):
    page = identity.PageMembership(A, "10.0.0.2")
    _, first = page.join(conn, meeting.join_code, "あお")
    for name in ("あお", "べつじん", "さらに別"):
        with pytest.raises(ValidationError) as info:
            page.join(conn, meeting.join_code, name)
        assert info.value.message == msg.PAGE_ALREADY_JOINED
    # a reload (a new page, the same device) cannot join under a new name either
    reloaded = identity.PageMembership(A, "10.0.0.2")
    with pytest.raises(ValidationError) as info:
        reloaded.join(conn, meeting.join_code, "べつじん")
    assert "あお" in info.value.message
    assert identity.resume(conn, A)[1].id == first.id
    assert len(store.list_members(conn, meeting.id)) == 1


def test_fifteen_presses_with_made_up_names_make_one_member(conn, meeting, vote):
    v, (a, _b) = vote
    page = identity.PageMembership(A)
    page.join(conn, meeting.join_code, "本人")
    for n in range(15):
        with pytest.raises(ValidationError):
            page.join(conn, meeting.join_code, f"架空{n}")
    assert voting.turnout(conn, v.id).joined == 1


def test_no_tablet_can_take_over_a_paper_voter(conn, meeting, vote):
    v, (a, b) = vote
    paper, ballot = voting.cast_paper_ballot(conn, v.id, {a.id: 3}, new_name="かみ")
    assert ballot.is_paper
    for device in (A, B):
        with pytest.raises(ConflictError):
            meetings.join_meeting(conn, meeting.join_code, "かみ", device=device)
    with pytest.raises(ConflictError):  # even a crafted ballot for the paper member's id
        voting.cast_ballot(conn, v.id, paper.id, {b.id: 5})
    after = voting.my_ballot(conn, v.id, paper.id)
    assert after.is_paper and after.choices == {a.id: 3}
    assert identity.pending_claims(conn, meeting.id) == []


def test_a_paper_ballot_of_a_tablet_member_stays_the_facilitators(conn, meeting, vote):
    v, (a, b) = vote
    _, member = meetings.join_meeting(conn, meeting.join_code, "みどり", device=A)
    voting.cast_paper_ballot(conn, v.id, {a.id: 2}, member_id=member.id)
    with pytest.raises(ConflictError):
        voting.cast_ballot(conn, v.id, member.id, {b.id: 5})
    assert voting.my_ballot(conn, v.id, member.id).choices == {a.id: 2}


def test_removing_a_member_takes_their_ballot_and_turnout(conn, meeting, vote):
    v, (a, b) = vote
    _, keep = meetings.join_meeting(conn, meeting.join_code, "のこる", device=A)
    _, gone = meetings.join_meeting(conn, meeting.join_code, "さくら", device=B)
    voting.cast_ballot(conn, v.id, keep.id, {a.id: 1})
    voting.cast_ballot(conn, v.id, gone.id, {b.id: 5})
    preview = identity.removal_preview(conn, gone.id)
    assert (preview.ballots, preview.devices) == (1, 1)
    assert voting.turnout(conn, v.id) == voting.Turnout(voted=2, joined=2, paper=0)
    identity.remove_member(conn, meeting.id, gone.id)
    assert voting.turnout(conn, v.id) == voting.Turnout(voted=1, joined=1, paper=0)
    assert voting.my_ballot(conn, v.id, gone.id) is None
    assert identity.resume(conn, B) is None
    assert not identity.member_exists(conn, gone.id)


def test_code_guessing_is_rate_limited_per_page_and_address(conn, meeting, district, plan):
    other = meetings.create_meeting(
        conn, district_id=district.id, title="別の会議", held_on="2026-11-27", plan_id=plan.plan_id
    )
    guesser = identity.PageMembership(A, "10.9.9.9")
    wrong = "".join("2" if ch != "2" else "3" for ch in other.join_code)
    for _ in range(access.JOIN_FAILURES_BEFORE_WAIT):
        with pytest.raises(ValidationError):
            guesser.join(conn, wrong, "あてずっぽう")
    with pytest.raises(access.RateLimited) as info:  # now even the right code must wait
        guesser.join(conn, other.join_code, "あてずっぽう")
    assert "秒" in info.value.message
    # a fresh page (a reload) from the same address waits too; the rest of the room does not
    with pytest.raises(access.RateLimited):
        identity.PageMembership(C, "10.9.9.9").join(conn, other.join_code, "あてずっぽう")
    _, ok = identity.PageMembership(B, "10.0.0.5").join(conn, meeting.join_code, "ふつう")
    assert ok.display_name == "ふつう"
    assert store.list_members(conn, other.id) == []


def test_member_page_resumes_by_device_and_facilitator_confirms_claims(
    conn, settings, plan, meeting
):
    meetings.set_phase(conn, meeting.id, "issues")
    tablet = MemberApp(PageContext(conn=conn, settings=settings, plan=plan, device=A))
    tablet.code.value, tablet.name.value = meeting.join_code, "はる"
    tablet.join_button.click()
    assert tablet.ctx.member_id is not None
    member_id = tablet.ctx.member_id
    tablet.join_button.click()  # a crafted second press: refused, still the same member
    assert "もう参加しています" in tablet.feedback.value and tablet.ctx.member_id == member_id
    reloaded = MemberApp(PageContext(conn=conn, settings=settings, plan=plan, device=A))
    assert reloaded.ctx.member_id == member_id  # no join form after a reload
    assert reloaded.join_box.layout.display == "none"
    phone = MemberApp(PageContext(conn=conn, settings=settings, plan=plan, device=B))
    phone.code.value, phone.name.value = meeting.join_code, "はる"
    phone.join_button.click()
    assert phone.ctx.member_id is None and "確認" in phone.feedback.value
    projector = FacilitatorApp(PageContext(conn=conn, settings=settings, plan=plan))
    assert "はる" in projector.admin.new_members.value  # the projector shows who joined
    questions = [
        child.children[0].value for child in projector.admin.claims.children
    ]  # 「はるさんとして参加しようとしています。同じ方ですか？」
    assert len(questions) == 1 and "同じ方ですか" in questions[0] and "はる" in questions[0]
    projector.admin.claims.children[0].children[1].children[0].click()  # はい、同じ方です
    phone.poller.check()
    assert phone.ctx.member_id == member_id
    # the facilitator removes the member: shown first, then gone from both devices
    projector.admin.choice.value = member_id
    projector.admin.remove.click()
    assert "はる" in projector.admin.confirm_text.value
    projector.admin.confirm.click()
    tablet.poller.check()
    assert tablet.ctx.member_id is None and tablet.join_box.layout.display is None
