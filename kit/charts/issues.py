"""Charts of local issues (地域の困りごと): pure functions, data → plotly Figure (or its plain dict)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from kit import messages as msg
from kit.meeting.issues import GoalCount
from kit.text import wrapped

if TYPE_CHECKING:
    import plotly.graph_objects as go

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, sans-serif"
HALF_WIDTH_EM = 0.6  # a half-width character of the labels' font, in em (generous: 「(」 is 0.3)
WIDE_EM = 1.0  # a Japanese character: every CJK font draws it one em wide
LABEL_LINE_CHARS = 14  # a goal label longer than this is drawn in two lines
LINE_PX = 1.3  # a tick label's line, in font sizes


def text_em(text: str) -> float:
    """Width of ``text`` in em of the labels' font (Japanese one em, the rest ``HALF_WIDTH_EM``).

    >>> text_em("3-(1) 見守り")
    6.6
    """
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return round(wide * WIDE_EM + (len(text) - wide) * HALF_WIDTH_EM, 3)


def label_margin(labels: Sequence[str], font_size: int) -> int:
    """Left margin (px) that holds the longest y label line whole, whatever the browser measures.

    plotly's ``automargin`` measures the labels when it lays the chart out; if the Japanese web
    font arrives after that, the wider glyphs run off the left edge (「3-(1)…」 drawn as
    「-(1)…」). This margin is computed from the text (each label's lines: ``<br>`` between
    them), so it holds before the font is there; automargin may still widen it, never narrow it.

    >>> label_margin(["3-(1) 見守り"], 22)
    166
    """
    lines = [line for label in labels for line in label.split("<br>")]
    widest = max((text_em(line) for line in lines), default=0)
    return round(widest * font_size) + 21


def goal_tick_lines(label: str) -> list[str]:
    """A goal label as the chart draws it: one line, or two broken after the 「・」 (or space)
    that makes the wider line narrowest — so the labels leave the bars room on a 1280-px
    projector, where the chart is 520 px wide. Never broken inside a word.

    >>> goal_tick_lines("3-(1) 暮らしの困りごと・相談・生活の支え")
    ['3-(1) 暮らしの困りごと・', '相談・生活の支え']
    >>> goal_tick_lines("1-(3) 居場所づくり")
    ['1-(3) 居場所づくり']
    """
    label = " ".join(label.split())
    if len(label) <= LABEL_LINE_CHARS:
        return [label]
    cuts = [i + 1 for i, ch in enumerate(label[:-1]) if ch in "・、 " and i > 0]
    if not cuts:
        return wrapped(label)
    best = min(cuts, key=lambda i: max(text_em(label[:i].strip()), text_em(label[i:].strip())))
    return [label[:best].strip(), label[best:].strip()]


def chart_height(counts: Sequence[GoalCount], font_size: int) -> int:
    """Tall enough for every goal's label lines, the title and the legend under the bars."""
    lines = sum(len(goal_tick_lines(c.label)) for c in counts)
    rows = len(counts)
    legend = 40 + len({c.basic_plan_id for c in counts}) * round(font_size * 1.2)
    return max(420, 70 + legend + round(lines * font_size * LINE_PX) + rows * 20)


def goal_counts_figure(
    counts: Sequence[GoalCount], *, height: int | None = None, font_size: int = 22
) -> go.Figure:
    """Horizontal bars: the combined count (のべ人数) per 重点目標, one colour per 基本計画.

    Every goal of the plan gets a bar, zero included, so a missing topic is visible.
    One trace per 基本計画 (its name in the legend); goals read top to bottom in plan order.
    A plotly Figure of :func:`goal_counts_spec` (which the projector sends as it is).
    """
    import plotly.graph_objects as go

    return go.Figure(goal_counts_spec(counts, height=height, font_size=font_size))


def goal_counts_spec(
    counts: Sequence[GoalCount], *, height: int | None = None, font_size: int = 22
) -> dict:
    """:func:`goal_counts_figure` as a plain plotly JSON dict (``data`` and ``layout``).

    Built without plotly's validation (milliseconds instead of a tenth of a second), so the
    projector can redraw the chart as issues arrive without importing plotly at all.
    """
    order = [c.label for c in counts]
    ticks = [
        "<br>".join(escape(line, quote=False) for line in goal_tick_lines(label)) for label in order
    ]
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
        "height": height or chart_height(counts, font_size),
        "margin": {"l": label_margin(ticks, font_size), "r": 40, "t": 70, "b": 20},
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
            "tickmode": "array",
            "tickvals": order,
            "ticktext": ticks,
            "automargin": True,
            "title": {"text": None},
        },
        "xaxis": xaxis,
    }
    return {"data": data, "layout": layout}
