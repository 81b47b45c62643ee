"""The office's Excel workbook is ready for a board report: types, print setup, the grid, pages.

openpyxl checks the cell types and the page setup; LibreOffice (``soffice --headless
--convert-to pdf``, as an office PC would print it) checks that the sample city's whole
workbook prints on at most 25 A4 pages, each sheet fitted to the page width.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kit import messages as msg
from kit.office.compile import compile_folder
from kit.office.export import DATE_FORMAT, RATE_FORMAT, TEXT_WIDTH, export_to
from kit.office.views import HEATMAP_GRID, MAP_GRID, report_tables
from kit.store.office import open_office_store

SAMPLE_RESULTS = Path(__file__).resolve().parents[1] / "sample_data" / "results"
MAX_PAGES = 25


@pytest.fixture(scope="module")
def city_book(tmp_path_factory, plan_module):
    """The sample city's 12 result files compiled, and its workbook written as the CLI does."""
    folder = tmp_path_factory.mktemp("book")
    office = open_office_store(folder / "office.sqlite")
    report = compile_folder(office, SAMPLE_RESULTS, plan_module)
    assert report.counts()["ok"] == 12
    made = dt.datetime(2026, 12, 1, 17, 44, 36)
    written = export_to(office, plan_module, excel=folder / "city.xlsx", made=made)
    tables = {t.name: t for t in report_tables(office, plan_module)}
    office.close()
    return written["excel"], tables


@pytest.fixture(scope="module")
def plan_module():
    from kit.plan import load_plan
    from kit.resources import default_plan_path

    return load_plan(default_plan_path())


def _column(sheet, header: str) -> list:
    headers = [c.value for c in sheet[1]]
    index = headers.index(header) + 1
    return [sheet.cell(row=r, column=index) for r in range(2, sheet.max_row + 1)]


def test_dates_are_date_cells_with_a_japanese_date_format(city_book):
    path, _ = city_book
    book = load_workbook(path)
    for sheet, header in (
        ("困りごとの一覧", "開催日"),
        ("取組の一覧", "いつまでに"),
        ("取組の一覧", "決めた会議の日"),
        ("参加と投票率", "開催日"),
        ("会議一覧", "開催日"),
    ):
        cells = _column(book[sheet], header)
        assert cells, (sheet, header)
        assert all(c.is_date and c.number_format == DATE_FORMAT for c in cells), (sheet, header)
    first = _column(book["困りごとの一覧"], "開催日")[0].value
    assert first.date() == dt.date(2025, 6, 14)


def test_rates_are_fractions_shown_as_percent(city_book):
    path, _ = city_book
    book = load_workbook(path)
    for sheet, header in (("参加と投票率", "投票率"), ("各地区の上位項目", "得点の割合")):
        cells = [c for c in _column(book[sheet], header) if c.value is not None]
        assert cells
        for cell in cells:
            assert cell.data_type == "n" and cell.number_format == RATE_FORMAT
            assert 0 < cell.value <= 1


def test_numbers_are_numbers_and_text_wraps(city_book):
    path, _ = city_book
    book = load_workbook(path)
    for sheet in ("地区×重点目標", "計画のカバー状況", "優先課題"):
        cells = _column(book[sheet], "基本計画")
        assert all(c.data_type == "n" and isinstance(c.value, int) for c in cells), sheet
    for cell in _column(book["困りごとの一覧"], "深刻さ"):
        assert cell.data_type == "n"
    sheet = book["困りごとの一覧"]
    text = _column(sheet, "困りごと")
    assert all(c.data_type == "s" and c.alignment.wrap_text for c in text)
    letter = text[0].column_letter
    assert sheet.column_dimensions[letter].width <= TEXT_WIDTH
    longest = max(text, key=lambda c: len(c.value))
    assert sheet.row_dimensions[longest.row].height  # a wrapped row is given its lines
    for ws in book.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)  # never a formula


def test_every_sheet_prints_landscape_fitted_to_width_with_its_header_repeated(city_book):
    path, _ = city_book
    book = load_workbook(path)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert str(setup.paperSize) == "9", sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0, sheet.title
        if sheet.title != msg.OFFICE_EXCEL_ABOUT_SHEET:
            assert sheet.print_title_rows in ("1:1", "$1:$1"), sheet.title
            assert sheet.freeze_panes in ("A2", "C2"), sheet.title


