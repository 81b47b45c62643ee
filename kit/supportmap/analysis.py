"""Reading the mutual-aid map (支え合いマップを読む): pure functions over :class:`MapData`.

What the neighbours look for on the paper map, found by the computer, each with a reason:

- isolated persons (孤立): no line at all;
- 見守りの空白: flagged 見守りが必要 and nobody draws a 見守り line to them;
- key persons (キーパーソン, 支える側の要): people who give support — many outgoing support
  lines, or many paths run through them (betweenness, sampled on large maps); someone who
  receives more help than they give is never one, whatever the paths;
- persons with a concern flag and no place (サロン, 子ども食堂 …) within a set distance;
- counts by flag, link kind and area, and the changes between two snapshots.

Nothing here touches the store; tests draw small maps by hand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kit import messages as msg
from kit.supportmap.model import (
    CONCERN_FLAG_IDS,
    FLAG_LABELS,
    LINK_KIND_LABELS,
    MAP_GRID,
    NEEDS_WATCH_FLAG,
    SUPPORT_LINK_KINDS,
    WATCH_LINK_KIND,
    MapData,
)

if TYPE_CHECKING:
    import networkx as nx

# networkx and numpy are imported when a map is first analysed, not with this module: every
# page that imports the kit's map code (the map page's passphrase screen, the facilitator's
# panel) would otherwise wait about a second for them.

DEFAULT_PLACE_DISTANCE = 30.0
KEY_MIN_SUPPORT_LINKS = 4
KEY_TOP_BETWEENNESS = 3
KEY_MIN_BETWEENNESS = 0.1
BETWEENNESS_EXACT_UP_TO = 400
BETWEENNESS_SAMPLES = 80

FINDING_KINDS = ("isolated", "watch_gap", "key_person", "far_from_place")


@dataclass(frozen=True)
class Finding:
    """One thing the map shows about one person, with the reason in Japanese."""

    kind: str
    node_id: int
    label: str
    reason: str
    score: float = 0.0


@dataclass(frozen=True)
class MapCounts:
    persons: int
    places: int
    links: int
    by_flag: dict[str, int] = field(default_factory=dict)
    by_link_kind: dict[str, int] = field(default_factory=dict)
    by_strength: dict[str, int] = field(default_factory=dict)
    by_place_kind: dict[str, int] = field(default_factory=dict)
    by_area: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MapAnalysis:
    findings: tuple[Finding, ...]
    counts: MapCounts

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def node_ids(self, kind: str) -> set[int]:
        return {f.node_id for f in self.findings if f.kind == kind}

    def count_by_kind(self) -> dict[str, int]:
        counts = Counter(f.kind for f in self.findings)
        return {kind: counts.get(kind, 0) for kind in FINDING_KINDS}


@dataclass(frozen=True)
class Change:
    """One change between two maps (前回の会議からの変化)."""

    kind: str
    reason: str
    node_id: int | None = None


@dataclass(frozen=True)
class MapDiff:
    changes: tuple[Change, ...]

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def __bool__(self) -> bool:
        return bool(self.changes)


def build_graph(data: MapData) -> nx.MultiDiGraph:
    """Nodes are map node ids (with their type), edges run helper → helped with ``kind``."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for node in data.nodes:
        graph.add_node(node.id, node_type=node.node_type)
    for link in data.links:
        if link.source_id in graph and link.target_id in graph:
            graph.add_edge(link.source_id, link.target_id, key=link.id, kind=link.kind)
    return graph


def isolated_persons(data: MapData, graph: nx.MultiDiGraph | None = None) -> list[Finding]:
    """Persons with no line at all, in or out (孤立)."""
    graph = graph if graph is not None else build_graph(data)
    return [
        Finding("isolated", p.id, p.label, msg.MAP_REASON_ISOLATED)
        for p in data.persons
        if graph.degree(p.id) == 0
    ]


def watch_gaps(data: MapData, graph: nx.MultiDiGraph | None = None) -> list[Finding]:
    """見守りの空白: flagged 見守りが必要 with no incoming 見守り line."""
    graph = graph if graph is not None else build_graph(data)
    found = []
    for person in data.persons:
        if NEEDS_WATCH_FLAG not in person.flags:
            continue
        watched = any(
            attrs.get("kind") == WATCH_LINK_KIND
            for _src, _dst, attrs in graph.in_edges(person.id, data=True)
        )
        if not watched:
            found.append(Finding("watch_gap", person.id, person.label, msg.MAP_REASON_WATCH_GAP))
    return found


