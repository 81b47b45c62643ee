"""The mutual-aid map (支え合いマップ) as a plotly figure: a pure function, data → Figure.

Over a scanned residential map (下絵) or a plain grid: persons and places as markers, lines
by kind (colour) and strength (solid / dotted) with an arrowhead towards the person helped,
and — when asked — the findings ringed, with a Japanese legend.

The traces come in a fixed order, each tagged in ``meta`` (``"persons:concern"``,
``"link:watch:strong"``, ``"finding:isolated"``, ``"click"`` …), so the map page can tell
which trace a click landed on and tests can find what they look for.
"""

from __future__ import annotations

import base64
from collections.abc import Collection

import plotly.graph_objects as go

from kit import messages as msg
from kit.store.supportmap import MapBackground
from kit.supportmap.analysis import FINDING_KINDS, MapAnalysis
from kit.supportmap.model import (
    CONCERN_FLAG_IDS,
    FLAG_LABELS,
    LINK_KINDS,
    MAP_GRID,
    MAP_HEIGHT,
    MAP_WIDTH,
    PLACE_KIND_LABELS,
    STRENGTHS,
    MapData,
    MapNode,
)
from kit.text import display_width

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, sans-serif"
LINK_COLORS = {
    "visit": "#1565c0",
    "watch": "#2e7d32",
    "errands": "#ef6c00",
    "chat": "#8e24aa",
    "emergency": "#c62828",
    "escort": "#00838f",
    "attends": "#6d4c41",
}
STRENGTH_STYLE = {"strong": ("solid", 3.5), "occasional": ("dot", 2.5)}
FINDING_STYLE = {
    "isolated": ("circle-open", "#d50000", 38),
    "watch_gap": ("diamond-open", "#ff6d00", 44),
    "key_person": ("star-open", "#c49000", 46),
    "far_from_place": ("square-open", "#6a1b9a", 34),
}
CONCERN_COLOR = "#ff8a65"
HELPER_COLOR = "#64b5f6"
PLACE_COLOR = "#66bb6a"
# Ringed on the map when findings are on; 近くに通える場所なし is listed, not ringed (too busy).
HIGHLIGHTED_KINDS = ("isolated", "watch_gap", "key_person")
LABELS_UP_TO = 300  # above this many nodes, names are shown on hover only
ARROW_AT = 0.72  # the arrowhead sits this far along the line, clear of the marker


def plain(text: object) -> str:
    """Text for plotly labels: plotly reads a few tags (<b>, <br>, <a>), so none get through."""
    return str(text).replace("<", "＜").replace(">", "＞")


def _person_hover(node: MapNode) -> str:
    flags = "・".join(FLAG_LABELS.get(f, f) for f in node.flags) or msg.MAP_NO_FLAGS
    return plain(msg.MAP_HOVER_PERSON.format(label=node.label, flags=flags, area=node.area or "-"))


def _place_hover(node: MapNode) -> str:
    return plain(
        msg.MAP_HOVER_PLACE.format(
            label=node.label,
            kind=PLACE_KIND_LABELS.get(node.kind, node.kind),
            opening=node.opening_days or "-",
        )
    )


def background_uri(background: MapBackground) -> str:
    return f"data:{background.mime};base64," + base64.b64encode(background.image).decode("ascii")


MAP_PX_PER_UNIT = 7.4
"""Pixels per map unit as the map is drawn on a 1920×1080 projector (~1180 px for 160 units);
the label spots are chosen for that scale (smaller screens scale text and map alike)."""
LABEL_SPOTS = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)
"""Where a name may sit around its marker, in order of preference after the trace's default."""


def _label_box(x: float, y: float, text: str, spot: str, font_size: int, radius: float):
    """The box (x0, y0, x1, y1, in map units) a name takes at ``spot`` around (x, y)."""
    unit = MAP_PX_PER_UNIT
    width = display_width(text) * font_size * 0.55 / unit
    height = font_size * 1.3 / unit
    gap = radius / unit
    vertical, horizontal = spot.split()
    if horizontal == "center":
        x0 = x - width / 2
    elif horizontal == "right":
        x0 = x + (gap if vertical == "middle" else 0)
    else:
        x0 = x - width - (gap if vertical == "middle" else 0)
    if vertical == "top":
        y0 = y + gap
    elif vertical == "bottom":
        y0 = y - gap - height
    else:
        y0 = y - height / 2
    return (x0, y0, x0 + width, y0 + height)


