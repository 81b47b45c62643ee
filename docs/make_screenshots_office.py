"""Screenshots of the office page (事務局のページ): the heatmap and the plan coverage (1920×1080).

Run: ``python docs/make_screenshots_office.py`` (needs /usr/bin/chromium). It makes a private
home folder, writes the sample city's result files into its ``~/.tasukeai/results``, serves
a demo database, opens the office page with the key, presses 「このフォルダーを集計する」 and
writes ``docs/screenshots/office_heatmap.png`` and ``docs/screenshots/office_coverage.png``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.plan import load_plan  # noqa: E402
from kit.resultfile.write import write_sample_result_files  # noqa: E402
from kit.sample.city import build_sample_city  # noqa: E402
from kit.store import open_store  # noqa: E402
from tests.browser.helpers import KEY, PROJECTOR, KitServer, click, launch_chromium, open_page  # noqa: E402

OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
WAIT = 90_000
COVERAGE_DISTRICT = "あおば東地区"


def prepare_home(home: Path) -> Path:
    """``home/.tasukeai/results`` with the sample city's closed meetings; returns the folder."""
    kit_dir = home / ".tasukeai"
    kit_dir.mkdir(parents=True, exist_ok=True)
    conn = open_store(":memory:")
    plan = load_plan()
    build_sample_city(conn, plan)
    write_sample_result_files(conn, plan, kit_dir)
    conn.close()
    return kit_dir / "results"


def show_tab(page, title: str) -> None:
    page.locator(".tk-office-tabs .lm-TabBar-tab", has_text=title).first.click()


def scroll_to(page, selector: str) -> None:
    page.evaluate(f"document.querySelector('{selector}').scrollIntoView({{block: 'start'}})")
    page.wait_for_timeout(800)  # let plotly finish drawing


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tasukeai-office-shots-"))
    home = work / "home"
    results = prepare_home(home)
    os.environ["HOME"] = str(home)  # the served kernels read ~/.tasukeai (office db, results)
    server = KitServer(work, demo=True, pool=1).start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            page = open_page(
                browser, server.url("office.ipynb", key=KEY), PROJECTOR, wait_for=".tk-office-page"
            )
            assert page.input_value(".tk-office-folder input") == str(results)
            click(page, "tk-office-compile")
            page.wait_for_function(
                "document.querySelector('.tk-office-report').innerText.includes('取り込み')",
                timeout=WAIT,
            )
            page.wait_for_selector(".tk-office-view-heatmap .js-plotly-plot", timeout=WAIT)
            scroll_to(page, ".tk-office-filters")
            page.screenshot(path=str(OUT / "office_heatmap.png"))

            # one district: its coverage shows policies it never raised and those with no action
            page.select_option(".tk-office-district select", label=COVERAGE_DISTRICT)
            page.wait_for_function(
                f"document.querySelector('.tk-office-summary').innerText.includes('{COVERAGE_DISTRICT}')",
                timeout=WAIT,
            )
            show_tab(page, "計画のカバー状況")
            page.wait_for_selector(".tk-office-view-coverage .js-plotly-plot", timeout=WAIT)
            scroll_to(page, ".tk-office-filters")
            page.screenshot(path=str(OUT / "office_coverage.png"))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {OUT / 'office_heatmap.png'} and {OUT / 'office_coverage.png'}")


if __name__ == "__main__":
    main()
