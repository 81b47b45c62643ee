"""Charts of the council office's city views (市全体の集計): pure functions, Table → plotly Figure."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kit import messages as msg
from kit.office.views import ACTION_STATUSES, COVERAGE_NOT_RAISED, MAP_FOCUS, Table
from kit.plan import Plan

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, sans-serif"
STATUS_COLORS = {"not_started": "#BBBBBB", "in_progress": "#E69F00", "done": "#009E73"}
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def _layout(fig: go.Figure, title: str, *, height: int, font_size: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": font_size + 4}},
        font={"family": FONT, "size": font_size},
        height=height,
        margin={"l": 20, "r": 30, "t": 70, "b": 90},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0},
    )
    return fig


def _wrap(text: str, width: int = 9) -> str:
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width))


def _empty(fig: go.Figure) -> go.Figure:
    fig.add_annotation(
        text=msg.OFFICE_CHART_EMPTY, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


HEADER_WRAP = 6
"""Characters per line of a goal's name above the heatmap's columns."""


def heatmap_figure(
    table: Table, plan: Plan, *, height: int = 620, font_size: int = 16
) -> go.Figure:
    """地区 × 重点目標 heatmap of issues raised (from ``office_views.goal_heatmap``)."""
    records = table.records()
    districts: list[str] = []
    for rec in records:
        if rec["district"] not in districts:
            districts.append(rec["district"])
    goals = list(plan.goals())
    value = {(r["district"], r["goal_id"]): r["issues"] for r in records}
    z = [[value.get((d, g.id), 0) for g in goals] for d in districts]
    # Narrow columns: the name in short lines of a smaller font, and the goal id last, just
    # above its column (labels on top align at the bottom), so headers never run together.
    x = [f"{_wrap(g.name, HEADER_WRAP)}<br><b>{g.id}</b>" for g in goals]
    lines = 1 + max((-(-len(g.name) // HEADER_WRAP) for g in goals), default=1)
    fig = go.Figure()
    if districts:
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=x,
                y=districts,
                colorscale="YlOrRd",
                zmin=0,
                texttemplate="%{z}",
                textfont={"size": font_size},
                hovertemplate=msg.OFFICE_HEATMAP_HOVER,
                colorbar={"title": {"text": msg.OFFICE_HEATMAP_COLORBAR}},
                xgap=2,
                ygap=2,
            )
        )
        fig.update_yaxes(autorange="reversed", automargin=True)
        fig.update_xaxes(side="top", automargin=True, tickangle=0, tickfont={"size": font_size - 4})
    else:
        lines = 1
        _empty(fig)
    _layout(fig, msg.OFFICE_TABLE_HEATMAP, height=height, font_size=font_size)
    fig.update_layout(
        margin={"t": 70 + lines * (font_size + 2)},
        title={"y": 0.99, "yanchor": "top", "yref": "container"},
    )
    return fig


def priorities_figure(
    table: Table, plan: Plan, *, height: int = 520, font_size: int = 16
) -> go.Figure:
    """市全体の優先課題: districts that ranked each focus goal's items near the top."""
    records = table.records()
    fig = go.Figure()
    if not records:
        return _layout(_empty(fig), msg.OFFICE_TABLE_PRIORITIES, height=height, font_size=font_size)
    colors = [
        plan.basic_plan(r["basic_plan_id"]).color if r["basic_plan_id"] else "#888888"
        for r in records
    ]
    labels = [f"{r['goal_id']} {r['goal']}".strip() for r in records]
    fig.add_trace(
        go.Bar(
            x=[r["districts"] for r in records],
            y=labels,
            orientation="h",
            marker_color=colors,
            text=[f"{r['districts']}（{r['district_names']}）" for r in records],
            textposition="auto",
            customdata=[[r["examples"], r["share"]] for r in records],
            hovertemplate=msg.OFFICE_PRIORITIES_HOVER,
            name=msg.OFFICE_PRIORITIES_AXIS,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title={"text": msg.OFFICE_PRIORITIES_AXIS}, dtick=1, rangemode="tozero")
    return _layout(fig, msg.OFFICE_TABLE_PRIORITIES, height=height, font_size=font_size)


def coverage_figure(
    table: Table, plan: Plan, *, height: int = 760, font_size: int = 16
) -> go.Figure:
    """計画のカバー状況: per 活動方針, districts that raised it and that have an action item.

    Policies no district raised are marked in red (✕ and the words), so they stand out.
    """
    records = table.records()
    labels = [f"{r['policy_id']} {r['policy']}" for r in records]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[r["raised_districts"] for r in records],
            y=labels,
            orientation="h",
            name=msg.OFFICE_COVERAGE_RAISED,
            marker_color="#56B4E9",
            hovertemplate="%{y}<br>" + msg.OFFICE_COVERAGE_RAISED + ": %{x}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[r["action_districts"] for r in records],
            y=labels,
            orientation="h",
            name=msg.OFFICE_COVERAGE_ACTED,
            marker_color="#009E73",
            hovertemplate="%{y}<br>" + msg.OFFICE_COVERAGE_ACTED + ": %{x}<extra></extra>",
        )
    )
    gaps = [
        (label, r)
        for label, r in zip(labels, records, strict=True)
        if r["status"] == COVERAGE_NOT_RAISED
    ]
    fig.add_trace(
        go.Scatter(
            x=[0] * len(gaps),
            y=[label for label, _ in gaps],
            mode="markers+text",
            marker={"symbol": "x", "size": 16, "color": "#C62828"},
            text=[msg.OFFICE_COVERAGE_LABELS[COVERAGE_NOT_RAISED]] * len(gaps),
            textposition="middle right",
            textfont={"color": "#C62828", "size": font_size},
            name=msg.OFFICE_COVERAGE_LABELS[COVERAGE_NOT_RAISED],
            hoverinfo="skip",
        )
    )
    no_action = [
        (label, r)
        for label, r in zip(labels, records, strict=True)
        if r["status"] != COVERAGE_NOT_RAISED and r["actions"] == 0
    ]
    fig.add_trace(
        go.Scatter(
            x=[r["raised_districts"] for _, r in no_action],
            y=[label for label, _ in no_action],
            mode="markers+text",
            marker={"symbol": "triangle-left", "size": 14, "color": "#E69F00"},
            text=[msg.OFFICE_COVERAGE_LABELS["no_action"]] * len(no_action),
            textposition="middle right",
            textfont={"color": "#B26B00", "size": font_size - 2},
            name=msg.OFFICE_COVERAGE_LABELS["no_action"],
            hoverinfo="skip",
        )
    )
    top = max([r["raised_districts"] for r in records] + [1])
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(
        title={"text": msg.OFFICE_COVERAGE_AXIS},
        dtick=1,
        range=[-0.3, top + 2.5],
        rangemode="tozero",
    )
    return _layout(fig, msg.OFFICE_TABLE_COVERAGE, height=height, font_size=font_size)