def _overlap(a, b) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def label_spots(
    labels: list[tuple[object, float, float, str, str]],
    *,
    font_size: int = 16,
    marker_px: float = 12,
) -> dict[object, str]:
    """A spot around its marker for every name, so that names cover neither one another
    nor other markers where the map leaves room (greedy: the most crowded names first).

    ``labels``: (key, x, y, text, default spot). Returns key → plotly ``textposition``.

    >>> spots = label_spots([(1, 50, 50, "Aさん", "top center"), (2, 51, 50.5, "Bさん", "top center")])
    >>> spots[1] != spots[2]
    True
    >>> label_spots([(1, 50, 50, "Aさん", "top center")])
    {1: 'top center'}
    """
    near = 30.0  # map units: farther boxes cannot touch
    markers = [
        (x - marker_px / MAP_PX_PER_UNIT, y - marker_px / MAP_PX_PER_UNIT,
         x + marker_px / MAP_PX_PER_UNIT, y + marker_px / MAP_PX_PER_UNIT)
        for _, x, y, _, _ in labels
    ]  # fmt: skip

    def crowd(item) -> int:
        _, x, y, _, _ = item
        return sum(1 for _, ox, oy, _, _ in labels if abs(ox - x) < 12 and abs(oy - y) < 6)

    placed: list[tuple[float, float, float, float]] = []
    spots: dict[object, str] = {}
    for index in sorted(range(len(labels)), key=lambda i: -crowd(labels[i])):
        key, x, y, text, default = labels[index]
        if not text:
            spots[key] = default
            continue
        best, best_cost = default, None
        for rank, spot in enumerate((default, *[s for s in LABEL_SPOTS if s != default])):
            box = _label_box(x, y, text, spot, font_size, marker_px)
            cost = rank * 0.01
            if box[0] < 0 or box[1] < 0 or box[2] > MAP_WIDTH or box[3] > MAP_HEIGHT:
                cost += 5.0
            for other in placed:
                if abs(other[0] - box[0]) < near:
                    cost += 3 * _overlap(box, other)
            for number, marker in enumerate(markers):
                if number != index and abs(marker[0] - box[0]) < near:
                    cost += _overlap(box, marker)
            if best_cost is None or cost < best_cost:
                best, best_cost = spot, cost
            if cost == 0:
                break
        spots[key] = best
        placed.append(_label_box(x, y, text, best, font_size, marker_px))
    return spots


