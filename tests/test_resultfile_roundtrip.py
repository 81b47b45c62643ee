"""No value the kit writes is refused by the kit: meetings of every shape reach the office intact.

A hypothesis property test builds real meetings on real SQLite (a fresh folder per example):
votes over issues only, proposals only or both, with and without focus goals, every method,
no ballots or some, tablet and paper ballots, refused empty ballots, actions with and without
a source item (and one without a policy, which is refused), merged and hidden issues, maps
empty and full. Each is saved with ``save_result_file`` and compiled; every value the meeting
holds must be in the office store, read back through the office's own tables.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import messages as msg
from kit.errors import ValidationError
from kit.meeting import actions, issues, meetings, tally, voting
from kit.office.compile import compile_folder
from kit.plan import Plan, load_plan
from kit.resources import default_plan_path
from kit.resultfile.format import TABLES, meeting_uid
from kit.resultfile.write import save_result_file
from kit.store import meetings as meeting_store
from kit.store import office as office_store
from kit.store import open_store
from kit.supportmap import model as sm
from kit.supportmap.privacy import office_counts
from tests.map_helpers import unlock_fast

PLAN: Plan = load_plan(default_plan_path())
GOALS = [g.id for g in PLAN.goals()]
POLICIES = [p.id for p in PLAN.policies()]
METHODS = ("dots", "approval", "ranking")

# Text that people type: Japanese, commas and quotes, and starts a spreadsheet reads as formulas.
TEXT = st.text(
    alphabet=st.sampled_from(list("見守りサロン買い物あ1, \"'=+-@＝＋－＠<b>&;")),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip())


@st.composite
def meeting_shapes(draw):
    members = draw(st.integers(1, 5))
    tablets = [draw(st.booleans()) for _ in range(members)]
    issue_specs = draw(
        st.lists(
            st.tuples(
                TEXT,
                st.sampled_from(GOALS),
                st.integers(1, 5),
                st.integers(1, 5),
                TEXT | st.just(""),
            ),
            max_size=5,
        )
    )
    merge = len(issue_specs) >= 2 and draw(st.booleans())
    hide = len(issue_specs) >= 3 and draw(st.booleans())
    votes = []
    for _ in range(draw(st.integers(0, 2))):
        votes.append(
            {
                "method": draw(st.sampled_from(METHODS)),
                "shape": draw(st.sampled_from(("issues", "proposals", "mixed"))),
                "proposals": draw(
                    st.lists(
                        st.tuples(TEXT, st.none() | st.sampled_from(GOALS)),
                        min_size=2,
                        max_size=4,
                        unique_by=lambda p: p[0].strip(),
                    )
                ),
                "ballots": draw(st.lists(st.booleans(), min_size=members, max_size=members)),
                "seed": draw(st.integers(0, 10_000)),
                "new_paper_member": draw(st.booleans()),
                "close": draw(st.booleans()),
            }
        )
    action_specs = draw(
        st.lists(
            st.tuples(TEXT, TEXT, st.dates().map(str), st.sampled_from(POLICIES), st.booleans()),
            max_size=3,
        )
    )
    return {
        "tablets": tablets,
        "issues": issue_specs,
        "merge": merge,
        "hide": hide,
        "map": draw(st.sampled_from(("empty", "full"))),
        "votes": votes,
        "actions": action_specs,
        "status_changes": draw(st.lists(st.sampled_from(actions.STATUSES), max_size=3)),
        "end_phase": draw(st.sampled_from(("wrapup", "closed"))),
    }


def _choices(vote, items: list, seed: int) -> object:
    """A valid ballot of ``vote`` over ``items``, picked deterministically from ``seed``."""
    ids = [item.id for item in items]
    order = sorted(ids, key=lambda i: (i * 7919 + seed) % 104729)
    picked = order[: 1 + seed % len(order)]
    if vote.method == "dots":
        spread = dict.fromkeys(picked, 0)
        for n in range(1 + seed % vote.settings.dots):
            spread[picked[n % len(picked)]] += 1
        return spread
    if vote.method == "approval":
        return picked
    return picked[: voting.rank_k_of(vote, len(items))]  # ranking: 1 to K places


def build_meeting(conn, spec: dict) -> int:
    meeting_store.upsert_district(conn, "d07", "しらさぎ地区", "テスト市")
    meeting = meetings.create_meeting(
        conn,
        district_id="d07",
        title="第2回 しらさぎ地区の話し合い",
        held_on="2026-07-04",
        plan_id=PLAN.plan_id,
        agenda="困りごと出し\n投票",
    )
    members = []
    for n, tablet in enumerate(spec["tablets"], start=1):
        if tablet:
            members.append(meetings.join_meeting(conn, meeting.join_code, f"委員{n}")[1])
        else:
            members.append(meetings.add_member_without_tablet(conn, meeting.id, f"紙の委員{n}"))
    meetings.set_phase(conn, meeting.id, "issues")
    issue_ids = []
    for n, (text, goal, seriousness, reach, place) in enumerate(spec["issues"]):
        issue_ids.append(
            issues.submit_issue(
                conn,
                PLAN,
                meeting.id,
                members[n % len(members)].id,
                text=text,
                goal_id=goal,
                seriousness=seriousness,
                reach=reach,
                place=place,
            ).id
        )
    if spec["merge"]:
        issues.merge_issues(conn, issue_ids[0], issue_ids[1])
        issue_ids.pop(1)
    if spec["hide"]:
        issues.hide_issue(conn, issue_ids.pop())
    meetings.set_phase(conn, meeting.id, "map")
    if spec["map"] == "full":
        a = sm.add_person(
            conn, "d07", 10, 10, label="秘密のAさん", flags=["alone", "needs_watch"], note="メモ"
        )
        b = sm.add_person(conn, "d07", 30, 20, label="秘密のBさん", flags=["needs_watch"])
        helper = sm.add_person(conn, "d07", 50, 40, label="世話焼きのCさん", flags=["sewayaki"])
        salon = sm.add_place(conn, "d07", 70, 70, kind="salon", label="ひだまりサロン")
        sm.add_link(conn, helper.id, a.id, kind="watch")
        sm.add_link(conn, a.id, salon.id, kind="attends", strength="occasional")
        del b
    meetings.set_phase(conn, meeting.id, "vote")
    closed_items = []
    for n, vote_spec in enumerate(spec["votes"]):
        proposals = [voting.proposal(label, goal) for label, goal in vote_spec["proposals"]]
        from_issues = [voting.issue_item(i) for i in issue_ids]
        shape = vote_spec["shape"]
        items = {"issues": from_issues, "proposals": proposals, "mixed": from_issues + proposals}[
            shape
        ]
        if len(items) < voting.MIN_ITEMS:
            items = from_issues + proposals
        vote = voting.create_vote(
            conn,
            meeting.id,
            items,
            plan=PLAN,
            method=vote_spec["method"],
            title=f"投票{n + 1}",
            open_now=True,
        )
        stored = voting.vote_items(conn, vote.id)
        empty = {} if vote.method == "dots" else []
        with pytest.raises(ValidationError):  # an empty ballot is refused and changes nothing
            voting.cast_ballot(conn, vote.id, members[0].id, empty)
        assert voting.ballots(conn, vote.id) == []
        for member, casts in zip(members, vote_spec["ballots"], strict=True):
            if not casts:
                continue
            choices = _choices(vote, stored, vote_spec["seed"] + member.id)
            if member.has_tablet:
                voting.cast_ballot(conn, vote.id, member.id, choices)
            else:
                voting.cast_paper_ballot(conn, vote.id, choices, member_id=member.id)
        if vote_spec["new_paper_member"]:
            voting.cast_paper_ballot(
                conn,
                vote.id,
                _choices(vote, stored, vote_spec["seed"]),
                new_name=f"当日の紙{n + 1}",
            )
        if vote_spec["close"] or n < len(spec["votes"]) - 1:
            voting.close_vote(conn, vote.id)
            closed_items = stored
    meetings.set_phase(conn, meeting.id, "wrapup")
    with pytest.raises(ValidationError) as refused:  # an action needs its 活動方針
        actions.add_action(
            conn,
            PLAN,
            meeting.id,
            title="方針なし",
            owner="自治会",
            due_on="2026-09-01",
            policy_id=None,
        )
    assert refused.value.message == msg.WRAPUP_POLICY_EMPTY
    decided = []
    for n, (title, owner, due, policy, from_item) in enumerate(spec["actions"]):
        source = closed_items[n % len(closed_items)].id if from_item and closed_items else None
        decided.append(
            actions.add_action(
                conn,
                PLAN,
                meeting.id,
                title=title,
                owner=owner,
                due_on=due,
                policy_id=policy,
                source_vote_item_id=source,
            )
        )
    for action, status in zip(decided, spec["status_changes"], strict=False):
        actions.set_action_status(conn, action.id, status)
    if spec["end_phase"] == "closed":
        meetings.set_phase(conn, meeting.id, "closed")
    return meeting.id


def expected_tables(conn, meeting_id: int) -> dict[str, list[dict]]:
    """What the office must hold, read from the meeting through the kit's own domain functions."""
    members = meeting_store.list_members(conn, meeting_id)
    board = [i for i in issues.open_issues(conn, meeting_id) if i.status == "open"]
    text_of_issue = {i.id: i.text for i in board}
    out: dict[str, list[dict]] = {
        name: [] for name in ("issues", "votes", "tallies", "ballots", "actions")
    }
    for issue in board:
        out["issues"].append(
            {
                "text": issue.text,
                "goal_id": issue.goal_id,
                "seriousness": issue.seriousness,
                "reach": issue.reach,
                "place": issue.place,
                "raised_count": issue.raised_count,
            }
        )
    for vote in (v for v in voting.list_votes(conn, meeting_id) if v.status != "draft"):
        cast = voting.ballots(conn, vote.id)
        items = voting.vote_items(conn, vote.id)
        out["votes"].append(
            {
                "title": vote.title,
                "method": vote.method,
                "status": vote.status,
                "eligible": len(members),
                "ballots": len(cast),
                "paper_ballots": sum(1 for b in cast if b.is_paper),
            }
        )
        issue_of = {item.id: item.issue_id for item in items}
        for row in tally.vote_result(conn, vote.id).to_dict("records"):
            out["tallies"].append(
                {
                    "vote": vote.title,
                    "position": int(row["position"]),
                    "label": row["label"],
                    "issue_text": text_of_issue.get(issue_of[int(row["item_id"])]),
                    "goal_id": row["goal_id"] or "",
                    "score": float(row["score"]),
                    "spread": int(row["spread"]),
                    "rank": int(row["rank"]),
                    "tied": int(bool(row["tied"])),
                }
            )
        position = {item.id: item.position for item in items}
        for ballot in cast:
            out["ballots"].append(
                {
                    "vote": vote.title,
                    "is_paper": int(ballot.is_paper),
                    "choices": {
                        str(position[k]): v
                        for k, v in sorted(ballot.choices.items(), key=lambda kv: position[kv[0]])
                    },
                }
            )
    for action in actions.meeting_actions(conn, meeting_id):
        out["actions"].append(
            {
                "title": action.title,
                "owner": action.owner,
                "due_on": action.due_on,
                "policy_id": action.policy_id,
                "goal_id": PLAN.policy(action.policy_id).goal_id,
                "status": action.status,
                "issue_text": text_of_issue.get(action.source_issue_id),
            }
        )
    return out


