"""Screenshots of every phase at tablet, phone and both projector sizes (issue 16).

Run: ``python docs/make_screenshots_screens.py`` (needs /usr/bin/chromium and axe-core from
``npm ci --prefix tests/browser/axe``). It serves a demo database and walks it through every
page state with ``tests/browser/screens_walk.ScreensWalk`` — the same walk the browser tests
measure — writing ``docs/screenshots/{tablet,phone}_<state>.png`` (768×1024, 390×844) and
``docs/screenshots/projector{1080,720}_<state>.png`` (1920×1080, 1280×720).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.helpers import KitServer, launch_chromium  # noqa: E402
from tests.browser.screens_walk import ScreensWalk  # noqa: E402

OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    server = KitServer(Path(tempfile.mkdtemp(prefix="tasukeai-shots-")), demo=True).start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            walk = ScreensWalk(browser, server, shots=OUT)
            try:
                walk.run()
            finally:
                walk.dump(REPO / "test-artifacts" / "screens_walk.json")
                browser.close()
    finally:
        server.stop()
    print(f"wrote the screenshots of every phase to {OUT}")


if __name__ == "__main__":
    main()