def map_figure(
    data: MapData,
    *,
    analysis: MapAnalysis | None = None,
    show_findings: bool = False,
    background: MapBackground | None = None,
    selected_id: int | None = None,
    link_from_id: int | None = None,
    clickable: bool = False,
    show_labels: bool | None = None,
    height: int = 830,
    width: int | None = None,
    font_size: int = 16,
    highlight_kinds: Collection[str] = HIGHLIGHTED_KINDS,
) -> go.Figure:
    """The 支え合いマップ figure. ``clickable`` adds an invisible layer that reports clicks on
    empty spots (placing people); ``show_findings`` rings the ``analysis`` findings."""
    nodes = {n.id: n for n in data.nodes}
    if show_labels is None:
        show_labels = len(nodes) <= LABELS_UP_TO
    fig = go.Figure()
    if clickable:
        fig.add_trace(_click_layer())
    for kind in LINK_KINDS:
        legend_done = False
        for strength in STRENGTHS:
            trace = _link_trace(data, nodes, kind.id, strength.id, kind.label)
            if trace.x and not legend_done:
                trace.showlegend = True
                legend_done = True
            fig.add_trace(trace)
    dash, _ = STRENGTH_STYLE["occasional"]
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=msg.MAP_TRACE_OCCASIONAL,
            line={"color": "#616161", "dash": dash, "width": 3},
            hoverinfo="skip",
            showlegend=any(link.strength == "occasional" for link in data.links),
            meta="legend:occasional",
        )
    )
    size = 18 if show_labels else 7
    places = [n for n in data.nodes if n.node_type == "place"]
    persons = [n for n in data.nodes if n.node_type == "person"]
    # A ringed person's name is drawn above the (largest) ring, not under it.
    named_by_ring = (
        _ring_labels(analysis, nodes, highlight_kinds) if show_findings and show_labels else {}
    )
    spots = (
        label_spots(
            [(n.id, n.x, n.y, plain(n.label), "bottom center") for n in places]
            + [
                (p.id, p.x, p.y, "" if p.id in named_by_ring else plain(p.label), "top center")
                for p in persons
            ],
            font_size=font_size,
        )
        if show_labels
        else {}
    )
    fig.add_trace(
        go.Scatter(
            x=[n.x for n in places],
            y=[n.y for n in places],
            mode="markers+text" if show_labels else "markers",
            name=msg.MAP_TRACE_PLACE,
            text=[plain(n.label) for n in places],
            textposition=[spots.get(n.id, "bottom center") for n in places],
            textfont={"size": font_size, "color": "#1b5e20"},
            hovertext=[_place_hover(n) for n in places],
            hoverinfo="text",
            customdata=[n.id for n in places],
            marker={
                "symbol": "square",
                "size": size + 6,
                "color": PLACE_COLOR,
                "line": {"color": "#1b5e20", "width": 2},
            },
            showlegend=bool(places),
            meta="places",
        )
    )
    for group, name, color in (
        ("concern", msg.MAP_TRACE_CONCERN, CONCERN_COLOR),
        ("helper", msg.MAP_TRACE_HELPER, HELPER_COLOR),
    ):
        members = [
            p
            for p in persons
            if any(f in CONCERN_FLAG_IDS for f in p.flags) == (group == "concern")
        ]
        fig.add_trace(
            go.Scatter(
                x=[p.x for p in members],
                y=[p.y for p in members],
                mode="markers+text" if show_labels else "markers",
                name=name,
                text=["" if p.id in named_by_ring else plain(p.label) for p in members],
                textposition=[spots.get(p.id, "top center") for p in members],
                textfont={"size": font_size},
                hovertext=[_person_hover(p) for p in members],
                hoverinfo="text",
                customdata=[p.id for p in members],
                marker={"size": size, "color": color, "line": {"color": "#37474f", "width": 1.5}},
                showlegend=bool(members),
                meta=f"persons:{group}",
            )
        )
    for kind in FINDING_KINDS:
        fig.add_trace(
            _finding_trace(
                kind,
                analysis,
                nodes,
                show_findings and kind in highlight_kinds,
                named={i for i, k in named_by_ring.items() if k == kind},
                font_size=font_size,
            )
        )
    for meta, node_id, color, name in (
        ("selected", selected_id, "#212121", msg.MAP_TRACE_SELECTED),
        ("link_from", link_from_id, "#d81b60", msg.MAP_TRACE_LINK_START),
    ):
        node = nodes.get(node_id) if node_id is not None else None
        fig.add_trace(
            go.Scatter(
                x=[node.x] if node else [],
                y=[node.y] if node else [],
                mode="markers",
                name=name,
                marker={
                    "symbol": "circle-open-dot",
                    "size": 48,
                    "color": color,
                    "line": {"width": 4},
                },
                hoverinfo="skip",
                showlegend=False,
                meta=meta,
            )
        )
    _layout(fig, background, height=height, width=width, font_size=font_size)
    return fig


def _click_layer() -> go.Heatmap:
    """An invisible grid over the whole map: a click on an empty spot reports its cell."""
    xs = [i + 0.5 for i in range(int(MAP_WIDTH))]
    ys = [j + 0.5 for j in range(int(MAP_HEIGHT))]
    return go.Heatmap(
        x=xs,
        y=ys,
        z=[[0] * len(xs) for _ in ys],
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        showscale=False,
        hoverinfo="none",
        name="click",
        meta="click",
        showlegend=False,
    )