def test_made_at_is_a_readable_date_time(city_book):
    path, _ = city_book
    info = load_workbook(path)[msg.OFFICE_EXCEL_ABOUT_SHEET]
    made = next(row[1] for row in info.iter_rows() if row[0].value == msg.OFFICE_EXCEL_MADE)
    assert made.is_date and made.value == dt.datetime(2026, 12, 1, 17, 44, 36)
    assert made.number_format == "yyyy/m/d h:mm"


def test_district_by_goal_grid_in_plan_colours(city_book, plan_module):
    path, tables = city_book
    sheet = load_workbook(path)[HEATMAP_GRID]
    goals = list(plan_module.goals())
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["地区ID", "地区"] and headers[-1] == msg.OFFICE_GRID_TOTAL
    assert headers[2:-1] == [f"{g.id} {g.name}" for g in goals]
    districts = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert districts[-1] == msg.OFFICE_GRID_TOTAL and len(districts) == 6 + 1
    grid = tables[HEATMAP_GRID]
    long_form = tables["地区×重点目標"]
    assert sum(r["issues"] for r in long_form.records()) == grid.records()[-1]["total"]
    for c, goal in enumerate(goals, start=3):
        colour = plan_module.basic_plan_of(goal.id).color.lstrip("#").upper()
        fill = sheet.cell(row=1, column=c).fill.fgColor.rgb[-6:]
        assert fill != "DDEBF7"
        # the tint is the plan colour mixed with white: each channel moves toward it
        for i in (0, 2, 4):
            assert int(fill[i : i + 2], 16) >= int(colour[i : i + 2], 16)
        assert isinstance(sheet.cell(row=2, column=c).value, int)


def test_map_counts_are_a_grid_in_the_workbook(city_book):
    path, tables = city_book
    sheet = load_workbook(path)[MAP_GRID]
    assert sheet.max_row == len(tables[MAP_GRID]) + 1 < 60
    assert sheet.max_column == 2 + 12  # six districts, two meetings each


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (libreoffice-calc-nogui) not installed")
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) not installed")
def test_the_sample_city_workbook_prints_in_at_most_25_a4_pages(city_book, tmp_path):
    path, _ = city_book
    profile = tmp_path / "lo-profile"  # a private LibreOffice profile: runs never collide
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "city.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 12 <= pages <= MAX_PAGES  # at least a page per sheet, at most 25
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(v) for v in size.split()[2:5:2])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    first_lines = []
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        first_lines.append(text.splitlines()[0] if text.strip() else "")
        if first_lines[-1] == msg.OFFICE_TABLE_TURNOUT:
            assert "投票率" in text and "うち紙の投票" in text  # its columns are not split
    assert first_lines.count(msg.OFFICE_TABLE_TURNOUT) == 1  # the 12-row sheet: one page


def test_compile_writes_only_the_outputs_asked_for(tmp_path, capsys):
    from kit.cli import main

    office_db = tmp_path / "office.sqlite"
    assert main(["compile", str(SAMPLE_RESULTS), "--office-db", str(office_db)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.sqlite"]
    out = tmp_path / "csv"
    assert (
        main(["compile", str(SAMPLE_RESULTS), "--office-db", str(office_db), "--csv", str(out)])
        == 0
    )
    files = sorted(out.glob("*.csv"))
    assert (
        len(files) == 10 and not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob("*.html"))
    )
    data = (out / "参加と投票率.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # UTF-8 with BOM, CRLF
    assert data.decode("utf-8-sig").splitlines()[0].startswith("開催日,年度,地区ID")
    book, report = tmp_path / "b.xlsx", tmp_path / "r.html"
    argv = ["compile", str(SAMPLE_RESULTS), "--office-db", str(office_db)]
    assert main([*argv, "--excel", str(book), "--html", str(report)]) == 0
    assert book.exists() and report.exists()
    assert f"書き出しました: {book}" in capsys.readouterr().out
