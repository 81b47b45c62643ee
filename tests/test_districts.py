"""Districts typed in for a first meeting: one id per name, nothing half-written."""

from __future__ import annotations

import pytest

from kit.errors import ValidationError
from kit.meeting import districts, meetings
from kit.store import meetings as store
from kit.store import open_store
from kit.ui.context import PageContext
from kit.ui.facilitator import FacilitatorApp


def count(conn, table: str) -> int:
    return (
        len(store.list_districts(conn)) if table == "districts" else len(store.list_meetings(conn))
    )


def test_the_same_name_is_the_same_district_on_any_laptop(conn, tmp_path):
    first, added = districts.ensure_district(conn, "さくら台地区")
    assert added and first.id == districts.district_id_for("さくら台地区")
    again, added = districts.ensure_district(conn, "  さくら台　地区 ")
    assert (again, added) == (first, False)
    laptop = open_store(tmp_path / "laptop2.sqlite")
    try:
        assert districts.ensure_district(laptop, "さくら台地区")[0].id == first.id
    finally:
        laptop.close()


def test_office_ids_and_clashes(conn):
    district, _ = districts.ensure_district(conn, "みどり町地区", district_id="d07", city="架空市")
    assert (district.id, district.city) == ("d07", "架空市")
    with pytest.raises(ValidationError, match="すでに"):
        districts.ensure_district(conn, "ひばり地区", district_id="d07")
    with pytest.raises(ValidationError, match="すでに"):
        districts.ensure_district(conn, "みどり町地区", district_id="d08")
    with pytest.raises(ValidationError, match="ID"):
        districts.ensure_district(conn, "ひばり地区", district_id="../x")
    assert count(conn, "districts") == 1


@pytest.mark.parametrize("name", ["", "   ", "あ" * 31, "地区\x00名"])
def test_bad_names_are_refused_and_nothing_is_written(conn, name):
    with pytest.raises(ValidationError):
        districts.ensure_district(conn, name)
    assert count(conn, "districts") == 0


@pytest.mark.parametrize(
    "name",
    ["ａｂｃ地区", "<script>x</script>", "地区 名", "\u200b", "🏠地区", "a\nb", "x" * 30, "１２３"],
)
def test_any_text_is_a_district_or_a_japanese_message(name):
    conn = open_store(":memory:")
    try:
        try:
            district, _ = districts.ensure_district(conn, name)
        except ValidationError as exc:
            assert exc.message
            assert store.list_districts(conn) == []
        else:
            assert (
                district.name == districts.clean_district_name(name) and "\n" not in district.name
            )
            assert district.id.startswith("n-") and len(district.id) == 12
    finally:
        conn.close()


def test_a_meeting_with_a_new_district_is_all_or_nothing(conn, plan):
    with pytest.raises(ValidationError):
        meetings.create_meeting(
            conn, district_name="あおば地区", title="", held_on="2026-12-01", plan_id=plan.plan_id
        )
    assert count(conn, "districts") == 0 and count(conn, "meetings") == 0
    meeting = meetings.create_meeting(
        conn, district_name="あおば地区", title="第1回", held_on="2026-12-01", plan_id=plan.plan_id
    )
    assert store.get_district(conn, meeting.district_id).name == "あおば地区"
    with pytest.raises(ValidationError, match="地区を選ぶか"):
        meetings.create_meeting(conn, title="第2回", held_on="2026-12-02", plan_id=plan.plan_id)


def test_setup_form_on_a_fresh_database_types_a_new_district(conn, settings, plan):
    app = FacilitatorApp(PageContext(conn=conn, settings=settings, plan=plan))
    form = app.setup
    assert form.district_pick.layout.display == "none"  # nothing to pick yet
    assert form.widget.selected_index == 0  # the form is open
    form.create.click()
    assert "地区を選ぶか" in form.feedback.value and count(conn, "meetings") == 0
    form.district_new.value = "<b>ひがし</b>地区"
    form.title.value = "第1回"
    form.create.click()
    meeting = store.latest_meeting(conn)
    assert meeting is not None and app.ctx.meeting_id == meeting.id
    assert store.get_district(conn, meeting.district_id).name == "<b>ひがし</b>地区"
    assert "&lt;b&gt;" in form.feedback.value and "<b>" not in form.feedback.value
    assert form.district_pick.layout.display is None
    assert form.district_pick.value == meeting.district_id and form.district_new.value == ""
    assert "&lt;b&gt;ひがし" in app.title.value


def test_setup_form_typing_a_name_wins_over_the_picked_one(conn, settings, plan, district):
    app = FacilitatorApp(PageContext(conn=conn, settings=settings, plan=plan))
    form = app.setup
    assert form.district_pick.value == district.id
    form.district_new.value = "にし地区"
    assert form.district_pick.value == ""  # typing switches to 「新しい地区」
    form.title.value = "第1回"
    form.create.click()
    assert store.get_district(conn, store.latest_meeting(conn).district_id).name == "にし地区"
    form.district_new.value = "きた地区"
    form.district_pick.value = district.id  # picking clears the typed name
    assert form.district_new.value == ""
