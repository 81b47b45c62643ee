"""Nothing personal reaches the council office (事務局): no resident name, no map note, no member name.

The sample city plus a map with distinctive names and notes in every district go through
everything meant for the office — result files, the office store, Excel, CSV, the HTML
report and the office page — and every byte is searched for them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kit.office.compile import compile_folder
from kit.office.export import export_all
from kit.plan import load_plan
from kit.resultfile.write import save_result_file, write_sample_result_files
from kit.sample.city import DISTRICTS, build_sample_city
from kit.settings import load_settings
from kit.store import open_store
from kit.store.office import open_office_store
from kit.supportmap import model as supportmap
from kit.ui.context import PageContext
from tests.office_helpers import SECRET_MEMBERS, SECRET_NOTES, SECRET_RESIDENTS, full_meeting


def texts_of(path: Path) -> list[str]:
    """The text of a file as the office could read it: zips and xlsx unpacked, any encoding."""
    data = path.read_bytes()
    chunks = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            chunks += [archive.read(name) for name in archive.namelist()]
    texts = []
    for chunk in chunks:
        for encoding in ("utf-8", "utf-16-le", "cp932"):
            texts.append(chunk.decode(encoding, errors="ignore"))
    return texts


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The sample city with distinctive residents and notes added to every district's map."""
    plan = load_plan()
    root = tmp_path_factory.mktemp("privacy")
    conn = open_store(root / "meetings.sqlite")
    build_sample_city(conn, plan)
    secrets = set(SECRET_RESIDENTS) | set(SECRET_NOTES) | set(SECRET_MEMBERS)
    for index, (district_id, _name) in enumerate(DISTRICTS):
        name, note = f"個人名ミドリカワ{index}号", f"非公開メモ：合鍵の場所{index}"
        person = supportmap.add_person(
            conn, district_id, 20 + index, 20, label=name, flags=["alone", "needs_watch"], note=note
        )
        helper = supportmap.add_person(
            conn,
            district_id,
            40,
            40 + index,
            label=f"支援者ヤマブキ{index}",
            note=f"電話090-0000-{index:04d}",
        )
        supportmap.add_link(conn, helper.id, person.id, kind="watch")
        secrets |= {name, note, f"支援者ヤマブキ{index}", f"電話090-0000-{index:04d}"}
    for district_id, _name in DISTRICTS:
        for node in supportmap.load_map(conn, district_id).nodes:
            if node.node_type == "person":
                secrets.add(node.label)
            if node.note:
                secrets.add(node.note)

    out = root / "office_inputs"
    write_sample_result_files(conn, plan, out)
    extra = full_meeting(conn, plan, district_id="d99", district_name="秘密テスト地区")
    save_result_file(conn, plan, extra, out / "results")
    conn.close()

    settings = load_settings(
        environ={},
        db_path=root / "meetings.sqlite",
        office_db_path=root / "office" / "office.sqlite",
        results_dir=out / "results",
    )
    office = open_office_store(settings.office_db_path)
    report = compile_folder(office, settings.results_dir, plan)
    assert not report.has_errors, report.lines()
    exports = export_all(office, plan, root / "office" / "exports")
    office.close()
    return {
        "plan": plan,
        "settings": settings,
        "secrets": secrets,
        "exports": exports,
        "root": root,
    }


def office_files(city) -> list[Path]:
    settings = city["settings"]
    files = sorted(settings.results_dir.rglob("*"))
    files += sorted((settings.office_db_path.parent).rglob("*"))
    return [p for p in files if p.is_file()]


def test_secrets_list_is_meaningful(city):
    secrets = city["secrets"]
    assert "個人名ミドリカワ0号" in secrets and "鍵は植木鉢の下にあります" in secrets
    assert any(s.endswith("さん") for s in secrets)  # the sample city's pseudonyms
    assert len(secrets) > 50


def test_no_resident_name_or_map_note_in_any_file_for_the_office(city):
    files = office_files(city)
    kinds = {p.suffix for p in files}
    assert {".zip", ".sqlite", ".xlsx", ".csv", ".html"} <= kinds
    leaks = []
    for path in files:
        texts = texts_of(path)
        for secret in city["secrets"]:
            if any(secret in text for text in texts):
                leaks.append((path.name, secret))
    assert leaks == []


def test_the_office_page_shows_no_secret(city):
    from kit.ui.office import OfficeApp

    settings = city["settings"]
    conn = open_store(city["root"] / "blank.sqlite")
    app = OfficeApp(PageContext(conn=conn, settings=settings, plan=city["plan"]))
    app.compile()
    shown = [app.report_view.value, app.summary.value]
    for chart in app.view_charts.values():
        shown.append(str(chart.figure))
    for output in app.view_tables.values():
        for item in output.outputs:
            shown.append(str(item["data"]))
    page = "\n".join(shown)
    assert "秘密テスト地区" in page  # the page does show the compiled data…
    leaks = [s for s in city["secrets"] if s in page]
    assert leaks == []  # …but nothing personal
    app.conn.close()
    conn.close()
