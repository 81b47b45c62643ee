"""Exports for the office (Excel, CSV, HTML): no formula from user text, BOM, headers, widths."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from kit.office import export
from kit.office.compile import compile_folder
from kit.office.export import (
    column_widths,
    csv_bytes,
    display_width,
    neutralise,
    sheet_name,
    workbook_bytes,
    write_csv_folder,
    write_html_report,
    write_workbook,
)
from kit.office.views import Column, Table, office_tables
from kit.resultfile.write import save_result_file
from kit.store.office import open_office_store
from tests.office_helpers import HOSTILE_ISSUE, full_meeting

DANGEROUS = ["=1+1", "+81 3", "-2丁目", "@SUM(A1)", "\tTAB", "\rCR", "＝全角", "=cmd|' /C calc'!A0"]


@pytest.fixture
def compiled(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    save_result_file(conn, plan, meeting_id, tmp_path / "results")
    office = open_office_store(tmp_path / "office.sqlite")
    compile_folder(office, tmp_path / "results", plan)
    yield office
    office.close()


def hostile_table() -> Table:
    return Table(
        key="test",
        name="テスト",
        title="テストの表",
        columns=(Column("text", "困りごと"), Column("n", "数"), Column("x", "割合")),
        rows=tuple((text, -3, 0.5) for text in DANGEROUS) + (("ふつうの文", 7, None),),
    )


def test_neutralise_prefixes_only_formula_looking_text():
    for text in DANGEROUS:
        assert neutralise(text) == "'" + text
    assert neutralise("ふつう") == "ふつう"
    assert neutralise("a=b") == "a=b"
    assert neutralise(-3) == -3 and neutralise(0.5) == 0.5 and neutralise(None) is None


def test_excel_never_holds_a_formula_from_user_text(tmp_path):
    path = write_workbook([hostile_table()], tmp_path / "t.xlsx")
    book = load_workbook(path)
    sheet = book["テスト"]
    values = [sheet.cell(row=r, column=1).value for r in range(2, 2 + len(DANGEROUS))]
    assert values == ["'" + t.replace("\r", "\n") for t in DANGEROUS]  # XML reads CR as LF
    for row in book["テスト"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
        )
    assert "<f>" not in xml and "<f " not in xml
    assert sheet.cell(row=2, column=2).value == -3  # numbers stay numbers


def test_excel_headers_widths_and_frozen_header(tmp_path):
    table = hostile_table()
    book = load_workbook(io.BytesIO(workbook_bytes([table])))
    assert book.sheetnames == ["説明", "テスト"]
    sheet = book["テスト"]
    assert [c.value for c in sheet[1]] == ["困りごと", "数", "割合"]
    assert sheet.freeze_panes == "A2"
    widths = column_widths(table)
    assert sheet.column_dimensions["A"].width == widths[0]
    assert widths[0] >= display_width("=cmd|' /C calc'!A0") + 2
    assert widths[1] >= display_width("数") + 2
    assert all(6 <= w <= 40 for w in widths)


def test_widths_count_japanese_as_double_and_are_capped():
    assert display_width("見守り") == 6 and display_width("abc") == 3
    long = Table("long", "長い", "長い", (Column("t", "本文"),), (("あ" * 200,),))
    assert column_widths(long) == [40]  # wraps instead of widening the page


def test_sheet_names_are_legal_and_unique():
    used: set[str] = set()
    assert sheet_name("a/b:c*d?e[f]g\\h", used) == "a_b_c_d_e_f_g_h"
    long = "あ" * 40
    first, second = sheet_name(long, used), sheet_name(long, used)
    assert len(first) == 31 and len(second) == 31 and first != second


def test_csv_is_utf8_with_bom_crlf_and_neutralised(tmp_path):
    data = csv_bytes(hostile_table())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "困りごと,数,割合"
    assert "\r\n" in text
    assert "'=1+1" in text and "'@SUM(A1)" in text and ",-3," in text
    paths = write_csv_folder([hostile_table()], tmp_path / "csv")
    assert [p.name for p in paths] == ["テスト.csv"]
    assert paths[0].read_bytes() == data


def test_every_office_table_exports_with_japanese_headers(compiled, plan, tmp_path):
    tables = office_tables(compiled, plan)
    path = write_workbook(tables, tmp_path / "city.xlsx")
    book = load_workbook(path)
    assert len(book.sheetnames) == len(tables) + 1
    for table in tables:
        sheet = book[sheet_name(table.name, set())]
        headers = [c.value for c in sheet[1]]
        assert headers == table.headers()
        assert all(re.search(r"[ぁ-んァ-ン一-龥]", h) or h in ("ID",) for h in headers), headers
        assert sheet.max_row == len(table) + 1
    issues = book["各地区の上位項目"]
    cells = [c.value for row in issues.iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)
    actions = [c.value for row in book["取組の一覧"].iter_rows() for c in row]
    assert "'@買い物バスの相談" in actions


def test_html_report_is_offline_and_escapes_text(compiled, plan, tmp_path):
    path = write_html_report(compiled, plan, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]+src=", text)  # every script inline, nothing fetched
    assert not re.search(r"<link[^>]+href=[\"']https?://", text)
    assert "plotly.js v" in text or "Plotly" in text  # the bundle is inline
    assert text.count('class="plotly-graph-div"') == 6
    assert HOSTILE_ISSUE not in text  # quotes are escaped in the tables
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in text


def test_export_all_writes_three_outputs(compiled, plan, tmp_path):
    paths = export.export_all(compiled, plan, tmp_path / "out")
    assert paths["excel"].suffix == ".xlsx" and paths["excel"].exists()
    assert paths["csv"].is_dir() and len(list(paths["csv"].glob("*.csv"))) == len(
        office_tables(compiled, plan)
    )
    assert paths["html"].exists()
