"""Load generator: a room of tablets joining, sending an issue and a ballot, without a browser.

Each simulated tablet does what its browser would (``tests/browser/widget_client.py``):
``GET`` the member page, open the kernel's websocket, load the widget states, type the join
code and a name, press 参加する; then, in 困りごと出し, write an issue, pick a focus goal and
press 送る; then, once the facilitator has opened a dot vote, move the sliders and press
投票する. The projector page is open too, through its own websocket, and we watch its
turnout line (``tk-vote-turnout``).

Timeline (all on 127.0.0.1, bounded in time): the meeting is put in 困りごと出し; ``members``
tablets arrive evenly spread over ``spread`` seconds; each joins and sends its issue at
once. When every tablet is done (or has failed), the meeting moves to 投票 and a dot vote over
the first issues opens (as the facilitator would, through the store); the tablets cast
their ballots, again spread over ``spread`` seconds. At the end the store is read back.

Figures: tablets lost (any step not acknowledged, or acknowledged but missing from the
store: must be 0), time from the first tablet's arrival until all are usable (join form
loaded) and until all have joined, p50/p95 from pressing a button to the page's
acknowledgement (join, issue, ballot), time from the last ballot sent until the projector
shows the full turnout, and memory (one member kernel, the projector kernel, the whole
server with every tablet joined).

Run alone: ``python bench/loadgen.py [--members 40] [--spread 10] [--baseline]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
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
    Stats,
    kernel_pid,
    rss_mb,
    tree_rss_mb,
    uss_mb,
    wait_quiet,
)

from tests.browser.widget_client import (  # noqa: E402
    PageError,
    WidgetClient,
    cast_dots,
    join,
    send_issue,
)

GOALS = ("tk-goal-1-1", "tk-goal-1-2", "tk-goal-2-1", "tk-goal-2-2", "tk-goal-3-1", "tk-goal-4-1")
VOTE_ITEMS = 5
IDLE_SECONDS = 10.0
DOTS = 3
# The websocket protocol a browser's page speaks (binary v1: the server forwards the kernel's
# messages without decoding them). With the legacy JSON one the server decodes and re-encodes
# every message, which a tablet's browser never makes it do (``--legacy``).
V1_PROTOCOL = True


@dataclass
class Tablet:
    number: int
    name: str
    arrived: float = 0.0  # seconds after the burst started
    usable: float | None = None  # seconds after the burst started
    joined: float | None = None
    join_ack: float | None = None
    issue_ack: float | None = None
    ballot_sent: float | None = None
    ballot_ack: float | None = None
    kernel_id: str | None = None
    error: str = ""
    client: WidgetClient | None = field(default=None, repr=False)


@dataclass
class LoadFigures:
    members: int
    lost: int
    failures: list[str]
    all_usable: float | None
    all_joined: float | None
    usable: Stats
    join_ack: Stats
    issue_ack: Stats
    ballot_ack: Stats
    ballot_everywhere: float | None  # vote opened → the ballot on every tablet
    ballot_ack_after: Stats  # ballots sent once every tablet showed its ballot
    projector_catch_up: float | None
    member_kernel_mb: Stats
    member_kernel_uss_mb: Stats
    projector_kernel_mb: float | None
    server_mb: float | None
    issues_stored: int
    ballots_stored: int
    wall: float
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)  # phase → process → CPU s


def _meeting(server):
    from kit.store import meetings as store

    conn = server.connect()
    try:
        return store.current_meeting(conn)
    finally:
        conn.close()


def _set_phase(server, meeting_id: int, phase: str) -> None:
    from kit.meeting import meetings

    conn = server.connect()
    try:
        meetings.set_phase(conn, meeting_id, phase)
    finally:
        conn.close()


def _open_vote(server, meeting_id: int, issue_ids: list[int]) -> int:
    """What the facilitator does on the projector: a dot vote over some issues, opened."""
    from kit.meeting import voting
    from kit.plan import load_plan

    conn = server.connect()
    try:
        vote = voting.create_vote(
            conn,
            meeting_id,
            [voting.issue_item(i) for i in issue_ids],
            plan=load_plan(),
            method="dots",
            dots=DOTS,
            open_now=True,
        )
        return vote.id
    finally:
        conn.close()


def _stored(server, meeting_id: int, names: list[str], vote_id: int | None):
    """Read back what the store holds for the simulated tablets."""
    from kit.meeting import issues, voting
    from kit.store import meetings as store

    conn = server.connect()
    try:
        members = {m.display_name: m.id for m in store.list_members(conn, meeting_id)}
        issue_by_member = {}
        for issue in issues.open_issues(conn, meeting_id):
            issue_by_member.setdefault(issue.member_id, []).append(issue)
        ballot_members = (
            {b.member_id for b in voting.ballots(conn, vote_id)} if vote_id is not None else set()
        )
        return {
            name: (
                members.get(name),
                bool(issue_by_member.get(members.get(name))),
                members.get(name) in ballot_members,
            )
            for name in names
        }
    finally:
        conn.close()


async def _tablet_arrives(tablet: Tablet, url: str, code: str, t0: float, timeout: float) -> None:
    client = WidgetClient(url, timeout=timeout, v1=V1_PROTOCOL)
    tablet.client = client
    try:
        await client.open()
        tablet.kernel_id = client.kernel_id
        tablet.usable = time.monotonic() - t0
        tablet.join_ack = await join(client, code, tablet.name, timeout=timeout)
        tablet.joined = time.monotonic() - t0
        text = f"{tablet.name}の困りごと：夜道が暗くて歩くのがこわい（負荷試験）"
        tablet.issue_ack = await send_issue(
            client, text, GOALS[tablet.number % len(GOALS)], timeout=timeout
        )
    except (TimeoutError, PageError, OSError) as exc:
        tablet.error = f"{type(exc).__name__}: {exc}"


async def _tablet_votes(tablet: Tablet, items: int, t0: float, timeout: float) -> None:
    if tablet.error or tablet.client is None:
        return
    rng = random.Random(tablet.number)
    dots = dict.fromkeys(range(1, items + 1), 0)
    for _ in range(DOTS):
        dots[rng.randint(1, items)] += 1
    try:
        tablet.ballot_sent = time.monotonic() - t0
        tablet.ballot_ack = await cast_dots(tablet.client, dots, timeout=timeout)
    except (TimeoutError, PageError, OSError) as exc:
        tablet.error = f"ballot {type(exc).__name__}: {exc}"


TURNOUT = re.compile(r'data-voted="(\d+)"')


def _watch_ballot(number: int, shown_at: dict[int, float], t0: float):
    """A listener noting when the tablet's ballot is on its screen (in the panel's body)."""

    def check(client: WidgetClient, _message: dict) -> None:
        if number in shown_at:
            return
        body, send = client.find("tk-vote-body"), client.find("tk-vote-send")
        if body and send and f"IPY_MODEL_{send}" in client.state(body).get("children", ()):
            shown_at[number] = time.monotonic() - t0

    return check


def _watch_turnout(projector: WidgetClient, shown: dict[int, float], t0: float) -> None:
    found = TURNOUT.search(projector.text_of("tk-vote-turnout"))
    if found:
        shown.setdefault(int(found.group(1)), time.monotonic() - t0)


async def _spread(coroutines, spread: float):
    """Start each coroutine at an even interval over ``spread`` seconds; wait for all."""
    tasks = []
    step = spread / max(len(coroutines), 1)
    for i, coroutine in enumerate(coroutines):
        if i:
            await asyncio.sleep(step)
        tasks.append(asyncio.ensure_future(coroutine))
    await asyncio.gather(*tasks)


async def run_load(
    server, *, members: int = 40, spread: float = 10.0, timeout: float = 120.0, log=print
) -> LoadFigures:
    """The scenario above against a started ``server`` (KitServer or BaselineServer)."""
    wait_quiet(server.proc.pid)  # the server has settled (kernel pool filled) before the room fills
    started = time.monotonic()
    meeting = _meeting(server)
    _set_phase(server, meeting.id, "issues")
    projector = WidgetClient(server.facilitator_url, timeout=timeout, v1=V1_PROTOCOL)
    try:
        await projector.open()
    except (TimeoutError, PageError, OSError) as exc:
        log(f"  projector page failed: {exc}")
        projector = None
    cpu = CpuMeter(server.proc.pid, projector.kernel_id if projector else None)
    tablets = [Tablet(i, f"負荷{i:02d}") for i in range(members)]
    log(f"  {members} tablets arrive over {spread:.0f} s …")
    t0 = time.monotonic()
    for i, tablet in enumerate(tablets):
        tablet.arrived = i * spread / max(members, 1)
    await _spread(
        [_tablet_arrives(t, server.member_url, meeting.join_code, t0, timeout) for t in tablets],
        spread,
    )
    cpu_join = cpu.lap()
    joined = [t for t in tablets if t.joined is not None]
    log(f"  joined {len(joined)}/{members}; issues acknowledged "
        f"{sum(t.issue_ack is not None for t in tablets)}")  # fmt: skip

    # memory with every tablet joined (before the vote builds more widgets)
    server_pid = server.proc.pid
    member_pids = [
        pid
        for t in joined
        if t.kernel_id and (pid := kernel_pid(server_pid, t.kernel_id)) is not None
    ]
    member_mb = [rss_mb(pid) for pid in member_pids]
    member_uss = [uss_mb(pid) for pid in member_pids[:5]]
    projector_mb = None
    if projector is not None and (pid := kernel_pid(server_pid, projector.kernel_id)):
        projector_mb = rss_mb(pid)
    server_mb = tree_rss_mb(server_pid)

    # the vote
    issue_ids = []
    if joined:
        from kit.meeting import issues

        conn = server.connect()
        try:
            issue_ids = [i.id for i in issues.open_issues(conn, meeting.id)][:VOTE_ITEMS]
        finally:
            conn.close()
    vote_id = None
    catch_up = None
    cpu_vote: dict[str, float] = {}
    ballot_everywhere: float | None = None
    late_acks: list[float] = []
    if len(issue_ids) >= 2:
        _set_phase(server, meeting.id, "vote")
        vote_id = _open_vote(server, meeting.id, issue_ids)
        cpu.lap()
        opened = time.monotonic() - t0
        shown_at: dict[int, float] = {}
        for tablet in tablets:
            if tablet.client is not None and not tablet.error:
                tablet.client.listeners.append(_watch_ballot(tablet.number, shown_at, t0))
        log(f"  vote opened over {len(issue_ids)} issues; ballots over {spread:.0f} s …")
        shown: dict[int, float] = {}  # turnout count → when the projector first showed it
        if projector is not None:
            projector.listeners.append(lambda c, _m: _watch_turnout(c, shown, t0))
        await _spread([_tablet_votes(t, len(issue_ids), t0, timeout) for t in tablets], spread)
        voters = [t for t in tablets if t.ballot_ack is not None]
        cpu_vote = cpu.lap()
        if shown_at and len(shown_at) == len([t for t in tablets if t.joined is not None]):
            ballot_everywhere = max(shown_at.values()) - opened
        settled = opened + (ballot_everywhere or 0)
        late_acks = [t.ballot_ack for t in voters if t.ballot_sent >= settled]
        if projector is not None and voters:
            try:
                await projector.wait_for(
                    lambda: max(shown, default=0) >= len(voters), timeout=30, what="turnout"
                )
                seen = min(when for count, when in shown.items() if count >= len(voters))
                catch_up = seen - max(t.ballot_sent for t in voters)
            except (TimeoutError, PageError) as exc:
                log(f"  projector never showed {len(voters)} ballots: {exc}")
    else:
        log("  too few issues to vote on")

    # the room sitting still: what polling for changes costs
    cpu.lap()
    await asyncio.sleep(IDLE_SECONDS)
    cpu_idle = cpu.lap()

    # read back and count the lost tablets
    stored = _stored(server, meeting.id, [t.name for t in tablets], vote_id)
    failures = []
    for tablet in tablets:
        member_id, has_issue, has_ballot = stored[tablet.name]
        problems = []
        if tablet.error:
            problems.append(tablet.error)
        if tablet.join_ack is not None and member_id is None:
            problems.append("joined but not stored")
        if tablet.issue_ack is not None and not has_issue:
            problems.append("issue acknowledged but not stored")
        if tablet.ballot_ack is not None and not has_ballot:
            problems.append("ballot acknowledged but not stored")
        if vote_id is not None and tablet.ballot_ack is None and not problems:
            problems.append("no ballot")
        if problems:
            failures.append(f"{tablet.name}: {'; '.join(problems)[:300]}")
    for client in [projector, *(t.client for t in tablets)]:
        if client is not None:
            await client.close()
    usable = [t.usable for t in tablets if t.usable is not None]
    return LoadFigures(
        members=members,
        lost=len(failures),
        failures=failures,
        all_usable=max(usable) if len(usable) == members else None,
        all_joined=max(t.joined for t in joined) if len(joined) == members else None,
        usable=Stats([t.usable - t.arrived for t in tablets if t.usable is not None]),
        join_ack=Stats([t.join_ack for t in tablets if t.join_ack is not None]),
        issue_ack=Stats([t.issue_ack for t in tablets if t.issue_ack is not None]),
        ballot_ack=Stats([t.ballot_ack for t in tablets if t.ballot_ack is not None]),
        ballot_everywhere=ballot_everywhere,
        ballot_ack_after=Stats(late_acks),
        projector_catch_up=catch_up,
        member_kernel_mb=Stats(member_mb),
        member_kernel_uss_mb=Stats(member_uss),
        projector_kernel_mb=projector_mb,
        server_mb=server_mb,
        issues_stored=sum(1 for v in stored.values() if v[1]),
        ballots_stored=sum(1 for v in stored.values() if v[2]),
        wall=time.monotonic() - started,
        cpu={
            "joining and issues": cpu_join,
            "ballots": cpu_vote,
            f"{IDLE_SECONDS:.0f} s with the room idle": cpu_idle,
        },
    )


def report(f: LoadFigures) -> list[str]:
    def s(x):
        return "—" if x is None else f"{x:.2f} s"

    lines = [
        f"tablets lost: {f.lost} of {f.members}",
        f"all usable after: {s(f.all_usable)}; all joined after: {s(f.all_joined)}",
        f"page usable after arrival: p50 {f.usable.median:.2f} s, p95 {f.usable.pct(95):.2f} s,"
        f" worst {f.usable.worst:.2f} s",
        f"join → ack: p50 {f.join_ack.median:.3f} s, p95 {f.join_ack.pct(95):.3f} s",
        f"issue → ack: p50 {f.issue_ack.median:.3f} s, p95 {f.issue_ack.pct(95):.3f} s",
        f"ballot → ack: p50 {f.ballot_ack.median:.3f} s, p95 {f.ballot_ack.pct(95):.3f} s",
        f"vote opened → ballot on every tablet: {s(f.ballot_everywhere)}; ballots sent after"
        f" that → ack: p50 {f.ballot_ack_after.median:.3f} s, p95 {f.ballot_ack_after.pct(95):.3f} s"
        f" (n={len(f.ballot_ack_after.values)})",
        f"last ballot → projector turnout: {s(f.projector_catch_up)}",
        f"member kernel RSS: median {f.member_kernel_mb.median:.0f} MiB"
        f" (its own, USS: {f.member_kernel_uss_mb.median:.0f} MiB); projector kernel "
        f"{f.projector_kernel_mb or float('nan'):.0f} MiB; whole server {f.server_mb or 0:.0f} MiB",
        f"stored: {f.issues_stored} issues, {f.ballots_stored} ballots",
    ]
    for phase, used in f.cpu.items():
        if used:
            parts = ", ".join(f"{name} {seconds:.1f}" for name, seconds in used.items())
            lines.append(f"CPU seconds during {phase}: {parts}")
    lines += [f"  lost: {x}" for x in f.failures[:10]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--pool", type=int, default=None, help="member kernel pool (kit only; the room's size)"
    )
    parser.add_argument("--baseline", action="store_true", help="plain Voila instead of the kit")
    parser.add_argument("--legacy", action="store_true", help="legacy JSON websocket protocol")
    args = parser.parse_args()
    global V1_PROTOCOL
    V1_PROTOCOL = not args.legacy
    workdir = Path(tempfile.mkdtemp(prefix="tasukeai-load-"))
    if args.baseline:
        server = BaselineServer(workdir)
    else:
        # a kernel ready for every tablet, as run_all.py serves (the kit's default pool is
        # smaller, and the member page cap, 30 by default, is never below the pool)
        server = KitServer(workdir, demo=True, pool=args.pool or args.members)
    server.start()
    try:
        figures = asyncio.run(
            run_load(server, members=args.members, spread=args.spread, timeout=args.timeout)
        )
    finally:
        server.stop()
    print("\n".join(report(figures)))


if __name__ == "__main__":
    main()
