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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import kit
from kit import messages as msg
from kit.errors import ValidationError
from kit.files import safe_name_part, write_atomically
from kit.office.views import (
    EVERYTHING,
    OfficeFilter,
    Table,
    office_tables,
    report_tables,
    summary,
)
from kit.plan import Plan
from kit.resultfile.format import FORMULA_STARTS
from kit.text import display_width

MIN_WIDTH = 6
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


def japanese_datetime(when: dt.datetime) -> str:
    """``2026年12月1日 17:44`` — how 作成日時 reads on paper."""
    return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"


DATE_FORMAT = "yyyy/m/d"
"""Dates in the workbook: Japanese Excel's own short date, read the same in LibreOffice, sorted
and filtered as dates. 令和 would need an Excel-only era format code (LibreOffice and Excel
disagree on it) and a 年度 that spans two eras; a clerk who wants 和暦 changes the cell format,
because the cell is a real date either way."""
DATETIME_FORMAT = "yyyy/m/d h:mm"
RATE_FORMAT = "0.0%"
TEXT_WIDTH = 40
"""Text columns wrap at this width (half-width characters), so a long 困りごと takes lines, not
the page's width."""
OTHER_WIDTH = 24
HEADER_WRAP = 12
"""A header longer than this wraps instead of widening a column of short numbers."""
HEADER_FILL = "DDEBF7"
ABOUT_WIDTH = 110
GRID_KEYS = {"heatmap_grid"}


def excel_value(kind: str, value: Any) -> tuple[Any, str | None]:
    """The cell value and number format of one value of a column of ``kind``.

    Dates become date cells, rates stay fractions shown as %, number-looking codes (a
    基本計画 ``1``) become numbers; other text is neutralised against formulas.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return (msg.OFFICE_YES if value else None), None
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value), DATE_FORMAT
        except ValueError:
            return neutralise(value), None
    if kind == "rate" and isinstance(value, int | float):
        return float(value), RATE_FORMAT
    if kind == "code" and isinstance(value, str) and value.isdigit() and str(int(value)) == value:
        return int(value), None
    if isinstance(value, dt.datetime):
        return value, DATETIME_FORMAT
    if isinstance(value, str):
        return neutralise(value), None
    return value, None


def _shown(kind: str, value: Any) -> str:
    """Roughly how a value looks in its cell, for the column width."""
    cell, number_format = excel_value(kind, value)
    if cell is None:
        return ""
    if number_format == DATE_FORMAT:
        return f"{cell.year}/{cell.month}/{cell.day}"
    if number_format == RATE_FORMAT:
        return f"{100 * cell:.1f}%"
    return str(cell)


def column_widths(table: Table) -> list[int]:
    """Column widths that fit the longest value; text wraps at :data:`TEXT_WIDTH`, long
    headers wrap at :data:`HEADER_WRAP` (Japanese counts double)."""
    widths = []
    for index, column in enumerate(table.columns):
        header = max((display_width(p) for p in column.header.split("\n")), default=0)
        longest = min(header, HEADER_WRAP)
        for row in table.rows:
            shown = _shown(column.kind, row[index])
            if shown:
                longest = max(longest, max(display_width(line) for line in shown.split("\n")))
        limit = TEXT_WIDTH if column.kind == "text" else OTHER_WIDTH
        widths.append(min(max(longest + 2, MIN_WIDTH), limit))
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


def _tint(color: str, share: float) -> str:
    """``color`` (#RRGGBB) mixed with white: ``share`` 0 is white, 1 the colour itself."""
    rgb = [int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * share):02X}" for c in rgb)


def _print_setup(sheet, title: str, *, title_rows: str | None = "1:1") -> None:
    """A4 landscape, fit to the page width, header row repeated on every page, page numbers."""
    from openpyxl.worksheet.page import PageMargins

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(
        left=0.4, right=0.4, top=0.7, bottom=0.6, header=0.3, footer=0.3
    )
    sheet.oddHeader.left.text = title.replace("&", "&&")
    sheet.oddHeader.left.size = 10
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.center.size = 9


