"""The 会議録 as one offline HTML page that prints on A4 (portrait), and writing it.

Nothing is loaded from anywhere (no script, no font, no image from outside); every piece of
text people typed is escaped. Printed from any browser (Ctrl+P → 「PDF に保存」 for a PDF).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from kit import messages as msg
from kit.files import safe_name_part, write_atomically
from kit.plan import Plan
from kit.record.contents import MeetingRecord, VoteRecord, meeting_record
from kit.text import escape

WEEKDAYS = "月火水木金土日"

PAGE_CSS = """
@page { size: A4 portrait; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo",
  sans-serif; color: #1a1a1a; font-size: 11pt; line-height: 1.5; margin: 0 auto; max-width: 182mm; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; padding: 1mm 2mm; background: #eef3ea;
  border-left: 5px solid #2e7d32; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 3mm 0 1mm; break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; table-layout: fixed; }
.facts { table-layout: auto; }
td { overflow-wrap: anywhere; }
th, td { border: 1px solid #9e9e9e; padding: 1mm 2mm; vertical-align: top; text-align: left; }
th { background: #f1f1f1; font-weight: bold; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
.facts th { width: 24mm; }
.hint { border: 1px dashed #9e9e9e; padding: 2mm 3mm; font-size: 10pt; color: #444; }
.goal { border-left: 5px solid var(--plan); padding-left: 2mm; }
.tie { font-weight: bold; color: #b71c1c; }
.note { font-size: 9.5pt; color: #444; margin: 1mm 0; }
.privacy { font-size: 9.5pt; color: #444; border-top: 1px solid #bbb; margin-top: 6mm; padding-top: 2mm; }
ol.agenda { margin: 0; padding-left: 6mm; }
@media print { .hint { display: none; } body { max-width: none; } }
"""


def japanese_date(iso: str) -> str:
    """``2026-06-13`` → ``2026年6月13日（土）`` (the text unchanged if it is not a date)."""
    try:
        day = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso or "")
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


AGENDA_NUMBER = re.compile(r"^\s*(?:[0-9０-９]+[.)．、）]|[(（][0-9０-９]+[)）]|[①-⑳])\s*")
"""A number the facilitator typed before an agenda line (the list numbers it again)."""


def _table(headers, rows, numeric=(), widths=()) -> str:
    cols = (
        "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"
        if widths
        else ""
    )
    head = "".join(
        f'<th class="num">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table>{cols}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _vote_html(vote: VoteRecord) -> str:
    rows = [
        (
            f"{line.rank}"
            + (f' <span class="tie">{escape(msg.RECORD_TIE_MARK)}</span>' if line.tied else ""),
            escape(line.label),
            escape(_number(line.score)),
            escape(str(line.spread)),
            escape(line.goal),
        )
        for line in vote.lines
    ]
    ties = (
        msg.RECORD_TIES.format(groups="／".join("・".join(group) for group in vote.ties))
        if vote.ties
        else msg.RECORD_TIES_NONE
    )
    parts = [
        f"<h3>{escape(vote.title)}</h3>",
        f'<p class="note">{escape(msg.RECORD_VOTE_METHOD.format(method=vote.method_label, rule=vote.rule))}<br>'
        f"{escape(msg.RECORD_VOTE_TURNOUT.format(ballots=vote.ballots, eligible=vote.eligible, paper=vote.paper_ballots))}</p>",
    ]
    if not vote.closed:
        parts.append(f'<p class="note tie">{escape(msg.RECORD_VOTE_OPEN)}</p>')
    parts.append(
        _table(msg.RECORD_VOTE_HEADERS, rows, numeric=(0, 2, 3), widths=(11, 45, 9, 11, 24))
    )
    parts.append(f'<p class="note">{escape(ties)}</p>')
    return '<div class="vote">' + "".join(parts) + "</div>"


def record_html(record: MeetingRecord) -> str:
    """The 会議録 as one HTML document (A4 portrait, offline, user text escaped)."""
    title = msg.RECORD_TITLE.format(district=record.district)
    paper = record.members - record.with_tablet
    facts = (
        '<table class="facts"><tbody>'
        f"<tr><th>{escape(msg.RECORD_MEETING)}</th><td>{escape(record.title)}</td></tr>"
        f"<tr><th>{escape(msg.RECORD_DATE)}</th><td>{escape(japanese_date(record.held_on))}</td></tr>"
        f"<tr><th>{escape(msg.RECORD_ATTENDANCE)}</th><td>"
        + escape(
            msg.RECORD_ATTENDANCE_VALUE.format(
                members=record.members, tablet=record.with_tablet, paper=paper
            )
        )
        + "</td></tr></tbody></table>"
    )
    agenda = (
        '<ol class="agenda">'
        + "".join(f"<li>{escape(AGENDA_NUMBER.sub('', a) or a)}</li>" for a in record.agenda)
        + "</ol>"
        if record.agenda
        else f"<p>{escape(msg.RECORD_AGENDA_NONE)}</p>"
    )
    if record.issues:
        issue_parts = [
            f'<p class="note">{escape(msg.RECORD_ISSUES_COUNT.format(count=record.issue_count))}</p>'
        ]
        for group in record.issues:
            rows = [
                (
                    escape(i.text),
                    escape(i.place),
                    escape(str(i.seriousness)),
                    escape(str(i.reach)),
                    escape(str(i.raised_count)),
                )
                for i in group.issues
            ]
            issue_parts.append(
                f'<div class="goal" style="--plan:{escape(group.color)}">'
                f"<h3>{escape(group.goal_id)} {escape(group.goal_name)}"
                f'<span class="note">（{escape(group.basic_plan_name)}）</span></h3>'
                + _table(
                    msg.RECORD_ISSUE_HEADERS, rows, numeric=(2, 3, 4), widths=(52, 18, 10, 10, 10)
                )
                + "</div>"
            )
        issues = "".join(issue_parts)
    else:
        issues = f"<p>{escape(msg.RECORD_ISSUES_NONE)}</p>"
    if record.votes:
        votes = "".join(_vote_html(v) for v in record.votes) + (
            f'<p class="note">{escape(msg.RECORD_SPREAD_NOTE)}</p>'
        )
    else:
        votes = f"<p>{escape(msg.RECORD_VOTES_NONE)}</p>"
    if record.actions:
        actions = _table(
            msg.RECORD_ACTION_HEADERS,
            [
                (
                    escape(a.title),
                    escape(a.owner),
                    escape(japanese_date(a.due_on)),
                    escape(a.policy),
                )
                for a in record.actions
            ],
            widths=(34, 20, 18, 28),
        )
    else:
        actions = f"<p>{escape(msg.RECORD_ACTIONS_NONE)}</p>"
    if record.follow_up:
        f = record.follow_up
        follow_up = (
            f"<p>{escape(msg.RECORD_FOLLOW_UP_OF.format(held_on=japanese_date(f.held_on), title=f.title))}"
            f"　{escape(msg.RECORD_FOLLOW_UP_COUNTS.format(**f.counts))}</p>"
            + _table(
                msg.RECORD_FOLLOW_UP_HEADERS,
                [
                    (
                        escape(a.title),
                        escape(a.owner),
                        escape(japanese_date(a.due_on)),
                        escape(msg.RECORD_STATUS_LABELS.get(a.status, a.status)),
                    )
                    for a in f.actions
                ],
                widths=(42, 24, 22, 12),
            )
        )
    else:
        follow_up = f"<p>{escape(msg.RECORD_FOLLOW_UP_NONE)}</p>"
    present = dict(record.map_counts)
    if record.map_counts and any(present.values()):
        pairs = list(record.map_counts)
        half = (len(pairs) + 1) // 2
        cells = []
        for left, right in zip(pairs[:half], [*pairs[half:], None], strict=False):
            row = f'<td>{escape(left[0])}</td><td class="num">{left[1]}</td>'
            row += (
                f'<td>{escape(right[0])}</td><td class="num">{right[1]}</td>'
                if right
                else "<td></td><td></td>"
            )
            cells.append(f"<tr>{row}</tr>")
        map_part = (
            '<table class="map"><colgroup><col style="width:38%"><col style="width:12%">'
            '<col style="width:38%"><col style="width:12%"></colgroup><tbody>'
            + "".join(cells)
            + "</tbody></table>"
        )
    else:
        map_part = f"<p>{escape(msg.RECORD_MAP_NONE)}</p>"
    made = f"{record.made_at.year}年{record.made_at.month}月{record.made_at.day}日 {record.made_at:%H:%M}"
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{escape(title)} {escape(record.held_on)}</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<p class="hint">{escape(msg.RECORD_HINT)}</p>
<h1>{escape(title)}</h1>
{facts}
<h2>{escape(msg.RECORD_AGENDA)}</h2>
{agenda}
<h2>{escape(msg.RECORD_ISSUES)}</h2>
{issues}
<h2>{escape(msg.RECORD_VOTES)}</h2>
{votes}
<h2>{escape(msg.RECORD_ACTIONS)}</h2>
{actions}
<h2>{escape(msg.RECORD_FOLLOW_UP)}</h2>
{follow_up}
<h2>{escape(msg.RECORD_MAP)}</h2>
{map_part}
<p class="note">{escape(msg.RECORD_MAP_NOTE)}</p>
<p class="privacy">{escape(msg.RECORD_PRIVACY)}<br>{escape(msg.RECORD_MADE.format(made=made))}</p>
</body>
</html>
"""


def record_file_name(record: MeetingRecord) -> str:
    """``会議録_2026-06-13_さくら台地区_第1回….html`` — sortable by date, clear to a person."""
    return (
        f"会議録_{record.held_on}_{safe_name_part(record.district)}_"
        f"{safe_name_part(record.title, 24)}.html"
    )


def write_record(
    conn: sqlite3.Connection,
    plan: Plan,
    meeting_id: int,
    out: str | Path,
    *,
    made_at: dt.datetime | None = None,
) -> Path:
    """Write the meeting's 会議録 atomically. ``out`` is a folder (the file is named by
    :func:`record_file_name`) or, when it ends in ``.html``/``.htm``, the file itself."""
    record = meeting_record(conn, plan, meeting_id, made_at=made_at)
    out = Path(out).expanduser()
    path = out if out.suffix.lower() in (".html", ".htm") else out / record_file_name(record)
    return write_atomically(path, record_html(record).encode("utf-8"))
