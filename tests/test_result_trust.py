"""Result files the office can trust (issue 12): signed, pinned per district, bounded to read.

Attacks: a file with ``tallies.csv`` rewritten (fake winner, revision 99, every SHA-256
recomputed), a file claiming another district signed by another laptop, unsigned files,
zip bombs (honest and lying headers), 95 MB of tiny ballot rows, and folders that are not
the office's. Peak memory is measured in a subprocess with psutil.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from kit.errors import ResultFileError, ValidationError
from kit.office.compile import compile_folder
from kit.office.folders import FolderChoice, is_system_folder
from kit.resultfile import signing
from kit.resultfile.format import canonical_json
from kit.resultfile.read import ImportLimits, read_result_file
from kit.store.office import open_office_store
from tests.office_helpers import write_minimal_file

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(tmp_path):
    conn = open_office_store(tmp_path / "office.sqlite")
    yield conn
    conn.close()


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "results"
    path.mkdir()
    return path


def laptop(n: int) -> signing.Ed25519PrivateKey:
    return signing.signing_key_from_seed(hashlib.sha256(f"laptop{n}".encode()).digest())


def signed_file(folder, plan, key, **kwargs) -> Path:
    """A minimal result file signed by ``key`` (a district laptop)."""
    import tests.office_helpers as helpers
    from kit.resultfile.write import pack_result_file

    saved = helpers.pack_result_file
    helpers.pack_result_file = lambda header, tables: pack_result_file(
        header, tables, signing_key=key
    )
    try:
        return write_minimal_file(folder, plan, **kwargs)
    finally:
        helpers.pack_result_file = saved


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_members(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_signed_files_carry_the_public_key_and_verify(folder, plan):
    path = signed_file(folder, plan, laptop(1))
    manifest = json.loads(members_of(path)["manifest.json"])
    assert manifest["format_version"] == 2
    assert manifest["public_key"] == signing.public_key_text(laptop(1))
    assert signing.verify_manifest(manifest)
    assert read_result_file(path.read_bytes(), plan).manifest.signed


def test_rewritten_rows_with_recomputed_checksums_are_refused(office, folder, plan):
    original = signed_file(folder, plan, laptop(1))
    assert compile_folder(office, folder, plan).counts()["ok"] == 1
    members = members_of(original)
    manifest = json.loads(members["manifest.json"])
    goal = plan.goals()[0]
    fake = "\ufeffissue_no,text,goal_id,goal_name,basic_plan_id,seriousness,reach,place,raised_count\r\n"
    fake += f"1,偽の困りごと,{goal.id},{goal.name},{goal.basic_plan_id},5,5,,999\r\n"
    members["issues.csv"] = fake.encode()
    manifest["files"]["issues.csv"] = {
        "sha256": hashlib.sha256(members["issues.csv"]).hexdigest(),
        "rows": 1,
    }
    manifest["revision"] = 99
    body = {k: v for k, v in manifest.items() if k not in ("content_sha256", "signature")}
    manifest["content_sha256"] = hashlib.sha256(canonical_json(body)).hexdigest()
    members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    forged = folder / "forged_r99.zip"
    write_members(forged, members)
    report = compile_folder(office, folder, plan)
    line = next(f for f in report.files if f.name == forged.name)
    assert line.status == "error" and "署名が合いません" in line.message
    revision = office.execute("SELECT revision FROM meetings").fetchone()[0]
    assert revision == 1  # nothing replaced
    # …and stripping the signature does not help: the district's files were signed
    del manifest["signature"], manifest["public_key"]
    manifest["format_version"] = 1
    body = {k: v for k, v in manifest.items() if k != "content_sha256"}
    manifest["content_sha256"] = hashlib.sha256(canonical_json(body)).hexdigest()
    members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    stripped = folder / "stripped_r99.zip"
    write_members(stripped, members)
    line = next(f for f in compile_folder(office, folder, plan).files if f.name == stripped.name)
    assert line.status == "error" and "署名がありません" in line.message
    assert office.execute("SELECT revision FROM meetings").fetchone()[0] == 1


def test_another_laptop_cannot_speak_for_a_pinned_district(office, folder, plan):
    signed_file(folder, plan, laptop(1), title="第1回")
    assert compile_folder(office, folder, plan).counts()["ok"] == 1
    spoof = signed_file(folder, plan, laptop(2), title="第2回")
    report = compile_folder(office, folder, plan)
    line = next(f for f in report.files if f.name == spoof.name)
    assert line.status == "error" and line.key_refused and "別のパソコンの鍵" in line.message
    assert "--accept-new-key d01" in line.message
    assert office.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == 1
    # the clerk accepts the district's new laptop on purpose
    accepted = compile_folder(office, folder, plan, accept_new_keys=["d01"])
    line = next(f for f in accepted.files if f.name == spoof.name)
    assert line.status == "ok" and "新しい鍵を受け入れました" in line.message
    # from now on the old laptop is the stranger
    old = signed_file(folder, plan, laptop(1), title="第3回")
    line = next(f for f in compile_folder(office, folder, plan).files if f.name == old.name)
    assert line.status == "error" and line.key_refused


def test_unsigned_files_of_older_kits_import_marked(office, folder, plan):
    path = write_minimal_file(folder, plan)  # unsigned, format version 1
    assert json.loads(members_of(path)["manifest.json"])["format_version"] == 1
    report = compile_folder(office, folder, plan)
    assert report.files[0].status == "ok"
    assert "署名なし" in report.files[0].message
    from kit.store.office import unsigned_meeting_uids

    assert len(unsigned_meeting_uids(office)) == 1


def test_cli_compile_accepts_a_new_key_only_when_asked(tmp_path, folder, plan):
    from kit import cli

    signed_file(folder, plan, laptop(1), title="第1回")
    db = tmp_path / "cli_office.sqlite"
    assert cli.main(["compile", str(folder), "--office-db", str(db)]) == 0
    signed_file(folder, plan, laptop(2), title="第2回")
    assert cli.main(["compile", str(folder), "--office-db", str(db)]) == 1
    args = ["compile", str(folder), "--office-db", str(db), "--accept-new-key", "d01"]
    assert cli.main(args) == 0


# --- bounded import ---------------------------------------------------------------------------------
def bomb_honest(path: Path) -> None:
    """A small zip whose members inflate to 200 MB each (headers tell the truth)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", b"{}")
        with archive.open("ballots.csv", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(200):
                member.write(chunk)


def bomb_lying(folder: Path, plan) -> Path:
    """A real result file whose ballots.csv is 100 MB of zeros, the zip headers claiming 1 KB."""
    path = write_minimal_file(folder, plan)
    members = members_of(path)
    members["ballots.csv"] = b"0" * (100 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    real = (100 * 1024 * 1024).to_bytes(4, "little")
    path.write_bytes(buffer.getvalue().replace(real, (1024).to_bytes(4, "little")))
    return path


def tiny_ballot_rows(folder: Path, plan) -> Path:
    """A valid, signed-looking file whose ballots.csv holds ~95 MB of tiny rows."""
    path = write_minimal_file(folder, plan)
    members = members_of(path)
    rows = "".join(f"1,{n},0,{{}}\r\n" for n in range(1, 6_000_000))
    members["ballots.csv"] = ("\ufeffvote_no,ballot_no,is_paper,choices\r\n" + rows).encode()
    write_members(path, members)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (bomb_honest, "展開すると"),
        (bomb_lying, "壊れて"),
        (tiny_ballot_rows, "展開すると"),
    ],
)
def test_hostile_files_are_refused_with_their_reason_and_bounded_memory(
    tmp_path, plan, make, reason
):
    folder = tmp_path / "in"
    folder.mkdir()
    if make is bomb_honest:
        make(folder / "bomb.zip")
    else:
        make(folder, plan)
    script = textwrap.dedent(
        f"""
        import json, sys, threading, time, psutil
        sys.path.insert(0, {str(REPO)!r})
        from kit.plan import load_plan
        from kit.office.compile import compile_folder
        from kit.store.office import open_office_store
        me = psutil.Process(); peak = [me.memory_info().rss]; done = []
        def watch():
            while not done:
                peak[0] = max(peak[0], me.memory_info().rss); time.sleep(0.005)
        threading.Thread(target=watch, daemon=True).start()
        conn = open_office_store({str(tmp_path / "o.sqlite")!r})
        report = compile_folder(conn, {str(folder)!r}, load_plan())
        done.append(1); peak[0] = max(peak[0], me.memory_info().rss)
        print(json.dumps({{"peak": peak[0], "lines": report.lines()}}, ensure_ascii=False))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert any(reason in line for line in result["lines"]), result["lines"]
    assert all("番号が合いません" not in line for line in result["lines"])
    peak_mb = result["peak"] / (1024 * 1024)
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"


def test_declared_ratio_and_row_cap(tmp_path, plan):
    path = write_minimal_file(tmp_path, plan)
    members = members_of(path)
    rows = "".join(f"1,{n},0,{{}}\r\n" for n in range(1, 2_000))
    members["ballots.csv"] = ("\ufeffvote_no,ballot_no,is_paper,choices\r\n" + rows).encode()
    write_members(path, members)
    with pytest.raises(ResultFileError) as info:
        read_result_file(path.read_bytes(), plan, ImportLimits(max_rows=500))
    assert "行が多すぎます" in info.value.message
    with pytest.raises(ResultFileError) as info:
        read_result_file(path.read_bytes(), plan, ImportLimits(max_ratio=2))
    assert "圧縮率" in info.value.message


# --- the office folder box -----------------------------------------------------------------------
def test_folder_box_only_reads_the_results_folder_or_chosen_ones(tmp_path):
    results = tmp_path / "results"
    (results / "2026").mkdir(parents=True)
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    choice = FolderChoice(results)
    assert choice.check(results / "2026") == (results / "2026").resolve()
    with pytest.raises(ValidationError):
        choice.check(elsewhere)
    choice.choose(elsewhere)
    assert choice.check(elsewhere) == elsewhere.resolve()
    for system in ("/etc", "/", "/usr/share", "/proc/self", str(Path.home())):
        assert is_system_folder(system)
        with pytest.raises(ValidationError):
            choice.choose(system)
        with pytest.raises(ValidationError):
            choice.check(system)
    with pytest.raises(ValidationError):  # a link in the results folder does not lead out
        (results / "link").symlink_to("/etc")
        choice.check(results / "link")


def test_office_page_refuses_etc_and_lists_nothing(settings, plan, tmp_path):
    from kit.store import open_store
    from kit.ui.context import PageContext
    from kit.ui.office import OfficeApp

    app = OfficeApp(PageContext(conn=open_store(settings.db_path), settings=settings, plan=plan))
    for typed in ("/etc", "/etc/", "/usr/../etc", "~"):
        app.folder.value = typed
        app.compile_button.click()
        assert "システムのフォルダー" in app.compile_feedback.value
        app.choose_button.click()
        assert "システムのフォルダー" in app.compile_feedback.value
        assert app.report_view.value == ""
    other = tmp_path / "other"
    other.mkdir()
    app.folder.value = str(other)
    app.compile_button.click()
    assert "使えません" in app.compile_feedback.value
    app.choose_button.click()
    app.compile_button.click()
    assert "使えません" not in app.compile_feedback.value
