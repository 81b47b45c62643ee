"""The 支え合いマップ page and panel, driven from code: clicks go through the plotly handlers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from plotly.callbacks import Points

from kit.meeting import meetings
from kit.store import meetings as meeting_store
from kit.store import open_store
from kit.supportmap import model as sm
from kit.ui.context import PageContext
from tests.test_supportmap import png_bytes


@pytest.fixture
def ctx(conn, settings, plan, meeting):
    return PageContext(conn=conn, settings=settings, plan=plan)


@pytest.fixture
def app(ctx):
    from kit.ui.map_page import MapApp

    application = MapApp(ctx)
    yield application
    application.poller.stop()


def trace(app, meta):
    return next(t for t in app.figure.data if t.meta == meta)


def click_empty(app, x, y):
    layer = trace(app, "click")
    app._clicked_empty(
        layer, Points(point_inds=[0], xs=[x], ys=[y], trace_name="click", trace_index=0)
    )


def click_node(app, node_id):
    for t in app.figure.data:
        if t.meta in ("places", "persons:concern", "persons:helper") and t.customdata:
            if node_id in t.customdata:
                index = list(t.customdata).index(node_id)
                app._clicked_node(
                    t, Points(point_inds=[index], xs=[0], ys=[0], trace_name=t.name, trace_index=0)
                )
                return
    raise AssertionError(f"node {node_id} is not on the map")


def no_click(app):
    """Plotly calls every trace's handler; traces without the point get empty Points."""
    for t in app.figure.data:
        if t.meta == "click":
            app._clicked_empty(t, Points(point_inds=[], xs=[], ys=[], trace_name="", trace_index=0))
        else:
            app._clicked_node(t, Points(point_inds=[], xs=[], ys=[], trace_name="", trace_index=0))


def test_opens_the_current_meetings_district_and_takes_no_baseline(app, conn, meeting, district):
    assert app.district_id == district.id and app.meeting_id == meeting.id
    assert district.name in app.title.value
    assert sm.baseline(conn, meeting.id) is None  # the meeting takes it, not a page
    assert app.figure is not None and "tk-map-figure" in app.figure._dom_classes
    assert trace(app, "click").type == "heatmap"


def test_place_persons_and_a_place_by_clicking(app, conn, district):
    app.mode.value = "person"
    click_empty(app, 10.5, 20.5)
    click_empty(app, 30.5, 20.5)
    app.mode.value = "place"
    app.place_kind.value = "kodomo_shokudo"
    click_empty(app, 50.5, 50.5)
    data = sm.load_map(conn, district.id)
    assert [(n.label, n.x, n.y) for n in data.persons] == [
        ("Aさん", 10.5, 20.5),
        ("Bさん", 30.5, 20.5),
    ]
    assert [(n.label, n.kind) for n in data.places] == [("子ども食堂1", "kodomo_shokudo")]
    # the map shows them and the newest is selected, with its form
    helpers = trace(app, "persons:helper")
    assert list(helpers.text) == ["Aさん", "Bさん"]
    assert list(trace(app, "places").customdata) == [data.places[0].id]
    assert app.selected_id == data.places[0].id
    assert list(trace(app, "selected").x) == [50.5]
    assert app.form_fields.layout.display is None
    assert app.label.value == "子ども食堂1"
    assert "子ども食堂1" in app.feedback.value
    no_click(app)  # handlers of traces not clicked do nothing
    assert len(sm.load_map(conn, district.id).nodes) == 3


def test_a_click_outside_the_map_is_refused(app, conn, district):
    app.mode.value = "person"
    click_empty(app, 500, 20)
    assert "地図の外" in app.feedback.value
    assert sm.load_map(conn, district.id).nodes == ()


