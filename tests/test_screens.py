"""Issue 16: every screen right for an elderly member and for the back of the room.

Widget and figure tests of the defects found when a 12-member meeting was played in Chromium;
the browser side (axe-core, touch targets, the projector's fold) is tests/browser/test_screens.py.
"""

from __future__ import annotations

from kit.charts.supportmap import map_figure
from kit.store.supportmap import MapLink, MapNode
from kit.supportmap.analysis import analyse_map
from kit.supportmap.model import MapData

STAMP = "2026-01-01T00:00:00.000Z"


def _person(node_id, label, x, y, flags=()):
    return MapNode(
        node_id, "d", "person", label, "", tuple(flags), "", "", "", x, y, False, STAMP, STAMP
    )


def _traces(fig, prefix):
    return [t for t in fig.data if str(t.meta).startswith(prefix)]


def test_finding_rings_do_not_cover_the_names():
    """A ringed person's name moves from under the ring to above it (on the ring's trace)."""
    nodes = (
        _person(1, "孤立さん", 20, 20, ["alone"]),
        _person(2, "見守りさん", 60, 60, ["needs_watch"]),
        _person(3, "Bさん", 80, 60),
    )
    data = MapData(nodes, (MapLink(1, "d", 3, 2, "visit", "strong", False, STAMP),))
    analysis = analyse_map(data)
    fig = map_figure(data, analysis=analysis, show_findings=True)
    shown = {}
    for trace in _traces(fig, "persons:"):
        shown.update({i: t for i, t in zip(trace.customdata, trace.text, strict=True)})
    assert shown[1] == "" and shown[2] == "" and shown[3] == "Bさん"
    isolated = _traces(fig, "finding:isolated")[0]
    watch = _traces(fig, "finding:watch_gap")[0]
    assert "text" in isolated.mode and isolated.textposition == "top center"
    assert list(isolated.text) == ["孤立さん"] and list(watch.text) == ["見守りさん"]
    # Findings off: the names are back on the persons, nothing on the (hidden) rings.
    plain = map_figure(data, analysis=analysis, show_findings=False)
    names = [t for tr in _traces(plain, "persons:") for t in tr.text]
    assert sorted(names) == ["Bさん", "孤立さん", "見守りさん"]
    assert all(not any(tr.text) for tr in _traces(plain, "finding:"))
