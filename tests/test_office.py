"""The office's compile (事務局の集計): every bad input gets a clear line; nothing lost or counted twice."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import time
import zipfile

import pytest

from kit.errors import ValidationError
from kit.office import views
from kit.office.compile import compile_folder, fiscal_year
from kit.plan import load_plan, plan_from_dict
from kit.store import office as office_store
from kit.store.office import open_office_store, table_counts
from tests.office_helpers import write_minimal_file


@pytest.fixture
def office(tmp_path):
    connection = open_office_store(tmp_path / "office.sqlite")
    yield connection
    connection.close()


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "results"
    path.mkdir()
    return path


def statuses(report) -> dict[str, str]:
    return {f.name: f.status for f in report.files}


def rezip(path, change) -> None:
    """Rewrite a zip with ``change(files)`` applied to its members (an edit by hand)."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def good_set(folder, plan, n: int = 3) -> list:
    return [
        write_minimal_file(
            folder, plan, district_id=f"d0{i}", district_name=f"地区{i}", issues_count=i
        )
        for i in range(1, n + 1)
    ]


def test_good_files_are_imported_and_the_same_file_counts_once(office, folder, plan):
    good_set(folder, plan)
    first = compile_folder(office, folder, plan)
    assert first.counts()["ok"] == 3 and not first.has_errors
    counts = table_counts(office)
    assert counts["meetings"] == 3 and counts["issues"] == 1 + 2 + 3
    again = compile_folder(office, folder, plan)
    assert again.counts()["duplicate"] == 3
    assert "取り込み済み" in again.files[0].line()
    copy = folder / "copy"
    copy.mkdir()
    for path in list(folder.glob("*.zip")):
        shutil.copy(path, copy / ("コピー_" + path.name))
    third = compile_folder(office, folder, plan)
    assert third.counts()["duplicate"] == 6
    assert table_counts(office) == counts


def test_truncated_file_is_an_error_and_changes_nothing(office, folder, plan):
    good_set(folder, plan)
    compile_folder(office, folder, plan)
    before = table_counts(office)
    path = write_minimal_file(folder, plan, district_id="d09", title="途中で切れた")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    report = compile_folder(office, folder, plan)
    line = next(f for f in report.files if f.name == path.name)
    assert line.status == "error"
    assert "途中で切れています" in line.message
    assert table_counts(office) == before


def test_truncated_in_the_middle_of_a_member_is_an_error(office, folder, plan):
    path = write_minimal_file(folder, plan)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo("issues.csv").header_offset
    data[offset + 40 : offset + 60] = b"\x00" * 20  # damage compressed bytes, keep the directory
    path.write_bytes(bytes(data))
    report = compile_folder(office, folder, plan)
    assert [f.status for f in report.files] == ["error"]
    assert table_counts(office)["meetings"] == 0


def test_empty_file_is_an_error(office, folder, plan):
    (folder / "empty.zip").write_bytes(b"")
    report = compile_folder(office, folder, plan)
    assert [(f.status, f.message) for f in report.files] == [
        ("error", "空のファイルです（0 バイト）。保存の途中で止まった可能性があります。")
    ]


def test_csv_edited_by_hand_fails_its_checksum(office, folder, plan):
    path = write_minimal_file(folder, plan)
    rezip(path, lambda f: f.update({"issues.csv": f["issues.csv"].replace(b",3,2,", b",5,5,")}))
    report = compile_folder(office, folder, plan)
    line = report.files[0]
    assert line.status == "error"
    assert "issues.csv" in line.message and "チェックサム" in line.message
    assert table_counts(office)["meetings"] == 0


