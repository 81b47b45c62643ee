"""Screenshots of 困りごと出し: the tablet form (768×1024) and the projector board (1920×1080).

Run: ``python docs/make_screenshots_issues.py`` (needs /usr/bin/chromium). It serves a demo
database, fills today's meeting with the sample city's issues (``add_sample_issues``),
drives the pages and writes ``docs/screenshots/member_issue_form.png`` and
``docs/screenshots/projector_board.png``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.meeting import meetings  # noqa: E402
from kit.plan import load_plan  # noqa: E402
from kit.sample.city import NICKNAMES, SampleMeeting  # noqa: E402
from kit.sample.issues import add_sample_issues  # noqa: E402
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

OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
WAIT = 60_000


def fill_meeting(server: KitServer) -> str:
    """Today's demo meeting with members and the sample issues, in 困りごと出し; its join code."""
    conn = server.connect()
    try:
        plan = load_plan()
        meeting = meeting_store.current_meeting(conn)
        member_ids = tuple(
            meetings.join_meeting(conn, meeting.join_code, name)[1].id for name in NICKNAMES[:9]
        )
        sample = SampleMeeting(meeting.id, meeting.district_id, member_ids, False)
        add_sample_issues(conn, random.Random(7), plan, sample)
        meetings.set_phase(conn, meeting.id, "issues")
        return meeting.join_code
    finally:
        conn.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    server = KitServer(Path(tempfile.mkdtemp(prefix="tasukeai-shots-")), demo=True).start()
    try:
        code = fill_meeting(server)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            projector = open_page(
                browser, server.facilitator_url, PROJECTOR, wait_for=".tk-board-card"
            )
            projector.wait_for_selector(".tk-board-chart .js-plotly-plot", timeout=WAIT)
            projector.evaluate(
                "document.querySelector('.tk-board-title').scrollIntoView({block: 'start'})"
            )
            projector.wait_for_timeout(800)  # let plotly finish its transition
            projector.screenshot(path=str(OUT / "projector_board.png"))

            tablet = open_page(browser, server.member_url, TABLET, wait_for=".tk-join-form")
            join(tablet, code, "さくら")
            tablet.wait_for_selector(".tk-issue-form", timeout=WAIT)
            fill(
                tablet,
                "tk-issue-text",
                "夜になると公園の前の道が暗く、一人で歩くのがこわいという声がある",
            )
            click(tablet, "tk-goal-3-1")
            tablet.wait_for_selector(".tk-goal-3-1.tk-selected", timeout=WAIT)
            tablet.evaluate(
                "document.querySelector('.tk-phase-title').scrollIntoView({block: 'start'})"
            )
            tablet.wait_for_timeout(300)
            tablet.screenshot(path=str(OUT / "member_issue_form.png"))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {OUT / 'member_issue_form.png'} and {OUT / 'projector_board.png'}")


if __name__ == "__main__":
    main()