def test_pick_two_to_draw_a_link_then_duplicates_and_self_links_are_refused(app, conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 10, flags=["needs_watch"])
    app.refresh()
    app.mode.value = "link"
    app.link_kind.value = "watch"
    app.link_strength.value = "occasional"
    click_node(app, a.id)
    assert app.link_from_id == a.id
    assert list(trace(app, "link_from").x) == [10]
    assert "Aさん" in app.feedback.value
    click_node(app, b.id)
    links = sm.load_map(conn, district.id).links
    assert [(lk.source_id, lk.target_id, lk.kind, lk.strength) for lk in links] == [
        (a.id, b.id, "watch", "occasional")
    ]
    assert app.link_from_id is None
    assert "線を引きました：Aさん→Bさん（見守り）" in app.feedback.value
    line = trace(app, "link:watch:occasional")
    assert list(line.x[:3]) == [10, pytest.approx(17.2), 20]  # with the arrowhead on the way
    assert line.line.dash == "dot"

    click_node(app, a.id)
    click_node(app, b.id)
    assert "もうあります" in app.feedback.value
    click_node(app, a.id)
    click_node(app, a.id)
    assert "同じ人" in app.feedback.value
    assert app.link_from_id is None
    assert len(sm.load_map(conn, district.id).links) == 1


def test_crafted_click_messages_are_harmless(app, conn, district):
    helpers = trace(app, "persons:helper")
    app._clicked_node(
        helpers, Points(point_inds=[99], xs=[0], ys=[0], trace_name="", trace_index=0)
    )
    assert "見つかりません" in app.feedback.value
    app.mode.value = "person"
    click_empty(app, float("nan"), 10)
    assert "位置は数" in app.feedback.value
    click_empty(app, "10", 10)
    assert "位置は数" in app.feedback.value
    assert sm.load_map(conn, district.id).nodes == ()


def test_link_to_a_person_deleted_meanwhile_is_refused(app, conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 10)
    app.refresh()
    app.mode.value = "link"
    click_node(app, a.id)
    sm.delete_node(conn, b.id)  # e.g. from another window
    app._clicked_node(
        trace(app, "persons:helper"),
        Points(point_inds=[1], xs=[0], ys=[0], trace_name="", trace_index=0),
    )
    assert "削除されています" in app.feedback.value or "見つかりません" in app.feedback.value
    assert sm.load_map(conn, district.id).links == ()


def test_side_form_edits_flags_label_and_note_at_once(app, conn, district):
    app.mode.value = "person"
    click_empty(app, 10, 10)
    node_id = app.selected_id
    app.flag_boxes["alone"].value = True
    app.flag_boxes["needs_watch"].value = True
    assert sm.get_node(conn, node_id).flags == ("alone", "needs_watch")
    assert list(trace(app, "persons:concern").customdata) == [node_id]
    app.label.value = "Tさん"
    app.note.value = "朝の見守りが必要"
    app.area.value = "3丁目"
    node = sm.get_node(conn, node_id)
    assert (node.label, node.note, node.area) == ("Tさん", "朝の見守りが必要", "3丁目")
    app.note.value = "<script>alert(1)</script>"
    assert "&lt; と &gt;" in app.feedback.value
    assert sm.get_node(conn, node_id).note == "朝の見守りが必要"
    app.note.value = "ごみ出しが難しい"
    app.save_button.click()
    assert sm.get_node(conn, node_id).note == "ごみ出しが難しい"
    assert "保存しました" in app.feedback.value
    # a place's form has kind and opening days instead of flags
    app.mode.value = "place"
    click_empty(app, 60, 60)
    assert app.flags_box.layout.display == "none" and app.opening.layout.display is None
    app.opening.value = "毎週金曜"
    app.kind.value = "shop"
    place = sm.get_node(conn, app.selected_id)
    assert (place.opening_days, place.kind) == ("毎週金曜", "shop")


def test_delete_and_undo(app, conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 10)
    sm.add_link(conn, a.id, b.id, kind="visit")
    app.refresh()
    click_node(app, b.id)
    assert app.selected_id == b.id
    assert len(app.links_list.options) == 1
    app.delete_button.click()  # first it asks: deleting is for good
    assert app.delete_confirm.layout.display is None
    assert (
        "完全に削除" in app.delete_question.value and "元に戻せません" in app.delete_question.value
    )
    assert len(sm.load_map(conn, district.id).nodes) == 2
    app.delete_no.click()
    assert app.delete_confirm.layout.display == "none"
    assert len(sm.load_map(conn, district.id).nodes) == 2
    app.delete_button.click()
    app.delete_yes.click()
    assert "完全に削除しました" in app.feedback.value
    assert [n.id for n in sm.load_map(conn, district.id).nodes] == [a.id]
    assert app.selected_id is None and app.form_fields.layout.display == "none"
    # every undo step that named Bさん went with them: only placing Aさん is left
    assert app.undo_what.value == "直前の操作：「Aさん」を置いた"
    a2 = sm.add_person(conn, district.id, 30, 10)
    sm.add_link(conn, a.id, a2.id, kind="visit")
    app.refresh()
    click_node(app, a.id)
    app.links_list.value = app.links_list.options[0][1]
    app.link_delete.click()
    assert sm.load_map(conn, district.id).links == ()