def arrived_tables(office, uid: str) -> dict[str, list[dict]]:
    """The same values as the office store holds them (issue and vote numbers resolved)."""
    rows = {t.office_table: office_store.compiled_rows(office, t.office_table, uid) for t in TABLES}
    text_of_issue = {r["issue_no"]: r["text"] for r in rows["issues"]}
    vote_title = {r["vote_no"]: r["title"] for r in rows["votes"]}
    keep = ("text", "goal_id", "seriousness", "reach", "place", "raised_count")
    return {
        "issues": [{k: r[k] for k in keep} for r in rows["issues"]],
        "votes": [
            {k: r[k] for k in ("title", "method", "status", "eligible", "ballots", "paper_ballots")}
            for r in rows["votes"]
        ],
        "tallies": [
            {
                "vote": vote_title[r["vote_no"]],
                "position": r["position"],
                "label": r["label"],
                "issue_text": text_of_issue.get(r["issue_no"]),
                "goal_id": r["goal_id"],
                "score": r["score"],
                "spread": r["spread"],
                "rank": r["rank"],
                "tied": r["tied"],
            }
            for r in rows["tallies"]
        ],
        "ballots": [
            {
                "vote": vote_title[r["vote_no"]],
                "is_paper": r["is_paper"],
                "choices": json.loads(r["choices"]),
            }
            for r in rows["ballots"]
        ],
        "actions": [
            {
                "title": r["title"],
                "owner": r["owner"],
                "due_on": r["due_on"],
                "policy_id": r["policy_id"],
                "goal_id": r["goal_id"],
                "status": r["status"],
                "issue_text": text_of_issue.get(r["source_issue_no"]),
            }
            for r in rows["actions"]
        ],
        "map_counts": rows["map_counts"],
    }


