"""Sample mutual-aid maps (支え合いマップ) for the fictional city, and large generated maps.

Everyone on these maps is a pseudonym (「Aさん」…) and every place name is invented.
``add_sample_map`` is one of the sample city's builders; ``generate_map_data`` makes an
in-memory map of any size for the speed tests and the benchmark.
"""

from __future__ import annotations

import random
import sqlite3

from kit.plan import Plan
from kit.store import meetings as meeting_store
from kit.store import supportmap as map_store
from kit.store.supportmap import MapLink, MapNode
from kit.supportmap import model as sm
from kit.supportmap.model import MAP_HEIGHT, MAP_WIDTH, MapData

AREAS = ("1丁目", "2丁目", "3丁目", "4丁目")
# Each area is a block of the map (x0, y0, x1, y1), leaving roads between them.
AREA_BLOCKS = (
    (8.0, 54.0, 74.0, 94.0),
    (86.0, 54.0, 152.0, 94.0),
    (8.0, 6.0, 74.0, 46.0),
    (86.0, 6.0, 152.0, 46.0),
)
PLACES = (
    ("salon", "ふれあいサロン", "毎週水曜 10時〜"),
    ("kodomo_shokudo", "こども食堂 にじいろ", "第2・第4土曜"),
    ("tsudoi", "集いの場 ひだまり", "毎週月・木"),
    ("shop", "まちかど商店", "日曜以外"),
    ("kominkan", "地区集会所", "平日 9時〜17時"),
    ("clinic", "みどり薬局", "平日・土曜午前"),
    ("tsudoi", "体操の会（公園）", "毎朝 6時半"),
)
CONCERN_PATTERNS = (
    ("alone",),
    ("alone", "needs_watch"),
    ("elderly_only",),
    ("elderly_only", "needs_watch"),
    ("alone", "dementia", "needs_watch"),
    ("disability",),
    ("hikikomori",),
    ("single_parent",),
    ("alone", "outing_hard"),
    ("care_needed", "elderly_only"),
)
SUPPORT_KINDS = ("visit", "watch", "errands", "chat", "emergency", "escort")


def add_sample_map(conn: sqlite3.Connection, rng: random.Random, plan: Plan, sample) -> None:
    """Sample city builder: a district's first meeting draws its map; later ones change it.

    A later meeting first records its starting map (the snapshot that 「前回の会議からの変化」
    compares with), then a few lines are added and one removed, so the diff has content.
    """
    district_id = sample.district_id
    with sm.bulk_edit(conn):  # the counts are stored once per meeting, not at every line
        if not map_store.count_items(conn, district_id):
            _draw_first_map(conn, rng, district_id)
            sm.ensure_baseline(conn, sample.meeting_id)
        else:
            sm.ensure_baseline(conn, sample.meeting_id)
            _change_map(conn, rng, district_id)
    sm.clear_undo(conn, district_id)


def _point_in(rng: random.Random, block: tuple[float, float, float, float]) -> tuple[float, float]:
    x0, y0, x1, y1 = block
    return round(rng.uniform(x0, x1), 1), round(rng.uniform(y0, y1), 1)


def _draw_first_map(conn: sqlite3.Connection, rng: random.Random, district_id: str) -> None:
    district = meeting_store.get_district(conn, district_id)
    count = rng.randint(30, 60)
    persons: list[MapNode] = []
    helpers: list[MapNode] = []
    concerned: list[MapNode] = []
    for index in range(count):
        area_index = rng.randrange(len(AREAS))
        x, y = _point_in(rng, AREA_BLOCKS[area_index])
        roll = rng.random()
        if roll < 0.58:
            flags = rng.choice(CONCERN_PATTERNS)
        elif index % 11 == 0:
            flags = ("sewayaki",)
        elif index % 17 == 0:
            flags = ("minsei",)
        elif index % 19 == 0:
            flags = ("shop_staff",)
        else:
            flags = ()
        node = sm.add_person(
            conn, district_id, x, y, flags=flags, area=AREAS[area_index], record_undo=False
        )
        persons.append(node)
        (concerned if any(sm.is_concern(f) for f in flags) else helpers).append(node)
    if not helpers:  # a map always has someone who helps
        helpers.append(concerned.pop())
    places = []
    for kind, name, opening in rng.sample(PLACES, rng.randint(5, 7)):
        area_index = rng.randrange(len(AREAS))
        x, y = _point_in(rng, AREA_BLOCKS[area_index])
        if kind == "kominkan":
            name = f"{district.name.removesuffix('地区')}集会所"
        places.append(
            sm.add_place(
                conn,
                district_id,
                x,
                y,
                kind=kind,
                label=name,
                opening_days=opening,
                area=AREAS[area_index],
                record_undo=False,
            )
        )
    # Some people stay without any line (孤立) and some needing watching without a watcher.
    isolated = set(n.id for n in rng.sample(concerned, min(len(concerned), rng.randint(3, 5))))
    watch_needed = [n for n in concerned if "needs_watch" in n.flags and n.id not in isolated]
    gaps = set(n.id for n in rng.sample(watch_needed, min(len(watch_needed), rng.randint(3, 4))))
    reachable = [n for n in concerned if n.id not in isolated]
    for helper in helpers:
        many = "sewayaki" in helper.flags or "minsei" in helper.flags
        nearby = sorted(reachable, key=lambda n: (n.x - helper.x) ** 2 + (n.y - helper.y) ** 2)
        for target in nearby[: rng.randint(4, 6) if many else rng.randint(1, 2)]:
            kind = rng.choice(SUPPORT_KINDS)
            if kind == "watch" and target.id in gaps:
                kind = "visit"
            _link(conn, helper.id, target.id, kind, rng)
    for person in watch_needed:
        if person.id not in gaps and rng.random() < 0.9:
            near = sorted(helpers, key=lambda h: (h.x - person.x) ** 2 + (h.y - person.y) ** 2)
            _link(conn, rng.choice(near[:3]).id, person.id, "watch", rng)
    for person in persons:
        if person.id not in isolated and rng.random() < 0.3:
            near = sorted(places, key=lambda q: (q.x - person.x) ** 2 + (q.y - person.y) ** 2)
            _link(conn, person.id, rng.choice(near[:2]).id, "attends", rng)
    # Neighbours look in on each other too (声かけ), which keeps most people connected.
    for person in reachable:
        if rng.random() < 0.25:
            near = sorted(reachable, key=lambda n: (n.x - person.x) ** 2 + (n.y - person.y) ** 2)
            _link(conn, person.id, rng.choice(near[1:5]).id, "chat", rng)


