"""Reading the 支え合いマップ: small maps drawn by hand with known answers, and a big one for speed."""

from __future__ import annotations

import time

from kit.sample.supportmap import generate_map_data
from kit.store.supportmap import MapLink, MapNode
from kit.supportmap.analysis import (
    analyse_map,
    betweenness,
    count_map,
    diff_maps,
    far_from_places,
    isolated_persons,
    key_persons,
    watch_gaps,
)
from kit.supportmap.model import MapData

STAMP = "2026-01-01T00:00:00.000Z"


def person(node_id, label, x=10.0, y=10.0, flags=(), area=""):
    return MapNode(
        node_id, "d", "person", label, "", tuple(flags), "", "", area, x, y, False, STAMP, STAMP
    )


def place(node_id, label, x, y, kind="salon"):
    return MapNode(node_id, "d", "place", label, kind, (), "", "", "", x, y, False, STAMP, STAMP)


def link(link_id, source, target, kind="visit", strength="strong"):
    return MapLink(link_id, "d", source, target, kind, strength, False, STAMP)


def village() -> MapData:
    """A hand-drawn street:

    K (世話焼き) ─見守り→ A (一人暮らし・見守りが必要)
    K ─訪問→ B,  K ─買い物→ C,  K ─声かけ→ D
    B ─声かけ→ E (見守りが必要, watched by nobody — only visited)
    E ─通っている→ S (サロン at 50,50)
    F (ひきこもり, far away at 150,90, no lines)
    G (no flags, no lines)
    """
    nodes = (
        person(1, "Kさん", 20, 20, ["sewayaki"], "1丁目"),
        person(2, "Aさん", 22, 22, ["alone", "needs_watch"], "1丁目"),
        person(3, "Bさん", 30, 30, [], "1丁目"),
        person(4, "Cさん", 18, 25, ["elderly_only"], "1丁目"),
        person(5, "Dさん", 25, 15, [], "2丁目"),
        person(6, "Eさん", 45, 45, ["needs_watch"], "2丁目"),
        person(7, "Fさん", 150, 90, ["hikikomori"], "3丁目"),
        person(8, "Gさん", 100, 10, [], "3丁目"),
        place(9, "ふれあいサロン", 50, 50),
    )
    links = (
        link(1, 1, 2, "watch"),
        link(2, 1, 3, "visit"),
        link(3, 1, 4, "errands", "occasional"),
        link(4, 1, 5, "chat"),
        link(5, 3, 6, "chat"),
        link(6, 6, 9, "attends"),
    )
    return MapData(nodes, links)


def test_isolated_persons_have_no_line_at_all():
    found = isolated_persons(village())
    assert [(f.label, f.reason) for f in found] == [
        ("Fさん", "つながりなし（線が1本もない）"),
        ("Gさん", "つながりなし（線が1本もない）"),
    ]


def test_a_line_in_either_direction_ends_isolation():
    data = MapData((person(1, "A"), person(2, "B"), person(3, "C")), (link(1, 1, 2),))
    assert [f.node_id for f in isolated_persons(data)] == [3]
    places_only = MapData((person(1, "A"), place(2, "サロン", 1, 1)), (link(1, 1, 2, "attends"),))
    assert isolated_persons(places_only) == []


def test_watch_gap_needs_an_incoming_watch_line():
    found = watch_gaps(village())
    assert [(f.label, f.reason) for f in found] == [("Eさん", "見守りが必要・見守る人なし")]
    # a watch line *from* the person does not count, nor does a visit
    data = MapData(
        (person(1, "A", flags=["needs_watch"]), person(2, "B")),
        (link(1, 1, 2, "watch"), link(2, 2, 1, "visit")),
    )
    assert [f.node_id for f in watch_gaps(data)] == [1]
    watched = MapData(data.nodes, (*data.links, link(3, 2, 1, "watch")))
    assert watch_gaps(watched) == []


def test_key_persons_by_outgoing_support_lines():
    found = key_persons(village(), top_betweenness=0)
    assert [(f.label, f.reason) for f in found] == [("Kさん", "支える線が4本")]
    # 'attends' (going to a place) is not help given to someone
    data = MapData(
        (person(1, "A"), *(place(10 + i, f"P{i}", i, i) for i in range(5))),
        tuple(link(i, 1, 10 + i, "attends") for i in range(5)),
    )
    assert key_persons(data, top_betweenness=0) == []


def test_key_persons_by_betweenness_on_a_bridge():
    """Two groups joined only through M: M is the key person though M has few lines."""
    left = [person(i, f"L{i}") for i in range(1, 4)]
    right = [person(i, f"R{i}") for i in range(5, 8)]
    bridge = person(4, "Mさん")
    links = [link(1, 1, 2, "chat"), link(2, 2, 3, "chat"), link(3, 1, 3, "chat")]
    links += [link(4, 5, 6, "chat"), link(5, 6, 7, "chat"), link(6, 5, 7, "chat")]
    links += [link(7, 3, 4, "visit"), link(8, 4, 5, "visit")]
    data = MapData((*left, bridge, *right), tuple(links))
    scores = betweenness(data)
    assert max(scores, key=scores.get) == 4
    found = key_persons(data, top_betweenness=1)
    assert [f.node_id for f in found] == [4]
    assert found[0].reason.startswith("多くのつながりの要（媒介 0.")


