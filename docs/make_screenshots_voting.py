"""Screenshots of 優先順位の投票: a tablet ballot (768×1024) and the closed result (1920×1080).

Run: ``python docs/make_screenshots_voting.py`` (needs /usr/bin/chromium). It serves a demo
database, gives today's meeting members and the sample issues, opens a dot vote over them
from the projector page, casts seven ballots and one paper ballot through ``kit.meeting.voting``,
fills a ballot on a tablet by slider, closes the vote on the projector and writes
``docs/screenshots/tablet_ballot.png`` and ``docs/screenshots/projector_vote_result.png``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.meeting import meetings, voting  # noqa: E402
from kit.plan import load_plan  # noqa: E402
from kit.sample.city import NICKNAMES, SampleMeeting  # noqa: E402
from kit.store import meetings as meeting_store  # noqa: E402
from tests.browser.helpers import (  # noqa: E402
    PROJECTOR,
    TABLET,
    KitServer,
    click,
    join,
    launch_chromium,
    open_page,
)

OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
WAIT = 60_000
SHOWN_ITEMS = 7
# Dots by item index: item 0 gets 10 dots from two enthusiasts, item 1 gets 10 from six
# members: a tie, and the spread shows how different the backing is.
BALLOTS = [
    {0: 5},
    {0: 5},
    {1: 2, 2: 2, 3: 1},
    {1: 2, 2: 1, 4: 2},
    {1: 1, 2: 2, 3: 2},
    {1: 2, 2: 2, 5: 1},
    {1: 2, 3: 2, 4: 1},
]
PAPER = {1: 1, 2: 2, 4: 2}
TABLET_DOTS = {3: 2, 5: 1}  # the tablet in the screenshot: 2 dots left


def prepare(server: KitServer) -> tuple[str, list[int]]:
    """Members and issues for today's demo meeting, moved to 投票; (join code, member ids)."""
    conn = server.connect()
    try:
        plan = load_plan()
        meeting = meeting_store.current_meeting(conn)
        member_ids = [
            meetings.join_meeting(conn, meeting.join_code, name)[1].id
            for name in NICKNAMES[1 : 1 + len(BALLOTS)]
        ]
        try:
            from kit.sample.issues import add_sample_issues

            sample = SampleMeeting(meeting.id, meeting.district_id, tuple(member_ids), False)
            add_sample_issues(conn, random.Random(7), plan, sample)
        except ImportError:  # without 困りごと: the vote is over typed proposals
            pass
        meetings.set_phase(conn, meeting.id, "vote")
        return meeting.join_code, member_ids
    finally:
        conn.close()


def cast(server: KitServer, member_ids: list[int]) -> None:
    conn = server.connect()
    try:
        meeting = meeting_store.current_meeting(conn)
        vote = voting.current_vote(conn, meeting.id)
        items = [i.id for i in voting.vote_items(conn, vote.id)]
        for member_id, ballot in zip(member_ids, BALLOTS, strict=True):
            voting.cast_ballot(conn, vote.id, member_id, {items[k]: v for k, v in ballot.items()})
        voting.cast_paper_ballot(
            conn, vote.id, {items[k]: v for k, v in PAPER.items()}, new_name="ゆり"
        )
    finally:
        conn.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    server = KitServer(Path(tempfile.mkdtemp(prefix="tasukeai-shots-")), demo=True).start()
    try:
        code, member_ids = prepare(server)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, CHROMIUM)
            projector = open_page(
                browser, server.facilitator_url, PROJECTOR, wait_for=".tk-vote-setup"
            )
            checks = projector.locator(".tk-vote-issue-check input")
            if checks.count() >= 2:  # vote on the first issues only, so the chart fits
                for index in range(SHOWN_ITEMS, checks.count()):
                    checks.nth(index).uncheck()
            else:
                for label in ("見守り声かけ当番をつくる", "集会所でサロンを開く", "買い物の送迎を試す",
                              "相談先の一覧を回覧する", "手助け隊をつくる", "募金の呼びかけを工夫する"):  # fmt: skip
                    projector.locator(".tk-vote-proposal-text input").fill(label)
                    click(projector, "tk-vote-proposal-add")
                    projector.wait_for_function(
                        f"document.querySelector('.tk-vote-proposal-list').innerText.includes('{label}')",
                        timeout=WAIT,
                    )
            click(projector, "tk-vote-open")
            projector.wait_for_selector(".tk-vote-turnout-box", timeout=WAIT)
            cast(server, member_ids)

            tablet = open_page(browser, server.member_url, TABLET, wait_for=".tk-join-form")
            join(tablet, code, "さくら")
            tablet.wait_for_selector(".tk-vote-slider-1", timeout=WAIT)
            for index, dots in TABLET_DOTS.items():
                handle = tablet.locator(f".tk-vote-slider-{index + 1} .noUi-handle").first
                handle.focus()
                for _ in range(dots):
                    handle.press("ArrowRight")
            tablet.wait_for_selector(".tk-vote-remaining-big[data-left='2']", timeout=WAIT)
            tablet.evaluate(
                "document.querySelector('.tk-vote-how').scrollIntoView({block: 'start'})"
            )
            tablet.locator(".tk-vote-slider-1 .noUi-handle").first.blur()
            tablet.wait_for_timeout(400)
            tablet.screenshot(path=str(OUT / "tablet_ballot.png"))
            click(tablet, "tk-vote-send")
            tablet.wait_for_selector(".tk-vote-done", timeout=WAIT)

            projector.wait_for_selector(
                f".tk-vote-turnout-box[data-voted='{len(BALLOTS) + 2}']", timeout=WAIT
            )
            click(projector, "tk-vote-close")
            click(projector, "tk-vote-close-confirm")
            projector.wait_for_selector(".tk-vote-chart .js-plotly-plot", timeout=WAIT)
            projector.evaluate(
                "document.querySelector('.tk-vote-panel').scrollIntoView({block: 'start'})"
            )
            projector.wait_for_timeout(800)  # let plotly finish drawing
            projector.screenshot(path=str(OUT / "projector_vote_result.png"))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {OUT / 'tablet_ballot.png'} and {OUT / 'projector_vote_result.png'}")


if __name__ == "__main__":
    main()
