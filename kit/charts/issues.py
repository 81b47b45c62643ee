"""Charts of local issues (地域の困りごと): pure functions, data → plotly Figure."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from kit import messages as msg
from kit.meeting.issues import GoalCount
from kit.text import display_width

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, sans-serif"
HALF_WIDTH_EM = 0.55  # a half-width character of the labels' font, in em (a wide one is twice)


def label_margin(labels: Sequence[str], font_size: int) -> int:
    """Left margin (px) that holds the longest y label whole, whatever the browser measures.

    plotly's ``automargin`` measures the labels when it lays the chart out; if the Japanese web
    font arrives after that, the wider glyphs run off the left edge (「3-(1)…」 drawn as
    「-(1)…」). This margin is computed from the text, so it holds before the font is there;
    automargin may still widen it, never narrow it.

    >>> label_margin(["3-(1) 見守り"], 22)
    166
    """
    widest = max((display_width(label) for label in labels), default=0)
    return round(widest * HALF_WIDTH_EM * font_size) + 21


def goal_counts_figure(
    counts: Sequence[GoalCount], *, height: int = 560, font_size: int = 22
) -> go.Figure:
    """Horizontal bars: the combined count (のべ人数) per 重点目標, one colour per 基本計画.

    Every goal of the plan gets a bar, zero included, so a missing topic is visible.
    One trace per 基本計画 (its name in the legend); goals read top to bottom in plan order.
    """
    fig = go.Figure()
    order = [c.label for c in counts]
    plans: dict[str, list[GoalCount]] = {}
    for count in counts:
        plans.setdefault(count.basic_plan_id, []).append(count)
    for items in plans.values():
        first = items[0]
        name = f"{first.basic_plan_id} {first.basic_plan_name}".strip()
        fig.add_trace(
            go.Bar(
                x=[c.count for c in items],
                y=[c.label for c in items],
                orientation="h",
                name=name,
                marker_color=first.color,
                text=[str(c.count) if c.count else "" for c in items],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=msg.ISSUE_CHART_HOVER,
            )
        )
    top = max((c.count for c in counts), default=0)
    fig.update_layout(
        title={"text": msg.ISSUE_CHART_TITLE, "font": {"size": font_size + 4}},
        font={"family": FONT, "size": font_size},
        height=height,
        margin={"l": label_margin(order, font_size), "r": 40, "t": 70, "b": 20},
        barmode="overlay",
        bargap=0.25,
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "x": 0,
            "font": {"size": font_size - 4},
        },
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        showlegend=True,
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(reversed(order)), automargin=True, title=None
    )
    fig.update_xaxes(
        title=None,
        range=[0, max(top, 1) * 1.2],
        dtick=1 if top <= 10 else None,
        gridcolor="#dddddd",
        rangemode="tozero",
    )
    return fig