def test_far_from_places_only_for_concern_flags():
    found = far_from_places(village(), distance=25)
    # A (22,22) and C (18,25) are ~40 from the salon; F is far; E is near; K, B, D, G have no concern
    assert [f.label for f in found] == ["Aさん", "Cさん", "Fさん"]
    assert found[0].reason == "一人暮らし・見守りが必要・近くに通える場所なし（ます目2.5つ以内）"
    assert [f.label for f in far_from_places(village(), distance=50)] == ["Fさん"]
    no_places = MapData(tuple(n for n in village().nodes if n.node_type == "person"), ())
    assert len(far_from_places(no_places)) == 4  # A, C, E, F: every concern flag


def test_counts_by_flag_link_kind_and_area():
    counts = count_map(village())
    assert (counts.persons, counts.places, counts.links) == (8, 1, 6)
    assert counts.by_flag == {
        "alone": 1,
        "elderly_only": 1,
        "needs_watch": 2,
        "hikikomori": 1,
        "sewayaki": 1,
    }
    assert counts.by_link_kind["chat"] == 2 and counts.by_link_kind["attends"] == 1
    assert counts.by_strength == {"strong": 5, "occasional": 1}
    assert counts.by_area == {"1丁目": 4, "2丁目": 2, "3丁目": 2}
    assert counts.by_place_kind == {"salon": 1}


def test_analyse_map_collects_every_finding_with_a_reason():
    analysis = analyse_map(village(), place_distance=25)
    assert analysis.node_ids("isolated") == {7, 8}
    assert analysis.node_ids("watch_gap") == {6}
    assert 1 in analysis.node_ids("key_person")
    assert analysis.node_ids("far_from_place") == {2, 4, 7}
    assert all(f.reason for f in analysis.findings)
    assert analysis.count_by_kind()["isolated"] == 2


def test_empty_map():
    analysis = analyse_map(MapData((), ()))
    assert analysis.findings == () and analysis.counts.persons == 0
    assert not diff_maps(MapData((), ()), MapData((), ()))


def test_diff_between_two_snapshots():
    before = village()
    after = MapData(
        (*before.nodes, person(10, "Hさん", 60, 60, ["needs_watch"])),
        (
            *[lk for lk in before.links if lk.id != 4],  # K → D (chat) ended
            link(7, 1, 7, "visit"),  # K now visits F
            link(8, 3, 6, "watch"),  # B now watches E
        ),
    )
    diff = diff_maps(before, after)
    reasons = [c.reason for c in diff.changes]
    assert "新しいつながり：Kさん→Fさん（訪問）" in reasons
    assert "新しいつながり：Bさん→Eさん（見守り）" in reasons
    assert "なくなったつながり：Kさん→Dさん（声かけ・おしゃべり）" in reasons
    assert "新しく加わった人：Hさん" in reasons
    assert "孤立が解消：Fさん（線が1本に）" in reasons
    assert "見守りの空白が解消：Eさん" in reasons
    assert "新たな見守りの空白：Hさん" in reasons
    assert [c.node_id for c in diff.of_kind("not_isolated")] == [7]
    assert [c.reason for c in diff.of_kind("newly_isolated")] == ["新たに孤立：Dさん"]
    back = diff_maps(after, before)
    assert [c.reason for c in back.of_kind("newly_isolated")] == ["新たに孤立：Fさん"]
    assert [c.reason for c in back.of_kind("removed_person")] == ["マップから外れた人：Hさん"]


def test_diff_reports_a_person_left_without_lines():
    before = MapData((person(1, "A"), person(2, "B")), (link(1, 1, 2),))
    after = MapData(before.nodes, ())
    diff = diff_maps(before, after)
    assert [c.reason for c in diff.of_kind("newly_isolated")] == ["新たに孤立：A", "新たに孤立：B"]


def test_five_thousand_person_map_is_analysed_quickly():
    data = generate_map_data(5000, seed=1)
    started = time.perf_counter()
    analysis = analyse_map(data)
    elapsed = time.perf_counter() - started
    print(f"\n5,000-person map: {len(data.links)} links, analysed in {elapsed:.2f} s")
    assert analysis.counts.persons == 5000
    assert analysis.of_kind("isolated") and analysis.of_kind("watch_gap")
    assert elapsed < 30  # loose: the machine is shared; bench/map_speed.py measures properly


def test_a_person_who_receives_help_is_never_a_key_person():
    """Issue 16: a resident flagged as needing help, whom many helpers visit, sits on many
    paths (high betweenness) but is not a キーパーソン: key persons give support."""
    helpers = [person(i, f"H{i}", flags=["sewayaki"]) for i in range(1, 5)]
    needs_help = person(5, "鈴木一郎", flags=["needs_watch", "alone"])
    others = [person(6, "Xさん"), person(7, "Yさん")]
    links = [link(i, i, 5, "watch") for i in range(1, 5)]  # four helpers watch over him
    links += [link(5, 5, 6, "chat"), link(6, 7, 6, "visit")]
    data = MapData((*helpers, needs_help, *others), tuple(links))
    assert max(betweenness(data), key=betweenness(data).get) == 5
    found = key_persons(data, top_betweenness=3)
    assert 5 not in {f.node_id for f in found}
    assert all(f.label != "鈴木一郎" for f in analyse_map(data).of_kind("key_person"))
