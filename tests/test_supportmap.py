"""支え合いマップ: store round-trip, validation, undo, snapshots and diff, background, privacy."""

from __future__ import annotations

import json
import random
import struct
import zlib

import pytest

from kit.errors import NotFoundError, ValidationError
from kit.meeting import meetings
from kit.store import meetings as meeting_store
from kit.supportmap import model as sm
from kit.supportmap.model import MAP_HEIGHT, MAP_WIDTH
from kit.supportmap.privacy import office_counts, office_counts_dict


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny) PNG, built by hand: no imaging library needed."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        sm.PNG_MAGIC
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    """Just enough of a JPEG header (SOI, APP0, SOF0) for the size to be read."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def table_counts(conn) -> tuple[int, int, int, int]:
    return tuple(
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("map_items", "map_lines", "map_history", "map_images")
    )


# --- round trip ---------------------------------------------------------------------------------
def test_person_place_and_link_round_trip(conn, district):
    person = sm.add_person(
        conn,
        district.id,
        40,
        30,
        flags=["needs_watch", "alone"],
        note="朝は新聞を取る",
        area="2丁目",
    )
    assert person.label == "Aさん"
    assert person.flags == ("alone", "needs_watch")  # vocabulary order, no repeats
    helper = sm.add_person(
        conn, district.id, 45.04, 31.96, label="世話焼きのKさん", flags=["sewayaki"]
    )
    assert (helper.x, helper.y) == (45.0, 32.0)
    salon = sm.add_place(conn, district.id, 60, 40, kind="salon", opening_days="毎週水曜")
    assert salon.label == "サロン1" and salon.kind == "salon"
    link = sm.add_link(conn, helper.id, person.id, kind="watch", strength="occasional")

    data = sm.load_map(conn, district.id)
    assert [n.label for n in data.persons] == ["Aさん", "世話焼きのKさん"]
    assert [n.label for n in data.places] == ["サロン1"]
    assert data.node(person.id).note == "朝は新聞を取る"
    assert data.node(person.id).area == "2丁目"
    assert data.links == (sm.get_link(conn, link.id),)
    assert data.links[0].strength == "occasional"
    # a fresh connection (another kernel, or after a restart) reads the same map
    from kit.store import open_store
    from kit.supportmap import vault
    from tests.map_helpers import TEST_PASSPHRASE

    other = open_store(conn.execute("PRAGMA database_list").fetchone()["file"])
    with pytest.raises(vault.MapLockedError, match="合言葉"):
        sm.load_map(other, district.id)  # a new kernel must be given the passphrase itself
    vault.unlock(other, TEST_PASSPHRASE)
    assert sm.load_map(other, district.id) == data
    other.close()


def test_default_pseudonyms_skip_used_labels(conn, district):
    labels = [sm.add_person(conn, district.id, 1 + i, 1).label for i in range(3)]
    assert labels == ["Aさん", "Bさん", "Cさん"]
    sm.update_node(conn, 2, label="Dさん")
    assert sm.suggest_label(conn, district.id) == "Bさん"
    assert sm._letters(25) == "Z" and sm._letters(26) == "AA" and sm._letters(27) == "AB"


def test_update_move_and_delete(conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 20)
    sm.add_link(conn, a.id, b.id, kind="visit")
    a2 = sm.update_node(conn, a.id, flags=["dementia"], note="メモ", area="1丁目")
    assert a2.flags == ("dementia",) and a2.note == "メモ"
    assert sm.move_node(conn, a.id, 99, 88).x == 99
    sm.delete_node(conn, b.id)
    data = sm.load_map(conn, district.id)
    assert [n.id for n in data.nodes] == [a.id]
    assert data.links == ()


def test_place_fields(conn, district):
    place = sm.add_place(conn, district.id, 5, 5, kind="kodomo_shokudo", label="こども食堂 にじ")
    place = sm.update_node(conn, place.id, kind="shop", opening_days="日曜以外")
    assert (place.kind, place.opening_days) == ("shop", "日曜以外")
    with pytest.raises(ValidationError, match="場所には人の印"):
        sm.update_node(conn, place.id, flags=["alone"])


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("x", "y"),
    [(-1, 10), (10, -0.5), (MAP_WIDTH + 1, 10), (10, MAP_HEIGHT + 0.1), (1e9, 1)],
)
def test_positions_outside_the_map_are_refused(conn, district, x, y):
    with pytest.raises(ValidationError, match="地図の外"):
        sm.add_person(conn, district.id, x, y)
    assert table_counts(conn) == (0, 0, 0, 0)


@pytest.mark.parametrize("value", ["10", None, float("nan"), float("inf"), True, [1]])
def test_positions_that_are_not_numbers_are_refused(conn, district, value):
    with pytest.raises(ValidationError, match="位置は数"):
        sm.add_person(conn, district.id, value, 10)
    assert table_counts(conn) == (0, 0, 0, 0)


def test_moving_outside_the_map_changes_nothing(conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    with pytest.raises(ValidationError):
        sm.move_node(conn, a.id, 500, 10)
    assert sm.get_node(conn, a.id).x == 10
    assert sm.undo_description(conn, district.id) == "「Aさん」を置いた"


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "a > b", "<b>"]
)
def test_html_in_text_is_refused_everywhere(conn, district, text):
    with pytest.raises(ValidationError, match="< と >"):
        sm.add_person(conn, district.id, 1, 1, label=text)
    with pytest.raises(ValidationError, match="< と >"):
        sm.add_person(conn, district.id, 1, 1, note=text)
    with pytest.raises(ValidationError, match="< と >"):
        sm.add_place(conn, district.id, 1, 1, opening_days=text)
    person = sm.add_person(conn, district.id, 1, 1)
    with pytest.raises(ValidationError, match="< と >"):
        sm.update_node(conn, person.id, area=text)
    assert sm.get_node(conn, person.id).area == ""


def test_text_limits_and_empty_label(conn, district):
    with pytest.raises(ValidationError, match="呼び名.*を入力"):
        sm.add_person(conn, district.id, 1, 1, label="   ")
    with pytest.raises(ValidationError, match="20文字まで"):
        sm.add_person(conn, district.id, 1, 1, label="あ" * 21)
    with pytest.raises(ValidationError, match="300文字まで"):
        sm.add_person(conn, district.id, 1, 1, note="あ" * 301)
    with pytest.raises(ValidationError, match="制御文字"):
        sm.add_person(conn, district.id, 1, 1, label="A\x00さん")
    assert table_counts(conn) == (0, 0, 0, 0)


def test_unknown_vocabulary_is_refused(conn, district):
    with pytest.raises(ValidationError, match="印"):
        sm.add_person(conn, district.id, 1, 1, flags=["rich"])
    with pytest.raises(ValidationError, match="印"):
        sm.add_person(conn, district.id, 1, 1, flags="alone")
    with pytest.raises(ValidationError, match="場所の種類"):
        sm.add_place(conn, district.id, 1, 1, kind="castle")
    a = sm.add_person(conn, district.id, 1, 1)
    b = sm.add_person(conn, district.id, 2, 2)
    with pytest.raises(ValidationError, match="線の種類"):
        sm.add_link(conn, a.id, b.id, kind="telepathy")
    with pytest.raises(ValidationError, match="線の強さ"):
        sm.add_link(conn, a.id, b.id, kind="visit", strength="very")
    with pytest.raises(ValidationError, match="地区を選んで"):
        sm.add_person(conn, "", 1, 1)
    with pytest.raises(NotFoundError):
        sm.add_person(conn, "nowhere", 1, 1)
    assert table_counts(conn)[1] == 0


def test_bad_links_are_refused_and_nothing_is_half_saved(conn, district):
    a = sm.add_person(conn, district.id, 1, 1)
    b = sm.add_person(conn, district.id, 2, 2)
    gone = sm.add_person(conn, district.id, 3, 3)
    sm.delete_node(conn, gone.id)
    before = table_counts(conn)
    with pytest.raises(ValidationError, match="同じ人"):
        sm.add_link(conn, a.id, a.id, kind="visit")
    with pytest.raises(NotFoundError, match="削除された"):
        sm.add_link(conn, a.id, gone.id, kind="visit")
    with pytest.raises(NotFoundError, match="削除された"):
        sm.add_link(conn, gone.id, a.id, kind="visit")
    with pytest.raises(NotFoundError, match="見つかりません"):
        sm.add_link(conn, a.id, 9999, kind="visit")
    assert table_counts(conn) == before
    sm.add_link(conn, a.id, b.id, kind="visit")
    with pytest.raises(ValidationError, match="もうあります"):
        sm.add_link(conn, a.id, b.id, kind="visit", strength="occasional")
    sm.add_link(conn, a.id, b.id, kind="watch")  # another kind is another line
    sm.add_link(conn, b.id, a.id, kind="visit")  # and so is the other direction
    assert len(sm.load_map(conn, district.id).links) == 3
    other = meeting_store.upsert_district(conn, "d99", "よその地区")
    far = sm.add_person(conn, other.id, 1, 1)
    with pytest.raises(ValidationError, match="別の地区"):
        sm.add_link(conn, a.id, far.id, kind="visit")


def test_link_edit_refuses_a_duplicate(conn, district):
    a = sm.add_person(conn, district.id, 1, 1)
    b = sm.add_person(conn, district.id, 2, 2)
    sm.add_link(conn, a.id, b.id, kind="visit")
    chat = sm.add_link(conn, a.id, b.id, kind="chat")
    with pytest.raises(ValidationError, match="もうあります"):
        sm.update_link(conn, chat.id, kind="visit")
    assert sm.update_link(conn, chat.id, strength="occasional").strength == "occasional"


# --- undo --------------------------------------------------------------------------------------
def test_undo_steps_back_through_every_kind_of_edit(conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 20)
    link = sm.add_link(conn, a.id, b.id, kind="visit")
    sm.update_link(conn, link.id, kind="watch")
    sm.update_node(conn, a.id, flags=["alone"], label="Xさん")
    sm.move_node(conn, b.id, 50, 50)
    assert sm.undo_description(conn, district.id) == "「Bさん」を動かした"
    sm.undo(conn, district.id)
    assert sm.get_node(conn, b.id).x == 20
    sm.undo(conn, district.id)
    assert sm.get_node(conn, a.id).label == "Aさん" and sm.get_node(conn, a.id).flags == ()
    sm.undo(conn, district.id)
    assert sm.get_link(conn, link.id).kind == "visit"
    sm.undo(conn, district.id)
    assert sm.load_map(conn, district.id).links == ()
    sm.undo(conn, district.id)
    sm.undo(conn, district.id)
    assert sm.load_map(conn, district.id).nodes == ()
    with pytest.raises(ValidationError, match="元に戻せる操作はありません"):
        sm.undo(conn, district.id)


def test_a_deleted_line_comes_back_with_its_id_by_undo(conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 20)
    link = sm.add_link(conn, a.id, b.id, kind="visit", strength="occasional")
    sm.delete_link(conn, link.id)
    assert sm.load_map(conn, district.id).links == ()
    assert sm.undo(conn, district.id) == "「Aさん→Bさん」の線（訪問）を消した"
    assert sm.load_map(conn, district.id).links == (sm.get_link(conn, link.id),)
    assert sm.get_link(conn, link.id).strength == "occasional"


def test_deleting_a_person_is_final_and_drops_every_undo_step_that_names_them(conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 20, label="消す人")
    link = sm.add_link(conn, a.id, b.id, kind="visit")
    sm.delete_link(conn, link.id)
    sm.update_node(conn, b.id, note="メモ")
    sm.delete_node(conn, b.id)
    with pytest.raises(NotFoundError):
        sm.get_node(conn, b.id)
    # only "Aさん was placed" is left to undo: nothing that could bring 消す人 back
    assert sm.undo_description(conn, district.id) == "「Aさん」を置いた"
    assert conn.execute("SELECT COUNT(*) FROM map_history").fetchone()[0] == 1
    sm.undo(conn, district.id)
    assert sm.load_map(conn, district.id).nodes == ()


def test_undo_list_is_per_district_and_kept_short(conn, district):
    other = meeting_store.upsert_district(conn, "d02", "となり地区")
    sm.add_person(conn, district.id, 1, 1)
    sm.add_person(conn, other.id, 1, 1)
    sm.undo(conn, other.id)
    assert len(sm.load_map(conn, district.id).nodes) == 1
    for i in range(sm.UNDO_KEEP + 5):
        sm.move_node(conn, 1, 1 + (i % 50), 1)
    assert conn.execute("SELECT COUNT(*) FROM map_history").fetchone()[0] == sm.UNDO_KEEP


# --- snapshots and what changed -----------------------------------------------------------------
def test_baseline_is_taken_once_and_diff_shows_changes(conn, district, plan):
    from kit.supportmap.analysis import diff_maps

    first = meetings.create_meeting(
        conn, district_id=district.id, title="第1回", held_on="2025-06-01", plan_id=plan.plan_id
    )
    a = sm.add_person(conn, district.id, 10, 10, flags=["needs_watch"])
    b = sm.add_person(conn, district.id, 20, 20)
    c = sm.add_person(conn, district.id, 30, 30)
    sm.add_link(conn, b.id, c.id, kind="chat")
    meetings.set_phase(conn, first.id, "closed")

    second = meetings.create_meeting(
        conn, district_id=district.id, title="第2回", held_on="2025-11-01", plan_id=plan.plan_id
    )
    snap = sm.ensure_baseline(conn, second.id)
    assert sm.undo_description(conn, district.id) is None  # a new meeting starts a new undo list
    sm.add_link(conn, b.id, a.id, kind="watch")
    assert sm.ensure_baseline(conn, second.id) == snap  # taken once
    before = sm.baseline(conn, second.id)
    assert [n.id for n in before.nodes] == [a.id, b.id, c.id]
    diff = diff_maps(before, sm.load_map(conn, district.id))
    reasons = [c.reason for c in diff.changes]
    assert "新しいつながり：Bさん→Aさん（見守り）" in reasons
    assert "孤立が解消：Aさん（線が1本に）" in reasons
    assert "見守りの空白が解消：Aさん" in reasons
    assert [s.meeting_id for s in sm.list_baselines(conn, district.id)] == [second.id]


def test_a_tampered_or_moved_sealed_row_gives_a_clear_error(conn, district):
    from kit.errors import KitError

    a = sm.add_person(conn, district.id, 1, 1, label="Aさん")
    b = sm.add_person(conn, district.id, 2, 2, label="Bさん")
    blob = bytearray(
        conn.execute("SELECT sealed FROM map_items WHERE id = ?", (a.id,)).fetchone()[0]
    )
    blob[-1] ^= 1
    conn.execute("UPDATE map_items SET sealed = ? WHERE id = ?", (bytes(blob), a.id))
    with pytest.raises(KitError, match="壊れているか書き換えられて"):
        sm.get_node(conn, a.id)
    # b's (valid) blob copied onto a's row does not open either: each is bound to its row
    conn.execute(
        "UPDATE map_items SET sealed = (SELECT sealed FROM map_items WHERE id = ?) WHERE id = ?",
        (b.id, a.id),
    )
    with pytest.raises(KitError, match="壊れているか書き換えられて"):
        sm.get_node(conn, a.id)


# --- background image --------------------------------------------------------------------------
def test_png_and_jpeg_backgrounds_are_stored_with_their_size(conn, district):
    bg = sm.set_background(conn, district.id, png_bytes(4, 3))
    assert (bg.mime, bg.width, bg.height) == ("image/png", 4, 3)
    bg = sm.set_background(conn, district.id, jpeg_bytes(640, 480))
    assert (bg.mime, bg.width, bg.height) == ("image/jpeg", 640, 480)
    assert sm.get_background(conn, district.id).image == jpeg_bytes(640, 480)
    sm.remove_background(conn, district.id)
    assert sm.get_background(conn, district.id) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空です"),
        (b"GIF89a" + b"\x00" * 100, "画像ではありません"),
        (b"<html><script>alert(1)</script></html>", "画像ではありません"),
        (b"%PDF-1.4 ...", "画像ではありません"),
        (sm.PNG_MAGIC + b"\x00\x00", "壊れて"),
        (b"\xff\xd8\xff\xe0\x00", "壊れて"),
        ("not bytes", "空です"),
    ],
)
def test_bad_background_uploads_are_refused(conn, district, data, message):
    sm.set_background(conn, district.id, png_bytes())
    with pytest.raises(ValidationError, match=message):
        sm.set_background(conn, district.id, data)
    assert sm.get_background(conn, district.id).image == png_bytes()  # the old one stays


def test_a_50_mb_upload_is_refused(conn, district):
    huge = png_bytes() + b"\x00" * (50 * 1024 * 1024)
    with pytest.raises(ValidationError, match="大きすぎます.*10 MB まで"):
        sm.set_background(conn, district.id, huge)
    assert sm.get_background(conn, district.id) is None


# --- sample maps -------------------------------------------------------------------------------
def test_sample_map_has_isolated_people_gaps_and_changes(conn, plan):
    from kit.sample.city import SampleMeeting
    from kit.sample.supportmap import add_sample_map
    from kit.supportmap.analysis import analyse_map

    meeting_store.upsert_district(conn, "d01", "さくら台地区")
    rng = random.Random(42)
    ids = []
    for held_on in ("2025-06-14", "2025-11-08"):
        m = meetings.create_meeting(
            conn, district_id="d01", title="t", held_on=held_on, plan_id=plan.plan_id
        )
        add_sample_map(conn, rng, plan, SampleMeeting(m.id, "d01", (), True))
        meetings.set_phase(conn, m.id, "closed")
        ids.append(m.id)
        if len(ids) == 1:
            first_map = sm.load_map(conn, "d01")
    assert 30 <= len(first_map.persons) <= 60
    assert len(first_map.places) >= 4
    analysis = analyse_map(first_map)
    assert analysis.of_kind("isolated") and analysis.of_kind("watch_gap")
    assert all(n.label.endswith("さん") for n in first_map.persons)
    from kit.supportmap.render import changes_since_baseline

    diff = changes_since_baseline(conn, ids[1], sm.load_map(conn, "d01"))
    assert diff.of_kind("new_link") and diff.of_kind("not_isolated")
    assert sm.undo_description(conn, "d01") is None  # the sample leaves nothing to undo


# --- privacy -----------------------------------------------------------------------------------
SECRET_WORDS = (
    "山田花子",
    "鈴木一郎",
    "認知症がすすんで",
    "桜ヶ丘五丁目",
    "火曜の朝だけ",
    "秘密の集会所",
)


def distinctive_map(conn, district_id):
    alone = sm.add_person(
        conn,
        district_id,
        12.3,
        45.6,
        label="山田花子",
        flags=["alone", "dementia"],
        note="認知症がすすんでいる",
        area="桜ヶ丘五丁目",
    )
    helper = sm.add_person(conn, district_id, 98.7, 65.4, label="鈴木一郎", flags=["sewayaki"])
    place = sm.add_place(
        conn,
        district_id,
        77.7,
        11.1,
        kind="salon",
        label="秘密の集会所",
        opening_days="火曜の朝だけ",
    )
    return alone, helper, place


def assert_no_secrets(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text, word
    for number in ("12.3", "45.6", "98.7", "65.4", "77.7", "11.1"):
        assert number not in text, number


def test_office_counts_carry_no_names_notes_areas_or_positions(conn, district, meeting):
    alone, helper, place = distinctive_map(conn, district.id)
    sm.ensure_baseline(conn, meeting.id)
    sm.add_link(conn, helper.id, alone.id, kind="visit")
    sm.add_link(conn, alone.id, place.id, kind="attends")

    rows = office_counts(conn, district.id, meeting.id)
    assert_no_secrets(json.dumps(rows, ensure_ascii=False))
    counts = office_counts_dict(conn, district.id, meeting.id)
    assert (counts["persons"], counts["places"], counts["links"]) == (2, 1, 2)
    assert counts["flag:alone"] == counts["flag:dementia"] == counts["flag:sewayaki"] == 1
    assert counts["flag:hikikomori"] == 0
    assert counts["link:visit"] == counts["link:attends"] == 1
    assert counts["place:salon"] == 1
    assert counts["change:new_link"] == 2
    vocabulary = set(sm.FLAG_LABELS.values()) | set(sm.LINK_KIND_LABELS.values())
    vocabulary |= set(sm.STRENGTH_LABELS.values()) | set(sm.PLACE_KIND_LABELS.values())
    for category, label, count in rows:
        assert isinstance(count, int)
        if category.split(":")[0] in ("flag", "link", "strength", "place"):
            assert label in vocabulary


def test_unknown_stored_values_reach_the_office_only_as_other(conn, district):
    person = sm.add_person(conn, district.id, 1, 1)
    with sm._writing(conn, district.id):  # a value past validation (an older kit, a bug)
        sm._rewrite_node(conn, person, {"flags": ("山田花子",)})
    counts = office_counts_dict(conn, district.id)
    assert counts["flag:other"] == 1
    assert "山田花子" not in json.dumps(office_counts(conn, district.id), ensure_ascii=False)


def test_the_result_file_for_the_office_carries_no_map_details(conn, district, meeting, plan):
    """Every file inside the hand-over result file (事務局へ提出) is free of map details."""
    import io
    import zipfile

    handover = pytest.importorskip("kit.resultfile.write")
    alone, helper, _place = distinctive_map(conn, district.id)
    sm.add_link(conn, helper.id, alone.id, kind="watch")
    data, _manifest = handover.build_result_file(conn, plan, meeting.id)
    found_counts = False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name).decode("utf-8", errors="replace")
            assert_no_secrets(content)
            found_counts = found_counts or "flag:alone" in content
    assert found_counts  # the map's counts did go in
