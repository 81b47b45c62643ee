"""The sample city (架空の市): a deterministic, seeded builder used by ``sample_data/`` and tests.

Everything here is fictional: district names are invented, members are nicknames from a
fixed list and map persons are pseudonyms (「Aさん」). ``build_sample_city(conn)`` gives the
same rows for the same seed on every machine.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass

from kit.meeting import meetings
from kit.plan import Plan
from kit.store import meetings as store

SEED = 42
CITY = "みどり野市（架空）"
DISTRICTS = (
    ("d01", "さくら台地区"),
    ("d02", "かわせみ地区"),
    ("d03", "ひばりが丘地区"),
    ("d04", "もみじ町地区"),
    ("d05", "すずらん地区"),
    ("d06", "あおば東地区"),
)
NICKNAMES = (
    "さくら",
    "つばき",
    "ひまわり",
    "すみれ",
    "かえで",
    "あやめ",
    "なでしこ",
    "たんぽぽ",
    "こぶし",
    "ききょう",
    "りんどう",
    "やまぶき",
    "れんげ",
    "あじさい",
    "もくれん",
    "ゆり",
)
MEETING_DATES = ("2025-06-14", "2025-11-08", "2026-06-13")
# The sample city's map is sealed like a real district's; its passphrase is public on purpose
# (README, printed by ``tasukeai demo``). A real district chooses its own on the map page.
DEMO_PASSPHRASE = "tasukeai-demo"


@dataclass(frozen=True)
class SampleMeeting:
    meeting_id: int
    district_id: str
    member_ids: tuple[int, ...]
    closed: bool


def build_sample_city(
    conn: sqlite3.Connection, plan: Plan, seed: int = SEED
) -> list[SampleMeeting]:
    """Fill an empty store with the sample city; return the meetings made (oldest first)."""
    rng = random.Random(seed)
    built: list[SampleMeeting] = []
    open_demo_map(conn)
    for district_id, name in DISTRICTS:
        store.upsert_district(conn, district_id, name, CITY)
    for round_index, held_on in enumerate(MEETING_DATES):
        for district_id, _name in DISTRICTS:
            closed = round_index < len(MEETING_DATES) - 1
            meeting = meetings.create_meeting(
                conn,
                district_id=district_id,
                title=f"第{round_index + 1}回 支え合い会議",
                held_on=held_on,
                plan_id=plan.plan_id,
                agenda="1. 困りごと出し\n2. 支え合いマップ\n3. 優先順位の投票\n4. まとめ",
            )
            count = rng.randint(6, 10)
            member_ids = tuple(
                meetings.join_meeting(conn, meeting.join_code, nick)[1].id
                for nick in rng.sample(NICKNAMES, count)
            )
            sample = SampleMeeting(meeting.id, district_id, member_ids, closed)
            for add in sample_builders():
                add(conn, rng, plan, sample)
            if closed:
                meetings.set_phase(conn, meeting.id, "closed")
            built.append(sample)
    return built


def open_demo_map(conn: sqlite3.Connection) -> None:
    """Give ``conn`` the sample map's key: set the demo passphrase, or open with it."""
    from kit.supportmap import vault

    if vault.is_unlocked(conn):
        return
    if vault.has_passphrase(conn):
        vault.unlock(conn, DEMO_PASSPHRASE)
    else:
        vault.setup(conn, DEMO_PASSPHRASE)


def sample_builders() -> list:
    """Each capability adds its own rows to a sample meeting, in this order."""
    from kit.sample.issues import add_sample_issues
    from kit.sample.supportmap import add_sample_map
    from kit.sample.votes import add_sample_votes

    return [add_sample_issues, add_sample_map, add_sample_votes]
