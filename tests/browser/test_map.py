"""支え合いマップ in a real browser: place, link, read the findings; tablets cannot open it.

The test gives the map its own fresh district (a new meeting, so it is the current one):
clicks land on empty paper, not on the sample city's people.
"""

from __future__ import annotations

import pytest

from kit.meeting import meetings
from kit.plan import load_plan
from kit.sample.city import DEMO_PASSPHRASE
from kit.store import meetings as meeting_store
from kit.supportmap import model as sm
from kit.supportmap import vault
from tests.browser.helpers import KEY, PROJECTOR, TABLET, open_page

FIGURE = ".tk-map-figure.js-plotly-plot"
GATE = ".tk-map-gate .tk-map-passphrase input"
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def map_district(kit_server):
    conn = kit_server.connect()
    try:
        meeting_store.upsert_district(conn, "t-map", "テスト用の地区")
        meetings.create_meeting(
            conn,
            district_id="t-map",
            title="マップの試験",
            held_on="2026-12-01",
            plan_id=load_plan().plan_id,
        )
    finally:
        conn.close()
    return "t-map"


def map_data(server, district_id):
    conn = server.connect()
    try:
        vault.unlock(conn, DEMO_PASSPHRASE)  # like any other kernel: the passphrase itself
        return sm.load_map(conn, district_id)
    finally:
        conn.close()


def open_map_page(chromium, server, passphrase: str = DEMO_PASSPHRASE):
    """The map page: the passphrase screen first, then the map."""
    page = open_page(
        chromium, server.url("map.ipynb", key=KEY), PROJECTOR, wait_for=GATE, timeout=120_000
    )
    assert page.locator(FIGURE).count() == 0  # nothing of the map before the passphrase
    page.fill(".tk-map-passphrase input", passphrase)
    page.click(".tk-map-gate-open")
    return page


def click_map(page, x: float, y: float) -> None:
    """Click the map at map coordinates (x, y) with the real mouse.

    Plotly takes the clicked point from its last hover, which it computes at most every
    50 ms: the mouse rests until the hover is over (x, y), then clicks.
    """
    px, py = page.evaluate(
        """([x, y]) => {
            const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            const fl = gd._fullLayout;
            return [box.left + fl.xaxis.l2p(x), box.top + fl.yaxis.l2p(y)];
        }""",
        [x, y],
    )
    page.mouse.move(px - 4, py - 4)
    page.mouse.move(px, py, steps=2)
    page.wait_for_function(
        """([x, y]) => {
            const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
            const h = gd._hoverdata;
            return h && h.length && Math.abs(h[0].x - x) <= 1.5 && Math.abs(h[0].y - y) <= 1.5;
        }""",
        arg=[x, y],
        timeout=TIMEOUT,
    )
    page.mouse.click(px, py)


def trace_length(page, meta: str) -> int:
    return page.evaluate(
        """(meta) => {
            const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
            const t = gd.data.find(d => d.meta === meta);
            return t && t.x ? t.x.filter(v => v !== null).length : 0;
        }""",
        meta,
    )


def wait_trace(page, meta: str, count: int) -> None:
    try:
        _wait_trace(page, meta, count)
    except Exception:
        print("feedback:", page.inner_text(".tk-map-feedback"), "count:", trace_length(page, meta))
        raise


def _wait_trace(page, meta: str, count: int) -> None:
    page.wait_for_function(
        """([meta, count]) => {
            const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
            if (!gd || !gd.data) return false;
            const t = gd.data.find(d => d.meta === meta);
            return t && t.x && t.x.filter(v => v !== null).length === count;
        }""",
        arg=[meta, count],
        timeout=TIMEOUT,
    )


def choose_mode(page, label: str) -> None:
    page.locator(".tk-map-mode button", has_text=label).first.click()
    page.wait_for_function(
        """(label) => [...document.querySelectorAll('.tk-map-hint')].some(e => e.innerText.length > 0)
             && [...document.querySelectorAll('.tk-map-mode button.mod-active')]
                .some(b => b.innerText.includes(label))""",
        arg=label,
        timeout=TIMEOUT,
    )


def test_a_wrong_passphrase_opens_nothing(chromium, kit_server, map_district):
    page = open_map_page(chromium, kit_server, "ちがう合言葉です")
    page.wait_for_function(
        "document.querySelector('.tk-map-gate-feedback').innerText.includes('合言葉が違います')",
        timeout=TIMEOUT,
    )
    assert page.locator(FIGURE).count() == 0
    assert page.input_value(".tk-map-passphrase input") == ""  # the typed text is not kept
    assert "二度と開けません" in page.inner_text(".tk-map-gate")  # forgetting it, explained
    page.context.close()


