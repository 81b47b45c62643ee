"""A meeting room for the browser benchmarks: a projector page and N tablets in real Chromium.

:class:`Room` serves the demo database (the kit's server or plain Voila, the same notebooks),
opens the facilitator's page on a 1920×1080 "projector" and ``tablets`` member pages at
768×1024, each joined under its own name, and times the moments the room waits for:

    with Room(KitServer(work, demo=True, pool=14), tablets=12) as room:
        took = room.time_until(lambda: room.click_projector("tk-phase-issues"),
                               ".tk-issue-send", room.tablets)
        print(took.all)           # seconds until the selector was visible on every page

A moment is timed in the pages themselves: before the action, each page gets a watcher that
looks once per drawn frame (``requestAnimationFrame``; a 250 ms timer besides) and writes
``Date.now()`` when the selector (and an optional text in it) is first visible; after the
action the watchers are read. So the figure is "from the action until it is on the screen",
whatever the order in which Playwright polls the pages, on the one clock of this machine.
The watcher looks once a frame, not at every change of the page: a look lays the page out
(``offsetParent``, ``getBoundingClientRect``), and looking at every change (a
MutationObserver) laid each tablet out ~40 times while a 16-item ballot came in — 240 ms of
the renderer's time, as much as the page's own work (a Chromium trace, 2026-12-02).

Run alone: ``python bench/room.py [--tablets 12] [--baseline]`` joins the room and prints how
long the joins took (a smoke test of the harness).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BaselineServer, KitServer  # noqa: E402

from tests.browser.helpers import CHROMIUM_ARGS, PROJECTOR, TABLET  # noqa: E402

CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
PAGE_TIMEOUT_MS = 120_000

WATCH_JS = """([selector, text]) => {
  const seen = () => [...document.querySelectorAll(selector)].some((e) => {
    if (e.offsetParent === null) return false;
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    return text === null || e.innerText.includes(text);
  });
  window.__tkSeenAt = null;
  if (window.__tkWatch) window.__tkWatch();
  let watching = true;
  const check = () => {
    if (watching && seen()) {
      window.__tkSeenAt = Date.now();
      window.__tkWatch();
    }
  };
  const frame = () => {
    check();
    if (watching) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const timer = setInterval(check, 250);  // a page whose frames were paused
  window.__tkWatch = () => { watching = false; clearInterval(timer); window.__tkWatch = null; };
  return seen();
}"""


@dataclass(frozen=True)
class Timing:
    """Seconds from an action until a selector was visible, on each watched page."""

    each: tuple[float | None, ...]  # None: not seen within the timeout

    @property
    def all(self) -> float | None:
        """Until it was on every page (None when a page never showed it)."""
        return None if any(t is None for t in self.each) else max(self.each)

    @property
    def median(self) -> float | None:
        seen = [t for t in self.each if t is not None]
        return statistics.median(seen) if seen else None

    @property
    def missing(self) -> int:
        return sum(t is None for t in self.each)


class Room:
    """A served meeting with a projector page and ``tablets`` joined tablets (sync Playwright)."""

    def __init__(self, server: KitServer, tablets: int = 12, *, open_projector: bool = True):
        self.server = server
        self.tablet_count = tablets
        self.open_projector = open_projector
        self.projector = None
        self.tablets: list = []
        self.join_seconds: list[float] = []
        self._playwright = None
        self.browser = None

    # --- setting up ---------------------------------------------------------------------------
    def __enter__(self) -> Room:
        from playwright.sync_api import sync_playwright

        self.server.start(timeout=180)
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *OFFLINE_ARGS]
        )
        try:
            if self.open_projector:
                self.projector = self.open(self.server.facilitator_url, PROJECTOR, ".tk-page")
            code = self.meeting().join_code
            for number in range(self.tablet_count):
                self.tablets.append(self.join_tablet(code, f"委員{number + 1}"))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_exc) -> None:
        if self.browser is not None:
            self.browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self.server.stop()

    def open(self, url: str, viewport=TABLET, wait_for: str = ".tk-page"):
        """A page in its own browser context (its own cookies, as a separate device)."""
        page = self.browser.new_context(viewport=viewport).new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(wait_for, timeout=PAGE_TIMEOUT_MS)
        return page

    def join_tablet(self, code: str, name: str):
        page = self.open(self.server.member_url, TABLET, ".tk-join-form, .tk-task")
        started = time.monotonic()
        page.locator(".tk-join-code input").fill(code)
        page.locator(".tk-join-name input").fill(name)
        page.locator(".tk-join-button").first.click()
        page.wait_for_selector(".tk-task", state="visible", timeout=PAGE_TIMEOUT_MS)
        self.join_seconds.append(time.monotonic() - started)
        return page

    def meeting(self):
        from kit.store import meetings as store

        conn = self.server.connect()
        try:
            return store.current_meeting(conn)
        finally:
            conn.close()

    # --- acting as the facilitator ----------------------------------------------------------------
    def click_projector(self, css_class: str) -> None:
        self.projector.locator(f".{css_class}").first.click()

    # --- timing a moment ------------------------------------------------------------------------
    def time_until(
        self,
        action: Callable[[], object],
        selector: str,
        pages: Sequence,
        *,
        text: str | None = None,
        timeout: float = 60.0,
    ) -> Timing:
        """Run ``action``; seconds until ``selector`` (holding ``text``) is visible on each page.

        A page that already shows it before the action counts as 0 s (say so with a
        ``text`` or selector that only the new screen has).
        """
        for page in pages:
            page.evaluate(WATCH_JS, [selector, text])
        started_ms = time.time() * 1000
        action()
        deadline = time.monotonic() + timeout
        seen: list[float | None] = [None] * len(pages)
        while time.monotonic() < deadline and any(t is None for t in seen):
            for n, page in enumerate(pages):
                if seen[n] is None:
                    at = page.evaluate("window.__tkSeenAt")
                    if at is not None:
                        seen[n] = max(0.0, (at - started_ms) / 1000)
            if any(t is None for t in seen):
                time.sleep(0.1)
        for page in pages:
            page.evaluate("() => window.__tkWatch && window.__tkWatch()")
        return Timing(tuple(seen))


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=12)
    parser.add_argument("--baseline", action="store_true", help="plain Voila instead of the kit")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tasukeai-room-"))
    server = BaselineServer(work) if args.baseline else KitServer(work, pool=args.tablets + 2)
    with Room(server, args.tablets) as room:
        joins = room.join_seconds
        print(f"{len(joins)} tablets joined; join → task shown: median "
              f"{statistics.median(joins):.2f} s, worst {max(joins):.2f} s")  # fmt: skip
        took = room.time_until(
            lambda: room.click_projector("tk-phase-issues"), ".tk-issue-send", room.tablets
        )
        print(f"phase → issue form on every tablet: {fmt(took.all)} (median {fmt(took.median)},"
              f" {took.missing} never)")  # fmt: skip


if __name__ == "__main__":
    main()