def test_undo_with_nothing_to_undo(app):
    app.undo_button.click()
    assert "元に戻せる操作はありません" in app.feedback.value


def test_move_mode(app, conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    app.refresh()
    app.mode.value = "move"
    click_node(app, a.id)
    click_empty(app, 70.5, 40.5)
    assert (sm.get_node(conn, a.id).x, sm.get_node(conn, a.id).y) == (70.5, 40.5)
    assert "動かしました" in app.feedback.value


def test_findings_toggle_highlights_the_isolated_person(app, conn, district):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 10)
    lonely = sm.add_person(conn, district.id, 90, 90, label="ひとりさん", flags=["alone"])
    sm.add_link(conn, a.id, b.id, kind="chat")
    app.refresh()
    assert trace(app, "finding:isolated").visible is False
    app.findings_toggle.value = True
    isolated = trace(app, "finding:isolated")
    assert isolated.visible is True
    assert (list(isolated.x), list(isolated.y)) == ([90], [90])
    assert isolated.name.startswith("孤立（つながりなし）")
    assert app.side.selected_index == 1
    assert "ひとりさん" in app.summary.value and "つながりなし" in app.summary.value
    app.findings_toggle.value = False
    assert trace(app, "finding:isolated").visible is False
    assert lonely.id in trace(app, "persons:concern").customdata


def test_user_text_is_escaped_in_the_summary(app, conn, district):
    person = sm.add_person(conn, district.id, 10, 10)
    with sm._writing(conn, district.id):  # a label past validation (an older kit, a bug)
        sm._rewrite_node(conn, person, {"label": "<img src=x onerror=alert(1)>"})
    app.refresh()
    assert "<img" not in app.summary.value and "&lt;img" in app.summary.value
    assert all("<img" not in str(t) for t in trace(app, "persons:helper").text)


def test_changes_since_last_meeting(app, conn, district, plan, meeting):
    a = sm.add_person(conn, district.id, 10, 10)
    b = sm.add_person(conn, district.id, 20, 10)
    meetings.set_phase(conn, meeting.id, "closed")
    second = meetings.create_meeting(
        conn, district_id=district.id, title="第2回", held_on="2026-12-10", plan_id=plan.plan_id
    )
    meetings.set_phase(conn, second.id, "map")  # the meeting takes its baseline
    app.open_map(district.id, second.id)
    assert "前回の会議からの変化はまだありません" in app.changes.value
    app.mode.value = "link"
    click_node(app, a.id)
    click_node(app, b.id)
    assert "新しいつながり：Aさん→Bさん" in app.changes.value
    assert "孤立が解消：Bさん" in app.changes.value