def actions_figure(table: Table, *, height: int = 480, font_size: int = 16) -> go.Figure:
    """取組の状況: stacked bars per district (未着手・進行中・完了)."""
    records = table.records()
    fig = go.Figure()
    if not records:
        return _layout(_empty(fig), msg.OFFICE_TABLE_ACTIONS, height=height, font_size=font_size)
    for status in ACTION_STATUSES:
        fig.add_trace(
            go.Bar(
                x=[r["district"] for r in records],
                y=[r[status] for r in records],
                name=msg.OFFICE_ACTION_STATUS_LABELS[status],
                marker_color=STATUS_COLORS[status],
                text=[str(r[status]) if r[status] else "" for r in records],
                textposition="inside",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title={"text": msg.OFFICE_ACTIONS_AXIS}, dtick=1, rangemode="tozero")
    return _layout(fig, msg.OFFICE_TABLE_ACTIONS, height=height, font_size=font_size)


def turnout_figure(table: Table, *, height: int = 480, font_size: int = 16) -> go.Figure:
    """会議ごとの投票率 per district over time (lines and markers, 0–100 %)."""
    records = [r for r in table.records() if r["turnout"] is not None]
    fig = go.Figure()
    if not records:
        return _layout(_empty(fig), msg.OFFICE_TABLE_TURNOUT, height=height, font_size=font_size)
    districts: dict[str, list[dict]] = {}
    for rec in records:
        districts.setdefault(rec["district"], []).append(rec)
    for index, (district, rows) in enumerate(districts.items()):
        fig.add_trace(
            go.Scatter(
                x=[r["held_on"] for r in rows],
                y=[round(100 * r["turnout"]) for r in rows],
                mode="lines+markers",
                name=district,
                line={"color": PALETTE[index % len(PALETTE)], "width": 3},
                marker={"size": 10},
                customdata=[[r["ballots"], r["members"]] for r in rows],
                hovertemplate=msg.OFFICE_TURNOUT_HOVER,
            )
        )
    fig.update_yaxes(title={"text": msg.OFFICE_TURNOUT_AXIS}, range=[0, 105])
    fig.update_xaxes(type="date")
    return _layout(fig, msg.OFFICE_TABLE_TURNOUT, height=height, font_size=font_size)


def map_counts_figure(
    table: Table, *, categories: tuple[str, ...] = MAP_FOCUS, height: int = 520, font_size: int = 16
) -> go.Figure:
    """支え合いマップの数 over time: one panel per category (孤立・見守りの空白), a line per district."""
    records = table.records()
    labels = {r["category"]: r["label"] for r in records}
    titles = [labels.get(c, c) for c in categories]
    fig = make_subplots(rows=1, cols=len(categories), subplot_titles=titles, shared_yaxes=True)
    if not records:
        return _layout(_empty(fig), msg.OFFICE_TABLE_MAP, height=height, font_size=font_size)
    districts = sorted({(r["district_id"], r["district"]) for r in records})
    for index, (district_id, district) in enumerate(districts):
        color = PALETTE[index % len(PALETTE)]
        for col, category in enumerate(categories, start=1):
            rows = [
                r for r in records if r["district_id"] == district_id and r["category"] == category
            ]
            fig.add_trace(
                go.Scatter(
                    x=[r["held_on"] for r in rows],
                    y=[r["count"] for r in rows],
                    mode="lines+markers",
                    name=district,
                    legendgroup=district_id,
                    showlegend=col == 1,
                    line={"color": color, "width": 3},
                    marker={"size": 9},
                    hovertemplate="%{x}<br>%{fullData.name}: %{y}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(type="date")
    fig.update_yaxes(rangemode="tozero", title={"text": msg.OFFICE_MAP_AXIS}, row=1, col=1)
    return _layout(fig, msg.OFFICE_TABLE_MAP, height=height, font_size=font_size)


FIGURES = ("heatmap", "priorities", "coverage", "actions", "turnout", "map_counts")


def office_figure(name: str, tables: dict[str, Table], plan: Plan) -> go.Figure | None:
    """One chart of the city views (``name`` is its table's key), or None without that table."""
    if name not in tables:
        return None
    make = {
        "heatmap": lambda t: heatmap_figure(t, plan),
        "priorities": lambda t: priorities_figure(t, plan),
        "coverage": lambda t: coverage_figure(t, plan),
        "actions": actions_figure,
        "turnout": turnout_figure,
        "map_counts": map_counts_figure,
    }[name]
    return make(tables[name])


def office_figures(tables: dict[str, Table], plan: Plan) -> dict[str, go.Figure]:
    """Every chart of the city views, keyed by its table's key (for the page and the report)."""
    return {name: office_figure(name, tables, plan) for name in FIGURES if name in tables}
