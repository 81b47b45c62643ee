"""The facilitator's moments on the projector, with N real tablets joined (issue 11).

Rows (each "from the action until it is on the projector", timed in the page by
:meth:`room.Room.time_until`):

- 進行役のページ opened → controls usable (``.tk-phase-next`` visible), before the tablets
  come (a quiet room), first and returning visit;
- phase 困りごと出し → issue board with its chart on the projector;
- 投票を始める → turnout panel (``.tk-vote-turnout-box``);
- 締め切る (the confirm button) → result chart and table;
- 取組を追加 → the action listed;
- 事務局のページ opened → usable (``.tk-office-compile`` visible);
- the projector kernel's memory (RSS) at the end.

Issues and ballots are written through ``kit`` (as a tablet's kernel would) so the timed
moments are the projector's alone; the tablets are real pages that follow every phase.

    python bench/projector_rows.py [--tablets 12] [--baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import KEY, BaselineServer, KitServer, kernel_pid, rss_mb, wait_quiet  # noqa: E402
from room import Room, fmt  # noqa: E402

from tests.browser.helpers import PROJECTOR  # noqa: E402

SETTLE = 2.5  # seconds between moments: the room is quiet again, a panel may be prepared


def open_timed(room: Room, url: str, selector: str) -> tuple[object, float]:
    """A new page (its own context); seconds from navigation until ``selector`` is visible."""
    page = room.browser.new_context(viewport=PROJECTOR).new_page()
    page.set_default_timeout(120_000)
    started = time.monotonic()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, state="visible")
    return page, time.monotonic() - started


def measure(server, tablets: int, log=print) -> dict:
    from kit.meeting import issues, voting
    from kit.plan import load_plan
    from kit.store import meetings as store

    figures: dict = {}
    with Room(server, tablets=0, open_projector=False) as room:
        waited = wait_quiet(server.proc.pid, busy_below=0.1, limit=120)  # the pool is started
        log(f"  projector page, first visit (quiet room, after {waited:.0f} s)")
        page, first = open_timed(room, server.facilitator_url, ".tk-phase-next")
        page.context.close()
        wait_quiet(server.proc.pid, busy_below=0.1, limit=30)
        projector, again = open_timed(room, server.facilitator_url, ".tk-phase-next")
        figures["projector_open_first"], figures["projector_open_again"] = first, again
        log(f"    {fmt(first)} first, {fmt(again)} again")
        room.projector = projector
        code = room.meeting().join_code
        for number in range(tablets):
            room.tablets.append(room.join_tablet(code, f"委員{number + 1}"))
        log(f"  {tablets} tablets joined")
        time.sleep(SETTLE * 2)
        projector_pid = _page_kernel_pid(server, projector)

        def moment(key: str, action, selector: str, text: str | None = None) -> None:
            took = room.time_until(action, selector, [projector], text=text)
            figures[key] = took.all
            log(f"  {key}: {fmt(took.all)}")

        moment(
            "phase_to_board",
            lambda: room.click_projector("tk-phase-issues"),
            ".tk-board-chart .js-plotly-plot",
        )
        conn = server.connect()
        plan = load_plan()
        meeting = room.meeting()
        goals = [g.id for g in plan.goals()]
        members = store.list_members(conn, meeting.id)
        for n, member in enumerate(members[:16]):
            issues.submit_issue(conn, plan, meeting.id, member.id, text=f"困りごとの例 その{n + 1}",
                                goal_id=goals[n % len(goals)], seriousness=3, reach=3)  # fmt: skip
        projector.wait_for_selector(".tk-board-card", state="visible")
        time.sleep(SETTLE)
        room.click_projector("tk-phase-vote")
        projector.wait_for_selector(".tk-vote-open", state="visible")
        time.sleep(SETTLE)
        moment(
            "vote_open_to_turnout",
            lambda: room.click_projector("tk-vote-open"),
            ".tk-vote-turnout-box",
        )
        vote = voting.current_vote(conn, meeting.id)
        items = voting.vote_items(conn, vote.id)
        for n, member in enumerate(members):
            voting.cast_ballot(conn, vote.id, member.id, {items[n % len(items)].id: 1})
        projector.wait_for_selector(f'.tk-vote-turnout-box[data-voted="{len(members)}"]')
        time.sleep(SETTLE)
        room.click_projector("tk-vote-close")
        projector.wait_for_selector(".tk-vote-close-confirm", state="visible")
        moment(
            "close_to_result",
            lambda: room.click_projector("tk-vote-close-confirm"),
            ".tk-vote-result-chart .js-plotly-plot",
        )
        time.sleep(SETTLE)
        room.click_projector("tk-phase-wrapup")
        projector.wait_for_selector(".tk-wrapup-use-item", state="visible")
        time.sleep(SETTLE)
        room.click_projector("tk-wrapup-use-item")
        projector.locator(".tk-wrapup-who input").fill("民生委員")
        projector.locator(".tk-wrapup-due input").fill("2027-03-31")
        time.sleep(1.0)
        moment("action_added", lambda: room.click_projector("tk-wrapup-add"), ".tk-wrapup-action")
        conn.close()
        if projector_pid:
            figures["projector_kernel_mb"] = rss_mb(projector_pid)
        log("  office page")
        office, took = open_timed(room, server.url("office.ipynb", key=KEY), ".tk-office-compile")
        figures["office_open"] = took
        log(f"    {fmt(took)}")
        figures["load"] = os.getloadavg()
    return figures


def _page_kernel_pid(server, page) -> int | None:
    """The process of a page's kernel (Voila names the kernel in the page's config)."""
    try:
        kernel_id = page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
        )
        return kernel_pid(server.proc.pid, kernel_id) if kernel_id else None
    except Exception:  # noqa: BLE001 - memory is a side figure
        return None


ROWS = [
    ("進行役のページ opened → controls usable (first visit)", "projector_open_first", "≤ 1.5 s"),
    ("進行役のページ opened again → controls usable", "projector_open_again", "—"),
    ("phase → issue board on the projector", "phase_to_board", "≤ 1.0 s"),
    ("投票を始める → turnout panel on the projector", "vote_open_to_turnout", "≤ 1.0 s"),
    ("締め切る → result on the projector", "close_to_result", "≤ 1.0 s"),
    ("取組を追加 → listed", "action_added", "≤ 0.3 s"),
    ("事務局のページ opened → usable", "office_open", "≤ 2 s"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=12)
    parser.add_argument("--baseline", action="store_true", help="plain Voila instead of the kit")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tasukeai-projector-"))
    server = BaselineServer(work) if args.baseline else KitServer(work, pool=args.tablets + 2)
    figures = measure(server, args.tablets)
    print()
    for label, key, target in ROWS:
        print(f"{label}: {fmt(figures.get(key))} (goal {target})")
    if figures.get("projector_kernel_mb"):
        print(f"projector kernel RSS: {figures['projector_kernel_mb']:.0f} MiB")
    print(f"load average at the end: {figures.get('load')}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
