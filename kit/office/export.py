"""Exports of the city views (事務局の出力): Excel workbook, CSV and an offline HTML report.

- Excel: one sheet per table, Japanese headers, column widths set, header row frozen.
  Text that a spreadsheet could read as a formula (starting with ``= + - @``, a tab or CR,
  or their full-width forms) gets a leading ``'`` and is stored as a text cell, so no
  formula is ever created from what members typed.
- CSV: UTF-8 with BOM (Excel then reads Japanese correctly), CRLF, the same neutralising.
- HTML: the charts with plotly.js inline and the tables, one file that opens offline.

Every file is written atomically (complete or absent).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import sqlite3
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import kit
from kit import messages as msg
from kit.files import safe_name_part, write_atomically
from kit.office.views import EVERYTHING, OfficeFilter, Table, office_tables, summary
from kit.plan import Plan
from kit.resultfile.format import FORMULA_STARTS

MIN_WIDTH = 6
MAX_WIDTH = 60
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def neutralise(value: Any) -> Any:
    """Text that could start a formula gets a leading ``'``; other values pass unchanged.

    >>> neutralise("=1+1"), neutralise("-3"), neutralise(-3), neutralise("見守り")
    ("'=1+1", "'-3", -3, '見守り')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def display_width(text: str) -> int:
    """Width in half-width characters: a Japanese (wide) character counts as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(table: Table) -> list[int]:
    """Excel column widths that fit the header and the longest value (within limits)."""
    widths = []
    for index, header in enumerate(table.headers()):
        longest = display_width(header)
        for row in table.rows:
            value = row[index]
            if value is not None:
                longest = max(longest, max(display_width(line) for line in str(value).split("\n")))
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel-legal, unique sheet name (31 characters, none of ``[]:*?/\\``)."""
    base = name.translate(_SHEET_FORBIDDEN).strip("'")[:SHEET_NAME_MAX] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"_{n}"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate


def workbook_bytes(tables: Sequence[Table], *, about: Sequence[tuple[str, str]] = ()) -> bytes:
    """The Excel workbook (.xlsx) of ``tables``: an 説明 sheet first, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def put(sheet, row: int, col: int, value: Any):
        cell = sheet.cell(row=row, column=col)
        if isinstance(value, bool):
            value = msg.OFFICE_YES if value else ""
        if isinstance(value, str):
            cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        else:
            cell.value = value
        return cell

    book = Workbook()
    info = book.active
    info.title = msg.OFFICE_EXCEL_ABOUT_SHEET
    bold = Font(bold=True)
    rows = [(msg.OFFICE_EXCEL_ABOUT_TITLE, ""), *about]
    rows += [(t.name, t.title + (f"　{t.note}" if t.note else "")) for t in tables]
    for r, (key, value) in enumerate(rows, start=1):
        put(info, r, 1, key).font = bold
        put(info, r, 2, value).alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 100
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    used = {info.title}
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.name, used))
        for c, header in enumerate(table.headers(), start=1):
            cell = put(sheet, 1, c, header)
            cell.font = bold
            cell.fill = header_fill
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                put(sheet, r, c, value)
        for c, width in enumerate(column_widths(table), start=1):
            sheet.column_dimensions[get_column_letter(c)].width = width
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(
    tables: Sequence[Table], path: str | Path, *, about: Sequence[tuple[str, str]] = ()
) -> Path:
    """Excel ブック: write ``tables`` to ``path`` (.xlsx) atomically."""
    return write_atomically(Path(path), workbook_bytes(tables, about=about))


def csv_bytes(table: Table) -> bytes:
    """One table as CSV: UTF-8 with BOM, CRLF, Japanese headers, formula-looking text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in table.headers()])
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_csv(table: Table, path: str | Path) -> Path:
    return write_atomically(Path(path), csv_bytes(table))


def write_csv_folder(tables: Sequence[Table], folder: str | Path) -> list[Path]:
    """Every table as ``<name>.csv`` in ``folder``."""
    folder = Path(folder)
    return [write_csv(t, folder / f"{safe_name_part(t.name, 40)}.csv") for t in tables]


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers())
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        + "</tr>"
        for row in table.rows
    )
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    return (
        f"<h3>{html.escape(table.title)}</h3>{note}"
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def html_report(
    conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING, *, filter_text: str = ""
) -> str:
    """The offline HTML report for the board (理事会): charts with plotly.js inline, then tables."""
    from kit.charts.office import office_figures

    tables = office_tables(conn, plan, f)
    figures = office_figures({t.name: t for t in tables}, plan)
    counts = summary(conn, f)
    parts = []
    first = True
    for name, fig in figures.items():
        parts.append(
            f"<section><h2>{html.escape(name)}</h2>"
            + fig.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False})
            + "</section>"
        )
        first = False
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    intro = msg.OFFICE_REPORT_INTRO.format(made=made, filter=filter_text or f.describe(), **counts)
    tables_html = "".join(_html_table(t) for t in tables)
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>{html.escape(msg.OFFICE_REPORT_TITLE.format(city=plan.city))}</title>"
        f"<style>{_REPORT_CSS}</style></head><body>"
        f"<h1>{html.escape(msg.OFFICE_REPORT_TITLE.format(city=plan.city))}</h1>"
        f"<p>{html.escape(plan.title)}</p><p>{html.escape(intro)}</p>"
        + "".join(parts)
        + f"<h2>{html.escape(msg.OFFICE_REPORT_TABLES)}</h2>{tables_html}"
        + f"<footer>{html.escape(msg.APP_NAME)} {html.escape(kit.__version__)}</footer></body></html>"
    )


_REPORT_CSS = """
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif;
       margin: 24px; color: #222; }
h1 { color: #1b5e20; } h2 { border-bottom: 3px solid #1b5e20; padding-bottom: 4px; margin-top: 40px; }
section { page-break-inside: avoid; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 24px; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #ddebf7; }
.note { color: #555; font-size: 14px; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
"""


def write_html_report(
    conn: sqlite3.Connection,
    plan: Plan,
    path: str | Path,
    f: OfficeFilter = EVERYTHING,
    *,
    filter_text: str = "",
) -> Path:
    """Write the offline HTML report (no internet needed to open it) atomically."""
    text = html_report(conn, plan, f, filter_text=filter_text)
    return write_atomically(Path(path), text.encode("utf-8"))


def export_all(
    conn: sqlite3.Connection,
    plan: Plan,
    folder: str | Path,
    f: OfficeFilter = EVERYTHING,
    *,
    filter_text: str = "",
) -> dict[str, Path]:
    """Excel, CSV folder and HTML report side by side in ``folder`` (dated file names)."""
    folder = Path(folder)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    tables = office_tables(conn, plan, f)
    about = [(msg.OFFICE_EXCEL_FILTER, filter_text or f.describe()), (msg.OFFICE_EXCEL_MADE, stamp)]
    return {
        "excel": write_workbook(tables, folder / f"集計_{stamp}.xlsx", about=about),
        "csv": write_csv_folder(tables, folder / f"集計CSV_{stamp}")[0].parent,
        "html": write_html_report(
            conn, plan, folder / f"報告_{stamp}.html", f, filter_text=filter_text
        ),
    }
