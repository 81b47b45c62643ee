"""Sample votes (優先順位の投票) and action items (まとめの取組) for the sample city.

``add_sample_votes`` is one of the sample builders (see ``kit.sample.city.sample_builders``).
It goes through the functions the pages use: it moves the meeting to 投票 for a moment,
opens one dot vote over the meeting's open 困りごと (or over proposed actions taken from
the plan when the meeting has no issues), casts its members' ballots (paper for members
without a tablet, a few changed once), closes it, then writes 2–4 action items with
policies and mixed statuses in まとめ, and puts the meeting back where it was.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

from kit.meeting import actions, meetings, voting
from kit.plan import Plan
from kit.store import meetings as meeting_store

OWNERS = (
    "民生委員・児童委員",
    "自治会の班長",
    "地区社協の役員",
    "見守りボランティアの会",
    "老人クラブ",
    "子ども会の保護者",
    "サロンの世話人",
)
MAX_SAMPLE_ITEMS = 10
# Fictional district-level actions, by the 重点目標 of the bundled plan (another city's plan
# falls back to its policy names).
SAMPLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "1-(1)": ("新しく越してきた世帯へのあいさつ回りをする", "夏祭りの準備に若い世帯を誘う"),
    "1-(2)": ("一人暮らしの方への見守り声かけ当番をつくる", "集会所で月1回のサロンを開く"),
    "2-(1)": ("見守りボランティアの募集チラシをつくる", "ボランティア体験会を開く"),
    "2-(2)": ("地区の相談先一覧を回覧板で配る", "小学校に福祉の出前授業を頼む"),
    "3-(1)": ("買い物に行けない方の送迎を試してみる", "ごみ出しの手伝いの仕組みを話し合う"),
    "3-(2)": ("電球交換などのちょっとした手助け隊をつくる", "大雨のとき声をかけ合う人を決める"),
    "4-(1)": ("地元のお店に見守りの協力をお願いする", "使わない介護用品の譲り合い会を開く"),
    "4-(2)": ("社協会費の使いみちを地区だよりで紹介する", "赤い羽根募金の呼びかけを工夫する"),
}


def sample_action_texts(plan: Plan, goal_id: str | None) -> tuple[str, ...]:
    if goal_id and goal_id in SAMPLE_ACTIONS:
        return SAMPLE_ACTIONS[goal_id]
    if goal_id and plan.has_goal(goal_id):
        return tuple(p.name for p in plan.goal(goal_id).policies)
    return tuple(p.name for p in plan.policies()[:2])


def _items(conn: sqlite3.Connection, rng: random.Random, plan: Plan, meeting_id: int) -> list:
    issues = voting.open_issues(conn, meeting_id)
    if len(issues) >= voting.MIN_ITEMS:
        issues = issues[:MAX_SAMPLE_ITEMS]
        return [voting.issue_item(i.id) for i in issues]
    goals = [g.id for g in plan.goals()]
    chosen = rng.sample(goals, k=min(len(goals), rng.randint(4, 6)))
    return [
        voting.proposal(rng.choice(sample_action_texts(plan, g))[: voting.ITEM_MAX_CHARS], g)
        for g in chosen
    ]


def _dots(rng: random.Random, item_ids: list[int], allowance: int) -> dict[int, int]:
    favourites = rng.sample(item_ids, k=min(len(item_ids), rng.randint(1, 3)))
    ballot: dict[int, int] = {}
    for _ in range(allowance):
        item = rng.choice(favourites)
        ballot[item] = ballot.get(item, 0) + 1
    return ballot


def _status(rng: random.Random, sample) -> str:
    if sample.closed:
        return rng.choices(actions.STATUSES, weights=(2, 3, 4))[0]
    return rng.choices(actions.STATUSES, weights=(6, 2, 0.5))[0]


def add_sample_votes(conn: sqlite3.Connection, rng: random.Random, plan: Plan, sample) -> None:
    """One closed dot vote and 2–4 action items for a sample meeting (see module docstring)."""
    members = meeting_store.list_members(conn, sample.meeting_id)
    if not members:
        return
    meeting = meeting_store.get_meeting(conn, sample.meeting_id)
    before = meeting.phase
    meetings.set_phase(conn, sample.meeting_id, "vote")
    try:
        vote = voting.create_vote(
            conn,
            sample.meeting_id,
            _items(conn, rng, plan, sample.meeting_id),
            plan=plan,
            method="dots",
            dots=voting.DEFAULT_DOTS,
            open_now=True,
        )
        item_ids = [i.id for i in voting.vote_items(conn, vote.id)]
        for member in members:
            if member.has_tablet and rng.random() < 0.1:
                continue  # stepped out during the vote
            if member.has_tablet and rng.random() < 0.2:  # changed their mind once
                voting.cast_ballot(
                    conn, vote.id, member.id, _dots(rng, item_ids, vote.settings.dots)
                )
            voting.cast_ballot(
                conn,
                vote.id,
                member.id,
                _dots(rng, item_ids, vote.settings.dots),
                paper=not member.has_tablet,
            )
        voting.close_vote(conn, vote.id)

        meetings.set_phase(conn, sample.meeting_id, "wrapup")
        top = actions.top_vote_items(conn, sample.meeting_id, n=4)
        if len(top) < 2:  # everyone backed one item: take the next ones in the vote too
            chosen = {t.item_id for t in top}
            top += [
                actions.TopItem(i.id, i.label, i.goal_id, i.issue_id, 0, 0, len(top) + 1, False)
                for i in voting.vote_items(conn, vote.id)
                if i.id not in chosen
            ]
        held_on = dt.date.fromisoformat(meeting.held_on)
        for item in top[: rng.randint(2, 4)]:
            policy_id = actions.suggested_policy(plan, item.goal_id) or plan.policies()[0].id
            title = (
                item.label
                if item.issue_id is None
                else rng.choice(sample_action_texts(plan, item.goal_id))
            )
            action = actions.add_action(
                conn,
                plan,
                sample.meeting_id,
                title=title[: actions.TITLE_MAX_CHARS],
                owner=rng.choice(OWNERS),
                due_on=held_on + dt.timedelta(days=rng.choice((30, 60, 90, 120, 180))),
                policy_id=policy_id,
                source_vote_item_id=item.item_id,
            )
            status = _status(rng, sample)
            if status != action.status:
                actions.set_action_status(conn, action.id, status)
    finally:
        meetings.set_phase(conn, sample.meeting_id, before)
