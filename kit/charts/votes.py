"""Charts of a priority vote (優先順位の投票): result bars in plan colours, ties and spread.

Pure functions: a result table from :mod:`kit.meeting.tally` → a plotly Figure (never shown
here), or the same figure as a plain dict (``*_spec``: what the projector sends, no validation).
Left: each item's score, coloured by its 基本計画, tied bars hatched and marked 「＝同点」.
Right: the spread — how many members gave the item anything — out of all voters, so a
top item backed by two enthusiasts looks different from one backed by everyone.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from kit import messages as msg
from kit.charts.issues import label_margin
from kit.meeting.tally import NO_PLAN, with_plan
from kit.plan import Plan
from kit.text import wrapped

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

FONT = dict(family="Noto Sans CJK JP, Noto Sans JP, sans-serif", size=22)
LABEL_CHARS = 24
NO_GOAL_COLOR = "#888888"
TIE_PATTERN = "/"


def plain(text: object) -> str:
    """Plotly reads a few HTML tags in text: show user text literally (``<b>`` stays ``<b>``)."""
    return html.escape(str(text), quote=False)


def short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tick_label(text: str) -> str:
    """The label for a plotly axis: escaped line by line, joined with plotly's ``<br>``."""
    return "<br>".join(plain(line) for line in wrapped(text))


LINE_PX = 30  # one line of a 22-px tick label, as plotly spaces them (1.3 em) and a little
GAP_LINES = 0.9  # between two items' rows, in lines
BAR_LINES = 1.3  # a bar's thickness, in lines


def row_centers(lines: list[int]) -> tuple[list[float], float]:
    """Each item's row centre on the y axis (in lines, from the top) and the axis' length:
    a row is its label's lines and a gap, so no label reaches its neighbour's.

    >>> row_centers([1, 3])
    ([1.1, 4.15], 6.1)
    """
    centers, top = [], 0.0
    for n in lines:
        slot = max(n, BAR_LINES) + GAP_LINES
        centers.append(round(top + slot / 2, 3))
        top += slot
    return centers, round(top, 3)


def result_height(total_lines: float, legend_entries: int) -> int:
    """The chart's height: its rows (``total_lines`` of :func:`row_centers`) at ``LINE_PX``,
    with the title, the x axis and the legend under it (one entry a row on a narrow chart).

    >>> result_height(6.1, 1)
    420
    >>> result_height(16 * 3.9, 5)
    2152
    """
    legend = 30 + 30 * legend_entries
    return max(420, 60 + 40 + legend + round(total_lines * LINE_PX))


def plan_name(plan: Plan, basic_plan_id: str) -> str:
    if basic_plan_id == NO_PLAN:
        return msg.VOTE_CHART_NO_GOAL
    basic = plan.basic_plan(basic_plan_id)
    return f"{basic.number}. {basic.name}"


SPACING = 0.03
WIDTHS = (0.68, 0.32)


def two_panel_layout(score_title: str, spread_title: str) -> dict:
    """The layout of plotly's ``make_subplots(1, 2, shared_yaxes=True)`` with the score
    (left, 68 %) and spread (right) panels and their titles, as a plain dict."""
    left = (1 - SPACING) * WIDTHS[0]
    domains = ([0.0, left], [left + SPACING, 1.0])

    def title(text: str, domain: list[float]) -> dict:
        return {
            "text": text,
            "font": {"size": 22},
            "showarrow": False,
            "x": (domain[0] + domain[1]) / 2,
            "xanchor": "center",
            "xref": "paper",
            "y": 1.0,
            "yanchor": "bottom",
            "yref": "paper",
        }

    return {
        "xaxis": {"anchor": "y", "domain": domains[0]},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
        "xaxis2": {"anchor": "y2", "domain": domains[1]},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 1.0], "matches": "y", "showticklabels": False},
        "annotations": [title(score_title, domains[0]), title(spread_title, domains[1])],
    }


def _figure(spec: dict):
    import plotly.graph_objects as go

    return go.Figure(spec)


