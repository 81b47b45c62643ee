"""Screenshots of the 支え合いマップ page on the projector (1920×1080), sample city, findings on.

Run: ``python docs/make_screenshots_map.py`` (needs /usr/bin/chromium). It serves a demo
database (the sample city's maps carry over to today's meeting of さくら台地区), opens the
map page with the facilitator key, draws two new lines as the neighbours would, turns the
findings on and writes ``docs/screenshots/map_findings.png``; then selects a person and
writes ``docs/screenshots/map_editing.png``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.sample.city import DEMO_PASSPHRASE  # noqa: E402
from kit.store import meetings as meeting_store  # noqa: E402
from kit.supportmap import model as sm  # noqa: E402
from kit.supportmap import vault  # noqa: E402
from kit.supportmap.analysis import analyse_map  # noqa: E402
from tests.browser.helpers import KEY, PROJECTOR, KitServer, launch_chromium, open_page  # noqa: E402
from tests.browser.test_map import click_map  # noqa: E402

OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
WAIT = 60_000
FIGURE = ".tk-map-figure.js-plotly-plot"


def new_lines(server: KitServer) -> int:
    """Two lines drawn during today's meeting: one fills a 見守りの空白. Returns the id of a
    person to show in the side form."""
    conn = server.connect()
    try:
        vault.unlock(conn, DEMO_PASSPHRASE)
        meeting = meeting_store.current_meeting(conn)
        sm.ensure_baseline(conn, meeting.id)
        data = sm.load_map(conn, meeting.district_id)
        analysis = analyse_map(data)
        helpers = [p for p in data.persons if not any(sm.is_concern(f) for f in p.flags)]

        def nearest_helper(node):
            return min(helpers, key=lambda h: (h.x - node.x) ** 2 + (h.y - node.y) ** 2)

        gap = data.node(analysis.of_kind("watch_gap")[0].node_id)
        sm.add_link(conn, nearest_helper(gap).id, gap.id, kind="watch")
        busy = [p for p in data.persons if p.id not in analysis.node_ids("isolated")]
        other = busy[len(busy) // 2]
        sm.add_link(conn, nearest_helper(other).id, other.id, kind="chat", strength="occasional")
        return gap.id
    finally:
        conn.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    server = KitServer(Path(tempfile.mkdtemp(prefix="tasukeai-shots-")), demo=True, pool=0).start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            page = open_page(
                browser,
                server.url("map.ipynb", key=KEY),
                PROJECTOR,
                wait_for=".tk-map-gate .tk-map-passphrase input",
                timeout=120_000,
            )
            page.fill(".tk-map-passphrase input", DEMO_PASSPHRASE)
            page.click(".tk-map-gate-open")
            page.wait_for_selector(FIGURE, timeout=180_000)
            person_id = new_lines(server)
            page.wait_for_function(
                "document.querySelector('.tk-map-changes').innerText.includes('新しいつながり')",
                timeout=WAIT,
            )
            page.locator(".tk-map-findings").first.click()
            page.wait_for_function(
                """() => {
                    const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
                    const t = gd.data.find(d => d.meta === 'finding:isolated');
                    return t && t.visible === true;
                }""",
                timeout=WAIT,
            )
            page.wait_for_selector(".tk-map-summary .tk-map-finding-group", timeout=WAIT)
            page.mouse.move(5, 5)
            page.wait_for_timeout(800)  # let plotly finish drawing the rings
            page.screenshot(path=str(OUT / "map_findings.png"))

            page.locator(".tk-map-side .lm-TabBar-tab").first.click()
            page.locator(".tk-map-findings").first.click()
            node = page.evaluate(
                """(id) => {
                    const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
                    for (const t of gd.data) {
                        const i = (t.customdata || []).indexOf(id);
                        if (i >= 0 && String(t.meta).startsWith('persons')) return [t.x[i], t.y[i]];
                    }
                    return null;
                }""",
                person_id,
            )
            click_map(page, *node)
            page.wait_for_selector(".tk-map-form-fields", state="visible", timeout=WAIT)
            page.mouse.move(5, 5)
            page.wait_for_timeout(800)
            page.screenshot(path=str(OUT / "map_editing.png"))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {OUT / 'map_findings.png'} and {OUT / 'map_editing.png'}")


if __name__ == "__main__":
    main()
