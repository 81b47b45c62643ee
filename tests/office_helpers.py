"""Building meetings and result files for the hand-over and office tests (事務局への提出)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kit.meeting import actions, issues, meetings, voting
from kit.plan import Plan
from kit.resultfile.format import result_file_name
from kit.resultfile.write import pack_result_file, save_result_file
from kit.store import meetings as meeting_store
from kit.supportmap import model as supportmap

SECRET_RESIDENTS = ("秘密山キヌヨ", "Zeta-Okubo-7731")
SECRET_NOTES = ("鍵は植木鉢の下にあります", "持病ノート-XQ9")
SECRET_MEMBERS = ("会員ヤマカワタロウ", "会員ウミノハナコ", "会員ソラノジロウ")
HOSTILE_ISSUE = '=HYPERLINK("http://evil.example","click")'


def full_meeting(
    conn: sqlite3.Connection,
    plan: Plan,
    *,
    district_id: str = "d01",
    district_name: str = "テスト地区",
    held_on: str = "2026-06-13",
    title: str = "第1回 テスト会議",
    city: str = "テスト市",
    with_map: bool = True,
) -> int:
    """A meeting through every phase: issues, a map with secrets, a closed dot vote, actions."""
    meeting_store.upsert_district(conn, district_id, district_name, city)
    meeting = meetings.create_meeting(
        conn, district_id=district_id, title=title, held_on=held_on, plan_id=plan.plan_id
    )
    member_ids = [
        meetings.join_meeting(conn, meeting.join_code, name)[1].id for name in SECRET_MEMBERS
    ]
    meetings.set_phase(conn, meeting.id, "issues")
    texts = (
        ("買い物に行けない高齢者が増えている", "3-(1)", 4, 3, "1丁目"),
        ("サロンの担い手が足りない", "2-(1)", 3, 2, ""),
        (HOSTILE_ISSUE, "1-(2)", 5, 5, "+集会所"),
        ("ひとり暮らしの見守りが心配", "1-(2)", 5, 4, "-2丁目"),
    )
    issue_ids = [
        issues.submit_issue(
            conn,
            plan,
            meeting.id,
            member_ids[i % len(member_ids)],
            text=text,
            goal_id=goal,
            seriousness=ser,
            reach=reach,
            place=place,
        ).id
        for i, (text, goal, ser, reach, place) in enumerate(texts)
    ]
    if with_map:
        meetings.set_phase(conn, meeting.id, "map")
        a = supportmap.add_person(
            conn,
            district_id,
            10,
            10,
            label=SECRET_RESIDENTS[0],
            flags=["alone", "needs_watch"],
            note=SECRET_NOTES[0],
        )
        b = supportmap.add_person(
            conn,
            district_id,
            20,
            20,
            label=SECRET_RESIDENTS[1],
            flags=["needs_watch"],
            note=SECRET_NOTES[1],
        )
        helper = supportmap.add_person(
            conn, district_id, 30, 30, label="世話焼きの人", flags=["sewayaki"]
        )
        supportmap.add_place(conn, district_id, 40, 40, kind="salon", label="ひだまりサロン")
        supportmap.add_link(conn, helper.id, a.id, kind="watch")
        del b
    meetings.set_phase(conn, meeting.id, "vote")
    vote = voting.create_vote(
        conn,
        meeting.id,
        [voting.issue_item(i) for i in issue_ids],
        plan=plan,
        method="dots",
        dots=5,
        open_now=True,
    )
    items = voting.vote_items(conn, vote.id)
    voting.cast_ballot(conn, vote.id, member_ids[0], {items[0].id: 3, items[3].id: 2})
    voting.cast_ballot(conn, vote.id, member_ids[1], {items[3].id: 5})
    voting.cast_ballot(conn, vote.id, member_ids[2], {items[0].id: 1, items[1].id: 4})
    voting.close_vote(conn, vote.id)
    meetings.set_phase(conn, meeting.id, "wrapup")
    actions.add_action(
        conn,
        plan,
        meeting.id,
        title="見守り当番表をつくる",
        owner="自治会",
        due_on="2026-09-30",
        policy_id="1-(2)-①",
        source_vote_item_id=items[3].id,
    )
    actions.add_action(
        conn,
        plan,
        meeting.id,
        title="@買い物バスの相談",
        owner="地区社協",
        due_on="2026-12-01",
        policy_id="3-(1)-①",
    )
    return meeting.id


def write_minimal_file(
    folder: Path,
    plan: Plan,
    *,
    district_id: str = "d01",
    district_name: str = "テスト地区",
    held_on: str = "2026-06-13",
    title: str = "会議",
    revision: int = 1,
    issues_count: int = 1,
    plan_id: str | None = None,
    format_version: int = 1,
    created_at: str = "2026-06-13T12:00:00.000Z",
) -> Path:
    """A small valid result file written straight from rows (fast: for the 10,000-file test)."""
    from kit.resultfile.format import meeting_uid

    goal = plan.goals()[0]
    header = {
        "format": "tasukeai-result",
        "format_version": format_version,
        "kit_version": "0.1.0",
        "plan_id": plan_id or plan.plan_id,
        "city": "テスト市",
        "district_id": district_id,
        "district_name": district_name,
        "meeting_uid": meeting_uid(district_id, held_on, title),
        "meeting_date": held_on,
        "title": title,
        "revision": revision,
        "created_at": created_at,
        "members": 5,
        "members_with_tablet": 4,
    }
    tables = {
        "issues.csv": [
            {
                "issue_no": n,
                "text": f"困りごと{n}",
                "goal_id": goal.id,
                "goal_name": goal.name,
                "basic_plan_id": goal.basic_plan_id,
                "seriousness": 3,
                "reach": 2,
                "place": "",
                "raised_count": 1,
            }
            for n in range(1, issues_count + 1)
        ],
        "map_counts.csv": [{"category": "isolated", "label": "孤立", "count": 2}],
    }
    data, manifest = pack_result_file(header, tables)
    path = Path(folder) / result_file_name(manifest)
    path.write_bytes(data)
    return path


def save(conn, plan, meeting_id, folder) -> Path:
    return save_result_file(conn, plan, meeting_id, folder).path
