"""The meeting result file (事務局へ提出): content, round trip through the office, atomic write."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile

import pytest

from kit.cli import main
from kit.errors import PhaseError, ResultFileError
from kit.files import write_atomically
from kit.meeting import meetings, tally, voting
from kit.office.compile import compile_folder
from kit.plan import load_plan
from kit.resultfile import format as result_format
from kit.resultfile import write as result_write
from kit.resultfile.format import FORMAT_VERSION, TABLES, canonical_json
from kit.resultfile.read import read_result_file
from kit.resultfile.write import save_result_file, write_sample_result_files
from kit.sample.city import DISTRICTS, build_sample_city
from kit.store import meetings as meeting_store
from kit.store import office as office_store
from kit.store import open_store
from kit.store.office import open_office_store
from kit.supportmap.model import load_map
from kit.supportmap.privacy import office_counts
from tests.office_helpers import HOSTILE_ISSUE, SECRET_MEMBERS, full_meeting


@pytest.fixture
def office(tmp_path):
    connection = open_office_store(tmp_path / "office.sqlite")
    yield connection
    connection.close()


def members_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_result_file_holds_manifest_and_every_table(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    saved = save_result_file(conn, plan, meeting_id, tmp_path / "out")
    files = members_of(saved.path)
    assert set(files) == {"manifest.json", *(t.name for t in TABLES)}
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "tasukeai-result"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["plan_id"] == plan.plan_id
    assert manifest["district_id"] == "d01" and manifest["district_name"] == "テスト地区"
    assert manifest["meeting_date"] == "2026-06-13"
    assert manifest["revision"] == 1
    assert manifest["members"] == 3
    for name, info in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == info["sha256"]
        assert files[name].startswith("\ufeff".encode())  # UTF-8 with BOM for Excel
    without = {k: v for k, v in manifest.items() if k not in ("content_sha256", "signature")}
    assert hashlib.sha256(canonical_json(without)).hexdigest() == manifest["content_sha256"]


def test_file_name_says_district_and_date_and_each_save_is_a_new_revision(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    first = save_result_file(conn, plan, meeting_id, tmp_path / "out")
    meetings.set_phase(conn, meeting_id, "closed")
    second = save_result_file(conn, plan, meeting_id, tmp_path / "out")
    assert first.name.startswith("2026-06-13_テスト地区_d01_r01_")
    assert second.name.startswith("2026-06-13_テスト地区_d01_r02_")
    assert (first.revision, second.revision) == (1, 2)
    assert first.path.exists() and second.path.exists()
    assert meeting_store.get_meeting(conn, meeting_id).revision == 3


def test_saving_is_refused_before_the_wrap_up(conn, plan, tmp_path, meeting):
    meetings.set_phase(conn, meeting.id, "issues")
    with pytest.raises(PhaseError):
        save_result_file(conn, plan, meeting.id, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert meeting_store.get_meeting(conn, meeting.id).revision == 1


def test_ballots_are_anonymous_and_names_never_leave(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    saved = save_result_file(conn, plan, meeting_id, tmp_path / "out")
    raw = b"".join(members_of(saved.path).values()).decode("utf-8")
    for name in SECRET_MEMBERS:
        assert name not in raw
    result = read_result_file(saved.path.read_bytes(), plan)
    ballots = result.rows("ballots.csv")
    assert [b["ballot_no"] for b in ballots] == [1, 2, 3]
    assert set(ballots[0]) == {"vote_no", "ballot_no", "is_paper", "choices"}
    assert "member_id" not in raw and "display_name" not in raw


def test_round_trip_meeting_file_compile_same_numbers(conn, plan, tmp_path, office):
    meeting_id = full_meeting(conn, plan)
    saved = save_result_file(conn, plan, meeting_id, tmp_path / "results")
    report = compile_folder(office, tmp_path / "results", plan)
    assert [f.status for f in report.files] == ["ok"]
    uid = saved.manifest.meeting_uid

    # issues: same texts (hostile one included, exactly), goals, counts
    stored = conn.execute(
        "SELECT text, goal_id, seriousness, reach, place, raised_count FROM issues"
        " WHERE meeting_id = ? AND status = 'open' ORDER BY id",
        (meeting_id,),
    ).fetchall()
    compiled = office.execute(
        "SELECT text, goal_id, seriousness, reach, place, raised_count FROM issues"
        " WHERE meeting_uid = ? ORDER BY issue_no",
        (uid,),
    ).fetchall()
    assert [tuple(r) for r in stored] == [tuple(r) for r in compiled]
    assert HOSTILE_ISSUE in [r["text"] for r in compiled]

    # the tally: same scores, spread, ranks and ties as the votes capability computes
    vote = voting.list_votes(conn, meeting_id)[0]
    items = voting.vote_items(conn, vote.id)
    expected = tally.tally(vote.method, items, voting.ballots(conn, vote.id))
    got = office.execute(
        "SELECT position, score, spread, rank, tied FROM tallies WHERE meeting_uid = ?"
        " ORDER BY rank, position",
        (uid,),
    ).fetchall()
    assert [(r["position"], r["score"], r["spread"], r["rank"], bool(r["tied"])) for r in got] == [
        (int(r["position"]), float(r["score"]), int(r["spread"]), int(r["rank"]), bool(r["tied"]))
        for r in expected.to_dict("records")
    ]
    votes = office_store.vote_rows(office)
    assert [(v["method"], v["ballots"], v["eligible"]) for v in votes] == [("dots", 3, 3)]
    assert office.execute("SELECT COUNT(*) FROM ballots").fetchone()[0] == 3

    # action items and the map counts
    actions = office_store.action_rows(office)
    assert [(a["title"], a["policy_id"], a["status"]) for a in actions] == [
        ("見守り当番表をつくる", "1-(2)-①", "not_started"),
        ("@買い物バスの相談", "3-(1)-①", "not_started"),
    ]
    counts = {r["category"]: r["count"] for r in office_store.map_count_rows(office)}
    assert counts == {c: n for c, _label, n in office_counts(conn, "d01", meeting_id)}
    assert counts["finding:isolated"] == 1 and counts["finding:watch_gap"] == 1

    meeting = office_store.list_meetings(office)[0]
    assert (meeting.district_id, meeting.held_on, meeting.revision, meeting.members) == (
        "d01",
        "2026-06-13",
        1,
        3,
    )


def test_hostile_text_is_escaped_in_the_csv_and_read_back_exactly(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    saved = save_result_file(conn, plan, meeting_id, tmp_path / "out")
    issues_csv = members_of(saved.path)["issues.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in issues_csv and "'+集会所" in issues_csv
    result = read_result_file(saved.path.read_bytes(), plan)
    texts = [r["text"] for r in result.rows("issues.csv")]
    places = [r["place"] for r in result.rows("issues.csv")]
    assert HOSTILE_ISSUE in texts and "+集会所" in places and "-2丁目" in places
    for text in ("'quoted", "=1+1", "@x", "-1", "\tx", "＝全角", "plain"):
        assert result_format.unescape_cell(result_format.escape_cell(text)) == text


def test_packing_is_deterministic(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    stamp = "2026-06-13T12:00:00.000Z"
    a, _ = result_write.build_result_file(conn, plan, meeting_id, created_at=stamp)
    b, _ = result_write.build_result_file(conn, plan, meeting_id, created_at=stamp)
    assert a == b


# --- atomic write -------------------------------------------------------------------------------------
def test_write_atomically_replaces_in_one_step_and_fsyncs(tmp_path, monkeypatch):
    target = tmp_path / "out" / "result.zip"
    synced, replaced = [], []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append((a, b)), real_replace(a, b)))
    write_atomically(target, b"first")
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert len(replaced) == 2 and all(str(b) == str(target) for _, b in replaced)
    assert len(synced) >= 2
    assert [p.name for p in target.parent.iterdir()] == ["result.zip"]


def test_a_failed_write_leaves_the_old_file_and_no_half_file(tmp_path, monkeypatch):
    target = tmp_path / "result.zip"
    target.write_bytes(b"old complete file")

    def broken_fsync(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ResultFileError) as caught:
        write_atomically(target, b"new" * 1000)
    assert "保存できませんでした" in caught.value.message
    assert target.read_bytes() == b"old complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["result.zip"]


def test_a_failed_save_leaves_no_file(conn, plan, tmp_path, monkeypatch):
    meeting_id = full_meeting(conn, plan)
    monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(ResultFileError):
        save_result_file(conn, plan, meeting_id, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_checksum_catches_a_changed_member(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    saved = save_result_file(conn, plan, meeting_id, tmp_path / "out")
    files = members_of(saved.path)
    files["actions.csv"] = files["actions.csv"].replace("自治会".encode(), "町内会".encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with pytest.raises(ResultFileError) as caught:
        read_result_file(buffer.getvalue(), plan)
    assert "actions.csv" in caught.value.message and "チェックサム" in caught.value.message


# --- map counts at the end of each meeting -------------------------------------------------------------
def test_counts_of_a_snapshot_are_the_map_capabilitys(conn, plan):
    meeting_id = full_meeting(conn, plan)
    expected = office_counts(conn, "d01")
    assert result_write.snapshot_counts(load_map(conn, "d01")) == [tuple(r) for r in expected]
    assert result_write.map_counts(conn, meeting_id)[:4] == [tuple(r) for r in expected][:4]


# --- the sample city ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_results(tmp_path_factory):
    plan = load_plan()
    folder = tmp_path_factory.mktemp("sample")
    conn = open_store(folder / "sample.sqlite")
    build_sample_city(conn, plan)
    written = write_sample_result_files(conn, plan, folder)
    closed = [m for m in meeting_store.list_meetings(conn) if m.phase == "closed"]
    conn.close()
    return folder / "results", written, closed


def test_sample_city_closed_meetings_are_written(sample_results):
    folder, written, closed = sample_results
    assert len(written) == len(closed) == 2 * len(DISTRICTS)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)


def test_sample_city_compiles_without_errors(sample_results, plan, office):
    folder, written, _closed = sample_results
    report = compile_folder(office, folder, plan)
    assert report.counts()["ok"] == len(written)
    assert not report.has_errors
    assert {d for d, _ in office_store.list_districts(office)} == {d for d, _ in DISTRICTS}
    assert office_store.table_counts(office)["issues"] > 0


def test_cli_compile_prints_a_line_per_file_and_writes_excel(sample_results, tmp_path, capsys):
    folder, written, _closed = sample_results
    code = main(
        [
            "compile",
            str(folder),
            "--office-db",
            str(tmp_path / "office.sqlite"),
            "--excel",
            str(tmp_path / "city.xlsx"),
            "--html",
            str(tmp_path / "city.html"),
        ]
    )
    out = capsys.readouterr()
    assert code == 0
    assert out.out.count("[取り込み]") == len(written)
    assert "件のファイルを調べました" in out.out
    assert "集計中…" in out.err
    assert (tmp_path / "city.xlsx").stat().st_size > 0 and (tmp_path / "city.html").exists()


def test_cli_compile_reports_errors_with_exit_code(tmp_path, capsys):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    code = main(["compile", str(tmp_path / "results"), "--office-db", str(tmp_path / "o.sqlite")])
    out = capsys.readouterr().out
    assert code == 1
    assert "[エラー] broken.zip" in out


# --- the facilitator's panel ----------------------------------------------------------------------------
def test_handover_panel_saves_into_results_dir_and_shows_the_name(conn, plan, settings):
    from kit.ui.context import PageContext
    from kit.ui.handover import HandoverPanel

    meeting_id = full_meeting(conn, plan)
    ctx = PageContext(conn=conn, settings=settings, plan=plan, meeting_id=meeting_id)
    panel = HandoverPanel(ctx)
    assert "tk-handover-save" in panel.save_button._dom_classes
    assert panel.save_button.description == "事務局へ提出するファイルを保存"
    panel.save_button.click()
    files = sorted(settings.results_dir.glob("*.zip"))
    assert len(files) == 1
    assert files[0].name in panel.saved_info.value
    assert "第1版" in panel.feedback.value
    panel.save_button.click()
    assert len(list(settings.results_dir.glob("*.zip"))) == 2
    assert "第2版" in panel.feedback.value
    assert files[0].name in panel.earlier.value


def test_handover_panel_shows_the_phase_error(conn, plan, settings, meeting):
    from kit.ui.context import PageContext
    from kit.ui.handover import HandoverPanel

    meetings.set_phase(conn, meeting.id, "vote")
    panel = HandoverPanel(
        PageContext(conn=conn, settings=settings, plan=plan, meeting_id=meeting.id)
    )
    panel.save_button.click()
    assert "まとめ" in panel.feedback.value and "tk-error" in panel.feedback.value
    assert not settings.results_dir.exists() or not list(settings.results_dir.iterdir())


def test_the_committed_sample_result_files_compile(plan, office):
    """``sample_data/results`` (written by ``tasukeai sample-data``) compiles with no error."""
    from kit.sample.write import SAMPLE_DIR

    folder = SAMPLE_DIR / "results"
    files = sorted(folder.glob("*.zip"))
    assert len(files) == 2 * len(DISTRICTS)
    report = compile_folder(office, folder, plan)
    assert report.counts()["ok"] == len(files), report.lines()
    assert office_store.table_counts(office)["tallies"] > 0


def test_facilitator_page_shows_the_handover_panel_when_closed(conn, plan, settings):
    from kit.ui.context import PageContext
    from kit.ui.facilitator import FacilitatorApp
    from kit.ui.handover import HandoverPanel

    meeting_id = full_meeting(conn, plan)
    meetings.set_phase(conn, meeting_id, "closed")
    app = FacilitatorApp(PageContext(conn=conn, settings=settings, plan=plan))
    app._meeting_chosen(meeting_id)
    assert isinstance(app.panel, HandoverPanel)
    app.panel.save_button.click()
    assert len(list(settings.results_dir.glob("*.zip"))) == 1
    app.poller.stop()