def betweenness(data: MapData, graph: nx.MultiDiGraph | None = None) -> dict[int, float]:
    """Betweenness of every node on the undirected map; sampled (seeded) on large maps."""
    import networkx as nx

    graph = graph if graph is not None else build_graph(data)
    simple = nx.Graph(graph.to_undirected(as_view=True))
    simple.remove_nodes_from([n for n, d in simple.degree() if d == 0])
    if simple.number_of_nodes() < 3:
        return {}
    if simple.number_of_nodes() <= BETWEENNESS_EXACT_UP_TO:
        return nx.betweenness_centrality(simple, normalized=True)
    return nx.betweenness_centrality(
        simple, k=min(BETWEENNESS_SAMPLES, simple.number_of_nodes()), normalized=True, seed=0
    )


def key_persons(
    data: MapData,
    graph: nx.MultiDiGraph | None = None,
    *,
    min_support_links: int = KEY_MIN_SUPPORT_LINKS,
    top_betweenness: int = KEY_TOP_BETWEENNESS,
    min_betweenness: float = KEY_MIN_BETWEENNESS,
) -> list[Finding]:
    """キーパーソン (支える側の要): among people who give support (at least one support line
    out, and no fewer out than in), those with ``min_support_links`` or more, or among the
    ``top_betweenness`` that most paths run through (at least ``min_betweenness``)."""
    graph = graph if graph is not None else build_graph(data)
    persons = {p.id: p for p in data.persons}
    given = {pid: _support_lines(graph.out_edges(pid, data=True)) for pid in persons}
    received = {pid: _support_lines(graph.in_edges(pid, data=True)) for pid in persons}
    # Only people who give support (and give at least as much as they receive) are key
    # persons: a resident many helpers visit sits on many paths, but is not a キーパーソン.
    supporters = {pid for pid in persons if given[pid] >= 1 and given[pid] >= received[pid]}
    reasons: dict[int, list[str]] = {}
    scores: dict[int, float] = {}
    for pid in supporters:
        out = given[pid]
        if out >= min_support_links:
            reasons.setdefault(pid, []).append(msg.MAP_REASON_KEY_OUT.format(count=out))
            scores[pid] = float(out)
    if top_betweenness > 0:
        central = betweenness(data, graph)
        ranked = sorted(
            ((score, pid) for pid, score in central.items() if pid in supporters),
            key=lambda item: (-item[0], item[1]),
        )
        for score, pid in ranked[:top_betweenness]:
            if score >= min_betweenness:
                reasons.setdefault(pid, []).append(msg.MAP_REASON_KEY_BETWEEN.format(score=score))
                scores[pid] = scores.get(pid, 0.0) + score
    found = [
        Finding("key_person", pid, persons[pid].label, "・".join(reasons[pid]), scores[pid])
        for pid in reasons
    ]
    return sorted(found, key=lambda f: (-f.score, f.node_id))


def _support_lines(edges) -> int:
    return sum(1 for _s, _t, attrs in edges if attrs.get("kind") in SUPPORT_LINK_KINDS)


def far_from_places(data: MapData, *, distance: float = DEFAULT_PLACE_DISTANCE) -> list[Finding]:
    """Persons with a concern flag and no place or resource within ``distance`` map units."""
    import numpy as np

    concerned = [p for p in data.persons if any(f in CONCERN_FLAG_IDS for f in p.flags)]
    if not concerned:
        return []
    places = data.places
    if places:
        people_xy = np.array([(p.x, p.y) for p in concerned], dtype=float)
        place_xy = np.array([(q.x, q.y) for q in places], dtype=float)
        nearest = np.full(len(concerned), np.inf)
        for start in range(0, len(place_xy), 256):
            chunk = place_xy[start : start + 256]
            d = np.sqrt(((people_xy[:, None, :] - chunk[None, :, :]) ** 2).sum(axis=2))
            nearest = np.minimum(nearest, d.min(axis=1))
    else:
        nearest = np.full(len(concerned), np.inf)
    found = []
    for person, near in zip(concerned, nearest, strict=True):
        if near > distance:
            flags = "・".join(FLAG_LABELS[f] for f in person.flags if f in CONCERN_FLAG_IDS)
            reason = msg.MAP_REASON_FAR.format(flags=flags, cells=distance / MAP_GRID)
            found.append(Finding("far_from_place", person.id, person.label, reason))
    return found


