"""Time from a member pressing 「この内容で送る」 to the issue showing on the projector.

Run: ``python bench/issue_latency.py [--runs 20]`` (needs /usr/bin/chromium). Serves a demo
database, opens the projector page and one tablet page in headless Chromium, and sends
``--runs`` issues. Both times are taken inside the browser with the same clock
(``performance.timeOrigin + performance.now()``): the tablet records the click on the send
button, the projector a MutationObserver's first sight of the issue's text. Prints every
run, the median and the worst.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.meeting import meetings  # noqa: E402
from kit.store import meetings as meeting_store  # noqa: E402
from tests.browser.helpers import (  # noqa: E402
    PROJECTOR,
    TABLET,
    KitServer,
    click,
    fill,
    join,
    launch_chromium,
    open_page,
)

CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
WAIT = 60_000
GOALS = ("1-(1)", "1-(2)", "2-(1)", "2-(2)", "3-(1)", "3-(2)", "4-(1)", "4-(2)")

WATCH_PROJECTOR = """
() => {
  window.__seen = {};
  window.__want = [];
  const check = () => {
    const board = document.querySelector('.tk-board-groups');
    if (!board) return;
    const text = board.innerText;
    const now = performance.timeOrigin + performance.now();
    for (const marker of window.__want) {
      if (!(marker in window.__seen) && text.includes(marker)) window.__seen[marker] = now;
    }
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""
WATCH_TABLET = """
() => {
  window.__clicks = [];
  document.addEventListener('click', (event) => {
    if (event.target.closest('.tk-issue-send')) {
      window.__clicks.push(performance.timeOrigin + performance.now());
    }
  }, true);
}
"""


def goal_class(goal_id: str) -> str:
    return "tk-goal-" + goal_id.replace("-(", "-").rstrip(")")


def measure(runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    server = KitServer(Path(tempfile.mkdtemp(prefix="tasukeai-bench-")), demo=True).start()
    try:
        conn = server.connect()
        meeting = meeting_store.current_meeting(conn)
        meetings.set_phase(conn, meeting.id, "issues")
        conn.close()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            projector = open_page(
                browser, server.facilitator_url, PROJECTOR, wait_for=".tk-board-groups"
            )
            tablet = open_page(browser, server.member_url, TABLET, wait_for=".tk-join-form")
            join(tablet, meeting.join_code, "計測さん")
            tablet.wait_for_selector(".tk-issue-form", timeout=WAIT)
            projector.evaluate(WATCH_PROJECTOR)
            tablet.evaluate(WATCH_TABLET)
            latencies = []
            for run in range(runs):
                marker = f"計測{run:02d}号"
                projector.evaluate("m => window.__want.push(m)", marker)
                fill(tablet, "tk-issue-text", f"{marker}：夜道が暗くて歩くのがこわい")
                goal = GOALS[run % len(GOALS)]
                click(tablet, goal_class(goal))
                tablet.wait_for_selector(f".{goal_class(goal)}.tk-selected", timeout=WAIT)
                click(tablet, "tk-issue-send")
                projector.wait_for_function(
                    "m => m in window.__seen", arg=marker, timeout=WAIT, polling=50
                )
                tablet.wait_for_function(
                    "() => document.querySelector('.tk-issue-text textarea').value === ''",
                    timeout=WAIT,
                )
                clicked = tablet.evaluate("() => window.__clicks[window.__clicks.length - 1]")
                seen = projector.evaluate("m => window.__seen[m]", marker)
                latencies.append((seen - clicked) / 1000)
                print(f"run {run + 1:2d}: {latencies[-1]:.3f} s", flush=True)
            browser.close()
        return latencies
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    latencies = measure(args.runs)
    print(
        f"send → projector, {len(latencies)} runs: median {statistics.median(latencies):.3f} s,"
        f" worst {max(latencies):.3f} s, best {min(latencies):.3f} s"
    )


if __name__ == "__main__":
    main()