def vote_result_figure(
    result: pd.DataFrame,
    plan: Plan,
    *,
    voters: int | None = None,
    title: str = "",
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars, best at the top: score (left) and spread (right), one trace per 基本計画.

    ``result`` is :func:`kit.meeting.tally.tally`'s table; ``voters`` defaults to its ``attrs``.
    A plotly Figure of :func:`vote_result_spec`.
    """
    return _figure(vote_result_spec(result, plan, voters=voters, title=title, height=height))


def vote_result_spec(
    result: pd.DataFrame,
    plan: Plan,
    *,
    voters: int | None = None,
    title: str = "",
    height: int | None = None,
) -> dict:
    """:func:`vote_result_figure` as a plain plotly JSON dict, built without plotly's
    validation: the projector sends it as it is the moment the vote closes."""
    method = result.attrs.get("method", "dots")
    voters = result.attrs.get("voters", 0) if voters is None else voters
    df = with_plan(result, plan, no_goal_color=NO_GOAL_COLOR)
    # Each item's row as tall as its label's lines (a numeric axis: categories would all get
    # the tallest label's height, or let a 3-line label run into its neighbour's).
    lines = [len(wrapped(label)) for label in df["label"]]
    centers, total = row_centers(lines)
    df = df.assign(ykey=centers)
    score_name = msg.VOTE_CHART_SCORE[method]
    layout = two_panel_layout(score_name, msg.VOTE_CHART_SPREAD.format(voters=voters))
    data: list[dict] = []
    order = [bp.id for bp in plan.basic_plans] + [NO_PLAN]
    for basic_plan_id in order:
        part = df[df["basic_plan_id"] == basic_plan_id]
        if part.empty:
            continue
        name = plan_name(plan, basic_plan_id)
        color = part["color"].iloc[0]
        rows = list(part.itertuples())
        hover = [
            msg.VOTE_CHART_HOVER.format(
                label=plain(row.label), score_name=score_name, score=row.score, spread=row.spread
            )
            for row in rows
        ]
        score_text = [
            msg.VOTE_CHART_SCORE_TEXT.format(score=row.score)
            + (" " + msg.VOTE_CHART_TIE_MARK if row.tied else "")
            for row in rows
        ]
        tied = [bool(t) for t in part["tied"]]
        y = part["ykey"].tolist()
        data.append(
            {
                "type": "bar",
                "x": [int(v) for v in part["score"]],
                "y": y,
                "orientation": "h",
                "name": name,
                "legendgroup": basic_plan_id or "none",
                "marker": {
                    "color": color,
                    "line": {"color": "#222222", "width": [3 if t else 0 for t in tied]},
                    "pattern": {
                        "shape": [TIE_PATTERN if t else "" for t in tied],
                        "fgcolor": "#ffffff",
                        "solidity": 0.25,
                    },
                },
                "text": score_text,
                "textposition": "outside",
                "cliponaxis": False,
                "width": BAR_LINES,
                "hovertext": hover,
                "hoverinfo": "text",
                "customdata": [[int(row.item_id), bool(row.tied), int(row.spread)] for row in rows],
                "meta": "score",
                "xaxis": "x",
                "yaxis": "y",
            }
        )
        data.append(
            {
                "type": "bar",
                "x": [int(v) for v in part["spread"]],
                "y": y,
                "orientation": "h",
                "name": name,
                "legendgroup": basic_plan_id or "none",
                "showlegend": False,
                "marker": {"color": color, "opacity": 0.55},
                "text": [msg.VOTE_CHART_SPREAD_TEXT.format(spread=s) for s in part["spread"]],
                "textposition": "outside",
                "cliponaxis": False,
                "width": BAR_LINES,
                "hovertext": hover,
                "hoverinfo": "text",
                "meta": "spread",
                "xaxis": "x2",
                "yaxis": "y2",
            }
        )
    max_score = max(int(df["score"].max()) if len(df) else 0, 1)
    layout["xaxis"].update(range=[0, max_score * 1.25], showgrid=True)
    layout["xaxis2"].update(range=[0, max(voters, 1) * 1.3], showgrid=True)
    ticktext = [tick_label(label) for label in df["label"]]
    yaxes = {
        "range": [total, 0],  # the best item at the top
        "tickmode": "array",
        "tickvals": centers,
        "ticktext": ticktext,
        "showgrid": False,
        "zeroline": False,
        "automargin": True,
    }
    layout["yaxis"].update(yaxes)
    layout["yaxis2"].update(yaxes)
    layout.update(
        font=FONT,
        barmode="overlay",
        bargap=0.25,
        height=height or result_height(total, len(data) // 2),
        # The labels' margin from their text (see kit.charts.issues.label_margin): automargin
        # alone measured them before the Japanese font had loaded and cut their first letters.
        margin=dict(l=label_margin(ticktext, FONT["size"]), r=40, t=90 if title else 60, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.08, x=0, font=dict(size=20)),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    if title:
        layout["title"] = dict(text=plain(title), x=0.01)
    return {"data": data, "layout": layout}


def basic_plan_figure(
    by_plan: pd.DataFrame,
    plan: Plan,
    *,
    voters: int | None = None,
    title: str = "",
) -> go.Figure:
    """基本計画ごとの合計: one bar per basic plan (its colour), spread = members who backed any
    of its items. ``by_plan`` is :func:`kit.meeting.tally.tally_by_basic_plan`'s table.
    A plotly Figure of :func:`basic_plan_spec`."""
    return _figure(basic_plan_spec(by_plan, plan, voters=voters, title=title))


def basic_plan_spec(
    by_plan: pd.DataFrame,
    plan: Plan,
    *,
    voters: int | None = None,
    title: str = "",
) -> dict:
    """:func:`basic_plan_figure` as a plain plotly JSON dict (no plotly validation)."""
    method = by_plan.attrs.get("method", "dots")
    voters = by_plan.attrs.get("voters", 0) if voters is None else voters
    names = [plan_name(plan, b) for b in by_plan["basic_plan_id"]]
    score_name = msg.VOTE_CHART_SCORE[method]
    hover = [
        msg.VOTE_CHART_PLAN_HOVER.format(
            name=plain(name),
            score_name=score_name,
            score=row.score,
            spread=row.spread,
            items=row.items,
        )
        for name, row in zip(names, by_plan.itertuples(), strict=True)
    ]
    layout = two_panel_layout(score_name, msg.VOTE_CHART_SPREAD.format(voters=voters))
    colors = by_plan["color"].tolist()
    data = [
        {
            "type": "bar",
            "x": [int(v) for v in by_plan["score"]],
            "y": names,
            "orientation": "h",
            "marker": {"color": colors},
            "text": [str(s) for s in by_plan["score"]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertext": hover,
            "hoverinfo": "text",
            "showlegend": False,
            "meta": "score",
            "xaxis": "x",
            "yaxis": "y",
        },
        {
            "type": "bar",
            "x": [int(v) for v in by_plan["spread"]],
            "y": names,
            "orientation": "h",
            "marker": {"color": colors, "opacity": 0.55},
            "text": [msg.VOTE_CHART_SPREAD_TEXT.format(spread=s) for s in by_plan["spread"]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertext": hover,
            "hoverinfo": "text",
            "showlegend": False,
            "meta": "spread",
            "xaxis": "x2",
            "yaxis": "y2",
        },
    ]
    max_score = max(int(by_plan["score"].max()) if len(by_plan) else 0, 1)
    layout["xaxis"]["range"] = [0, max_score * 1.25]
    layout["xaxis2"]["range"] = [0, max(voters, 1) * 1.3]
    yaxes = {
        "categoryorder": "array",
        "categoryarray": list(reversed(names)),
        "tickmode": "array",
        "tickvals": names,
        "ticktext": [tick_label(n) for n in names],
        "automargin": True,
    }
    margin = label_margin(yaxes["ticktext"], FONT["size"])
    layout["yaxis"].update(yaxes)
    layout["yaxis2"].update(yaxes)
    layout.update(
        font=FONT,
        height=max(380, 160 + 80 * len(by_plan)),
        margin=dict(l=margin, r=40, t=90 if title else 60, b=30),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    if title:
        layout["title"] = dict(text=plain(title), x=0.01)
    return {"data": data, "layout": layout}