def test_manifest_edited_by_hand_is_caught(office, folder, plan):
    path = write_minimal_file(folder, plan)

    def edit(files):
        manifest = json.loads(files["manifest.json"])
        manifest["members"] = 500
        files["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()

    rezip(path, edit)
    report = compile_folder(office, folder, plan)
    assert report.files[0].status == "error"
    assert "manifest.json が保存後に書き換えられています" in report.files[0].message


def test_unknown_future_format_version_is_refused(office, folder, plan):
    write_minimal_file(folder, plan, format_version=3)
    report = compile_folder(office, folder, plan)
    line = report.files[0]
    assert line.status == "error"
    assert "新しい版のキットで作られたファイルです（形式の版 3" in line.message
    assert table_counts(office)["meetings"] == 0


def test_another_citys_plan_is_refused(office, folder, plan):
    write_minimal_file(folder, plan, plan_id="other-city-3")
    report = compile_folder(office, folder, plan)
    line = report.files[0]
    assert line.status == "error"
    assert "別の活動計画（other-city-3）" in line.message


def test_office_store_keeps_its_plan(office, folder, plan):
    compile_folder(office, folder, plan)
    other = plan_from_dict({**plan.to_dict(), "plan_id": "other-city-3"})
    with pytest.raises(ValidationError) as caught:
        compile_folder(office, folder, other)
    assert "okegawa-6" in caught.value.message


def test_missing_required_field_is_named(office, folder, plan):
    path = write_minimal_file(folder, plan)

    def edit(files):
        manifest = json.loads(files["manifest.json"])
        del manifest["district_id"]
        import hashlib

        from kit.resultfile.format import canonical_json

        manifest.pop("content_sha256")
        manifest["content_sha256"] = hashlib.sha256(canonical_json(manifest)).hexdigest()
        files["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()

    rezip(path, edit)
    report = compile_folder(office, folder, plan)
    assert report.files[0].status == "error"
    assert "「district_id」がありません" in report.files[0].details


def test_empty_folder_says_so(office, folder, plan):
    report = compile_folder(office, folder, plan)
    assert report.files == []
    assert "会議結果ファイルがありません" in report.summary()


def test_missing_folder_is_a_clear_error(office, tmp_path, plan):
    with pytest.raises(ValidationError) as caught:
        compile_folder(office, tmp_path / "nowhere", plan)
    assert "フォルダーが見つかりません" in caught.value.message


def test_unrelated_files_are_listed_and_skipped(office, folder, plan):
    good = write_minimal_file(folder, plan)
    (folder / "memo.txt").write_text("会議のメモ", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not much")
    with zipfile.ZipFile(folder / "other.zip", "w") as archive:
        archive.writestr("readme.txt", "別の zip")
    with zipfile.ZipFile(folder / "not_ours.zip", "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "something-else"}))
    (folder / ".hidden.zip").write_bytes(b"half written temp")
    (folder / ".~lock.xlsx#").write_bytes(b"x")
    report = compile_folder(office, folder, plan)
    assert statuses(report) == {
        good.name: "ok",
        "memo.txt": "unrelated",
        "photo.jpg": "unrelated",
        "other.zip": "unrelated",
        "not_ours.zip": "unrelated",
    }
    assert not report.has_errors
    assert "対象外" in next(f for f in report.files if f.name == "memo.txt").line()


def test_newer_revision_replaces_the_older_in_any_order(office, folder, plan, tmp_path):
    r1 = write_minimal_file(folder, plan, revision=1, issues_count=2)
    report = compile_folder(office, folder, plan)
    assert statuses(report) == {r1.name: "ok"}
    r2 = write_minimal_file(folder, plan, revision=2, issues_count=5)
    report = compile_folder(office, folder, plan)
    assert statuses(report) == {r1.name: "duplicate", r2.name: "replaced"}
    assert "第1版と置き換えました" in next(f for f in report.files if f.name == r2.name).message
    assert table_counts(office)["meetings"] == 1 and table_counts(office)["issues"] == 5
    assert office_store.list_meetings(office)[0].revision == 2

    # the other order, in one folder: the newest wins whatever the file order
    other = open_office_store(tmp_path / "other.sqlite")
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(r2, both / ("a_" + r2.name))
    shutil.copy(r1, both / ("b_" + r1.name))
    report = compile_folder(other, both, plan)
    assert sorted(f.status for f in report.files) == ["ok", "older"]
    assert "より新しい第2版" in next(f for f in report.files if f.status == "older").message
    assert table_counts(other)["issues"] == 5
    other.close()


def test_same_revision_with_other_content_keeps_the_first(office, folder, plan):
    first = write_minimal_file(folder, plan, revision=1, issues_count=2)
    compile_folder(office, folder, plan)
    second_folder = folder / "later"
    second_folder.mkdir()
    second = write_minimal_file(
        second_folder, plan, revision=1, issues_count=4, created_at="2026-06-14T00:00:00Z"
    )
    report = compile_folder(office, folder, plan)
    line = next(f for f in report.files if f.name == f"later/{second.name}")
    assert line.status == "error" and first.name in line.message
    assert table_counts(office)["issues"] == 2


def test_a_store_failure_on_one_file_leaves_nothing_of_it(office, folder, plan, monkeypatch):
    files = good_set(folder, plan, 3)
    real = office_store.replace_meeting
    calls = {"n": 0}

    def flaky(conn, meeting, tables):
        calls["n"] += 1
        real(conn, meeting, tables)
        if meeting["district_id"] == "d02":
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(office_store, "replace_meeting", flaky)
    report = compile_folder(office, folder, plan)
    assert statuses(report) == {files[0].name: "ok", files[1].name: "error", files[2].name: "ok"}
    assert {m.district_id for m in office_store.list_meetings(office)} == {"d01", "d03"}
    assert table_counts(office)["issues"] == 1 + 3
    monkeypatch.setattr(office_store, "replace_meeting", real)
    report = compile_folder(office, folder, plan)
    assert statuses(report)[files[1].name] == "ok"
    assert table_counts(office)["issues"] == 1 + 2 + 3


def test_progress_is_reported_file_by_file(office, folder, plan):
    good_set(folder, plan, 4)
    seen = []
    compile_folder(
        office, folder, plan, progress=lambda done, total, name: seen.append((done, total))
    )
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year("2026-03-31") == 2025
    assert fiscal_year("2026-04-01") == 2026


def test_views_follow_the_filters(office, folder, plan):
    write_minimal_file(folder, plan, district_id="d01", district_name="東", held_on="2025-06-01")
    write_minimal_file(folder, plan, district_id="d02", district_name="西", held_on="2026-05-01")
    write_minimal_file(folder, plan, district_id="d01", district_name="東", held_on="2026-06-01")
    compile_folder(office, folder, plan)
    assert views.available_years(office) == [2025, 2026]
    assert views.available_districts(office) == [("d01", "東"), ("d02", "西")]
    everything = views.summary(office)
    assert everything["meetings"] == 3 and everything["districts"] == 2
    assert views.summary(office, views.OfficeFilter(year=2026))["meetings"] == 2
    assert views.summary(office, views.OfficeFilter(district_id="d01"))["meetings"] == 2
    only = views.OfficeFilter(year=2025, district_id="d01")
    heat = views.goal_heatmap(office, plan, only)
    assert {r["district"] for r in heat.records()} == {"東"}
    assert sum(heat.column("issues")) == 1
    coverage = views.plan_coverage(office, plan)
    assert len(coverage) == len(plan.policies())
    goal = plan.goals()[0]
    raised = {p.id for p in goal.policies}
    assert set(views.policies_not_raised(coverage)) == {p.id for p in plan.policies()} - raised
    assert set(views.policies_without_action(coverage)) == {p.id for p in plan.policies()}
    series = views.map_counts_over_time(office, plan, views.OfficeFilter(district_id="d01"))
    assert [r["held_on"] for r in series.records()] == ["2025-06-01", "2026-06-01"]


@pytest.mark.slow
def test_ten_thousand_files(office, folder, plan):
    started = time.perf_counter()
    for i in range(10_000):
        write_minimal_file(
            folder,
            plan,
            district_id=f"d{i % 40:02d}",
            district_name=f"地区{i % 40}",
            title=f"会議{i}",
            held_on=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
        )
    made = time.perf_counter() - started
    progress_calls = []
    started = time.perf_counter()
    report = compile_folder(office, folder, plan, progress=lambda d, t, n: progress_calls.append(d))
    took = time.perf_counter() - started
    assert report.counts()["ok"] == 10_000 and not report.has_errors
    assert len(progress_calls) == 10_001
    assert table_counts(office)["meetings"] == 10_000
    again = compile_folder(office, folder, plan)
    assert again.counts()["duplicate"] == 10_000
    assert table_counts(office)["issues"] == 10_000
    assert took < 120, f"compile took {took:.1f}s (files made in {made:.1f}s)"


def test_plan_fixture_is_the_bundled_plan(plan):
    assert plan == load_plan()


# --- the office page (事務局のページ) on the sample city ------------------------------------------------
@pytest.fixture(scope="module")
def sample_settings(tmp_path_factory):
    from kit.resultfile.write import write_sample_result_files
    from kit.sample.city import build_sample_city
    from kit.settings import load_settings
    from kit.store import open_store

    root = tmp_path_factory.mktemp("office_page")
    conn = open_store(root / "meetings.sqlite")
    build_sample_city(conn, load_plan())
    write_sample_result_files(conn, load_plan(), root)
    conn.close()
    return load_settings(
        environ={},
        db_path=root / "meetings.sqlite",
        office_db_path=root / "office" / "office.sqlite",
        results_dir=root / "results",
    )


def plotly_data(chart) -> list[dict]:
    """The figure a view's chart sends to the browser (none when it is cleared)."""
    return [chart.figure] if chart.figure else []


def test_office_app_compiles_the_sample_city_and_renders_every_view(sample_settings, plan):
    from kit.sample.city import DISTRICTS
    from kit.store import open_store
    from kit.ui.context import PageContext
    from kit.ui.office import OfficeApp

    conn = open_store(sample_settings.db_path)
    app = OfficeApp(PageContext(conn=conn, settings=sample_settings, plan=plan))
    assert "tk-office-page" in app.widget._dom_classes
    assert app.folder.value == str(sample_settings.results_dir)
    empty = plotly_data(app.view_charts["heatmap"])
    assert "まだデータがありません" in str(empty)

    app.compile_button.click()
    files = len(list(sample_settings.results_dir.glob("*.zip")))
    assert app.progress.max == files and app.progress.value == files
    assert app.progress.bar_style == "success"
    assert "取り込み" in app.report_view.value
    assert [label for label, _ in app.year.options] == ["すべての年度", "2025年度"]
    assert len(app.district.options) == len(DISTRICTS) + 1

    heat = plotly_data(app.view_charts["heatmap"])[0]["data"][0]
    assert heat["type"] == "heatmap"
    assert len(heat["z"]) == len(DISTRICTS) and len(heat["z"][0]) == len(plan.goals())
    for key in ("priorities", "coverage", "actions", "turnout", "map"):
        figures = plotly_data(app.view_charts[key])
        assert figures and figures[0]["data"], key
    coverage = plotly_data(app.view_charts["coverage"])[0]
    assert len(coverage["data"][0]["y"]) == len(plan.policies())
    assert "meetings" not in app.view_charts  # a view of tables only
    assert "tk-office-table" in app.view_tables["meetings"].outputs[0]["data"]["text/html"]
    assert "tk-office-table" in app.view_tables["heatmap"].outputs[0]["data"]["text/html"]
    assert app.view_charts["heatmap"].config["displaylogo"] is False

    before = app.summary.value
    app.district.value = DISTRICTS[0][0]
    assert app.summary.value != before and DISTRICTS[0][1] in app.summary.value
    heat = plotly_data(app.view_charts["heatmap"])[0]["data"][0]
    assert heat["y"] == [DISTRICTS[0][1]]

    for button in (app.export_excel, app.export_csv, app.export_html):
        button.click()
        assert "出力しました" in app.export_feedback.value
    exported = sorted(p.name for p in app.export_folder.iterdir())
    assert any(n.endswith(".xlsx") for n in exported) and any(n.endswith(".html") for n in exported)
    assert any(n.startswith("集計CSV_") for n in exported)

    app.compile_button.click()
    assert "取り込み済み" in app.report_view.value
    app.conn.close()
    conn.close()


def test_office_app_shows_a_missing_folder_as_a_message(sample_settings, plan, tmp_path):
    from kit.store import open_store
    from kit.ui.context import PageContext
    from kit.ui.office import OfficeApp

    settings = sample_settings.__class__(
        **{**sample_settings.__dict__, "office_db_path": tmp_path / "o.sqlite"}
    )
    conn = open_store(settings.db_path)
    app = OfficeApp(PageContext(conn=conn, settings=settings, plan=plan))
    app.folder.value = str(tmp_path / "nowhere")
    app.compile_button.click()
    assert "フォルダーが見つかりません" in app.compile_feedback.value
    app.folder.value = "  "
    app.compile_button.click()
    assert "フォルダーを入力してください" in app.compile_feedback.value
    app.conn.close()
    conn.close()