def workbook_bytes(
    tables: Sequence[Table], *, about: Sequence[tuple[str, Any]] = (), plan: Plan | None = None
) -> bytes:
    """The Excel workbook (.xlsx) of ``tables``: an 説明 sheet first, then one sheet per table.

    Every sheet prints on A4 landscape, fitted to the page width, its header row repeated on
    each page. Cells carry their kind (:data:`kit.office.views.COLUMN_KINDS`): dates as date
    cells (``yyyy/m/d``), rates as %, numbers as numbers, text wrapped. With ``plan``, the
    地区 × 重点目標 grid is coloured in each 基本計画's colour.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="BBBBBB")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)

    def put(sheet, row: int, col: int, value: Any, kind: str = "text"):
        cell = sheet.cell(row=row, column=col)
        value, number_format = excel_value(kind, value)
        if isinstance(value, str):
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"
        else:
            cell.value = value
        if number_format:
            cell.number_format = number_format
        return cell

    book = Workbook()
    info = book.active
    info.title = msg.OFFICE_EXCEL_ABOUT_SHEET
    rows: list[tuple[str, Any]] = [(msg.OFFICE_EXCEL_ABOUT_TITLE, ""), *about]
    rows += [(t.name, t.title + (f"　{t.note}" if t.note else "")) for t in tables]
    rows.append((msg.OFFICE_EXCEL_PRINT_NOTE_KEY, msg.OFFICE_EXCEL_PRINT_NOTE))
    for r, (key, value) in enumerate(rows, start=1):
        put(info, r, 1, key).font = bold
        cell = put(info, r, 2, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if isinstance(value, str) and _lines(value, ABOUT_WIDTH) > 1:
            info.row_dimensions[r].height = LINE_POINTS * _lines(value, ABOUT_WIDTH) + 2
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = ABOUT_WIDTH
    _print_setup(info, msg.OFFICE_EXCEL_ABOUT_TITLE, title_rows=None)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    used = {info.title}
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.name, used))
        for c, column in enumerate(table.columns, start=1):
            cell = put(sheet, 1, c, column.header)
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.border = border
        for r, row in enumerate(table.rows, start=2):
            for c, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
                cell = put(sheet, r, c, value, column.kind)
                cell.border = border
                if column.kind in ("text", "code"):
                    cell.alignment = wrap
                elif column.kind == "flag":
                    cell.alignment = Alignment(horizontal="center", vertical="top")
                else:
                    cell.alignment = Alignment(vertical="top")
        widths = column_widths(table)
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = width
        _row_heights(sheet, table, widths)
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
        colours = _goal_colours(table, plan)
        if colours:
            _colour_grid(sheet, table, colours)
        _print_setup(sheet, table.title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LINE_POINTS = 16
"""Height of one line of wrapped text (11 pt, Japanese fonts included)."""


def _lines(text: str, width: int) -> int:
    room = max(width - 1, 1)
    return sum(max(1, -(-display_width(part) // room)) for part in text.split("\n"))


def _row_heights(sheet, table: Table, widths: Sequence[int]) -> None:
    """Rows whose text wraps get the height of their lines: LibreOffice does not grow a row
    for wrapped text it reads from a file, so a long 困りごと would be cut when printed."""
    rows = [tuple(c.header for c in table.columns), *table.rows]
    for r, row in enumerate(rows, start=1):
        lines = max(
            (
                _lines(str(v), w)
                for v, c, w in zip(row, table.columns, widths, strict=True)
                if isinstance(v, str) and (r == 1 or c.kind in ("text", "code"))
            ),
            default=1,
        )
        if lines > 1:
            sheet.row_dimensions[r].height = LINE_POINTS * lines + 2


GRID_FONT_SIZE = 13


def _colour_grid(sheet, table: Table, colours: dict[str, str]) -> None:
    """The 地区 × 重点目標 grid for a board report: each goal's column in its 基本計画's
    colour (header tinted, cells darker the more issues), larger figures, the 合計 row bold."""
    from openpyxl.styles import Alignment, Font, PatternFill

    body = table.rows[:-1]  # the last row is 合計
    for c, column in enumerate(table.columns, start=1):
        header = sheet.cell(row=1, column=c)
        if column.key in colours:
            header.fill = PatternFill("solid", fgColor=_tint(colours[column.key], 0.45))
        top = max((row[c - 1] or 0 for row in body), default=0) or 1
        for r, row in enumerate(table.rows, start=2):
            cell = sheet.cell(row=r, column=c)
            total = r == len(table.rows) + 1
            cell.font = Font(size=GRID_FONT_SIZE, bold=total)
            cell.alignment = (
                Alignment(horizontal="center", vertical="center")
                if column.kind == "int"
                else Alignment(vertical="center", wrap_text=True)
            )
            value = row[c - 1]
            if column.key in colours and not total and isinstance(value, int) and value > 0:
                share = 0.15 + 0.6 * min(value / top, 1)
                cell.fill = PatternFill("solid", fgColor=_tint(colours[column.key], share))
    for r in range(2, len(table.rows) + 2):
        sheet.row_dimensions[r].height = 24
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = None


def _goal_colours(table: Table, plan: Plan | None) -> dict[str, str]:
    """Column key → its 基本計画's colour, for the grid sheet's goal columns."""
    if plan is None or table.key not in GRID_KEYS:
        return {}
    return {
        g.id: plan.basic_plan_of(g.id).color for g in plan.goals() if plan.basic_plan_of(g.id).color
    }


def write_workbook(
    tables: Sequence[Table],
    path: str | Path,
    *,
    about: Sequence[tuple[str, Any]] = (),
    plan: Plan | None = None,
) -> Path:
    """Excel ブック: write ``tables`` to ``path`` (.xlsx) atomically."""
    return write_atomically(Path(path), workbook_bytes(tables, about=about, plan=plan))


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
    conn: sqlite3.Connection,
    plan: Plan,
    f: OfficeFilter = EVERYTHING,
    *,
    filter_text: str = "",
    made: dt.datetime | None = None,
) -> str:
    """The offline HTML report for the board (理事会): charts with plotly.js inline, then tables."""
    from kit.charts.office import office_figures

    tables = office_tables(conn, plan, f)
    figures = office_figures({t.key: t for t in tables}, plan)
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
    made_text = japanese_datetime(made or dt.datetime.now())
    intro = msg.OFFICE_REPORT_INTRO.format(
        made=made_text, filter=filter_text or f.describe(), **counts
    )
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
    made: dt.datetime | None = None,
) -> Path:
    """Write the offline HTML report (no internet needed to open it) atomically."""
    text = html_report(conn, plan, f, filter_text=filter_text, made=made)
    return write_atomically(Path(path), text.encode("utf-8"))


EXPORT_KINDS = ("excel", "csv", "html")
"""What the office can export: the Excel workbook, a folder of CSVs, the HTML report."""


def export_to(
    conn: sqlite3.Connection,
    plan: Plan,
    *,
    excel: str | Path | None = None,
    csv_folder: str | Path | None = None,
    html_path: str | Path | None = None,
    f: OfficeFilter = EVERYTHING,
    filter_text: str = "",
    made: dt.datetime | None = None,
) -> dict[str, Path]:
    """Write each output that is given a path (each optional); return ``{kind: path}``.

    Excel gets :func:`kit.office.views.report_tables` (the heatmap and the map counts also
    as grids); the CSV folder gets every table of the city views in its long form.
    """
    made = made or dt.datetime.now().replace(microsecond=0)
    written: dict[str, Path] = {}
    if excel is not None:
        about = [
            (msg.OFFICE_EXCEL_FILTER, filter_text or f.describe()),
            (msg.OFFICE_EXCEL_MADE, made),
        ]
        written["excel"] = write_workbook(
            report_tables(conn, plan, f), excel, about=about, plan=plan
        )
    if csv_folder is not None:
        write_csv_folder(office_tables(conn, plan, f), csv_folder)
        written["csv"] = Path(csv_folder)
    if html_path is not None:
        written["html"] = write_html_report(
            conn, plan, html_path, f, filter_text=filter_text, made=made
        )
    return written


def export_all(
    conn: sqlite3.Connection,
    plan: Plan,
    folder: str | Path,
    f: OfficeFilter = EVERYTHING,
    *,
    filter_text: str = "",
    kinds: Sequence[str] = EXPORT_KINDS,
) -> dict[str, Path]:
    """Excel, CSV folder and HTML report (or the ``kinds`` asked for) side by side in
    ``folder``, with dated names: ``集計_20261201-174436.xlsx``, ``集計CSV_…``, ``報告_….html``."""
    unknown = [k for k in kinds if k not in EXPORT_KINDS]
    if unknown or not kinds:
        raise ValidationError(msg.OFFICE_EXPORT_UNKNOWN)
    folder = Path(folder)
    made = dt.datetime.now().replace(microsecond=0)
    stamp = made.strftime("%Y%m%d-%H%M%S")
    return export_to(
        conn,
        plan,
        excel=folder / f"集計_{stamp}.xlsx" if "excel" in kinds else None,
        csv_folder=folder / f"集計CSV_{stamp}" if "csv" in kinds else None,
        html_path=folder / f"報告_{stamp}.html" if "html" in kinds else None,
        f=f,
        filter_text=filter_text,
        made=made,
    )
