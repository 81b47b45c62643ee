"""Charts of local issues (地域の困りごと): pure functions, data → plotly Figure (or its plain dict)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kit import messages as msg
from kit.meeting.issues import GoalCount
from kit.text import display_width

if TYPE_CHECKING:
    import plotly.graph_objects as go

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
    A plotly Figure of :func:`goal_counts_spec` (which the projector sends as it is).
    """
    import plotly.graph_objects as go

    return go.Figure(goal_counts_spec(counts, height=height, font_size=font_size))


def goal_counts_spec(
    counts: Sequence[GoalCount], *, height: int = 560, font_size: int = 22
) -> dict:
    """:func:`goal_counts_figure` as a plain plotly JSON dict (``data`` and ``layout``).

    Built without plotly's validation (milliseconds instead of a tenth of a second), so the
    projector can redraw the chart as issues arrive without importing plotly at all.
    """
    order = [c.label for c in counts]
    plans: dict[str, list[GoalCount]] = {}
    for count in counts:
        plans.setdefault(count.basic_plan_id, []).append(count)
    data = []
    for items in plans.values():
        first = items[0]
        name = f"{first.basic_plan_id} {first.basic_plan_name}".strip()
        data.append(
            {
                "type": "bar",
                "x": [c.count for c in items],
                "y": [c.label for c in items],
                "orientation": "h",
                "name": name,
                "marker": {"color": first.color},
                "text": [str(c.count) if c.count else "" for c in items],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": msg.ISSUE_CHART_HOVER,
            }
        )
    top = max((c.count for c in counts), default=0)
    xaxis = {
        "title": {"text": None},
        "range": [0, max(top, 1) * 1.2],
        "gridcolor": "#dddddd",
        "rangemode": "tozero",
    }
    if top <= 10:
        xaxis["dtick"] = 1
    layout = {
        "title": {"text": msg.ISSUE_CHART_TITLE, "font": {"size": font_size + 4}},
        "font": {"family": FONT, "size": font_size},
        "height": height,
        "margin": {"l": label_margin(order, font_size), "r": 40, "t": 70, "b": 20},
        "barmode": "overlay",
        "bargap": 0.25,
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "x": 0,
            "font": {"size": font_size - 4},
        },
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "showlegend": True,
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": list(reversed(order)),
            "automargin": True,
            "title": {"text": None},
        },
        "xaxis": xaxis,
    }
    return {"data": data, "layout": layout}