def _link(conn, source_id: int, target_id: int, kind: str, rng: random.Random) -> None:
    if sm.find_link(conn, source_id, target_id, kind):
        return
    strength = "strong" if rng.random() < 0.65 else "occasional"
    sm.add_link(conn, source_id, target_id, kind=kind, strength=strength, record_undo=False)


def _change_map(conn: sqlite3.Connection, rng: random.Random, district_id: str) -> None:
    """Between meetings: a few new lines (to isolated people, to a watch gap), one line gone."""
    from kit.supportmap.analysis import isolated_persons, watch_gaps

    data = sm.load_map(conn, district_id)
    helpers = [p for p in data.persons if not any(sm.is_concern(f) for f in p.flags)] or list(
        data.persons
    )
    lonely = isolated_persons(data)
    for finding in rng.sample(lonely, min(len(lonely), 1)):
        person = data.node(finding.node_id)
        near = sorted(helpers, key=lambda h: (h.x - person.x) ** 2 + (h.y - person.y) ** 2)
        _link(conn, near[0].id, person.id, rng.choice(("visit", "chat")), rng)
    if rng.random() < 0.7:  # someone new moved in, not yet known to anyone
        area_index = rng.randrange(len(AREAS))
        x, y = _point_in(rng, AREA_BLOCKS[area_index])
        sm.add_person(
            conn,
            district_id,
            x,
            y,
            flags=rng.choice(CONCERN_PATTERNS),
            area=AREAS[area_index],
            record_undo=False,
        )
    gaps = watch_gaps(data)
    if gaps:
        _link(conn, rng.choice(helpers).id, rng.choice(gaps).node_id, "watch", rng)
    for _ in range(2):
        a, b = rng.sample(list(data.persons), 2)
        _link(conn, a.id, b.id, "chat", rng)
    removable = [link for link in data.links if link.kind in ("chat", "errands")]
    if removable:
        sm.delete_link(conn, rng.choice(removable).id, record_undo=False)


def generate_map_data(persons: int = 5000, *, seed: int = 0, district_id: str = "big") -> MapData:
    """An in-memory map of ``persons`` pseudonymous people (for speed tests; never stored)."""
    rng = random.Random(seed)
    stamp = "2026-01-01T00:00:00.000Z"
    nodes: list[MapNode] = []
    for index in range(persons):
        roll = rng.random()
        flags = (
            rng.choice(CONCERN_PATTERNS) if roll < 0.55 else (("sewayaki",) if roll > 0.97 else ())
        )
        nodes.append(
            MapNode(
                id=index + 1,
                district_id=district_id,
                node_type="person",
                label=sm._letters(index) + "さん",
                kind="",
                flags=tuple(flags),
                note="",
                opening_days="",
                area=AREAS[index % len(AREAS)],
                x=round(rng.uniform(0, MAP_WIDTH), 1),
                y=round(rng.uniform(0, MAP_HEIGHT), 1),
                deleted=False,
                created_at=stamp,
                updated_at=stamp,
            )
        )
    place_count = max(1, persons // 25)
    for index in range(place_count):
        kind, name, opening = PLACES[index % len(PLACES)]
        nodes.append(
            MapNode(
                id=persons + index + 1,
                district_id=district_id,
                node_type="place",
                label=f"{name}{index + 1}",
                kind=kind,
                flags=(),
                note="",
                opening_days=opening,
                area=AREAS[index % len(AREAS)],
                x=round(rng.uniform(0, MAP_WIDTH), 1),
                y=round(rng.uniform(0, MAP_HEIGHT), 1),
                deleted=False,
                created_at=stamp,
                updated_at=stamp,
            )
        )
    links: list[MapLink] = []
    seen: set[tuple[int, int, str]] = set()
    for source in range(1, persons + 1):
        busy = "sewayaki" in nodes[source - 1].flags
        for _ in range(rng.randint(4, 8) if busy else rng.choice((0, 1, 1, 2, 2, 3))):
            target = rng.randint(1, persons)
            kind = rng.choice(SUPPORT_KINDS)
            if target == source or (source, target, kind) in seen:
                continue
            seen.add((source, target, kind))
            links.append(
                MapLink(
                    len(links) + 1,
                    district_id,
                    source,
                    target,
                    kind,
                    "strong" if rng.random() < 0.6 else "occasional",
                    False,
                    stamp,
                )
            )
    return MapData(tuple(nodes), tuple(links))
