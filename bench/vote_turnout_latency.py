"""Time from the last ballot to the projector's turnout count (投票 N / M 人) changing.

Run: ``python bench/vote_turnout_latency.py [--runs 20] [--mode tablet|store|both]``
(needs /usr/bin/chromium). Serves a demo database, opens a dot vote in today's meeting and
the projector page in headless Chromium, then casts ``--runs`` ballots one at a time, each
from a different member, with a random pause between them:

- ``tablet``: ``--runs`` tablet pages are joined first; each moves a slider and presses
  「この内容で投票する」. Both times are taken in the browser with the same clock
  (``performance.timeOrigin + performance.now()``): the tablet records the click, the
  projector a MutationObserver's first sight of the new count. End to end: tablet kernel,
  SQLite commit, projector poll, widget message, DOM.
- ``store``: the ballot is written by this process through ``kit.meeting.voting.cast_ballot`` (as a
  tablet's kernel does); the time runs from the commit returning to the projector's DOM.

Prints every run, the median and the worst.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.meeting import meetings, voting  # noqa: E402
from kit.plan import load_plan  # noqa: E402
from kit.store import meetings as meeting_store  # noqa: E402
from tests.browser.helpers import (  # noqa: E402
    PROJECTOR,
    TABLET,
    KitServer,
    join,
    launch_chromium,
    open_page,
)

CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
WAIT = 60_000

WATCH_PROJECTOR = """
() => {
  window.__seen = {};
  const check = () => {
    const box = document.querySelector('.tk-vote-turnout-box');
    if (!box) return;
    const voted = box.dataset.voted;
    if (!(voted in window.__seen)) window.__seen[voted] = performance.timeOrigin + performance.now();
  };
  check();
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}
"""
WATCH_TABLET = """
() => {
  window.__clicks = [];
  document.addEventListener('click', (event) => {
    if (event.target.closest('.tk-vote-send')) {
      window.__clicks.push(performance.timeOrigin + performance.now());
    }
  }, true);
}
"""


def prepare(server: KitServer, members: int) -> tuple[str, int, list[int]]:
    """Today's meeting in 投票 with an open dot vote; (join code, vote id, store member ids)."""
    conn = server.connect()
    try:
        plan = load_plan()
        meeting = meeting_store.current_meeting(conn)
        meetings.set_phase(conn, meeting.id, "vote")
        member_ids = [
            meetings.join_meeting(conn, meeting.join_code, f"ベンチ{i:02d}")[1].id
            for i in range(members)
        ]
        vote = voting.create_vote(
            conn,
            meeting.id,
            [voting.proposal(t) for t in ("見守り当番", "サロン", "送迎")],
            plan=plan,
            open_now=True,
        )
        return meeting.join_code, vote.id, member_ids
    finally:
        conn.close()


def report(name: str, latencies: list[float]) -> None:
    print(f"{name}: runs={len(latencies)}")
    print("  each (s): " + ", ".join(f"{x:.3f}" for x in latencies))
    print(f"  median {statistics.median(latencies):.3f} s, worst {max(latencies):.3f} s")


def run_store(
    server: KitServer, projector, vote_id: int, member_ids: list[int], rng
) -> list[float]:
    conn = server.connect()
    items = [i.id for i in voting.vote_items(conn, vote_id)]
    start = voting.turnout(conn, vote_id).voted
    latencies = []
    try:
        for n, member_id in enumerate(member_ids, start=start + 1):
            time.sleep(rng.uniform(0.3, 1.0))
            voting.cast_ballot(conn, vote_id, member_id, {rng.choice(items): 1})
            committed = time.time() * 1000
            projector.wait_for_function(f"'{n}' in window.__seen", timeout=WAIT)
            seen = projector.evaluate(f"window.__seen['{n}']")
            latencies.append((seen - committed) / 1000)
    finally:
        conn.close()
    return latencies


def run_tablets(browser, server: KitServer, projector, code: str, runs: int, start: int, rng):
    tablets = []
    for number in range(runs):
        page = open_page(browser, server.member_url, TABLET, wait_for=".tk-join-form")
        join(page, code, f"タブレット{number:02d}")
        page.wait_for_selector(".tk-vote-slider-1", timeout=WAIT)
        page.evaluate(WATCH_TABLET)
        tablets.append(page)
        print(f"  tablet {number + 1}/{runs} ready", flush=True)
    latencies = []
    for n, page in enumerate(tablets, start=start + 1):
        handle = page.locator(".tk-vote-slider-1 .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_selector(".tk-vote-remaining-big[data-left='4']", timeout=WAIT)
        time.sleep(rng.uniform(0.3, 1.0))
        page.locator(".tk-vote-send").first.click()
        projector.wait_for_function(f"'{n}' in window.__seen", timeout=WAIT)
        clicked = page.evaluate("window.__clicks[window.__clicks.length - 1]")
        seen = projector.evaluate(f"window.__seen['{n}']")
        latencies.append((seen - clicked) / 1000)
        page.wait_for_selector(".tk-vote-done", timeout=WAIT)
    for page in tablets:
        page.context.close()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--mode", choices=("tablet", "store", "both"), default="both")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rng = random.Random(4)
    server = KitServer(Path(tempfile.mkdtemp(prefix="tasukeai-bench-")), demo=True).start()
    try:
        store_members = args.runs if args.mode in ("store", "both") else 0
        code, vote_id, member_ids = prepare(server, store_members)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            projector = open_page(
                browser, server.facilitator_url, PROJECTOR, wait_for=".tk-vote-turnout-box"
            )
            projector.evaluate(WATCH_PROJECTOR)
            voted = 0
            if args.mode in ("store", "both"):
                report(
                    "store commit → projector count",
                    run_store(server, projector, vote_id, member_ids, rng),
                )
                voted += args.runs
            if args.mode in ("tablet", "both"):
                latencies = run_tablets(browser, server, projector, code, args.runs, voted, rng)
                report("tablet click → projector count", latencies)
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
