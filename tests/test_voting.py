"""Priority voting and the wrap-up, on real SQLite: rules, crafted values, paper, concurrency."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import random

import pytest

from kit import messages as msg
from kit.errors import ConflictError, NotFoundError, PhaseError, ValidationError
from kit.meeting import actions, meetings, voting
from kit.meeting.tally import vote_result
from kit.store import meetings as meeting_store
from kit.store import open_store


@pytest.fixture
def vote_phase(conn, meeting, members):
    meetings.set_phase(conn, meeting.id, "vote")
    return meeting


def make_vote(conn, plan, meeting, method="dots", n=3, **kwargs):
    labels = [
        "見守り当番をつくる",
        "サロンを開く",
        "回覧板で相談先を知らせる",
        "送迎を試す",
        "募金の工夫",
    ]
    goals = ["1-(2)", "1-(2)", "2-(2)", "3-(1)", None]
    specs = [voting.proposal(labels[i], goals[i]) for i in range(n)]
    kwargs.setdefault("open_now", True)
    vote = voting.create_vote(conn, meeting.id, specs, plan=plan, method=method, **kwargs)
    return vote, voting.vote_items(conn, vote.id)


def add_issues(conn, plan, meeting, members, texts):
    from kit.meeting import issues

    phase = meeting_store.get_phase(conn, meeting.id)
    meetings.set_phase(conn, meeting.id, "issues")
    made = [
        issues.submit_issue(
            conn, plan, meeting.id, members[0].id, text=t, goal_id="1-(2)", seriousness=3, reach=3
        )
        for t in texts
    ]
    meetings.set_phase(conn, meeting.id, phase)
    return made


# --- creating and opening ------------------------------------------------------------------------
def test_create_over_proposals_and_open(conn, plan, vote_phase):
    vote, items = make_vote(conn, plan, vote_phase, open_now=False)
    assert vote.status == "draft" and vote.method == "dots"
    assert vote.settings.dots == 5 and vote.settings.per_item_cap is None
    assert [(i.position, i.goal_id, i.issue_id) for i in items] == [
        (1, "1-(2)", None),
        (2, "1-(2)", None),
        (3, "2-(2)", None),
    ]
    assert voting.current_vote(conn, vote_phase.id) is None  # drafts are not shown
    opened = voting.open_vote(conn, vote.id)
    assert opened.status == "open" and opened.opened_at
    assert voting.current_vote(conn, vote_phase.id).id == vote.id
    with pytest.raises(ConflictError):
        voting.open_vote(conn, vote.id)


def test_create_over_issues(conn, plan, meeting, members):
    from kit.meeting import issues

    made = add_issues(
        conn, plan, meeting, members, ["坂道がきつい", "見守りが足りない", "居場所がない"]
    )
    issues.merge_issues(conn, made[0].id, made[2].id)
    meetings.set_phase(conn, meeting.id, "vote")
    open_ids = [i.id for i in voting.open_issues(conn, meeting.id)]
    assert open_ids == [made[0].id, made[1].id]
    vote = voting.create_vote(
        conn,
        meeting.id,
        [voting.issue_item(i) for i in open_ids] + [voting.proposal("送迎を試す")],
        plan=plan,
    )
    items = voting.vote_items(conn, vote.id)
    assert [(i.label, i.issue_id, i.goal_id) for i in items] == [
        ("坂道がきつい", made[0].id, "1-(2)"),
        ("見守りが足りない", made[1].id, "1-(2)"),
        ("送迎を試す", None, None),
    ]
    with pytest.raises(ValidationError, match="投票に使えません"):  # merged issue
        voting.create_vote(
            conn, meeting.id, [voting.issue_item(made[2].id), voting.proposal("x")], plan=plan
        )
    with pytest.raises(ValidationError, match="同じ項目"):
        voting.create_vote(conn, meeting.id, [voting.issue_item(made[0].id)] * 2, plan=plan)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"method": "secret"}, msg.VOTE_METHOD_UNKNOWN),
        ({"title": " "}, msg.VOTE_TITLE_EMPTY),
        ({"dots": 0}, msg.VOTE_DOTS_SETTING.format(limit=voting.MAX_DOTS)),
        ({"dots": 31}, msg.VOTE_DOTS_SETTING.format(limit=voting.MAX_DOTS)),
        ({"dots": True}, msg.VOTE_DOTS_SETTING.format(limit=voting.MAX_DOTS)),
        ({"dots": "5"}, msg.VOTE_DOTS_SETTING.format(limit=voting.MAX_DOTS)),
        ({"dots": 5, "per_item_cap": 6}, msg.VOTE_CAP_SETTING.format(dots=5)),
        ({"dots": 5, "per_item_cap": -1}, msg.VOTE_CAP_SETTING.format(dots=5)),
        ({"method": "ranking", "rank_k": 4}, msg.VOTE_RANK_SETTING.format(count=3)),
        ({"method": "ranking", "rank_k": 1}, msg.VOTE_RANK_SETTING.format(count=3)),
    ],
)
def test_create_refuses_bad_settings(conn, plan, vote_phase, kwargs, error):
    with pytest.raises(ValidationError) as info:
        make_vote(conn, plan, vote_phase, **kwargs)
    assert info.value.message == error
    assert voting.list_votes(conn, vote_phase.id) == []


def test_create_refuses_bad_items(conn, plan, vote_phase):
    for items, error in [
        ([voting.proposal("一つだけ")], msg.VOTE_ITEMS_TOO_FEW),
        ("見守り,サロン", msg.VOTE_ITEMS_TOO_FEW),
        ([voting.proposal(str(i)) for i in range(31)], msg.VOTE_ITEMS_TOO_MANY.format(limit=30)),
        ([voting.proposal("a"), voting.proposal("")], msg.VOTE_ITEM_EMPTY),
        (
            [voting.proposal("a"), voting.proposal("x" * 101)],
            msg.VOTE_ITEM_TOO_LONG.format(limit=100),
        ),
        (
            [voting.proposal("a"), voting.proposal("b", "9-(9)")],
            msg.VOTE_GOAL_UNKNOWN.format(goal="9-(9)"),
        ),
        ([voting.proposal("a"), voting.issue_item(99999)], msg.VOTE_ISSUE_NOT_AVAILABLE),
        ([voting.proposal("a"), {"label": "b"}], msg.VOTE_ITEM_EMPTY),
    ]:
        with pytest.raises(ValidationError) as info:
            voting.create_vote(conn, vote_phase.id, items, plan=plan)
        assert info.value.message == error
    assert voting.list_votes(conn, vote_phase.id) == []


def test_create_and_open_need_the_vote_phase(conn, plan, meeting, members):
    with pytest.raises(PhaseError):
        make_vote(conn, plan, meeting)
    meetings.set_phase(conn, meeting.id, "vote")
    vote, _ = make_vote(conn, plan, meeting, open_now=False)
    meetings.set_phase(conn, meeting.id, "map")
    with pytest.raises(PhaseError):
        voting.open_vote(conn, vote.id)


def test_only_one_open_vote(conn, plan, vote_phase):
    make_vote(conn, plan, vote_phase)
    with pytest.raises(ConflictError):
        make_vote(conn, plan, vote_phase)
    draft, _ = make_vote(conn, plan, vote_phase, open_now=False)
    with pytest.raises(ConflictError):
        voting.open_vote(conn, draft.id)


# --- ballots --------------------------------------------------------------------------------------
def test_cast_change_and_last_one_counts(conn, plan, vote_phase, members):
    vote, (a, b, c) = make_vote(conn, plan, vote_phase)
    first = voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 3, b.id: 2, c.id: 0})
    assert first.choices == {a.id: 3, b.id: 2} and first.changes == 0 and not first.is_paper
    for choices in ({c.id: 5}, {b.id: 1}, {a.id: 1, c.id: 1}):
        voting.cast_ballot(conn, vote.id, members[0].id, choices)
    last = voting.my_ballot(conn, vote.id, members[0].id)
    assert last.choices == {a.id: 1, c.id: 1} and last.changes == 3
    assert len(voting.ballots(conn, vote.id)) == 1
    assert voting.turnout(conn, vote.id) == voting.Turnout(voted=1, joined=3, paper=0)
    result = vote_result(conn, vote.id)
    assert dict(zip(result["item_id"], result["score"], strict=True)) == {a.id: 1, c.id: 1, b.id: 0}


def test_dots_cap_per_item(conn, plan, vote_phase, members):
    vote, (a, b, _c) = make_vote(conn, plan, vote_phase, dots=5, per_item_cap=3)
    with pytest.raises(ValidationError) as info:
        voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 4, b.id: 1})
    assert info.value.message == msg.VOTE_DOTS_OVER_CAP.format(cap=3)
    assert voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 3, b.id: 2}).choices == {
        a.id: 3,
        b.id: 2,
    }


CRAFTED_DOTS = [
    ("over", lambda a, b: {a: 4, b: 2}, msg.VOTE_DOTS_OVER.format(allowance=5, total=6)),
    ("huge", lambda a, b: {a: 10**30}, None),
    ("negative", lambda a, b: {a: 6, b: -1}, msg.VOTE_DOTS_NEGATIVE),
    ("float", lambda a, b: {a: 1.5}, msg.VOTE_DOTS_NOT_INTEGER),
    ("string value", lambda a, b: {a: "3"}, msg.VOTE_DOTS_NOT_INTEGER),
    ("bool value", lambda a, b: {a: True}, msg.VOTE_DOTS_NOT_INTEGER),
    ("none value", lambda a, b: {a: None}, msg.VOTE_DOTS_NOT_INTEGER),
    ("unknown item", lambda a, b: {a: 1, 99999: 1}, msg.VOTE_ITEM_NOT_IN_VOTE),
    ("bad key", lambda a, b: {"<script>": 1}, msg.VOTE_BALLOT_UNREADABLE),
    ("same item twice", lambda a, b: {a: 1, str(a): 1}, msg.VOTE_BALLOT_UNREADABLE),
    ("empty", lambda a, b: {}, msg.VOTE_DOTS_EMPTY),
    ("all zero", lambda a, b: {a: 0, b: 0}, msg.VOTE_DOTS_EMPTY),
    ("list", lambda a, b: [a, b], msg.VOTE_BALLOT_UNREADABLE),
    ("none", lambda a, b: None, msg.VOTE_BALLOT_UNREADABLE),
    ("text", lambda a, b: "a=5", msg.VOTE_BALLOT_UNREADABLE),
]


@pytest.mark.parametrize("name, make, error", CRAFTED_DOTS, ids=[c[0] for c in CRAFTED_DOTS])
def test_crafted_dot_ballots_are_refused(conn, plan, vote_phase, members, name, make, error):
    vote, (a, b, _c) = make_vote(conn, plan, vote_phase)
    with pytest.raises(ValidationError) as info:
        voting.cast_ballot(conn, vote.id, members[0].id, make(a.id, b.id))
    if error:
        assert info.value.message == error
    assert voting.my_ballot(conn, vote.id, members[0].id) is None


def test_crafted_ballot_does_not_replace_a_good_one(conn, plan, vote_phase, members):
    vote, (a, b, _c) = make_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 5})
    with pytest.raises(ValidationError):
        voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 9})
    assert voting.my_ballot(conn, vote.id, members[0].id).choices == {a.id: 5}


def test_approval_rules(conn, plan, vote_phase, members):
    vote, (a, b, c) = make_vote(conn, plan, vote_phase, method="approval")
    assert voting.cast_ballot(conn, vote.id, members[0].id, [a.id, c.id]).choices == {
        a.id: 1,
        c.id: 1,
    }
    assert voting.cast_ballot(conn, vote.id, members[1].id, (str(b.id),)).choices == {b.id: 1}
    for choices, error in [
        ([a.id, 99999], msg.VOTE_ITEM_NOT_IN_VOTE),
        ([a.id, a.id], msg.VOTE_APPROVAL_REPEAT),
        ([], msg.VOTE_APPROVAL_EMPTY),
        ({a.id: 1}, msg.VOTE_BALLOT_UNREADABLE),
        ([True], msg.VOTE_BALLOT_UNREADABLE),
        (list(range(2000)), msg.VOTE_BALLOT_UNREADABLE),
    ]:
        with pytest.raises(ValidationError) as info:
            voting.cast_ballot(conn, vote.id, members[2].id, choices)
        assert info.value.message == error
    assert voting.my_ballot(conn, vote.id, members[2].id) is None


def test_ranking_rules(conn, plan, vote_phase, members):
    vote, items = make_vote(conn, plan, vote_phase, method="ranking", n=4, rank_k=3)
    a, b, c, d = (i.id for i in items)
    assert voting.cast_ballot(conn, vote.id, members[0].id, [c, a]).choices == {c: 1, a: 2}
    for choices, error in [
        ([a, b, a], msg.VOTE_RANK_REPEAT),
        ([a, b, c, d], msg.VOTE_RANK_TOO_MANY.format(k=3)),
        ([], msg.VOTE_RANK_EMPTY),
        ([a, 99999], msg.VOTE_ITEM_NOT_IN_VOTE),
        ({a: 1}, msg.VOTE_BALLOT_UNREADABLE),
    ]:
        with pytest.raises(ValidationError) as info:
            voting.cast_ballot(conn, vote.id, members[1].id, choices)
        assert info.value.message == error
    result = vote_result(conn, vote.id)
    assert dict(zip(result["item_id"], result["score"], strict=True)) == {c: 3, a: 2, b: 0, d: 0}


def test_default_rank_k(conn, plan, vote_phase):
    vote, _ = make_vote(conn, plan, vote_phase, method="ranking", n=5)
    assert vote.settings.rank_k == 3
    vote2 = voting.create_vote(
        conn,
        vote_phase.id,
        [voting.proposal("a"), voting.proposal("b")],
        plan=plan,
        method="ranking",
    )
    assert vote2.settings.rank_k == 2


def test_ballots_refused_before_open_after_close_and_outside_the_phase(
    conn, plan, vote_phase, members
):
    draft, (a, _b, _c) = make_vote(conn, plan, vote_phase, open_now=False)
    with pytest.raises(PhaseError) as info:
        voting.cast_ballot(conn, draft.id, members[0].id, {a.id: 1})
    assert info.value.message == msg.VOTE_NOT_OPEN_YET
    voting.open_vote(conn, draft.id)
    voting.cast_ballot(conn, draft.id, members[0].id, {a.id: 1})
    meetings.set_phase(conn, vote_phase.id, "wrapup")
    with pytest.raises(PhaseError) as info:
        voting.cast_ballot(conn, draft.id, members[1].id, {a.id: 1})
    assert info.value.message == msg.VOTE_PHASE
    meetings.set_phase(conn, vote_phase.id, "vote")
    closed = voting.close_vote(conn, draft.id)
    assert closed.status == "closed" and closed.closed_at
    with pytest.raises(PhaseError) as info:
        voting.cast_ballot(conn, draft.id, members[0].id, {a.id: 5})
    assert info.value.message == msg.VOTE_CLOSED
    assert voting.my_ballot(conn, draft.id, members[0].id).choices == {a.id: 1}
    with pytest.raises(ConflictError):
        voting.close_vote(conn, draft.id)


def test_member_of_another_meeting_or_unknown(conn, plan, vote_phase, members, district):
    other = meetings.create_meeting(
        conn, district_id=district.id, title="別の会議", held_on="2026-12-01", plan_id=plan.plan_id
    )
    _, stranger = meetings.join_meeting(conn, other.join_code, "よそ")
    vote, (a, _b, _c) = make_vote(conn, plan, vote_phase)
    with pytest.raises(ValidationError) as info:
        voting.cast_ballot(conn, vote.id, stranger.id, {a.id: 1})
    assert info.value.message == msg.VOTE_MEMBER_NOT_IN_MEETING
    for member_id in (99999, "1", None, True):
        with pytest.raises(NotFoundError):
            voting.cast_ballot(conn, vote.id, member_id, {a.id: 1})
    with pytest.raises(NotFoundError):
        voting.cast_ballot(conn, 99999, members[0].id, {a.id: 1})


def test_show_partial_and_vote_state(conn, plan, vote_phase):
    vote, _ = make_vote(conn, plan, vote_phase)
    assert voting.vote_state(conn, vote_phase.id) == (vote.id, "open", 0)
    assert voting.set_show_partial(conn, vote.id, True).show_partial
    assert voting.vote_state(conn, vote_phase.id) == (vote.id, "open", 1)
    voting.close_vote(conn, vote.id)
    second, _ = make_vote(conn, plan, vote_phase, open_now=False)
    assert voting.current_vote(conn, vote_phase.id).id == vote.id  # the draft is not shown
    voting.open_vote(conn, second.id)
    assert voting.current_vote(conn, vote_phase.id).id == second.id


# --- paper ballots (紙の投票) -----------------------------------------------------------------------
def test_paper_ballot_for_a_new_member(conn, plan, vote_phase, members):
    vote, (a, b, _c) = make_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 5})
    member, ballot = voting.cast_paper_ballot(conn, vote.id, {b.id: 4}, new_name="ゆり")
    assert not member.has_tablet and ballot.is_paper and ballot.member_id == member.id
    assert voting.turnout(conn, vote.id) == voting.Turnout(voted=2, joined=4, paper=1)
    # The facilitator corrects it: the same member's paper ballot is replaced, not added.
    _, again = voting.cast_paper_ballot(conn, vote.id, {b.id: 2, a.id: 3}, member_id=member.id)
    assert again.changes == 1 and voting.turnout(conn, vote.id).voted == 2
    assert [m.display_name for m in voting.non_voters(conn, vote.id)] == ["みどり", "あか"]


def test_paper_ballot_refusals_write_nothing(conn, plan, vote_phase, members):
    vote, (a, _b, _c) = make_vote(conn, plan, vote_phase)
    joined = len(meeting_store.list_members(conn, vote_phase.id))
    with pytest.raises(ValidationError):
        voting.cast_paper_ballot(conn, vote.id, {a.id: 6}, new_name="ゆり")
    with pytest.raises(ValidationError) as info:
        voting.cast_paper_ballot(conn, vote.id, {a.id: 1})
    assert info.value.message == msg.VOTE_PAPER_NO_MEMBER
    voting.close_vote(conn, vote.id)
    with pytest.raises(PhaseError):
        voting.cast_paper_ballot(conn, vote.id, {a.id: 1}, new_name="ゆり")
    assert len(meeting_store.list_members(conn, vote_phase.id)) == joined
    assert voting.ballots(conn, vote.id) == []


# --- concurrency: many processes, one SQLite file ------------------------------------------------
def _cast_many(db_path, vote_id, member_ids, item_ids, rounds, seed, barrier, stop_on_close):
    """Worker: cast and change ballots for ``member_ids``; report what was accepted.

    With ``stop_on_close`` it keeps casting (bounded by time) until the vote refuses one.
    """
    import time

    conn = open_store(db_path)
    rng = random.Random(seed)
    accepted: list[tuple[int, dict, str]] = []
    refused = 0
    barrier.wait()
    deadline = time.monotonic() + 120
    done = 0
    while done < rounds or (stop_on_close and not refused and time.monotonic() < deadline):
        done += 1
        for member_id in member_ids:
            choices: dict[int, int] = {}
            for _ in range(rng.randint(1, 5)):
                item = rng.choice(item_ids)
                choices[item] = choices.get(item, 0) + 1
            try:
                ballot = voting.cast_ballot(conn, vote_id, member_id, choices)
            except PhaseError:
                refused += 1
                continue
            accepted.append((member_id, ballot.choices, ballot.cast_at))
    conn.close()
    return accepted, refused


def _close_after(db_path, vote_id, barrier, min_ballots):
    """Close the vote once ``min_ballots`` ballots (changes included) have landed."""
    import time

    conn = open_store(db_path)
    barrier.wait()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        landed = sum(b.changes + 1 for b in voting.ballots(conn, vote_id))
        if landed >= min_ballots:
            break
        time.sleep(0.01)
    vote = voting.close_vote(conn, vote_id)
    conn.close()
    return vote.closed_at


def _concurrent_setup(conn, plan, meeting, n_members):
    members = [
        meetings.join_meeting(conn, meeting.join_code, f"委員{i:02d}")[1] for i in range(n_members)
    ]
    meetings.set_phase(conn, meeting.id, "vote")
    vote, items = make_vote(conn, plan, meeting, n=4)
    return vote, [i.id for i in items], [m.id for m in members]


@pytest.mark.slow
def test_many_processes_casting_and_changing_at_once(conn, db_path, plan, meeting):
    vote, item_ids, member_ids = _concurrent_setup(conn, plan, meeting, 12)
    workers = 8
    # Each worker is a tablet; members 0–3 are each on two tablets at once.
    assignments = [member_ids[4 + 2 * w : 6 + 2 * w] + [member_ids[w % 4]] for w in range(workers)]
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(workers)
        with ctx.Pool(workers) as pool:
            runs = [
                pool.apply_async(
                    _cast_many, (str(db_path), vote.id, ids, item_ids, 6, seed, barrier, False)
                )
                for seed, ids in enumerate(assignments)
            ]
            results = [r.get(timeout=300) for r in runs]
    accepted = [a for run, _ in results for a in run]
    assert sum(refused for _, refused in results) == 0
    stored = {b.member_id: b for b in voting.ballots(conn, vote.id)}
    # Nobody counted twice, nobody lost: one row per member who voted …
    assert sorted(stored) == sorted(set(member_ids[: 4 + 2 * workers]))
    assert voting.turnout(conn, vote.id).voted == len(stored)
    for member_id, ballot in stored.items():
        sent = [(choices, at) for m, choices, at in accepted if m == member_id]
        # … every accepted ballot was applied (the change counter saw each one) …
        assert ballot.changes == len(sent) - 1
        # … and the stored one is the last accepted (latest stamp) of that member.
        latest = max(at for _, at in sent)
        assert ballot.choices in [c for c, at in sent if at == latest]
    result = vote_result(conn, vote.id)
    assert result.attrs["voters"] == len(stored)
    assert result["score"].sum() == sum(sum(b.choices.values()) for b in stored.values())


@pytest.mark.slow
def test_close_racing_ballots(conn, db_path, plan, meeting):
    vote, item_ids, member_ids = _concurrent_setup(conn, plan, meeting, 10)
    workers = 5
    assignments = [member_ids[2 * w : 2 * w + 2] for w in range(workers)]
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(workers + 1)
        with ctx.Pool(workers + 1) as pool:
            runs = [
                pool.apply_async(
                    _cast_many, (str(db_path), vote.id, ids, item_ids, 0, seed, barrier, True)
                )
                for seed, ids in enumerate(assignments)
            ]
            closer = pool.apply_async(_close_after, (str(db_path), vote.id, barrier, 40))
            results = [r.get(timeout=300) for r in runs]
            closed_at = closer.get(timeout=300)
    accepted = [a for run, _ in results for a in run]
    refused = sum(r for _, r in results)
    assert accepted and refused, "the close should land in the middle of the ballots"
    assert all(at <= closed_at for _, _, at in accepted)
    stored = {b.member_id: b for b in voting.ballots(conn, vote.id)}
    assert set(stored) == {m for m, _, _ in accepted}
    for member_id, ballot in stored.items():
        sent = [(c, at) for m, c, at in accepted if m == member_id]
        assert ballot.changes == len(sent) - 1
        assert ballot.choices == sent[-1][0]  # one tablet per member here: its last one


# --- wrap-up (まとめ) --------------------------------------------------------------------------------
@pytest.fixture
def closed_vote(conn, plan, vote_phase, members):
    vote, (a, b, c) = make_vote(conn, plan, vote_phase)
    voting.cast_ballot(conn, vote.id, members[0].id, {a.id: 3, b.id: 2})
    voting.cast_ballot(conn, vote.id, members[1].id, {b.id: 3, c.id: 2})
    voting.cast_ballot(conn, vote.id, members[2].id, {c.id: 3, a.id: 2})
    voting.close_vote(conn, vote.id)
    meetings.set_phase(conn, vote_phase.id, "wrapup")
    return vote, (a, b, c)


def test_top_items_flag_ties(conn, plan, meeting, closed_vote):
    _, (a, b, c) = closed_vote
    top = actions.top_vote_items(conn, meeting.id)
    assert [(t.item_id, t.score, t.rank, t.tied) for t in top] == [
        (a.id, 5, 1, True),
        (b.id, 5, 1, True),
        (c.id, 5, 1, True),
    ]
    assert actions.suggested_policy(plan, top[0].goal_id) == "1-(2)-①"


def test_add_action_and_statuses(conn, plan, meeting, closed_vote):
    _, (a, _b, _c) = closed_vote
    action = actions.add_action(
        conn,
        plan,
        meeting.id,
        title="見守り声かけ当番をつくる",
        owner="民生委員",
        due_on=dt.date(2026, 12, 31),
        policy_id="1-(2)-①",
        source_vote_item_id=a.id,
    )
    assert (action.status, action.due_on, action.district_id) == (
        "not_started",
        "2026-12-31",
        meeting.district_id,
    )
    assert actions.meeting_actions(conn, meeting.id) == [action]
    assert actions.set_action_status(conn, action.id, "in_progress").status == "in_progress"
    with pytest.raises(ValidationError):
        actions.set_action_status(conn, action.id, "finished")
    with pytest.raises(NotFoundError):
        actions.set_action_status(conn, 99999, "done")
    actions.remove_action(conn, action.id)
    assert actions.meeting_actions(conn, meeting.id) == []


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("title", "", msg.WRAPUP_WHAT_EMPTY),
        ("title", "x" * 101, msg.WRAPUP_WHAT_TOO_LONG.format(limit=100)),
        ("owner", "  ", msg.WRAPUP_WHO_EMPTY),
        ("due_on", "来月", msg.WRAPUP_DUE_INVALID),
        ("due_on", None, msg.WRAPUP_DUE_EMPTY),
        ("policy_id", None, msg.WRAPUP_POLICY_EMPTY),
        ("policy_id", "9-(9)-①", msg.WRAPUP_POLICY_UNKNOWN.format(policy="9-(9)-①")),
        ("source_vote_item_id", 99999, msg.WRAPUP_SOURCE_NOT_IN_MEETING),
    ],
)
def test_add_action_refusals(conn, plan, meeting, closed_vote, field, value, error):
    fields = dict(title="サロンを開く", owner="自治会", due_on="2026-12-31", policy_id="1-(2)-②")
    fields[field] = value
    with pytest.raises(ValidationError) as info:
        actions.add_action(conn, plan, meeting.id, **fields)
    assert info.value.message == error
    assert actions.meeting_actions(conn, meeting.id) == []


def test_actions_only_in_wrapup(conn, plan, meeting, closed_vote):
    action = actions.add_action(
        conn,
        plan,
        meeting.id,
        title="サロン",
        owner="自治会",
        due_on="2026-12-31",
        policy_id="1-(2)-②",
    )
    meetings.set_phase(conn, meeting.id, "vote")
    with pytest.raises(PhaseError):
        actions.add_action(
            conn,
            plan,
            meeting.id,
            title="サロン",
            owner="自治会",
            due_on="2026-12-31",
            policy_id="1-(2)-②",
        )
    with pytest.raises(PhaseError):
        actions.remove_action(conn, action.id)


def test_past_actions_of_the_district(conn, plan, district):
    def meeting_on(day, title):
        m = meetings.create_meeting(
            conn, district_id=district.id, title=title, held_on=day, plan_id=plan.plan_id
        )
        meetings.set_phase(conn, m.id, "wrapup")
        return m

    first, second, today = (
        meeting_on("2025-06-01", "第1回"),
        meeting_on("2025-11-01", "第2回"),
        meeting_on("2026-06-01", "第3回"),
    )
    for m, status in ((first, "done"), (first, "in_progress"), (second, "not_started")):
        made = actions.add_action(
            conn,
            plan,
            m.id,
            title=f"{m.title}の取組",
            owner="自治会",
            due_on="2026-01-01",
            policy_id="1-(1)-①",
        )
        actions.set_action_status(conn, made.id, status)
    past = actions.past_actions(conn, today.id)
    assert [p.meeting.title for p in past] == ["第2回", "第1回"]
    assert past[1].counts() == {"not_started": 0, "in_progress": 1, "done": 1}
    assert actions.past_actions(conn, first.id) == []


# --- sample data ---------------------------------------------------------------------------------------
def test_sample_city_has_votes_and_actions(plan):
    from kit.sample.city import build_sample_city

    conn = open_store(":memory:")
    built = build_sample_city(conn, plan)
    for sample in built:
        vote = voting.latest_closed_vote(conn, sample.meeting_id)
        assert vote is not None and vote.method == "dots"
        result = vote_result(conn, vote.id)
        assert result.attrs["voters"] >= 1 and result["score"].sum() <= 5 * result.attrs["voters"]
        made = actions.meeting_actions(conn, sample.meeting_id)
        assert 2 <= len(made) <= 4
        assert all(plan.has_policy(a.policy_id) for a in made)
    statuses = {a.status for s in built for a in actions.meeting_actions(conn, s.meeting_id)}
    assert statuses == set(actions.STATUSES)
    # Same seed, same data.
    again = open_store(":memory:")
    build_sample_city(again, plan)
    assert [
        vote_result(again, v.id)["score"].tolist()
        for v in voting.list_votes(again, built[0].meeting_id)
    ] == [
        vote_result(conn, v.id)["score"].tolist()
        for v in voting.list_votes(conn, built[0].meeting_id)
    ]


def test_sample_votes_for_a_meeting_without_issues(conn, plan, meeting, members):
    from kit.sample.city import SampleMeeting
    from kit.sample.votes import add_sample_votes

    sample = SampleMeeting(meeting.id, meeting.district_id, tuple(m.id for m in members), False)
    add_sample_votes(conn, random.Random(1), plan, sample)
    vote = voting.latest_closed_vote(conn, meeting.id)
    items = voting.vote_items(conn, vote.id)
    assert len(items) >= 4 and all(i.issue_id is None and plan.has_goal(i.goal_id) for i in items)
    assert 2 <= len(actions.meeting_actions(conn, meeting.id)) <= 4
    assert meeting_store.get_phase(conn, meeting.id) == "setup"  # put back