def _same_rows(a: list[dict], b: list[dict]) -> bool:
    key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(meeting_shapes())
def test_every_meeting_shape_reaches_the_office_intact(spec):
    with tempfile.TemporaryDirectory(prefix="tasukeai-roundtrip-") as tmp:
        folder = Path(tmp)
        conn = open_store(folder / "meeting.sqlite")
        unlock_fast(conn)  # the map page's key (the test passphrase)
        office = office_store.open_office_store(folder / "office.sqlite")
        try:
            meeting_id = build_meeting(conn, spec)
            saved = save_result_file(conn, PLAN, meeting_id, folder / "results")
            report = compile_folder(office, folder / "results", PLAN)
            assert [f.status for f in report.files] == ["ok"], report.lines()

            meeting = meeting_store.get_meeting(conn, meeting_id)
            uid = meeting_uid("d07", meeting.held_on, meeting.title)
            compiled = office_store.get_meeting(office, uid)
            members = meeting_store.list_members(conn, meeting_id)
            assert (compiled.district_name, compiled.held_on, compiled.title) == (
                "しらさぎ地区",
                "2026-07-04",
                "第2回 しらさぎ地区の話し合い",
            )
            assert compiled.members == len(members)
            assert compiled.members_with_tablet == sum(m.has_tablet for m in members)
            assert compiled.revision == saved.revision

            expected = expected_tables(conn, meeting_id)
            arrived = arrived_tables(office, uid)
            for name in ("issues", "votes", "tallies", "ballots", "actions"):
                assert _same_rows(arrived[name], expected[name]), name
            map_expected = [
                {"category": c, "label": label, "count": n}
                for c, label, n in office_counts(conn, "d07", meeting_id)
            ]
            assert _same_rows(arrived["map_counts"], map_expected)
            persons = {r["category"]: r["count"] for r in arrived["map_counts"]}.get("persons")
            assert persons == (3 if spec["map"] == "full" else 0)
        finally:
            conn.close()
            office.close()


