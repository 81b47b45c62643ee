"""Crash safety: the server is killed (SIGKILL) while members send issues and vote.

Tablets talk to the server over the kernel websocket as their browsers would
(``widget_client``); one real Chromium tablet is there too. At a moment when requests are in
flight the whole server is killed with SIGKILL, then started again on the same database and
port. Every issue and ballot a tablet saw confirmed (「送りました」) must still be there,
the meeting in the same phase, the store intact, and the tablets carry on after reloading.
A ballot that was sent but not yet confirmed may or may not have landed — but if it did, it
is exactly what was sent.
"""

from __future__ import annotations

import asyncio
import time

import psutil
import pytest

from kit.meeting import meetings, voting
from kit.plan import load_plan
from kit.store import issues as issue_store
from kit.store import meetings as store
from tests.browser.helpers import TABLET, KitServer, click, fill, join, open_page, reload
from tests.browser.widget_client import (
    PageError,
    WidgetClient,
    cast_dots,
    run,
    send_issue,
)
from tests.browser.widget_client import join as ws_join

pytestmark = pytest.mark.slow

NAMES = [f"再起動{n}" for n in range(6)]
BROWSER_NAME = "ブラウザさん"
KILL_AFTER = 10  # confirmed writes before the kill
PER_TABLET = 40  # upper bound of sends per tablet (the kill comes long before)
WAIT = 30_000


def kernel_pids(server: KitServer) -> list[int]:
    try:
        children = psutil.Process(server.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p.pid for p in children if "ipykernel" in " ".join(p.cmdline())]


def crash(server: KitServer) -> list[int]:
    """SIGKILL the server's process group; return the pids of its kernels at that moment."""
    kernels = kernel_pids(server)
    server.kill()
    server.crashed_kernels = kernels
    return kernels


def restart_after_crash(server: KitServer) -> KitServer:
    """The killed server's kernels must go too; start again on the same DB and port."""
    kernels = server.crashed_kernels
    assert kernels, "no kernels were found under the server"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(p) for p in kernels):
        time.sleep(0.2)
    left = [p for p in kernels if alive(p)]
    for pid in left:  # never leave them behind, whatever the assertion says
        psutil.Process(pid).kill()
    assert not left, f"kernels outlived the killed server: {left}"
    restarted = KitServer(server.workdir, demo=False, pool=2)
    restarted.port, restarted.base = server.port, server.base
    restarted.start()
    return restarted


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stored_state(server: KitServer):
    conn = server.connect()
    try:
        meeting = store.current_meeting(conn)
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        members = {m.display_name: m.id for m in store.list_members(conn, meeting.id)}
        texts = {i.text for i in issue_store.list_issues(conn, meeting.id)}
        return meeting, integrity, foreign, members, texts
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    box = {"server": KitServer(tmp_path_factory.mktemp("crash"), demo=True, pool=2).start()}
    yield box
    box["server"].stop()


DEVICE_COOKIES: dict[str, dict[str, str]] = {}
"""Each websocket tablet's cookies (its device secret), kept across the crash as a tablet keeps them."""


async def open_tablets(url: str, code: str, names: list[str]) -> list[WidgetClient]:
    async def one(name: str) -> WidgetClient:
        client = await WidgetClient(url, timeout=60, cookies=DEVICE_COOKIES.get(name)).open()
        if client.find("tk-join-button") and name not in (client.value("tk-member-status") or ""):
            await ws_join(client, code, name)
        DEVICE_COOKIES[name] = dict(client.cookies)
        return client

    return list(await asyncio.gather(*(one(n) for n in names)))


