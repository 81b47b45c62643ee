"""Sample local issues (地域の困りごと) for the sample city: fictional, tagged to focus goals.

``add_sample_issues`` is one of the sample builders (see ``kit.sample.city.sample_builders``).
It goes through the same functions the pages use, so sample data obeys the same rules:
it opens the 困りごと出し phase for a moment and puts the meeting back where it was.
"""

from __future__ import annotations

import random
import sqlite3

from kit.meeting import issues, meetings
from kit.plan import Plan
from kit.store import meetings as meeting_store

# Everyday, clearly fictional issues, by the 重点目標 of the bundled plan.
SAMPLE_TEXTS: dict[str, tuple[str, ...]] = {
    "1-(1)": (
        "引っ越してきた若い世帯と、あいさつする機会がない",
        "自治会の夏祭りの担い手が年々へっている",
        "集会所の行事に、いつも同じ顔ぶれしか来ない",
        "ご近所の名前と顔が一致しなくなってきた",
    ),
    "1-(2)": (
        "一人暮らしの高齢者が増え、様子がわからない家がある",
        "気軽に立ち寄れる居場所（サロン）が地区に一つしかない",
        "新聞がたまっている家に気づいても、どこに知らせればよいかわからない",
        "子どもが放課後に過ごせる場所が少ない",
    ),
    "2-(1)": (
        "見守りボランティアが高齢化して、次の担い手がいない",
        "ボランティアをしたい人と、手伝ってほしい団体がつながっていない",
        "平日の昼間に動ける人が少ない",
    ),
    "2-(2)": (
        "社協だよりが若い世代に読まれていない",
        "困ったときの相談先を知らない人が多い",
        "子どもたちが福祉について学ぶ機会が少ない",
    ),
    "3-(1)": (
        "バス停までの坂道がきつく、買い物に行けない人がいる",
        "ごみ出しが難しくなった高齢の方がいる",
        "生活が苦しいことを、誰にも相談できずにいる家庭がある",
        "介護のことを相談できる窓口が遠い",
    ),
    "3-(2)": (
        "認知症の方のお金の管理が心配",
        "電球の交換など、ちょっとした手助けを頼める人がいない",
        "大雨のとき、一人で避難できない人がいる",
    ),
    "4-(1)": (
        "地元のお店と福祉活動のつながりが弱い",
        "使わなくなった車いすや介護用品を生かす仕組みがない",
    ),
    "4-(2)": (
        "社協の会費が何に使われているか、知られていない",
        "赤い羽根募金の集まりが減っている",
    ),
}
PLACES = (
    "",
    "",
    "",
    "駅の北側",
    "さくら公園のあたり",
    "団地の3号棟",
    "小学校の通学路",
    "集会所の前",
)
DUPLICATE_SUFFIX = "（同じ声が出ています）"


def add_sample_issues(
    conn: sqlite3.Connection, rng: random.Random, plan: Plan, sample
) -> list[issues.Issue]:
    """Add fictional issues to a sample meeting (5–12 on the board); some merged, some hidden.

    ``sample`` is a :class:`kit.sample.city.SampleMeeting`. Returns the issues that stay open.
    """
    pool = [(goal_id, text) for goal_id, texts in SAMPLE_TEXTS.items() for text in texts]
    pool = [(goal_id, text) for goal_id, text in pool if plan.has_goal(goal_id)]
    if not pool:  # another city's plan: spread the same texts over its goals
        goals = [g.id for g in plan.goals()]
        pool = [
            (goals[i % len(goals)], text)
            for i, (_, text) in enumerate((g, t) for g, ts in SAMPLE_TEXTS.items() for t in ts)
        ]
    if not sample.member_ids:
        return []
    before = meeting_store.get_phase(conn, sample.meeting_id)
    meetings.set_phase(conn, sample.meeting_id, "issues")
    try:
        count = rng.randint(5, 11)  # with the spoken one: 5–12 on the board
        chosen = rng.sample(pool, min(count, len(pool)))
        sent = [
            issues.submit_issue(
                conn,
                plan,
                sample.meeting_id,
                rng.choice(sample.member_ids),
                text=text,
                goal_id=goal_id,
                seriousness=rng.randint(1, 5),
                reach=rng.randint(1, 5),
                place=rng.choice(PLACES),
            )
            for goal_id, text in chosen
        ]
        # Some members raise the same thing again; the facilitator merges the duplicates.
        for original in rng.sample(sent, k=min(len(sent), rng.randint(1, 2))):
            others = [m for m in sample.member_ids if m != original.member_id] or list(
                sample.member_ids
            )
            duplicate = issues.submit_issue(
                conn,
                plan,
                sample.meeting_id,
                rng.choice(others),
                text=original.text + DUPLICATE_SUFFIX,
                goal_id=original.goal_id,
                seriousness=rng.randint(1, 5),
                reach=rng.randint(1, 5),
            )
            issues.merge_issues(conn, original.id, duplicate.id)
        # One in three meetings: an issue the facilitator took off the board.
        if len(sent) > 5 and rng.random() < 0.34:
            issues.hide_issue(conn, sent[-1].id)
        # One spoken aloud by a member without a tablet.
        goal_id, text = rng.choice([p for p in pool if p not in chosen] or pool)
        issues.add_spoken_issue(
            conn, plan, sample.meeting_id, text=text, goal_id=goal_id, seriousness=3, reach=2
        )
    finally:
        meetings.set_phase(conn, sample.meeting_id, before)
    return issues.open_issues(conn, sample.meeting_id)
