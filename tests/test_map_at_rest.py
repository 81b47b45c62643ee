"""Residents' data stays in the district: the map sealed at rest, deletion for good, migration.

Distinctive names, notes and areas go on the map; then the database file and its WAL are
read with plain ``sqlite3`` and as raw bytes, without the passphrase: none of them may show.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from pathlib import Path

import pytest

from kit import cli
from kit.errors import KitError, NotFoundError, ValidationError
from kit.meeting import meetings
from kit.resultfile.write import map_counts
from kit.store import meetings as meeting_store
from kit.store import open_store
from kit.store.db import checkpoint
from kit.supportmap import model as sm
from kit.supportmap import retention, vault
from kit.supportmap.privacy import office_counts, office_counts_dict
from tests.map_helpers import TEST_PASSPHRASE, unlock_fast
from tests.test_supportmap import png_bytes

LABELS = ("ミドリカワ・サチコ", "クロサワ・ゲンジロウ", "秘密サロン・ひなげし")
NOTES = ("合鍵は牛乳箱の中", "夜は長男が来る（090-1234-5678）")
AREAS = ("ほたる町七丁目", "かすみ台三番地")
OPENING = "第三木曜の朝だけ"
SECRETS = LABELS + NOTES + AREAS + (OPENING,)


def distinctive_map(conn, district_id: str):
    alone = sm.add_person(
        conn,
        district_id,
        12.3,
        45.6,
        label=LABELS[0],
        flags=["alone", "dementia", "needs_watch"],
        note=NOTES[0],
        area=AREAS[0],
    )
    helper = sm.add_person(
        conn, district_id, 98.7, 65.4, label=LABELS[1], note=NOTES[1], area=AREAS[1]
    )
    place = sm.add_place(
        conn, district_id, 77.7, 11.1, kind="salon", label=LABELS[2], opening_days=OPENING
    )
    sm.add_link(conn, helper.id, alone.id, kind="watch")
    sm.add_link(conn, alone.id, place.id, kind="attends")
    sm.set_background(conn, district_id, png_bytes(9, 7))
    return alone, helper, place


def file_bytes(db_path: Path) -> bytes:
    """The database file and its WAL, as someone who finds the laptop would read them."""
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{db_path}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("cp932", "ignore")]


def assert_none_in(data: bytes, secrets) -> None:
    found = [s for s in secrets for enc in encodings(s) if enc and enc in data]
    assert found == []


def plain_sqlite_values(db_path: Path) -> str:
    """Every value of every table, read with the plain sqlite3 module (no kit, no key)."""
    raw = sqlite3.connect(db_path)
    try:
        texts = []
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in raw.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        texts.append(value.decode("utf-8", "ignore"))
                    texts.append(str(value))
        return "\n".join(texts)
    finally:
        raw.close()


@pytest.fixture
def sample_meeting(conn, district, plan):
    meeting = meetings.create_meeting(
        conn, district_id=district.id, title="第1回", held_on="2026-05-01", plan_id=plan.plan_id
    )
    return meeting


# --- encrypted at rest ------------------------------------------------------------------------------
def test_the_database_file_and_its_wal_show_no_label_note_or_area(conn, db_path, district, meeting):
    distinctive_map(conn, district.id)
    meetings.set_phase(conn, meeting.id, "map")  # a baseline: the map copied, still sealed
    sm.update_node(conn, 1, note="メモを書き換えた：鍵は植木鉢")
    # before any checkpoint: what the WAL holds is sealed too
    assert Path(f"{db_path}-wal").exists() and Path(f"{db_path}-wal").stat().st_size > 0
    assert_none_in(file_bytes(db_path), SECRETS + ("鍵は植木鉢",))
    values = plain_sqlite_values(db_path)
    for secret in SECRETS + ("鍵は植木鉢", "12.3", "45.6", "98.7", "77.7"):
        assert secret not in values, secret
    # the image is sealed too: its PNG header is nowhere in the file
    assert png_bytes(9, 7)[:16] not in file_bytes(db_path)
    checkpoint(conn)
    assert_none_in(file_bytes(db_path), SECRETS)
    # and with the passphrase it is all there
    assert [n.label for n in sm.load_map(conn, district.id).nodes] == list(LABELS)
    assert sm.get_background(conn, district.id).image == png_bytes(9, 7)


def _fresh(db_path: Path):
    """A store with a district and no passphrase yet (not the ``conn`` fixture's)."""
    conn = open_store(db_path)
    meeting_store.upsert_district(conn, "d01", "テスト地区", "テスト市")
    return conn


def test_the_passphrase_and_the_key_are_never_stored(db_path):
    conn = _fresh(db_path)
    vault.setup(conn, "ほたるの合言葉はひみつ")
    sm.add_person(conn, "d01", 1, 1, label="Aさん")
    key = vault._KEYS[conn].aead._key if hasattr(vault._KEYS[conn].aead, "_key") else None
    data = file_bytes(db_path)
    assert_none_in(data, ["ほたるの合言葉はひみつ"])
    if key:
        assert key not in data
    keyring = plain_sqlite_values(db_path)
    assert "ほたるの合言葉はひみつ" not in keyring
    conn.close()


def test_without_the_passphrase_nothing_opens_and_a_wrong_one_is_told_in_japanese(db_path):
    district = meeting_store.District("d01", "テスト地区", "テスト市")
    first = _fresh(db_path)
    vault.setup(first, "ほたるの合言葉はひみつ")
    distinctive_map(first, district.id)
    first.close()

    conn = open_store(db_path)
    assert vault.has_passphrase(conn) and not vault.is_unlocked(conn)
    for call in (
        lambda: sm.load_map(conn, district.id),
        lambda: sm.get_node(conn, 1),
        lambda: sm.add_person(conn, district.id, 1, 1),
        lambda: sm.get_background(conn, district.id),
        lambda: sm.undo_description(conn, district.id),
    ):
        with pytest.raises(vault.MapLockedError, match="合言葉を入れてください"):
            call()
    for wrong in ("ほたるの合言葉はひみつ！", "", None, 123, "x" * 500):
        with pytest.raises(ValidationError) as caught:
            vault.unlock(conn, wrong)
        assert caught.value.message.startswith("合言葉")
        assert not vault.is_unlocked(conn)
    vault.unlock(conn, "  ほたるの合言葉はひみつ ")  # outer spaces do not count
    assert len(sm.load_map(conn, district.id).nodes) == 3
    vault.lock(conn)
    with pytest.raises(vault.MapLockedError):
        sm.load_map(conn, district.id)
    conn.close()


def test_full_width_and_half_width_are_the_same_passphrase(db_path):
    conn = _fresh(db_path)
    vault.setup(conn, "ｓａｋｕｒａ２０２６ほたる")
    vault.lock(conn)
    vault.unlock(conn, "sakura2026ほたる")
    assert vault.is_unlocked(conn)
    conn.close()


@pytest.mark.parametrize(
    ("passphrase", "confirm", "message"),
    [
        ("みじかい", "みじかい", "8文字以上"),
        ("ながいあいことばです", "ちがうあいことばです", "二回入れて"),
        ("", "", "入力してください"),
        ("ながい\x00あいことばです", "ながい\x00あいことばです", "制御文字"),
    ],
)
def test_a_new_passphrase_is_checked(db_path, passphrase, confirm, message):
    conn = open_store(db_path)
    with pytest.raises(ValidationError, match=message):
        vault.setup(conn, passphrase, confirm)
    assert not vault.has_passphrase(conn)
    conn.close()


def test_a_second_first_passphrase_is_refused(db_path):
    a, b = open_store(db_path), open_store(db_path)
    vault.setup(a, "ひとつめの合言葉です")
    with pytest.raises(ValidationError, match="もう決まっています"):
        vault.setup(b, "ふたつめの合言葉です")
    vault.unlock(b, "ひとつめの合言葉です")
    a.close()
    b.close()


def test_scrypt_derives_in_well_under_a_second():
    """The cost (N=2**16, r=8, p=1: 64 MiB) measured here; figures in the README."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        vault.derive_key("はかる合言葉です", b"0123456789abcdef")
        timings.append(time.perf_counter() - start)
    assert (vault.SCRYPT_N, vault.SCRYPT_R, vault.SCRYPT_P) == (2**16, 8, 1)
    # about 0.25 s on an idle 2-core laptop; the bound leaves room for a busy, shared machine
    assert min(timings) < 3.0, timings


def test_a_damaged_keyring_is_refused_not_run(db_path):
    conn = open_store(db_path)
    vault.setup(conn, "こわれる合言葉です")
    vault.lock(conn)
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE map_keyring SET n = ?", (2**30,))  # a huge cost: a denial of service
    raw.commit()
    raw.close()
    with pytest.raises(KitError, match="合言葉の記録が壊れて"):
        vault.unlock(conn, "こわれる合言葉です")
    conn.close()


# --- changing the passphrase --------------------------------------------------------------------------
def test_changing_the_passphrase_reseals_everything(conn, db_path, district, meeting):
    distinctive_map(conn, district.id)
    meetings.set_phase(conn, meeting.id, "map")
    sm.move_node(conn, 1, 50, 50)
    before_map = sm.load_map(conn, district.id)
    before_baseline = sm.baseline(conn, meeting.id)
    blobs_before = {
        bytes(r[0]) for r in sqlite3.connect(db_path).execute("SELECT sealed FROM map_items")
    }
    other = open_store(db_path)  # another page, open with the old passphrase
    vault.unlock(other, TEST_PASSPHRASE)

    with pytest.raises(ValidationError, match="合言葉が違います"):
        vault.change_passphrase(conn, "ちがう合言葉です", "あたらしい合言葉です")
    with pytest.raises(ValidationError, match="二回入れて"):
        vault.change_passphrase(conn, TEST_PASSPHRASE, "あたらしい合言葉です", "べつの合言葉です")
    count = vault.change_passphrase(conn, TEST_PASSPHRASE, "あたらしい合言葉です")
    assert count >= 3 + 2 + 3 + 2 + 1  # items, lines, baseline items and lines, image (+ undo)

    assert sm.load_map(conn, district.id) == before_map
    assert sm.baseline(conn, meeting.id) == before_baseline
    assert sm.undo_description(conn, district.id) == f"「{LABELS[0]}」を動かした"
    checkpoint(conn)
    data = file_bytes(db_path)
    assert not any(blob in data for blob in blobs_before)  # the old blobs are gone from the file
    # the other page finds out and closes the map; the old passphrase no longer opens it
    with pytest.raises(vault.MapLockedError, match="別の画面で変えられました"):
        sm.load_map(other, district.id)
    assert not vault.is_unlocked(other)
    with pytest.raises(ValidationError, match="合言葉が違います"):
        vault.unlock(other, TEST_PASSPHRASE)
    vault.unlock(other, "あたらしい合言葉です")
    assert sm.load_map(other, district.id) == before_map
    other.close()


def test_a_page_with_the_old_key_cannot_write_under_it(conn, db_path, district):
    sm.add_person(conn, district.id, 1, 1)
    other = open_store(db_path)
    vault.unlock(other, TEST_PASSPHRASE)
    vault.change_passphrase(conn, TEST_PASSPHRASE, "あたらしい合言葉です")
    with pytest.raises(vault.MapLockedError):
        sm.add_person(other, district.id, 2, 2)
    assert len(sm.load_map(conn, district.id).nodes) == 1
    other.close()


# --- counts for the office need no passphrase -----------------------------------------------------------
def test_the_hand_over_needs_no_passphrase_and_opens_nothing(conn, district, meeting, plan):
    from kit.resultfile.write import build_result_file

    distinctive_map(conn, district.id)
    meetings.set_phase(conn, meeting.id, "map")
    alone = sm.load_map(conn, district.id).persons[0]
    other = sm.add_person(conn, district.id, 30, 30)
    sm.add_link(conn, other.id, alone.id, kind="visit")
    expected = office_counts_dict(conn, district.id, meeting.id)
    vault.lock(conn)
    assert office_counts_dict(conn, district.id, meeting.id) == expected
    assert expected["persons"] == 3 and expected["change:new_link"] == 1
    meetings.set_phase(conn, meeting.id, "wrapup")
    data, _manifest = build_result_file(conn, plan, meeting.id)
    assert data  # built without the key
    assert not vault.is_unlocked(conn)


# --- the baseline is the meeting's -----------------------------------------------------------------------
def _run_meeting(db_path: Path, plan, *, open_pages: bool, settings) -> list:
    from kit.ui.context import PageContext

    conn = open_store(db_path)
    unlock_fast(conn)
    meeting_store.upsert_district(conn, "d01", "テスト地区")
    first = meetings.create_meeting(
        conn, district_id="d01", title="第1回", held_on="2026-01-10", plan_id=plan.plan_id
    )
    a = sm.add_person(conn, "d01", 10, 10, flags=["needs_watch"])
    b = sm.add_person(conn, "d01", 20, 20)
    meetings.set_phase(conn, first.id, "closed")
    second = meetings.create_meeting(
        conn, district_id="d01", title="第2回", held_on="2026-06-10", plan_id=plan.plan_id
    )
    pages = []
    if open_pages:  # the pages a facilitator might open, before the meeting has even begun
        from kit.ui.map_page import MapApp
        from kit.ui.map_summary import MapSummaryPanel

        pages.append(MapApp(PageContext(conn=conn, settings=settings, plan=plan)))
        MapSummaryPanel(PageContext(conn=conn, settings=settings, plan=plan, meeting_id=second.id))
    c = sm.add_person(conn, "d01", 30, 30)  # between meetings: not in either meeting's changes
    meetings.set_phase(conn, second.id, "issues")
    meetings.set_phase(conn, second.id, "map")
    sm.add_link(conn, b.id, a.id, kind="watch")
    sm.add_link(conn, c.id, a.id, kind="visit")
    for page in pages:
        page.poller.stop()
    rows = map_counts(conn, second.id)
    conn.close()
    return rows


def test_the_hand_over_changes_do_not_depend_on_which_pages_were_opened(tmp_path, plan, settings):
    without = _run_meeting(tmp_path / "a.sqlite", plan, open_pages=False, settings=settings)
    with_pages = _run_meeting(tmp_path / "b.sqlite", plan, open_pages=True, settings=settings)
    assert without == with_pages
    counts = {c: n for c, _label, n in without}
    assert counts["change:new_link"] == 2 and counts["change:gap_filled"] == 1


def test_entering_the_map_phase_takes_the_baseline_without_the_passphrase(
    conn, district, meeting
):
    sm.add_person(conn, district.id, 1, 1)
    vault.lock(conn)  # the facilitator page holds no key
    meetings.set_phase(conn, meeting.id, "issues")
    assert meeting_store.get_meeting(conn, meeting.id).phase == "issues"
    meetings.step_phase(conn, meeting.id, 1)  # → map
    unlock_fast(conn)
    assert [n.label for n in sm.baseline(conn, meeting.id).nodes] == ["Aさん"]
    meetings.set_phase(conn, meeting.id, "vote")
    meetings.set_phase(conn, meeting.id, "map")  # entering again: the same baseline
    assert len(sm.list_baselines(conn, district.id)) == 1


def test_the_first_edit_of_a_meeting_under_way_takes_its_baseline_first(conn, district, meeting):
    sm.add_person(conn, district.id, 1, 1)  # the meeting is still being prepared: no baseline
    assert sm.baseline(conn, meeting.id) is None
    meetings.set_phase(conn, meeting.id, "issues")
    sm.add_person(conn, district.id, 2, 2)  # the first edit once it has begun
    assert [n.label for n in sm.baseline(conn, meeting.id).nodes] == ["Aさん"]
    counts = office_counts_dict(conn, district.id, meeting.id)
    assert counts["persons"] == 2


def test_one_rule_for_an_empty_baseline(conn, district, meeting):
    """A meeting that began with an empty map reports no changes, on the page and to the office."""
    from kit.supportmap.render import changes_since_baseline

    meetings.set_phase(conn, meeting.id, "map")  # the map is empty
    sm.add_person(conn, district.id, 1, 1)
    assert changes_since_baseline(conn, meeting.id, sm.load_map(conn, district.id)) is None
    assert not any(c.startswith("change:") for c in office_counts_dict(conn, district.id, meeting.id))
    assert sm.baseline_is_comparable(0) is False and sm.baseline_is_comparable(1) is True


# --- deletion means deletion ------------------------------------------------------------------------------
def _sealed_blobs_of(db_path: Path, node_id: int) -> list[bytes]:
    raw = sqlite3.connect(db_path)
    try:
        blobs = [r[0] for r in raw.execute("SELECT sealed FROM map_items WHERE id = ?", (node_id,))]
        blobs += [
            r[0]
            for r in raw.execute(
                "SELECT sealed FROM map_baseline_items WHERE node_id = ? AND sealed IS NOT NULL",
                (node_id,),
            )
        ]
        blobs += [
            r[0]
            for r in raw.execute(
                "SELECT sealed FROM map_lines WHERE source_id = ? OR target_id = ?",
                (node_id, node_id),
            )
        ]
        return [bytes(b) for b in blobs]
    finally:
        raw.close()


def test_a_deleted_person_is_gone_from_the_store_every_baseline_and_the_file(
    conn, db_path, district, plan
):
    first = meetings.create_meeting(
        conn, district_id=district.id, title="第1回", held_on="2026-01-10", plan_id=plan.plan_id
    )
    alone, helper, _place = distinctive_map(conn, district.id)
    sm.update_node(conn, alone.id, note="消される人の最後のメモ")
    meetings.set_phase(conn, first.id, "map")
    meetings.set_phase(conn, first.id, "closed")
    second = meetings.create_meeting(
        conn, district_id=district.id, title="第2回", held_on="2026-06-10", plan_id=plan.plan_id
    )
    meetings.set_phase(conn, second.id, "map")
    assert len(sm.list_baselines(conn, district.id)) == 2
    first_counts = map_counts(conn, first.id)
    blobs = _sealed_blobs_of(db_path, alone.id)
    assert len(blobs) >= 3  # the row and its copy in each baseline (and its lines)

    sm.delete_node(conn, alone.id)

    with pytest.raises(NotFoundError):
        sm.get_node(conn, alone.id)
    for baseline in sm.list_baselines(conn, district.id):
        data = sm.baseline_map(conn, baseline)
        kept = data.node(alone.id)
        assert kept is not None and kept.label == "（削除された人・場所）"  # only "someone"
        assert (kept.note, kept.area, kept.flags, kept.x, kept.y) == ("", "", (), 0.0, 0.0)
        assert all(alone.id not in (lk.source_id, lk.target_id) for lk in data.links)
    assert map_counts(conn, first.id) == first_counts  # the counts the office has stay
    # nothing anywhere in the store still opens to their name or note…
    opened = json.dumps(
        [dataclasses.asdict(n) for n in sm.load_map(conn, district.id).nodes], ensure_ascii=False
    )
    for baseline in sm.list_baselines(conn, district.id):
        opened += str(sm.baseline_map(conn, baseline))
    assert LABELS[0] not in opened and "消される人の最後のメモ" not in opened
    # …and their sealed bytes are gone from the file and the WAL
    checkpoint(conn)
    data = file_bytes(db_path)
    assert not any(blob in data for blob in blobs)
    assert_none_in(data, [LABELS[0], "消される人の最後のメモ"])
    assert sm.get_node(conn, helper.id).label == LABELS[1]  # the others stay


def test_secure_delete_is_on_for_every_connection(conn):
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1


# --- retention and purge -----------------------------------------------------------------------------------
def _age(db_path: Path, table: str, column: str, stamp: str, where: str = "1") -> None:
    raw = sqlite3.connect(db_path)
    raw.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (stamp,))
    raw.commit()
    raw.close()


def test_retention_deletes_what_is_older_than_n_years_after_a_confirmation(
    conn, db_path, district, meeting
):
    alone, helper, place = distinctive_map(conn, district.id)
    meetings.set_phase(conn, meeting.id, "map")
    _age(db_path, "map_items", "updated_at", "2018-04-01T00:00:00.000Z", f"id = {alone.id}")
    _age(db_path, "map_baselines", "taken_at", "2018-04-01T00:00:00.000Z")
    with pytest.raises(ValidationError, match="1 以上の整数"):
        retention.expired(conn, 0)
    found = retention.expired(conn, 5)
    assert (found.items, found.baselines, found.images) == (1, 1, 0)
    assert retention.expired(conn, 50).items == 0
    vault.lock(conn)
    with pytest.raises(vault.MapLockedError):
        retention.delete_expired(conn, 5)  # the counts must be redone: needs the key
    unlock_fast(conn)
    done = retention.delete_expired(conn, 5)
    assert (done.items, done.baselines) == (1, 1)
    assert [n.id for n in sm.load_map(conn, district.id).nodes] == [helper.id, place.id]
    assert sm.baseline(conn, meeting.id).nodes == ()  # the old baseline's content is gone…
    assert office_counts_dict(conn, district.id)["persons"] == 1  # …the counts are redone
    assert not retention.expired(conn, 5)


def test_the_map_page_asks_before_deleting_by_the_retention_period(
    conn, db_path, district, plan, settings, meeting
):
    from kit.ui.context import PageContext
    from kit.ui.map_page import MapApp

    alone, _helper, _place = distinctive_map(conn, district.id)
    _age(db_path, "map_items", "updated_at", "2018-04-01T00:00:00.000Z", f"id = {alone.id}")
    settings = dataclasses.replace(settings, map_retention_years=5)
    app = MapApp(PageContext(conn=conn, settings=settings, plan=plan))
    try:
        assert "1件の人・場所" in app.retention_status.value
        app.retention_button.click()  # first it asks
        assert "本当に削除しますか" in app.retention_confirm.value
        assert len(sm.load_map(conn, district.id).nodes) == 3
        app.retention_button.click()
        assert len(sm.load_map(conn, district.id).nodes) == 2
        assert "削除しました" in app.feedback.value
        assert "過ぎたデータはありません" in app.retention_status.value
    finally:
        app.poller.stop()


def test_map_purge_deletes_the_whole_map_without_the_passphrase(
    conn, db_path, district, meeting, settings, capsys, monkeypatch
):
    from kit.supportmap.handout import write_handout

    distinctive_map(conn, district.id)
    meetings.set_phase(conn, meeting.id, "map")
    sm.add_person(conn, district.id, 5, 5)
    before = map_counts(conn, meeting.id)
    handout = write_handout(conn, district.id, settings.district_dir)
    blobs = [bytes(r[0]) for r in sqlite3.connect(db_path).execute("SELECT sealed FROM map_items")]
    conn.close()
    monkeypatch.setenv("TASUKEAI_DISTRICT_DIR", str(settings.district_dir))

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("いいえ\n"))
    assert cli.main(["map", "purge", "--db", str(db_path)]) == 1
    assert "削除しませんでした" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("削除\n"))
    assert cli.main(["map", "purge", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "削除しました" in out and "シュレッダー" in out
    assert not handout.exists()

    after = open_store(db_path)
    assert not vault.has_passphrase(after)  # nothing sealed is left: a new passphrase may be set
    assert map_counts(after, meeting.id) == before  # the counts the office has stay
    data = file_bytes(db_path)
    assert not any(blob in data for blob in blobs)
    raw = sqlite3.connect(db_path)
    for table in ("map_items", "map_lines", "map_baseline_items", "map_history", "map_images"):
        assert raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    raw.close()
    vault.setup(after, "あたらしい合言葉です")
    assert sm.load_map(after, district.id).nodes == ()
    after.close()


def test_map_purge_of_a_missing_database_says_so(tmp_path, capsys):
    assert cli.main(["map", "purge", "--db", str(tmp_path / "none.sqlite"), "--yes"]) == 2
    assert "データベースが見つかりません" in capsys.readouterr().err


def test_map_purge_older_than_asks_for_the_passphrase(conn, db_path, district, capsys, monkeypatch):
    alone, _helper, _place = distinctive_map(conn, district.id)
    conn.close()
    _age(db_path, "map_items", "updated_at", "2018-04-01T00:00:00.000Z", f"id = {alone.id}")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(f"削除\n{TEST_PASSPHRASE}\n"))
    assert cli.main(["map", "purge", "--db", str(db_path), "--older-than-years", "5"]) == 0
    assert "人・場所 1件" in capsys.readouterr().out
    check = open_store(db_path)
    unlock_fast(check)
    assert len(sm.load_map(check, district.id).nodes) == 2
    check.close()


# --- an older, plain-text database moves without loss ------------------------------------------------------
LEGACY_DDL_0001 = None  # the first migration, as the old kit ran it


def _legacy_database(path: Path, plan) -> dict:
    """A database as the kit before issue 13 left it: the map in plain tables."""
    from kit.store.db import connect, migrate
    from kit.store.schema import MEETING_MIGRATIONS

    conn = connect(path)
    migrate(conn, MEETING_MIGRATIONS[:1])
    raw = conn
    raw.execute("INSERT INTO districts (id, name, city) VALUES ('d01', 'ふるい地区', 'テスト市')")
    stamp = "2025-05-01T10:00:00.000Z"
    for meeting_id, held_on, phase in ((1, "2025-05-01", "closed"), (2, "2025-11-01", "map")):
        raw.execute(
            "INSERT INTO meetings (id, district_id, title, held_on, join_code, phase, plan_id,"
            " created_at, updated_at) VALUES (?, 'd01', ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, f"第{meeting_id}回", held_on, f"{meeting_id}111", phase, plan.plan_id,
             stamp, stamp),
        )  # fmt: skip
    nodes = [
        (1, "person", LABELS[0], "", ["alone", "needs_watch"], NOTES[0], "", AREAS[0], 12.3, 45.6, 0),
        (2, "person", LABELS[1], "", ["sewayaki"], NOTES[1], "", AREAS[1], 98.7, 65.4, 0),
        (3, "place", LABELS[2], "salon", [], "", OPENING, "", 77.7, 11.1, 0),
        (4, "person", "もう消した人", "", ["alone"], "消した人のメモ", "", "", 5.0, 5.0, 1),
        (5, "person", "新しく来た人", "", [], "", "", "", 30.0, 30.0, 0),
    ]
    for n in nodes:
        raw.execute(
            "INSERT INTO map_nodes (id, district_id, node_type, label, kind, flags_json, note,"
            " opening_days, area, x, y, deleted, created_at, updated_at)"
            " VALUES (?, 'd01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (n[0], n[1], n[2], n[3], json.dumps(n[4], ensure_ascii=False), n[5], n[6], n[7],
             n[8], n[9], n[10], stamp, stamp),
        )  # fmt: skip
    links = [
        (1, 2, 1, "watch", "strong", 0),
        (2, 1, 3, "attends", "occasional", 0),
        (3, 2, 4, "visit", "strong", 1),
        (4, 2, 5, "chat", "strong", 0),
    ]
    for link in links:
        raw.execute(
            "INSERT INTO map_links (id, district_id, source_id, target_id, kind, strength,"
            " deleted, created_at) VALUES (?, 'd01', ?, ?, ?, ?, ?, ?)",
            (*link, stamp),
        )
    # meeting 2's snapshot: 1–4 were on the map (4 was deleted later), 5 and line 4 came after
    snap_nodes = []
    for n in nodes[:4]:
        snap_nodes.append(
            {
                "id": n[0], "district_id": "d01", "node_type": n[1], "label": n[2], "kind": n[3],
                "flags": n[4], "note": n[5], "opening_days": n[6], "area": n[7], "x": n[8],
                "y": n[9], "deleted": False, "created_at": stamp, "updated_at": stamp,
            }
        )  # fmt: skip
    snap_links = [
        {"id": i, "district_id": "d01", "source_id": s, "target_id": t, "kind": k,
         "strength": st, "deleted": False, "created_at": stamp}
        for i, s, t, k, st, _d in links[:3]
    ]  # fmt: skip
    raw.execute(
        "INSERT INTO map_snapshots (district_id, meeting_id, taken_at, snapshot_json)"
        " VALUES ('d01', 2, ?, ?)",
        (stamp, json.dumps({"version": 1, "nodes": snap_nodes, "links": snap_links},
                           ensure_ascii=False)),
    )  # fmt: skip
    raw.execute(
        "INSERT INTO map_backgrounds (district_id, mime, image, width, height, uploaded_at)"
        " VALUES ('d01', 'image/png', ?, 9, 7, ?)",
        (png_bytes(9, 7), stamp),
    )
    raw.execute(
        "INSERT INTO map_undo (district_id, description, undo_json, created_at)"
        " VALUES ('d01', ?, '{}', ?)",
        (f"「{LABELS[0]}」を書き換えた", stamp),
    )
    conn.close()
    return {"nodes": nodes, "links": links}


def test_an_old_plain_database_migrates_without_loss_at_the_first_passphrase(
    tmp_path, plan, settings
):
    from kit.ui.context import PageContext
    from kit.ui.map_page import MapApp

    db_path = tmp_path / "old.sqlite"
    _legacy_database(db_path, plan)
    assert LABELS[0].encode() in file_bytes(db_path)  # the old file: plain text

    conn = open_store(db_path)
    assert vault.needs_migration(conn) and not vault.has_passphrase(conn)
    # before the passphrase the hand-over still has its counts (from the plain map)
    counts_before = {m: map_counts(conn, m) for m in (1, 2)}
    assert dict((c, n) for c, _l, n in counts_before[2])["change:new_link"] == 1
    current = dict((c, n) for c, _l, n in office_counts(conn, "d01"))
    assert current["persons"] == 3 and current["places"] == 1 and current["links"] == 3

    # the facilitator opens the map page: it asks for a new passphrase and says it will move
    app = MapApp(PageContext(conn=conn, settings=dataclasses.replace(settings, db_path=db_path),
                             plan=plan))  # fmt: skip
    try:
        assert app.gate.setting_up and "まだ暗号化されていません" in app.gate.body.value
        assert app.main.layout.display == "none" and app.figure is None
        app.gate.passphrase.value = app.gate.confirm.value = "ふるい地区の合言葉"
        app.gate.set_button.click()
        assert app.gate.passphrase.value == "" and app.figure is not None
    finally:
        app.poller.stop()

    # nothing is lost: the live map, the meeting's baseline, the image, the counts
    data = sm.load_map(conn, "d01")
    assert [(n.id, n.label, n.note, n.area, n.flags, n.x, n.y) for n in data.nodes] == [
        (1, LABELS[0], NOTES[0], AREAS[0], ("alone", "needs_watch"), 12.3, 45.6),
        (2, LABELS[1], NOTES[1], AREAS[1], ("sewayaki",), 98.7, 65.4),
        (3, LABELS[2], "", "", (), 77.7, 11.1),
        (5, "新しく来た人", "", "", (), 30.0, 30.0),
    ]
    assert data.node(3).opening_days == OPENING and data.node(3).kind == "salon"
    assert [(lk.id, lk.source_id, lk.target_id, lk.kind, lk.strength) for lk in data.links] == [
        (1, 2, 1, "watch", "strong"),
        (2, 1, 3, "attends", "occasional"),
        (4, 2, 5, "chat", "strong"),
    ]
    before = sm.baseline(conn, 2)
    assert [n.id for n in before.nodes] == [1, 2, 3, 4]
    assert before.node(4).label == "（削除された人・場所）"  # deleted before: deleted now, for good
    assert [lk.id for lk in before.links] == [1, 2]
    assert sm.get_background(conn, "d01").image == png_bytes(9, 7)
    assert {m: map_counts(conn, m) for m in (1, 2)} == counts_before
    assert dict((c, n) for c, _l, n in office_counts(conn, "d01")) == current
    # the plain copy is gone from the file and the WAL; the old tables are gone
    assert_none_in(file_bytes(db_path), SECRETS + ("もう消した人", "消した人のメモ", "新しく来た人"))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"map_nodes", "map_links", "map_snapshots", "map_undo", "map_backgrounds"}
    # a new id never reuses an old one (the baseline still names node 4)
    assert sm.add_person(conn, "d01", 1, 1).id == 6
    conn.close()
    reopened = open_store(db_path)
    vault.unlock(reopened, "ふるい地区の合言葉")
    assert len(sm.load_map(reopened, "d01").nodes) == 5
    reopened.close()


def test_a_fresh_database_has_no_plain_map_tables(db_path):
    conn = open_store(db_path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "map_nodes" not in tables and "map_items" in tables
    assert not vault.needs_migration(conn)
    conn.close()