def _link_trace(data: MapData, nodes: dict, kind: str, strength: str, label: str) -> go.Scatter:
    xs: list = []
    ys: list = []
    for link in data.links:
        if link.kind != kind or link.strength != strength:
            continue
        source, target = nodes.get(link.source_id), nodes.get(link.target_id)
        if source is None or target is None:
            continue
        ax = source.x + (target.x - source.x) * ARROW_AT
        ay = source.y + (target.y - source.y) * ARROW_AT
        xs += [source.x, ax, target.x, None]
        ys += [source.y, ay, target.y, None]
    dash, width = STRENGTH_STYLE[strength]
    color = LINK_COLORS.get(kind, "#757575")
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines+markers",
        name=label,
        legendgroup=kind,
        line={"color": color, "dash": dash, "width": width},
        marker={
            "symbol": "arrow",
            "angleref": "previous",
            "size": [0, 16, 0, 0] * (len(xs) // 4),
            "color": color,
        },
        hoverinfo="skip",
        showlegend=False,
        meta=f"link:{kind}:{strength}",
    )


def _ring_labels(
    analysis: MapAnalysis | None, nodes: dict, kinds: Collection[str]
) -> dict[int, str]:
    """Ringed node id → the finding kind whose ring (the largest) carries its name."""
    chosen: dict[int, str] = {}
    for finding in analysis.findings if analysis else ():
        if finding.kind not in kinds or finding.node_id not in nodes:
            continue
        current = chosen.get(finding.node_id)
        if current is None or FINDING_STYLE[finding.kind][2] > FINDING_STYLE[current][2]:
            chosen[finding.node_id] = finding.kind
    return chosen


def _finding_trace(
    kind: str,
    analysis: MapAnalysis | None,
    nodes: dict,
    visible: bool,
    *,
    named: Collection[int] = (),
    font_size: int = 16,
) -> go.Scatter:
    findings = [f for f in (analysis.of_kind(kind) if analysis else []) if f.node_id in nodes]
    symbol, color, size = FINDING_STYLE[kind]
    name = msg.MAP_FINDING_LABELS[kind]
    return go.Scatter(
        x=[nodes[f.node_id].x for f in findings],
        y=[nodes[f.node_id].y for f in findings],
        mode="markers+text",
        text=[plain(nodes[f.node_id].label) if f.node_id in named else "" for f in findings],
        textposition="top center",
        textfont={"size": font_size, "color": "#212121"},
        name=f"{name}（{len(findings)}）",
        hovertext=[plain(f"{f.label}：{f.reason}") for f in findings],
        hoverinfo="text",
        customdata=[f.node_id for f in findings],
        marker={
            "symbol": symbol,
            "size": size,
            "color": color,
            "line": {"width": 4, "color": color},
        },
        visible=True if visible else False,
        showlegend=bool(visible and findings),
        meta=f"finding:{kind}",
    )


def _layout(
    fig: go.Figure,
    background: MapBackground | None,
    *,
    height: int,
    width: int | None,
    font_size: int,
) -> None:
    images = []
    if background is not None:
        images.append(
            {
                "source": background_uri(background),
                "xref": "x",
                "yref": "y",
                "x": MAP_WIDTH / 2,
                "y": MAP_HEIGHT / 2,
                "sizex": MAP_WIDTH,
                "sizey": MAP_HEIGHT,
                "xanchor": "center",
                "yanchor": "middle",
                "sizing": "contain",
                "layer": "below",
                "opacity": 0.6,
            }
        )
    axis = {
        "showgrid": background is None,
        "gridcolor": "#e3e3e3",
        "dtick": MAP_GRID,
        "zeroline": False,
        "showticklabels": False,
        "fixedrange": True,
        "showline": True,
        "linecolor": "#9e9e9e",
        "mirror": True,
    }
    fig.update_layout(
        font={"family": FONT, "size": font_size},
        height=height,
        width=width,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        dragmode=False,
        clickmode="event",
        images=images,
        legend={
            "orientation": "h",
            "x": 0,
            "y": -0.01,
            "yanchor": "top",
            "font": {"size": font_size},
            "itemclick": False,
            "itemdoubleclick": False,
        },
        showlegend=True,
    )
    fig.update_xaxes(range=[0, MAP_WIDTH], constrain="domain", **axis)
    fig.update_yaxes(
        range=[0, MAP_HEIGHT], scaleanchor="x", scaleratio=1, constrain="domain", **axis
    )
