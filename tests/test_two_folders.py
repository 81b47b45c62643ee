"""Two folders, two purposes: 事務局へ提出 (result files) and 地区で保管（個人情報） (handouts,
backups). Nothing personal lands in any folder the kit writes except the district's own, and
the office's compile refuses the district's folder and any folder holding its files."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from kit import cli
from kit import messages as msg
from kit.errors import ValidationError
from kit.folders import MARKER, check_office_folder, district_folder, is_district_file
from kit.meeting import meetings
from kit.office.compile import compile_folder
from kit.office.export import export_all
from kit.resultfile.write import save_result_file, write_sample_result_files
from kit.sample.city import DISTRICTS, build_sample_city
from kit.settings import Settings, load_settings
from kit.store import open_store
from kit.store.office import open_office_store
from kit.supportmap import model as sm
from kit.supportmap.handout import write_handout
from kit.supportmap.retention import write_backup
from tests.office_helpers import full_meeting

# distinctive residents: strings no kit text, plan or sample could contain by chance
RESIDENTS = ("ヨモギダ・トメ", "Quill-Harrow-4471", "ツユクサ荘の二階奥")
NOTES = ("勝手口の鍵はプランターの下", "薬の袋は冷蔵庫の上段", "長女の番号は080-9999-0001")
AREAS = ("しらさぎ九丁目", "ゆうすげ台東")


def test_the_default_folders_say_what_they_are_for():
    defaults = Settings()
    assert defaults.results_dir.name == "事務局へ提出" == msg.SUBMIT_FOLDER_NAME
    assert defaults.district_dir.name == "地区で保管（個人情報）" == msg.DISTRICT_FOLDER_NAME
    assert defaults.results_dir.parent == defaults.district_dir.parent
    env = load_settings(environ={"TASUKEAI_DISTRICT_DIR": "/tmp/x/地区"})
    assert env.district_dir == Path("/tmp/x/地区")


def test_the_district_folder_is_private_and_explains_itself(tmp_path):
    folder = district_folder(tmp_path / "地区で保管（個人情報）")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    note = (folder / msg.DISTRICT_FOLDER_README_NAME).read_text(encoding="utf-8")
    assert "地区の外に持ち出したりしないでください" in note and MARKER in note


@pytest.fixture
def district_map(conn, district):
    a = sm.add_person(
        conn, district.id, 10, 10, label=RESIDENTS[0], note=NOTES[0], area=AREAS[0],
        flags=["alone"],
    )  # fmt: skip
    b = sm.add_person(conn, district.id, 20, 20, label=RESIDENTS[1], note=NOTES[1])
    sm.add_link(conn, b.id, a.id, kind="watch")
    return district.id


def test_handout_and_backup_go_to_the_district_folder_with_the_marker(
    conn, district_map, settings
):
    handout = write_handout(conn, district_map, settings.district_dir)
    backup = write_backup(conn, settings.district_dir)
    assert handout.parent == backup.parent == settings.district_dir
    html = handout.read_text(encoding="utf-8")
    assert f'<meta name="{MARKER}" content="handout">' in html and RESIDENTS[0] in html
    assert is_district_file(handout) and is_district_file(backup)
    # the backup is the database, the map still sealed in it: it opens with the passphrase
    assert RESIDENTS[0].encode() not in backup.read_bytes()
    from kit.supportmap import vault
    from tests.map_helpers import TEST_PASSPHRASE

    copy = open_store(backup)
    vault.unlock(copy, TEST_PASSPHRASE)
    assert [n.label for n in sm.load_map(copy, district_map).persons] == list(RESIDENTS[:2])
    copy.close()
    assert not settings.results_dir.exists()  # nothing went to the office's folder


def _office(tmp_path: Path):
    return open_office_store(tmp_path / "office" / "office.sqlite")


def test_compile_refuses_the_district_folder_by_its_note_and_by_its_name(
    conn, district_map, settings, plan, tmp_path
):
    write_handout(conn, district_map, settings.district_dir)
    office = _office(tmp_path)
    with pytest.raises(ValidationError, match="地区で保管する個人情報のフォルダー"):
        compile_folder(office, settings.district_dir, plan)
    renamed = settings.district_dir.rename(tmp_path / "usb")  # renamed: the note still says
    with pytest.raises(ValidationError, match="地区で保管する個人情報のフォルダー"):
        compile_folder(office, renamed, plan)
    inside = renamed / "sub"
    inside.mkdir()
    with pytest.raises(ValidationError, match="個人情報のフォルダー"):
        compile_folder(office, inside, plan)  # a folder inside it, too
    by_name = tmp_path / "x" / msg.DISTRICT_FOLDER_NAME
    by_name.mkdir(parents=True)
    with pytest.raises(ValidationError, match="個人情報のフォルダー"):
        compile_folder(office, by_name, plan)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ValidationError, match="個人情報のフォルダー"):
        check_office_folder(elsewhere, district_dir=elsewhere)  # the configured one
    office.close()


@pytest.mark.parametrize("how", ["renamed", "in_a_subfolder", "zipped", "backup", "renamed_backup"])
def test_compile_refuses_a_folder_holding_a_district_file_found_by_content(
    conn, district_map, meeting, settings, plan, tmp_path, how
):
    submit = settings.results_dir
    meetings.set_phase(conn, meeting.id, "wrapup")
    save_result_file(conn, plan, meeting.id, submit)
    handout = write_handout(conn, district_map, settings.district_dir)
    if how == "renamed":
        shutil.copy(handout, submit / "資料.txt")
    elif how == "in_a_subfolder":
        (submit / "old").mkdir()
        shutil.copy(handout, submit / "old" / "map.html")
    elif how == "zipped":
        with zipfile.ZipFile(submit / "まとめ.zip", "w") as archive:
            archive.write(handout, "地図.html")
    elif how == "backup":
        shutil.copy(write_backup(conn, settings.district_dir), submit)
    else:
        shutil.copy(write_backup(conn, settings.district_dir), submit / "copy.dat")
    office = _office(tmp_path)
    with pytest.raises(ValidationError, match="地区の外に出してはいけない個人情報のファイル"):
        compile_folder(office, submit, plan)
    from kit.store import office as office_store

    assert office_store.list_meetings(office) == []  # nothing was read in
    office.close()


def test_the_cli_and_the_office_page_say_why(conn, district_map, settings, plan, tmp_path, capsys):
    write_handout(conn, district_map, settings.district_dir)
    code = cli.main(
        ["compile", str(settings.district_dir), "--office-db", str(tmp_path / "o.sqlite")]
    )
    assert code == 2
    assert "地区で保管する個人情報のフォルダー" in capsys.readouterr().err
    from kit.ui.context import PageContext
    from kit.ui.office import OfficeApp

    app = OfficeApp(PageContext(conn=conn, settings=settings, plan=plan))
    app.folder.value = str(settings.district_dir)
    app.compile_button.click()
    assert "tk-error" in app.compile_feedback.value  # refused (a folder outside the results)
    inside = settings.results_dir / "old"
    inside.mkdir(parents=True)
    shutil.copy(next(settings.district_dir.glob("map_*.html")), inside / "地図.html")
    app.folder.value = str(settings.results_dir)
    app.compile_button.click()
    assert "地区の外に出してはいけない個人情報のファイル" in app.compile_feedback.value


def test_a_folder_of_result_files_compiles(conn, district_map, meeting, settings, plan, tmp_path):
    meetings.set_phase(conn, meeting.id, "wrapup")
    save_result_file(conn, plan, meeting.id, settings.results_dir)
    office = _office(tmp_path)
    report = compile_folder(office, settings.results_dir, plan, district_dir=settings.district_dir)
    assert not report.has_errors and report.counts()["ok"] == 1
    office.close()


# --- every folder the kit writes, scanned ------------------------------------------------------------
def _texts(path: Path) -> list[str]:
    data = path.read_bytes()
    chunks = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            chunks += [archive.read(name) for name in archive.namelist()]
    return [c.decode(enc, errors="ignore") for c in chunks for enc in ("utf-8", "utf-16-le", "cp932")]


def test_no_folder_the_kit_writes_holds_a_resident_string_except_the_district_one(
    tmp_path, plan
):
    """The whole round: a district's database with distinctive residents, its handout and
    backup, its result files, the office's compile and every export — then every file under
    every folder the kit wrote is searched, except the district-private folder."""
    from kit.office.views import office_tables  # noqa: F401 - the office's own reading
    from kit.supportmap import vault
    from kit.ui.context import PageContext
    from kit.ui.office import OfficeApp

    home = tmp_path / "home" / ".tasukeai"
    settings = load_settings(
        environ={},
        db_path=home / "meetings.sqlite",
        office_db_path=home / "office" / "office.sqlite",
        results_dir=home / msg.SUBMIT_FOLDER_NAME,
        district_dir=home / msg.DISTRICT_FOLDER_NAME,
    )
    conn = open_store(settings.db_path)
    build_sample_city(conn, plan)
    secrets = set(RESIDENTS) | set(NOTES) | set(AREAS)
    for index, (district_id, _name) in enumerate(DISTRICTS):
        a = sm.add_person(
            conn, district_id, 11 + index, 22, label=f"{RESIDENTS[0]}{index}",
            note=f"{NOTES[0]}{index}", area=AREAS[0], flags=["alone", "needs_watch"],
        )  # fmt: skip
        b = sm.add_person(conn, district_id, 33, 44 + index, label=f"{RESIDENTS[1]}-{index}",
                          note=NOTES[1], area=AREAS[1])  # fmt: skip
        sm.add_place(conn, district_id, 55, 66, kind="salon", label=f"{RESIDENTS[2]}{index}",
                     opening_days=NOTES[2])  # fmt: skip
        sm.add_link(conn, b.id, a.id, kind="watch")
        secrets |= {f"{RESIDENTS[0]}{index}", f"{RESIDENTS[1]}-{index}", f"{RESIDENTS[2]}{index}"}
        secrets |= {f"{NOTES[0]}{index}"}
    for district_id, _name in DISTRICTS:  # the sample city's own residents, too
        for node in sm.load_map(conn, district_id).nodes:
            if node.node_type == "person" and len(node.label) > 3:
                secrets.add(node.label)
            secrets |= {t for t in (node.note, node.area) if len(t) > 4}
    extra = full_meeting(conn, plan, district_id="d99", district_name="ふたつの地区")
    # what the facilitator writes: the handout and a backup (district), the result files (office)
    for district_id, _name in DISTRICTS:
        write_handout(conn, district_id, settings.district_dir)
    write_backup(conn, settings.district_dir)
    staging = tmp_path / "staging"
    write_sample_result_files(conn, plan, staging)  # → staging/results
    settings.results_dir.mkdir(parents=True, exist_ok=True)
    for path in (staging / "results").glob("*.zip"):
        shutil.move(path, settings.results_dir / path.name)
    shutil.rmtree(staging)
    save_result_file(conn, plan, extra, settings.results_dir)
    vault.lock(conn)
    conn.close()
    # what the office writes: its store, the exports of its page and of the CLI
    office = open_office_store(settings.office_db_path)
    report = compile_folder(office, settings.results_dir, plan, district_dir=settings.district_dir)
    assert not report.has_errors, report.lines()
    export_all(office, plan, settings.office_db_path.parent / "exports")
    office.close()
    blank = open_store(tmp_path / "blank.sqlite")
    app = OfficeApp(PageContext(conn=blank, settings=settings, plan=plan))
    for kind in ("excel", "csv", "html"):
        app.export(kind)
    blank.close()

    written = [p for p in sorted(tmp_path.rglob("*")) if p.is_file()]
    private = [p for p in written if settings.district_dir in p.parents]
    others = [p for p in written if settings.district_dir not in p.parents]
    assert len(private) >= 7 and len(others) > 20
    kinds = {p.suffix for p in others}
    assert {".zip", ".sqlite", ".xlsx", ".csv", ".html"} <= kinds
    assert any(p.name.endswith("-wal") or p.name == "meetings.sqlite" for p in others)
    leaks = [
        (str(p.relative_to(tmp_path)), s) for p in others for s in secrets
        if any(s in text for text in _texts(p))
    ]  # fmt: skip
    assert leaks == []
    # the scan does see them where they belong (the handouts in the district folder)
    handouts = [p for p in private if p.suffix == ".html"]
    assert any(f"{RESIDENTS[0]}0" in p.read_text(encoding="utf-8") for p in handouts)