async def until(predicate, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not predicate() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


async def send_issues_until_killed(server: KitServer, code: str) -> dict[str, list[str]]:
    """Every tablet sends issues one after another; SIGKILL once KILL_AFTER are confirmed."""
    tablets = await open_tablets(server.member_url, code, NAMES)
    confirmed: dict[str, list[str]] = {n: [] for n in NAMES}

    async def keep_sending(client: WidgetClient, name: str) -> None:
        for n in range(PER_TABLET):
            text = f"{name}の困りごと{n:02d}：街灯が切れている"
            try:
                await send_issue(client, text, timeout=30)
            except (PageError, TimeoutError, OSError):
                return
            confirmed[name].append(text)

    tasks = [asyncio.ensure_future(keep_sending(c, n)) for c, n in zip(tablets, NAMES, strict=True)]
    await until(lambda: sum(map(len, confirmed.values())) >= KILL_AFTER, 90)
    crash(server)
    await asyncio.wait(tasks, timeout=60)
    for client in tablets:
        await client.close()
    return confirmed


async def vote_until_killed(server: KitServer, code: str, items: int):
    """Every tablet casts and changes its dot ballot again and again; SIGKILL mid-way."""
    tablets = await open_tablets(server.member_url, code, NAMES)
    confirmed: dict[str, dict[int, int]] = {}
    in_flight: dict[str, dict[int, int]] = {}
    count = [0]

    async def keep_voting(client: WidgetClient, name: str, seed: int) -> None:
        for n in range(PER_TABLET):
            position = 1 + (seed + n) % items
            dots = dict.fromkeys(range(1, items + 1), 0) | {position: 1 + n % 3}
            in_flight[name] = dots
            try:
                await cast_dots(client, dots, timeout=30)
            except (PageError, TimeoutError, OSError):
                return
            confirmed[name] = dots
            count[0] += 1

    tasks = [
        asyncio.ensure_future(keep_voting(c, n, i))
        for i, (c, n) in enumerate(zip(tablets, NAMES, strict=True))
    ]
    await until(lambda: count[0] >= KILL_AFTER, 90)
    crash(server)
    await asyncio.wait(tasks, timeout=60)
    for client in tablets:
        await client.close()
    return confirmed, in_flight


async def carry_on_with_issue(server: KitServer, code: str, name: str) -> str:
    client = (await open_tablets(server.member_url, code, [name]))[0]
    text = f"{name}：再起動のあとも送れる"
    await send_issue(client, text)
    await client.close()
    return text


async def carry_on_with_ballot(server: KitServer, code: str, name: str, items: int):
    client = (await open_tablets(server.member_url, code, [name]))[0]
    dots = dict.fromkeys(range(1, items + 1), 0) | {items: 2}
    await cast_dots(client, dots)
    badge = client.value("tk-vote-badge")
    await client.close()
    return dots, badge


def ballot_by_position(server: KitServer, vote_id: int, member_id: int) -> dict[int, int] | None:
    conn = server.connect()
    try:
        positions = {item.id: item.position for item in voting.vote_items(conn, vote_id)}
        ballot = voting.my_ballot(conn, vote_id, member_id)
        return None if ballot is None else {positions[k]: v for k, v in ballot.choices.items()}
    finally:
        conn.close()


def nonzero(dots: dict[int, int] | None) -> dict[int, int] | None:
    return None if dots is None else {k: v for k, v in dots.items() if v}


def test_kill_while_sending_issues_then_while_voting(server, chromium):
    kit = server["server"]
    conn = kit.connect()
    meeting = store.current_meeting(conn)
    meetings.set_phase(conn, meeting.id, "issues")
    conn.close()

    # a real tablet, joined before the crash
    tablet = open_page(chromium, kit.member_url, TABLET, wait_for=".tk-join-form")
    join(tablet, meeting.join_code, BROWSER_NAME)
    tablet.wait_for_selector(".tk-issue-form", state="visible", timeout=WAIT)

    # --- 1. killed while six tablets send issues ------------------------------------------------
    confirmed = run(send_issues_until_killed(kit, meeting.join_code))
    assert sum(map(len, confirmed.values())) >= KILL_AFTER
    kit = server["server"] = restart_after_crash(kit)
    after, integrity, foreign, members, texts = stored_state(kit)
    assert integrity == "ok" and foreign == []
    assert after.id == meeting.id and after.phase == "issues"
    assert set(NAMES) | {BROWSER_NAME} <= set(members)
    missing = [t for sent in confirmed.values() for t in sent if t not in texts]
    assert missing == [], f"confirmed issues lost in the crash: {missing}"

    # tablets carry on: websocket tablets rejoin as the same members, the browser reloads
    text = run(carry_on_with_issue(kit, meeting.join_code, NAMES[0]))
    reload(tablet)  # the device cookie brings the member back: no join form
    tablet.wait_for_selector(".tk-issue-form", state="visible", timeout=WAIT)
    fill(tablet, "tk-issue-text", "ブラウザから：再起動のあとの困りごと")
    click(tablet, "tk-goal-2-1")
    tablet.wait_for_selector(".tk-goal-2-1.tk-selected", timeout=WAIT)
    click(tablet, "tk-issue-send")
    tablet.wait_for_selector(".tk-issue-feedback .tk-ok", timeout=WAIT)
    _, _, _, members_after, texts = stored_state(kit)
    assert members_after == members, "rejoining after the crash made new members"
    assert text in texts and "ブラウザから：再起動のあとの困りごと" in texts

    # --- 2. killed while six tablets vote ------------------------------------------------------
    conn = kit.connect()
    meetings.set_phase(conn, meeting.id, "vote")
    issue_ids = [i.id for i in issue_store.list_issues(conn, meeting.id)][:3]
    vote = voting.create_vote(
        conn,
        meeting.id,
        [voting.issue_item(i) for i in issue_ids],
        plan=load_plan(),
        dots=3,
        open_now=True,
    )
    conn.close()
    tablet.wait_for_selector(".tk-vote-send", timeout=WAIT)
    confirmed_ballots, in_flight = run(vote_until_killed(kit, meeting.join_code, 3))
    assert len(confirmed_ballots) >= 2
    kit = server["server"] = restart_after_crash(kit)
    after, integrity, foreign, members, _ = stored_state(kit)
    assert integrity == "ok" and foreign == []
    assert after.phase == "vote"
    conn = kit.connect()
    assert voting.get_vote(conn, vote.id).status == "open"
    conn.close()
    for name in NAMES:
        stored = nonzero(ballot_by_position(kit, vote.id, members[name]))
        allowed = [nonzero(confirmed_ballots.get(name)), nonzero(in_flight.get(name))]
        if name not in confirmed_ballots:
            allowed.append(None)
        assert stored in allowed, f"{name}: stored {stored}, confirmed/in flight {allowed}"

    # tablets carry on: change a ballot after rejoining; the browser tablet reloads and votes
    dots, badge = run(carry_on_with_ballot(kit, meeting.join_code, NAMES[1], 3))
    assert "tk-vote-done" in (badge or "")
    assert nonzero(ballot_by_position(kit, vote.id, members[NAMES[1]])) == nonzero(dots)
    reload(tablet)  # the device cookie brings the member back: no join form
    tablet.wait_for_selector(".tk-vote-plus-1", timeout=WAIT)
    click(tablet, "tk-vote-plus-1")
    tablet.wait_for_selector(".tk-vote-remaining-big[data-left='2']", timeout=WAIT)
    click(tablet, "tk-vote-send")
    tablet.wait_for_selector(".tk-vote-feedback .tk-ok", timeout=WAIT)
    assert ballot_by_position(kit, vote.id, members[BROWSER_NAME]) == {1: 1}
    tablet.context.close()