def count_map(data: MapData) -> MapCounts:
    """Counts by flag, link kind, strength, place kind and area (地域)."""
    by_flag = Counter(f for p in data.persons for f in p.flags)
    return MapCounts(
        persons=len(data.persons),
        places=len(data.places),
        links=len(data.links),
        by_flag=dict(
            sorted(
                by_flag.items(),
                key=lambda kv: list(FLAG_LABELS).index(kv[0]) if kv[0] in FLAG_LABELS else 99,
            )
        ),
        by_link_kind=dict(Counter(link.kind for link in data.links).most_common()),
        by_strength=dict(Counter(link.strength for link in data.links).most_common()),
        by_place_kind=dict(Counter(q.kind for q in data.places).most_common()),
        by_area=dict(sorted(Counter(p.area for p in data.persons).items())),
    )


def analyse_map(
    data: MapData,
    *,
    place_distance: float = DEFAULT_PLACE_DISTANCE,
    min_support_links: int = KEY_MIN_SUPPORT_LINKS,
) -> MapAnalysis:
    """All findings (isolated, 見守りの空白, key persons, far from places) and the counts."""
    graph = build_graph(data)
    findings = (
        isolated_persons(data, graph)
        + watch_gaps(data, graph)
        + key_persons(data, graph, min_support_links=min_support_links)
        + far_from_places(data, distance=place_distance)
    )
    return MapAnalysis(tuple(findings), count_map(data))


def diff_maps(before: MapData, after: MapData) -> MapDiff:
    """What changed from ``before`` (the last meeting's map) to ``after`` (now).

    Lines are matched by (helper, helped, kind), persons by id; also reports people no
    longer isolated and 見守りの空白 filled (or newly opened).
    """
    labels = {n.id: n.label for n in before.nodes}
    labels.update({n.id: n.label for n in after.nodes})

    def key(link):
        return (link.source_id, link.target_id, link.kind)

    old_links = {key(link): link for link in before.links}
    new_links = {key(link): link for link in after.links}
    changes: list[Change] = []
    for k, link in new_links.items():
        if k not in old_links:
            changes.append(
                Change(
                    "new_link",
                    msg.MAP_CHANGE_NEW_LINK.format(
                        source=labels.get(link.source_id, "?"),
                        target=labels.get(link.target_id, "?"),
                        kind=LINK_KIND_LABELS.get(link.kind, link.kind),
                    ),
                    link.target_id,
                )
            )
    for k, link in old_links.items():
        if k not in new_links:
            changes.append(
                Change(
                    "removed_link",
                    msg.MAP_CHANGE_REMOVED_LINK.format(
                        source=labels.get(link.source_id, "?"),
                        target=labels.get(link.target_id, "?"),
                        kind=LINK_KIND_LABELS.get(link.kind, link.kind),
                    ),
                    link.target_id,
                )
            )
    old_persons = {p.id for p in before.persons}
    new_persons = {p.id for p in after.persons}
    for pid in sorted(new_persons - old_persons):
        changes.append(
            Change("new_person", msg.MAP_CHANGE_NEW_PERSON.format(label=labels[pid]), pid)
        )
    for pid in sorted(old_persons - new_persons):
        changes.append(
            Change("removed_person", msg.MAP_CHANGE_REMOVED_PERSON.format(label=labels[pid]), pid)
        )
    old_graph, new_graph = build_graph(before), build_graph(after)
    was_isolated = {f.node_id for f in isolated_persons(before, old_graph)}
    now_isolated = {f.node_id for f in isolated_persons(after, new_graph)}
    for pid in sorted(was_isolated & new_persons - now_isolated):
        changes.append(
            Change(
                "not_isolated",
                msg.MAP_CHANGE_NOT_ISOLATED.format(label=labels[pid], count=new_graph.degree(pid)),
                pid,
            )
        )
    for pid in sorted(now_isolated & old_persons - was_isolated):
        changes.append(
            Change("newly_isolated", msg.MAP_CHANGE_NEWLY_ISOLATED.format(label=labels[pid]), pid)
        )
    old_gaps = {f.node_id for f in watch_gaps(before, old_graph)}
    new_gaps = {f.node_id for f in watch_gaps(after, new_graph)}
    for pid in sorted(old_gaps & new_persons - new_gaps):
        changes.append(
            Change("gap_filled", msg.MAP_CHANGE_GAP_FILLED.format(label=labels[pid]), pid)
        )
    for pid in sorted(new_gaps - old_gaps):
        changes.append(Change("new_gap", msg.MAP_CHANGE_NEW_GAP.format(label=labels[pid]), pid))
    return MapDiff(tuple(changes))