def test_place_link_and_see_the_isolated_person(chromium, kit_server, map_district):
    page = open_map_page(chromium, kit_server)
    page.wait_for_selector(FIGURE, timeout=180_000)
    assert "テスト用の地区" in page.inner_text(".tk-map-title")

    choose_mode(page, "人を置く")
    for index, (x, y) in enumerate(((30, 60), (60, 60), (120, 20)), start=1):
        click_map(page, x, y)
        wait_trace(page, "persons:helper", index)
    choose_mode(page, "場所を置く")
    click_map(page, 45, 30)
    wait_trace(page, "places", 1)
    data = map_data(kit_server, map_district)
    assert [n.label for n in data.persons] == ["Aさん", "Bさん", "Cさん"]
    assert [n.node_type for n in data.places] == ["place"]
    a, b, _c = data.persons
    assert (a.x, a.y) == pytest.approx((30, 60), abs=1.01)

    choose_mode(page, "線を引く")
    click_map(page, 30, 60)  # Aさん …
    page.wait_for_function(
        "document.querySelector('.tk-map-feedback').innerText.includes('Aさん')", timeout=TIMEOUT
    )
    click_map(page, 60, 60)  # … watches over Bさん
    wait_trace(page, "link:watch:strong", 3)  # source, arrowhead, target
    click_map(page, 60, 60)  # Bさん …
    page.wait_for_function(
        "document.querySelector('.tk-map-feedback').innerText.includes('「Bさん」から')",
        timeout=TIMEOUT,
    )
    click_map(page, 45, 30)  # … goes to the place
    wait_trace(page, "link:watch:strong", 6)
    links = map_data(kit_server, map_district).links
    assert [(lk.source_id, lk.target_id) for lk in links] == [
        (a.id, b.id),
        (b.id, data.places[0].id),
    ]

    page.locator(".tk-map-findings").first.click()
    page.wait_for_function(
        """() => {
            const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
            const t = gd.data.find(d => d.meta === 'finding:isolated');
            return t.visible === true && t.x.length === 1;
        }""",
        timeout=TIMEOUT,
    )
    ring = page.evaluate(
        """() => {
            const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
            const t = gd.data.find(d => d.meta === 'finding:isolated');
            return [t.x[0], t.y[0], t.visible, t.name];
        }"""
    )
    assert ring[:3] == [pytest.approx(120, abs=1.01), pytest.approx(20, abs=1.01), True]
    assert ring[3].startswith("孤立（つながりなし）")
    page.wait_for_function(
        "document.querySelector('.tk-map-figure .legend').textContent.includes('孤立（つながりなし）')",
        timeout=TIMEOUT,
    )
    page.wait_for_function(
        "document.querySelector('.tk-map-summary').innerText.includes('Cさん：つながりなし')",
        timeout=TIMEOUT,
    )
    assert page.outside_requests == []
    page.context.close()


def test_a_tablet_without_the_key_cannot_open_the_map(chromium, kit_server):
    for url in (kit_server.url("map.ipynb"), kit_server.url("map.ipynb", key="guess")):
        page = open_page(chromium, url, TABLET, wait_for=".tk-guard")
        assert "進行役の鍵が必要です" in page.inner_text(".tk-guard")
        assert page.locator(".tk-map-figure").count() == 0
        assert page.locator(".tk-map-page").count() == 0
        page.context.close()


def test_facilitator_page_links_to_the_map_without_the_key(chromium, kit_server, map_district):
    conn = kit_server.connect()
    try:
        meeting = meeting_store.current_meeting(conn)
        meetings.set_phase(conn, meeting.id, "map")
    finally:
        conn.close()
    page = open_page(chromium, kit_server.facilitator_url, PROJECTOR, wait_for=".tk-map-panel")
    href = page.get_attribute(".tk-map-open-link", "href")
    assert href == "map.ipynb"  # the session cookie opens it; no key in any link
    assert KEY not in page.content()
    assert page.locator(".tk-map-figure").count() == 0  # no FigureWidget on this page
    assert "人 " in page.inner_text(".tk-map-panel-findings")
    page.context.close()


def test_plotly_js_is_one_cached_static_file(kit_server):
    """The map figure draws with plotly.js from the laptop, cacheable for a year (never a CDN)."""
    import urllib.request

    from kit.resources import plotly_js_path, plotly_js_url

    request = urllib.request.Request(
        f"{kit_server.base}/{plotly_js_url()}", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
    import gzip

    assert gzip.decompress(body) == plotly_js_path().read_bytes()
    for path in ("/tasukeai/static/plotly.js", "/tasukeai/static/../../setup.py"):
        try:
            urllib.request.urlopen(f"{kit_server.base}{path}", timeout=30)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        else:
            raise AssertionError(f"{path} was served")


NAME_OVERLAPS = """() => {
    const boxes = [...document.querySelectorAll('.tk-map-figure .textpoint text')]
        .filter((t) => t.textContent.trim())
        .map((t) => [t.textContent, t.getBoundingClientRect()]);
    const pairs = [];
    for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i][1], b = boxes[j][1];
            const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (dx > 1 && dy > 1) pairs.push(boxes[i][0] + ' / ' + boxes[j][0]);
        }
    return [boxes.length, pairs];
}"""


def test_names_close_together_on_the_map_do_not_cover_one_another(chromium, kit_server):
    """People and places a few metres apart on the paper map (a shop and the 子ども食堂 next
    door, a family in one house): every name stays readable on the projector (issue 16)."""
    conn = kit_server.connect()
    try:
        meeting_store.upsert_district(conn, "t-crowd", "名前の重なる地区")
        meetings.create_meeting(
            conn, district_id="t-crowd", title="重なりの試験", held_on="2026-12-02",
            plan_id=load_plan().plan_id,
        )  # fmt: skip
        vault.unlock(conn, DEMO_PASSPHRASE)
        sm.add_place(conn, "t-crowd", 60, 50, label="まちかど商店")
        sm.add_place(conn, "t-crowd", 61, 49.5, label="こども食堂 にじいろ", kind="salon")
        for n, (x, y) in enumerate(((100, 70), (101.5, 70.5), (103, 69.5), (100.5, 68), (30, 20))):
            sm.add_person(conn, "t-crowd", x, y, label=f"{'ABCDE'[n]}さん", flags=("alone",) if n % 2 else ())
    finally:
        conn.close()
    page = open_map_page(chromium, kit_server)
    page.wait_for_selector(FIGURE, timeout=180_000)
    page.wait_for_function("() => document.querySelectorAll('.tk-map-figure .textpoint text').length >= 7")
    count, pairs = page.evaluate(NAME_OVERLAPS)
    assert count >= 7
    assert pairs == []
    page.context.close()
