"""The tablet side of a facilitator's transition, at 40 tablets without a browser.

A room of ``members`` tablets (``WidgetClient``: the widget protocol, as a tablet's browser
speaks it) joins while the meeting is in 準備; then the facilitator (through the store, as
the projector page does) moves the phase on and opens a vote, and we time, from that write:

- phase → issue form on every tablet: 準備 → 困りごと出し until every tablet holds the
  issue form (``tk-issue-send``) in its phase body;
- vote opened → ballot on every tablet: 投票 with a dot vote over ``items`` items opened at
  once, until every tablet holds the ballot's 投票する (``tk-vote-send``) in its vote body.

For each: the slowest tablet, the median tablet, the messages and bytes one tablet's
websocket carried for it, and the CPU seconds the server process and the kernels used.

With ``--browsers N`` the same two moments are timed in N real Chromium tablets
(``bench/room.py``: from the projector's click until the selector is visible on every
page), with a 16-item dot vote: 困りごと出し's 送る button, then the ballot's last slider and
投票する.

Run alone: ``python bench/tablet_rows.py [--members 40] [--items 5] [--baseline]`` or
``python bench/tablet_rows.py --browsers 12 [--items 16] [--baseline]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BaselineServer,
    CpuMeter,
    KitServer,
    kernel_pid,
    rss_mb,
    tree_rss_mb,
    wait_quiet,
)

from tests.browser.widget_client import PageError, WidgetClient, join  # noqa: E402


@dataclass
class Transition:
    """One facilitator action seen on every tablet."""

    what: str
    everywhere: float | None  # seconds until the slowest tablet showed it (None: some never did)
    median: float | None
    shown: int
    tablets: int
    messages: float  # websocket messages per tablet (median) from the action until shown
    kbytes: float  # their size per tablet (median, JSON text)
    cpu: dict[str, float] = field(default_factory=dict)


@dataclass
class RoomFigures:
    members: int
    joined: int
    transitions: list[Transition]
    member_kernel_mb: float | None
    server_mb: float | None
    idle_cpu: dict[str, float] = field(default_factory=dict)  # CPU s in IDLE_SECONDS, joined


def _store(server):
    from kit.store import open_store

    return open_store(server.db_path)


def _meeting(server):
    from kit.store import meetings as store

    conn = _store(server)
    try:
        return store.current_meeting(conn)
    finally:
        conn.close()


def set_phase(server, meeting_id: int, phase: str) -> None:
    from kit.meeting import meetings

    conn = _store(server)
    try:
        meetings.set_phase(conn, meeting_id, phase)
    finally:
        conn.close()


def open_dot_vote(server, meeting_id: int, items: int) -> int:
    """What 投票を始める does: a dot vote over ``items`` proposals, opened at once."""
    from kit.meeting import voting
    from kit.plan import load_plan

    conn = _store(server)
    try:
        vote = voting.create_vote(
            conn,
            meeting_id,
            [voting.proposal(f"案{n:02d}：見守りの輪を広げる") for n in range(1, items + 1)],
            plan=load_plan(),
            method="dots",
            dots=3,
            open_now=True,
        )
        return vote.id
    finally:
        conn.close()


def holds(client: WidgetClient, box_class: str, child_class: str) -> bool:
    """The tablet's ``box_class`` box lists a live ``child_class`` widget, shown (not in a
    part drawn ahead and hidden, ``tk-offstage``; inner widgets arrive before the box that
    holds them)."""
    box, child = client.find(box_class), client.find(child_class)
    if not (box and child):
        return False
    return any(
        _contains(client, c[len("IPY_MODEL_") :], child, 6)
        for c in client.state(box).get("children", ())
        if isinstance(c, str) and c.startswith("IPY_MODEL_")
    )


def _contains(client: WidgetClient, model_id: str, target: str, depth: int) -> bool:
    if model_id not in client.models:
        return False
    if "tk-offstage" in client.state(model_id).get("_dom_classes", ()):
        return False  # drawn ahead, not shown
    if model_id == target:
        return True
    if depth <= 0:
        return False
    return any(
        _contains(client, c[len("IPY_MODEL_") :], target, depth - 1)
        for c in client.state(model_id).get("children", ())
        if isinstance(c, str) and c.startswith("IPY_MODEL_")
    )


def issue_form_shown(client: WidgetClient) -> bool:
    return holds(client, "tk-phase-body", "tk-issue-send")


def ballot_shown(client: WidgetClient) -> bool:
    return holds(client, "tk-vote-body", "tk-vote-send")


IDLE_SECONDS = 10.0
V1_PROTOCOL = True  # --legacy: the JSON protocol (the server then decodes every message)
SPY_DIR: Path | None = None  # --spy: py-spy records of one member kernel and the server


def _spy(clients, server_pid: int, what: str):
    """py-spy on the first tablet's kernel and on the server while the transition runs."""
    import subprocess

    slug = "".join(ch for ch in what.split(" ")[0] if ch.isalnum()) or "t"
    pids = {"kernel": kernel_pid(server_pid, clients[0].kernel_id), "server": server_pid}
    procs = []
    for name, pid in pids.items():
        if pid:
            out = SPY_DIR / f"{slug}-{name}.txt"
            procs.append(subprocess.Popen(
                ["py-spy", "record", "-p", str(pid), "-d", "6", "-r", "200", "-f", "raw",
                 "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
    time.sleep(1.0)  # py-spy attached
    return procs


async def time_everywhere(
    clients: list[WidgetClient], what: str, action, shown, cpu: CpuMeter, timeout: float
) -> Transition:
    """Run ``action()`` and wait until ``shown(client)`` holds on every client."""
    marks = {id(c): len(c.received) for c in clients}
    at: dict[int, float] = {}
    upto: dict[int, int] = {}
    t0 = time.monotonic()

    def listener(client: WidgetClient, _message: dict) -> None:
        if id(client) not in at and shown(client):
            at[id(client)] = time.monotonic() - t0
            upto[id(client)] = len(client.received)

    for client in clients:
        client.listeners.append(listener)
    spies = _spy(clients, cpu.server_pid, what) if SPY_DIR else []
    cpu.lap()
    t0 = time.monotonic()
    action()
    deadline = t0 + timeout
    while len(at) < len(clients) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    used = cpu.lap()
    for spy in spies:
        spy.wait(timeout=30)
    for client in clients:
        client.listeners.remove(listener)
    counts, sizes = [], []

    for client in clients:
        if id(client) not in at:
            continue
        # what arrived until the tablet showed it: the transition's own traffic
        new = client.received[marks[id(client)] : upto[id(client)]]
        counts.append(len(new))
        sizes.append(sum(len(json.dumps(m, default=str)) for m in new) / 1000)
    times = sorted(at.values())
    await asyncio.sleep(1.0)  # let the stragglers' trailing updates settle
    return Transition(
        what=what,
        everywhere=times[-1] if len(times) == len(clients) else None,
        median=statistics.median(times) if times else None,
        shown=len(times),
        tablets=len(clients),
        messages=statistics.median(counts) if counts else float("nan"),
        kbytes=statistics.median(sizes) if sizes else float("nan"),
        cpu=used,
    )


async def _join_one(url: str, code: str, name: str, timeout: float) -> WidgetClient | None:
    client = WidgetClient(url, timeout=timeout, v1=V1_PROTOCOL)
    try:
        await client.open()
        await join(client, code, name, timeout=timeout)
        return client
    except (TimeoutError, PageError, OSError):
        await client.close()
        return None


async def run_room(
    server, *, members: int = 40, items: int = 5, timeout: float = 60.0, log=print
) -> RoomFigures:
    """Join ``members`` tablets in 準備, then time the two transitions on all of them."""
    wait_quiet(server.proc.pid)
    meeting = _meeting(server)
    set_phase(server, meeting.id, "setup")
    log(f"  {members} tablets joining in 準備 …")
    clients: list[WidgetClient] = []
    batch = 8  # a room's tablets arrive over a few seconds, not all in one instant
    for start in range(0, members, batch):
        got = await asyncio.gather(
            *(
                _join_one(server.member_url, meeting.join_code, f"部屋{n:02d}", 120)
                for n in range(start, min(start + batch, members))
            )
        )
        clients += [c for c in got if c is not None]
    log(f"  joined {len(clients)}/{members}")
    server_pid = server.proc.pid
    await asyncio.to_thread(wait_quiet, server_pid, limit=30)  # the tablets answer pings meanwhile
    cpu = CpuMeter(server_pid)
    await asyncio.sleep(IDLE_SECONDS)  # the room sitting still: what the polling costs
    idle = cpu.lap()
    transitions = []
    transitions.append(
        await time_everywhere(
            clients,
            "phase → issue form on every tablet",
            lambda: set_phase(server, meeting.id, "issues"),
            issue_form_shown,
            cpu,
            timeout,
        )
    )
    pid = kernel_pid(server_pid, clients[0].kernel_id) if clients else None
    member_mb = rss_mb(pid) if pid else None
    server_mb = tree_rss_mb(server_pid)
    await asyncio.to_thread(wait_quiet, server_pid, limit=30)  # the tablets answer pings meanwhile

    def start_vote() -> None:
        set_phase(server, meeting.id, "vote")
        open_dot_vote(server, meeting.id, items)

    transitions.append(
        await time_everywhere(
            clients,
            f"vote opened → ballot on every tablet ({items} items)",
            start_vote,
            ballot_shown,
            cpu,
            timeout,
        )
    )
    for client in clients:
        await client.close()
    return RoomFigures(members, len(clients), transitions, member_mb, server_mb, idle)


@dataclass
class BrowserFigures:
    tablets: int
    items: int
    issue_form: object  # room.Timing
    ballot: object
    join_median: float | None


BALLOT_SHOWN = ".tk-vote-body:has(.tk-vote-slider-{n} .noUi-handle) .tk-vote-send"


def run_browsers(server, *, tablets: int = 12, items: int = 16, log=print) -> BrowserFigures:
    """N Chromium tablets joined in 準備; the projector moves to 困りごと出し, then (after
    ``items`` issues were sent) to 投票 and presses 投票を始める over all of them."""
    from room import Room

    from kit.meeting import issues
    from kit.plan import load_plan
    from kit.store import meetings as store

    with Room(server, tablets) as room:
        log(f"  {len(room.tablets)} Chromium tablets joined")
        wait_quiet(server.proc.pid, limit=30)
        time.sleep(2.0)  # the pages settle (a room listens to the facilitator first)
        issue_form = room.time_until(
            lambda: room.click_projector("tk-phase-issues"), ".tk-issue-send", room.tablets
        )
        meeting = room.meeting()
        conn = _store(server)
        try:
            plan = load_plan()
            members = store.list_members(conn, meeting.id)
            for n in range(items):
                issues.submit_issue(
                    conn, plan, meeting.id, members[n % len(members)].id,
                    text=f"困りごと{n + 1:02d}：夜道が暗い", goal_id="1-(2)", seriousness=3,
                    reach=3,
                )  # fmt: skip
        finally:
            conn.close()
        room.click_projector("tk-phase-vote")
        room.projector.wait_for_selector(".tk-vote-open", timeout=120_000)
        wait_quiet(server.proc.pid, limit=30)
        time.sleep(2.0)
        ballot = room.time_until(
            lambda: room.click_projector("tk-vote-open"),
            BALLOT_SHOWN.format(n=items),
            room.tablets,
        )
        joins = sorted(room.join_seconds)
        return BrowserFigures(
            tablets, items, issue_form, ballot, joins[len(joins) // 2] if joins else None
        )


def browser_report(f: BrowserFigures) -> list[str]:
    def s(x):
        return "—" if x is None else f"{x:.2f} s"

    return [
        f"{f.tablets} Chromium tablets; join → task shown median {s(f.join_median)}",
        f"phase → issue form on every tablet: all {s(f.issue_form.all)}, median"
        f" {s(f.issue_form.median)} ({f.issue_form.missing} never)",
        f"投票を始める → ballot ({f.items} items) on every tablet: all {s(f.ballot.all)}, median"
        f" {s(f.ballot.median)} ({f.ballot.missing} never)",
    ]


def report(f: RoomFigures) -> list[str]:
    def s(x):
        return "—" if x is None else f"{x:.2f} s"

    lines = [f"tablets joined: {f.joined} of {f.members}"]
    for t in f.transitions:
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in t.cpu.items() if v >= 0.05)
        lines.append(
            f"{t.what}: all {s(t.everywhere)}, median {s(t.median)} ({t.shown}/{t.tablets});"
            f" per tablet {t.messages:.0f} messages, {t.kbytes:.0f} kB; CPU s: {cpu}"
        )
    idle = ", ".join(f"{k} {v:.1f}" for k, v in f.idle_cpu.items() if v >= 0.05)
    lines.append(f"CPU s in {IDLE_SECONDS:.0f} s with the room idle: {idle}")
    lines.append(
        f"member kernel RSS {f.member_kernel_mb or float('nan'):.0f} MiB; whole server"
        f" {f.server_mb or float('nan'):.0f} MiB"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--items", type=int, default=None, help="vote items (5; browsers 16)")
    parser.add_argument("--browsers", type=int, default=0, help="real Chromium tablets instead")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pool", type=int, default=None, help="member kernel pool (kit only)")
    parser.add_argument("--baseline", action="store_true", help="plain Voila instead of the kit")
    parser.add_argument("--legacy", action="store_true", help="legacy JSON websocket protocol")
    parser.add_argument("--spy", type=Path, help="write py-spy records (raw) into this folder")
    args = parser.parse_args()
    global SPY_DIR, V1_PROTOCOL
    SPY_DIR, V1_PROTOCOL = args.spy, not args.legacy
    if SPY_DIR:
        SPY_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="tasukeai-tablets-"))
    if args.browsers:
        server = (
            BaselineServer(workdir)
            if args.baseline
            else KitServer(workdir, demo=True, pool=args.pool or args.browsers + 2)
        )
        figures = run_browsers(server, tablets=args.browsers, items=args.items or 16)
        print("\n".join(browser_report(figures)))
        return
    args.items = args.items or 5
    if args.baseline:
        server = BaselineServer(workdir)
    else:
        server = KitServer(workdir, demo=True, pool=args.pool or args.members)
    server.start()
    try:
        figures = asyncio.run(
            run_room(server, members=args.members, items=args.items, timeout=args.timeout)
        )
    finally:
        server.stop()
    print("\n".join(report(figures)))


if __name__ == "__main__":
    main()
