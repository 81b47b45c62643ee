"""Charts of a priority vote (優先順位の投票): result bars in plan colours, ties and spread.

Pure functions: a result table from :mod:`kit.meeting.tally` → a plotly Figure (never shown here).
Left: each item's score, coloured by its 基本計画, tied bars hatched and marked 「＝同点」.
Right: the spread — how many members gave the item anything — out of all voters, so a
top item backed by two enthusiasts looks different from one backed by everyone.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kit import messages as msg
from kit.meeting.tally import NO_PLAN, with_plan
from kit.plan import Plan

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


LINE_CHARS = 16
BREAK_AFTER = "・、。，）」 "
NO_LINE_START = "、。，）」・ーっゃゅょ"


def wrapped(text: str, width: int = LINE_CHARS) -> list[str]:
    """A label in lines of at most ``width`` characters, broken after 「・」「、」 or a space when
    one is near the end of a line — the whole label, never cut off with 「…」."""
    text = " ".join(str(text).split())
    lines: list[str] = []
    while len(text) > width:
        cut = width
        for i in range(width, width // 2, -1):
            if text[i - 1] in BREAK_AFTER:
                cut = i
                break
        while cut < len(text) and text[cut] in NO_LINE_START:  # 「、」 never starts a line
            cut += 1
        lines.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*lines, text] if text else lines or [""]


def tick_label(text: str) -> str:
    """The label for a plotly axis: escaped line by line, joined with plotly's ``<br>``."""
    return "<br>".join(plain(line) for line in wrapped(text))


def plan_name(plan: Plan, basic_plan_id: str) -> str:
    if basic_plan_id == NO_PLAN:
        return msg.VOTE_CHART_NO_GOAL
    basic = plan.basic_plan(basic_plan_id)
    return f"{basic.number}. {basic.name}"


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
    """
    method = result.attrs.get("method", "dots")
    voters = result.attrs.get("voters", 0) if voters is None else voters
    df = with_plan(result, plan, no_goal_color=NO_GOAL_COLOR)
    ykeys = [f"item-{i}" for i in df["item_id"]]
    df = df.assign(ykey=ykeys)
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.03,
        subplot_titles=(
            msg.VOTE_CHART_SCORE[method],
            msg.VOTE_CHART_SPREAD.format(voters=voters),
        ),
    )
    score_name = msg.VOTE_CHART_SCORE[method]
    order = [bp.id for bp in plan.basic_plans] + [NO_PLAN]
    for basic_plan_id in order:
        part = df[df["basic_plan_id"] == basic_plan_id]
        if part.empty:
            continue
        name = plan_name(plan, basic_plan_id)
        color = part["color"].iloc[0]
        hover = [
            msg.VOTE_CHART_HOVER.format(
                label=plain(row.label), score_name=score_name, score=row.score, spread=row.spread
            )
            for row in part.itertuples()
        ]
        score_text = [
            msg.VOTE_CHART_SCORE_TEXT.format(score=row.score)
            + (" " + msg.VOTE_CHART_TIE_MARK if row.tied else "")
            for row in part.itertuples()
        ]
        fig.add_trace(
            go.Bar(
                x=part["score"].tolist(),
                y=part["ykey"].tolist(),
                orientation="h",
                name=name,
                legendgroup=basic_plan_id or "none",
                marker=dict(
                    color=color,
                    line=dict(color="#222222", width=[3 if t else 0 for t in part["tied"]]),
                    pattern=dict(
                        shape=[TIE_PATTERN if t else "" for t in part["tied"]],
                        fgcolor="#ffffff",
                        solidity=0.25,
                    ),
                ),
                text=score_text,
                textposition="outside",
                cliponaxis=False,
                hovertext=hover,
                hoverinfo="text",
                customdata=part[["item_id", "tied", "spread"]].values.tolist(),
                meta="score",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=part["spread"].tolist(),
                y=part["ykey"].tolist(),
                orientation="h",
                name=name,
                legendgroup=basic_plan_id or "none",
                showlegend=False,
                marker=dict(color=color, opacity=0.55),
                text=[msg.VOTE_CHART_SPREAD_TEXT.format(spread=s) for s in part["spread"]],
                textposition="outside",
                cliponaxis=False,
                hovertext=hover,
                hoverinfo="text",
                meta="spread",
            ),
            row=1,
            col=2,
        )
    max_score = max(int(df["score"].max()) if len(df) else 0, 1)
    fig.update_xaxes(range=[0, max_score * 1.25], row=1, col=1, showgrid=True)
    fig.update_xaxes(range=[0, max(voters, 1) * 1.3], row=1, col=2, showgrid=True)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(reversed(ykeys)),
        tickmode="array",
        tickvals=ykeys,
        ticktext=[tick_label(label) for label in df["label"]],
        automargin=True,
    )
    fig.update_layout(
        title=dict(text=plain(title), x=0.01) if title else None,
        font=FONT,
        barmode="overlay",
        bargap=0.25,
        height=height or max(420, 140 + sum(28 * len(wrapped(x)) + 34 for x in df["label"])),
        margin=dict(l=20, r=40, t=90 if title else 60, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.08, x=0, font=dict(size=20)),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    fig.update_annotations(font=dict(size=22))
    return fig


def basic_plan_figure(
    by_plan: pd.DataFrame,
    plan: Plan,
    *,
    voters: int | None = None,
    title: str = "",
) -> go.Figure:
    """基本計画ごとの合計: one bar per basic plan (its colour), spread = members who backed any
    of its items. ``by_plan`` is :func:`kit.meeting.tally.tally_by_basic_plan`'s table."""
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
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.03,
        subplot_titles=(score_name, msg.VOTE_CHART_SPREAD.format(voters=voters)),
    )
    ticktext = [tick_label(n) for n in names]
    fig.add_trace(
        go.Bar(
            x=by_plan["score"].tolist(),
            y=names,
            orientation="h",
            marker=dict(color=by_plan["color"].tolist()),
            text=[str(s) for s in by_plan["score"]],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            meta="score",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=by_plan["spread"].tolist(),
            y=names,
            orientation="h",
            marker=dict(color=by_plan["color"].tolist(), opacity=0.55),
            text=[msg.VOTE_CHART_SPREAD_TEXT.format(spread=s) for s in by_plan["spread"]],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            meta="spread",
        ),
        row=1,
        col=2,
    )
    max_score = max(int(by_plan["score"].max()) if len(by_plan) else 0, 1)
    fig.update_xaxes(range=[0, max_score * 1.25], row=1, col=1)
    fig.update_xaxes(range=[0, max(voters, 1) * 1.3], row=1, col=2)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(reversed(names)),
        tickmode="array",
        tickvals=names,
        ticktext=ticktext,
        automargin=True,
    )
    fig.update_layout(
        title=dict(text=plain(title), x=0.01) if title else None,
        font=FONT,
        height=max(380, 160 + 80 * len(by_plan)),
        margin=dict(l=20, r=40, t=90 if title else 60, b=30),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    fig.update_annotations(font=dict(size=22))
    return fig