def test_background_upload_checks_the_file(app, conn, district):
    def upload(content: bytes):
        app.upload.value = (
            {
                "name": "map.png",
                "type": "image/png",
                "size": len(content),
                "content": memoryview(content),
                "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            },
        )

    upload(b"<html>not an image</html>")
    assert "画像ではありません" in app.feedback.value
    assert sm.get_background(conn, district.id) is None
    upload(png_bytes(8, 5))
    assert "下絵を入れました" in app.feedback.value
    assert app.figure.layout.images[0].source.startswith("data:image/png;base64,")
    assert app.figure.layout.xaxis.showgrid is False
    app.background_remove.click()
    assert app.figure.layout.images == ()
    assert app.figure.layout.xaxis.showgrid is True


def test_handout_is_written_offline(app, conn, district, settings):
    sm.add_person(conn, district.id, 10, 10, label="Aさん", flags=["alone"])
    app.refresh()
    app.handout_button.click()
    assert "保存しました" in app.feedback.value
    assert str(settings.district_dir) in app.feedback.value  # it says where…
    assert "地区の外に出さないでください" in app.handout_result.value  # …and that it stays
    files = list(settings.district_dir.glob("map_*.html"))
    assert len(files) == 1
    assert not settings.results_dir.exists() or not list(settings.results_dir.rglob("*.html"))
    html = files[0].read_text(encoding="utf-8")
    assert "Aさん" in html and "孤立（つながりなし）" in html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", html)
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js is inside


def test_a_write_from_another_kernel_shows_up(app, conn, district, db_path):
    from tests.map_helpers import unlock_fast

    other = open_store(db_path)
    unlock_fast(other)
    sm.add_person(other, district.id, 33, 33, label="Zさん")
    other.close()
    assert app.poller.check()
    assert "Zさん" in trace(app, "persons:helper").text


def test_without_a_meeting_the_facilitator_picks_a_district(conn, settings, plan, district):
    from kit.ui.map_page import MapApp

    app = MapApp(PageContext(conn=conn, settings=settings, plan=plan))
    try:
        assert app.district_id is None and app.main.layout.display == "none"
        assert app.figure is None  # nothing heavy before a district is chosen
        app.district_choice.value = district.id
        assert app.meeting_choice.value is None
        app.open_button.click()
        assert app.district_id == district.id and app.main.layout.display is None
        app.mode.value = "person"
        click_empty(app, 5, 5)
        assert len(sm.load_map(conn, district.id).persons) == 1
    finally:
        app.poller.stop()


def test_summary_panel_for_the_facilitator_page(conn, settings, plan, meeting, district):
    from kit.supportmap import vault
    from kit.ui.map_summary import MapSummaryPanel

    a = sm.add_person(conn, district.id, 10, 10, label="Aさん", flags=["needs_watch"])
    meetings.set_phase(conn, meeting.id, "map")  # the meeting's baseline: Aさん alone
    vault.lock(conn)  # the facilitator page never holds the key
    ctx = PageContext(conn=conn, settings=settings, plan=plan, meeting_id=meeting.id)
    panel = MapSummaryPanel(ctx, query_string="key=k%26y+1")
    assert "見守りの空白：1" in panel.findings.value
    assert "人 1　場所 0　線 0" in panel.findings.value
    assert "Aさん" not in panel.findings.value + panel.changes.value  # counts, no names
    assert "前回の会議からの変化はまだありません" in panel.changes.value
    assert 'href="map.ipynb?key=k%26y%201"' in panel.link.value
    assert 'target="_blank"' in panel.link.value
    from tests.map_helpers import unlock_fast

    unlock_fast(conn)  # …while the map page (here: the same connection) edits
    b = sm.add_person(conn, district.id, 12, 10)
    sm.add_link(conn, b.id, a.id, kind="watch")
    vault.lock(conn)
    panel.refresh()
    assert "見守りの空白：0" in panel.findings.value
    assert "前回から増えた線：1" in panel.changes.value
    assert "見守りの空白が解消した人：1" in panel.changes.value


def test_summary_panel_without_a_key_links_without_one(conn, settings, plan, meeting, monkeypatch):
    from kit.ui.map_summary import MapSummaryPanel, map_page_url

    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert map_page_url() == "map.ipynb"
    monkeypatch.setenv("QUERY_STRING", "key=abc")
    panel = MapSummaryPanel(
        PageContext(conn=conn, settings=settings, plan=plan, meeting_id=meeting.id)
    )
    assert 'href="map.ipynb?key=abc"' in panel.link.value


def test_map_page_is_refused_without_the_key(settings):
    from kit.meeting import access
    from kit.ui.pages import map_page

    conn = open_store(settings.db_path)
    access.ensure_facilitator_key(conn, "right-key")
    conn.close()
    refused = map_page(settings, query_string="key=wrong", show=False)
    assert "tk-refused" in refused._dom_classes
    app = map_page(settings, query_string="key=right-key", show=False)
    assert app.__class__.__name__ == "MapApp"
    app.poller.stop()


def test_member_page_never_loads_the_map(settings):
    import subprocess
    import sys

    code = (
        "import sys; from kit.ui.member import MemberApp; "
        "bad = [m for m in sys.modules if m.startswith(('plotly', 'kit.supportmap.model', 'kit.ui.map', 'networkx'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_facilitator_page_shows_the_panel_in_the_map_phase(conn, settings, plan, meeting):
    from kit.ui.facilitator import FacilitatorApp

    meeting_store.set_phase(conn, meeting.id, "map")
    app = FacilitatorApp(PageContext(conn=conn, settings=settings, plan=plan))
    try:
        assert app.panel.__class__.__name__ == "MapSummaryPanel"
    finally:
        app.poller.stop()


# --- the figure widget (kit/ui/map_figure.py): what goes to the browser, what comes back ---------
def browser_click(app, meta, index, x, y):
    """The message the front end sends for a click (trace number, point number, x, y)."""
    number = next(n for n, t in enumerate(app.figure.data) if t.meta == meta)
    content = {"event": "click", "points": [{"trace": number, "index": index, "x": x, "y": y}]}
    app.figure._message(app.figure, content, [])


def test_the_figure_goes_as_json_without_plotlys_bundle_or_the_click_grid(app, district):
    from kit.resources import plotly_js_url

    sent = app.figure.figure
    assert [t.get("meta") for t in sent["data"]] == [t.meta for t in app.figure.data]
    click_layer = next(t for t in sent["data"] if t["meta"] == "click")
    assert "z" not in click_layer and len(click_layer["x"]) == 160  # zeros made in the browser
    assert len(app.figure._esm) < 20_000  # a small front end, not plotly's 5 MB widget bundle
    assert app.figure.plotly_url == plotly_js_url() and "?v=" in app.figure.plotly_url
    assert app.figure.loading_text == "地図を読み込み中…"
    assert app.figure.config["displayModeBar"] is False


def test_clicks_from_the_browser_place_and_select_through_the_kernels_figure(app, conn, district):
    app.mode.value = "person"
    browser_click(app, "click", 0, 12.5, 40.5)
    person = sm.load_map(conn, district.id).persons[0]
    assert (person.x, person.y) == (12.5, 40.5)
    app.mode.value = "select"
    app.selected_id = None
    browser_click(app, "persons:helper", 0, 999, 999)  # x, y of a node click are not used
    assert app.selected_id == person.id


def test_crafted_browser_messages_change_nothing(app, conn, district):
    app.mode.value = "person"
    for content in (
        None,
        "click",
        {"event": "click", "points": "all"},
        {"event": "click", "points": [{"trace": 10_000, "index": 0, "x": 5, "y": 5}]},
        {"event": "click", "points": [{"trace": True, "index": 0, "x": 5, "y": 5}]},
        {"event": "click", "points": [{"trace": "0", "index": 0, "x": 5, "y": 5}]},
        {"event": "unknown"},
    ):
        app.figure._message(app.figure, content, [])
    browser_click(app, "click", 0, "5", 5)
    assert "位置は数" in app.feedback.value
    browser_click(app, "click", 0, 900, 5)
    assert "地図の外" in app.feedback.value
    browser_click(app, "persons:helper", -1, 5, 5)
    browser_click(app, "persons:helper", "0", 5, 5)
    assert "見つかりません" in app.feedback.value
    assert sm.load_map(conn, district.id).nodes == ()


def test_outside_the_kits_server_the_kernel_sends_plotly_js_a_few_times_at_most(app):
    sent = []
    app.figure.send = lambda content, buffers=None: sent.append((content, buffers))
    for _ in range(5):
        app.figure._message(app.figure, {"event": "plotly"}, [])
    assert len(sent) == 3
    content, buffers = sent[0]
    assert content == {"event": "plotly"} and len(buffers[0]) > 1_000_000


def test_locking_forgets_the_figure_in_the_browser_too(app):
    assert app.figure.figure["data"]
    widget = app.figure
    app.lock_button.click()
    assert app.figure is None and widget.figure == {} and widget.images == []
    assert widget.data == ()