def test_a_vote_of_one_issue_and_two_proposals_without_a_goal_is_compiled(tmp_path):
    """The case the office once refused: ``goal_id`` = ``nan`` in ``tallies.csv``."""
    spec = {
        "tablets": [True, True],
        "issues": [("買い物に行けない", GOALS[0], 3, 3, "")],
        "merge": False,
        "hide": False,
        "map": "empty",
        "votes": [
            {
                "method": "dots",
                "shape": "mixed",
                "proposals": [("送迎ボランティアを募る", None), ("移動販売を呼ぶ", None)],
                "ballots": [True, True],
                "seed": 3,
                "new_paper_member": False,
                "close": True,
            }
        ],
        "actions": [],
        "status_changes": [],
        "end_phase": "closed",
    }
    conn = open_store(tmp_path / "meeting.sqlite")
    unlock_fast(conn)
    meeting_id = build_meeting(conn, spec)
    saved = save_result_file(conn, PLAN, meeting_id, tmp_path / "results")
    import zipfile

    with zipfile.ZipFile(saved.path) as z:
        tallies = z.read("tallies.csv").decode("utf-8-sig")
    assert "nan" not in tallies.lower()
    office = office_store.open_office_store(tmp_path / "office.sqlite")
    report = compile_folder(office, tmp_path / "results", PLAN)
    assert [f.status for f in report.files] == ["ok"], report.lines()
    rows = office_store.compiled_rows(office, "tallies", saved.manifest.meeting_uid)
    assert sorted(r["goal_id"] for r in rows) == ["", "", GOALS[0]]
