"""A hostile tablet against the served kit (issue 12), over HTTP and the widget protocol.

- a photographed keyed URL (``?key=…``) opened from a tablet's own address (a network
  namespace with a veth pair this test makes; skipped with the reason when ``ip netns``
  cannot be used) is refused before any kernel starts;
- a kernel id with a made-up ``_xsrf`` cookie + header pair cannot attach, shut down or
  delete another browser's kernel; the page's own shutdown beacon ends its kernel at once;
- a kernel flood from one address stops at ``kernels_per_address`` with a Japanese page;
- same-name takeover, repeated joins from one page, a paper voter's name, code guessing;
- kernel ids and the key never reach the server's log; ``tasukeai key --rotate`` ends
  the facilitator's session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from kit.meeting import access, meetings, voting
from kit.store import meetings as store
from tests.browser.helpers import KEY, REPO, KitServer, current_meeting
from tests.browser.widget_client import PageError, WidgetClient, run
from tests.browser.widget_client import join as ws_join


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Listens on every address so a tablet in a network namespace can reach it."""
    kit = KitServer(
        tmp_path_factory.mktemp("attacks"),
        demo=True,
        extra_args=["--host", "0.0.0.0", "--kernels-per-address", "3"],
    )
    kit.start()
    yield kit
    kit.stop()


# --- a tablet with its own address ----------------------------------------------------------------
class Tablet:
    """A network namespace joined to this machine by a veth pair: a client that is not the laptop."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.ns, self.host_if, self.ns_if = f"tk{tag}", f"tkh{tag}", f"tkn{tag}"
        octet = int(tag[:2], 16) % 200 + 20
        self.laptop_ip, self.ip = f"10.213.{octet}.1", f"10.213.{octet}.2"

    def __enter__(self) -> Tablet:
        steps = [
            ["ip", "netns", "add", self.ns],
            ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if],
            ["ip", "link", "set", self.ns_if, "netns", self.ns],
            ["ip", "addr", "add", f"{self.laptop_ip}/30", "dev", self.host_if],
            ["ip", "link", "set", self.host_if, "up"],
            [
                "ip",
                "netns",
                "exec",
                self.ns,
                "ip",
                "addr",
                "add",
                f"{self.ip}/30",
                "dev",
                self.ns_if,
            ],
            ["ip", "netns", "exec", self.ns, "ip", "link", "set", self.ns_if, "up"],
            ["ip", "netns", "exec", self.ns, "ip", "link", "set", "lo", "up"],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode != 0:
                self.__exit__()
                pytest.skip(f"cannot make a network namespace ({' '.join(step)}): {done.stderr}")
        return self

    def __exit__(self, *_exc) -> None:
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)

    def python(self, code: str, timeout: float = 180) -> dict:
        """Run ``code`` inside the namespace; it prints one JSON line."""
        done = subprocess.run(
            ["ip", "netns", "exec", self.ns, sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.strip().splitlines()[-1])


def netns_available() -> str | None:
    if os.geteuid() != 0:
        return "needs root to make a network namespace"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    return None


GET_MANY = """
import json, sys, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
urls = {urls!r}
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=150) as r:
            return [r.status, r.read().decode(errors="replace")]
    except urllib.error.HTTPError as e:
        return [e.code, e.read().decode(errors="replace")]
with ThreadPoolExecutor(len(urls)) as pool:
    print(json.dumps(list(pool.map(get, urls)), ensure_ascii=False))
"""


def kernel_count(server: KitServer) -> int:
    conn = server.connect()
    try:
        return conn.execute("SELECT COUNT(*) FROM page_kernels").fetchone()[0]
    finally:
        conn.close()


def test_photographed_keyed_url_from_a_tablet_is_refused_without_a_kernel(server):
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    with Tablet() as tablet:
        before = kernel_count(server)
        base = f"http://{tablet.laptop_ip}:{server.port}/voila/render"
        urls = [
            f"{base}/{page}.ipynb{query}"
            for page in ("facilitator", "map", "office")
            for query in (f"?key={KEY}", "")
        ]
        answers = tablet.python(GET_MANY.format(urls=urls))
        for url, (status, body) in zip(urls, answers, strict=True):
            assert status == 403, (url, status)
            assert "このパソコンでだけ開けます" in body
            assert "kernelId" not in body and KEY not in body
        assert kernel_count(server) == before
        # the member page still opens from the tablet
        ((status, body),) = tablet.python(GET_MANY.format(urls=[f"{base}/member.ipynb"]))
        assert status == 200 and "kernelId" in body


def test_kernel_flood_from_one_address_stops_with_a_japanese_page(server):
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    with Tablet() as tablet:
        url = f"http://{tablet.laptop_ip}:{server.port}/voila/render/member.ipynb"
        answers = tablet.python(GET_MANY.format(urls=[url] * 10), timeout=300)
        statuses = [status for status, _ in answers]
        assert statuses.count(200) <= 3, statuses
        refused = [body for status, body in answers if status == 503]
        assert len(refused) >= 7
        assert all("多すぎます" in body or "混み合って" in body for body in refused)
        assert all("kernelId" not in body for body in refused)


def test_forged_xsrf_pair_reaches_no_kernel_and_the_beacon_ends_its_own(server):
    async def scenario():
        victim = await WidgetClient(server.member_url).open()
        attacker = WidgetClient(server.member_url, cookies={"_xsrf": "forged"})
        attacker.kernel_id = victim.kernel_id
        outcomes = {}
        try:
            await attacker.connect()
            outcomes["websocket"] = "open"
        except PageError as exc:
            outcomes["websocket"] = str(exc)
        outcomes["beacon"] = await attacker.shutdown(victim.kernel_id)
        for method in ("GET", "DELETE"):
            response = await attacker.fetch(
                f"{server.base}/api/kernels/{victim.kernel_id}",
                method=method,
                headers={"X-XSRFToken": "forged"},
                follow=False,
            )
            outcomes[method] = response.code
        # the page's own browser: the tab closes, the beacon carries the real _xsrf cookie
        await victim.close()
        outcomes["own beacon"] = await victim.shutdown()
        listed = await attacker.fetch(f"{server.base}/api/kernels", follow=False)
        sessions = await attacker.fetch(f"{server.base}/api/sessions", follow=False)
        outcomes["list"], outcomes["sessions"] = listed.code, sessions.code
        return outcomes, victim.kernel_id

    outcomes, kernel_id = run(scenario())
    assert "403" in outcomes["websocket"]
    assert outcomes["beacon"] == 403 and outcomes["GET"] == 403 and outcomes["DELETE"] == 403
    assert outcomes["own beacon"] == 204
    assert outcomes["list"] in (403, 404) and outcomes["sessions"] in (403, 404)
    conn = server.connect()
    try:
        assert access.page_kernel(conn, kernel_id) is None  # gone at once, not after 600 s
    finally:
        conn.close()


def test_widget_protocol_attacks_change_nothing(server):
    meeting = current_meeting(server)
    conn = server.connect()
    meetings.set_phase(conn, meeting.id, "issues")
    conn.close()

    async def scenario():
        owner = await WidgetClient(server.member_url).open()
        await ws_join(owner, meeting.join_code, "本物さん")
        # another device types the same name (full width, spaces)
        thief = await WidgetClient(server.member_url).open()
        await thief.update(thief.find("tk-join-code"), value=meeting.join_code)
        await thief.update(thief.find("tk-join-name"), value=" 本物さん ")
        await thief.handled(await thief.click(thief.find("tk-join-button")))
        waiting = thief.value("tk-join-feedback")
        # one page pressing 参加する again with made-up names
        for n in range(5):
            await owner.update(owner.find("tk-join-name"), value=f"架空{n}")
            await owner.handled(await owner.click(owner.find("tk-join-button")))
        # a reload of the owner's tablet resumes without the form
        reloaded = WidgetClient(server.member_url, cookies=owner.cookies)
        await reloaded.open()
        await reloaded.wait_for(
            lambda: "本物さん" in (reloaded.value("tk-member-status") or ""), what="resume"
        )
        # code guessing from a fresh page
        guesser = await WidgetClient(server.member_url).open()
        await guesser.update(guesser.find("tk-join-name"), value="あてずっぽう")
        messages = []
        for guess in range(7):
            await guesser.update(guesser.find("tk-join-code"), value=f"{222222 + guess}")
            await guesser.handled(await guesser.click(guesser.find("tk-join-button")))
            messages.append(guesser.value("tk-join-feedback"))
        await guesser.update(guesser.find("tk-join-code"), value=meeting.join_code)
        await guesser.handled(await guesser.click(guesser.find("tk-join-button")))
        messages.append(guesser.value("tk-join-feedback"))
        for client in (owner, thief, reloaded, guesser):
            await client.close()
        return waiting, messages

    waiting, messages = run(scenario())
    assert "進行役が前のスクリーンで確認します" in waiting
    assert "しばらく受け付けません" in messages[-1]  # even the right code must wait now
    conn = server.connect()
    try:
        names = [m.display_name for m in store.list_members(conn, meeting.id)]
        assert names.count("本物さん") == 1 and not any(n.startswith("架空") for n in names)
        assert "あてずっぽう" not in names
        claims = conn.execute("SELECT COUNT(*) FROM join_claims WHERE status = 'pending'")
        assert claims.fetchone()[0] == 1  # the projector asks once
    finally:
        conn.close()


def test_frames_with_a_made_up_part_count_do_not_stall_the_laptop(server):
    """jupyter_server trusts a binary frame's first word (its count of parts): 2**31 - 1 on
    the legacy format built a format string of two billion codes, blocking every page."""
    meeting = current_meeting(server)
    conn = server.connect()
    meetings.set_phase(conn, meeting.id, "issues")
    conn.close()

    async def scenario():
        legacy = await WidgetClient(server.member_url).open()
        browser_like = await WidgetClient(server.member_url, v1=True).open()
        assert browser_like.v1
        await legacy.send_raw(b"\x7f\xff\xff\xff" + bytes(12))
        await browser_like.send_raw((2**62).to_bytes(8, "little") + bytes(16))
        await browser_like.send_raw(b"\x06\x00")  # shorter than its own count
        start = time.monotonic()
        for client in (legacy, browser_like):
            await ws_join(client, meeting.join_code, f"数え{int(client.v1)}さん", timeout=20)
        took = time.monotonic() - start
        for client in (legacy, browser_like):
            await client.close()
        return took

    assert run(scenario()) < 15  # the same sockets still answer: nothing was blocked
    from kit.serving.logs import log_path_for

    log = log_path_for(server.db_path).read_text(errors="replace")
    assert "struct.error" not in log and "MemoryError" not in log


def test_no_tablet_takes_over_a_paper_voter(server, plan_for_server):
    meeting = current_meeting(server)
    conn = server.connect()
    meetings.set_phase(conn, meeting.id, "vote")
    vote = voting.create_vote(
        conn,
        meeting.id,
        [voting.proposal("紙A"), voting.proposal("紙B")],
        plan=plan_for_server,
        open_now=True,
    )
    items = voting.vote_items(conn, vote.id)
    paper, _ = voting.cast_paper_ballot(conn, vote.id, {items[0].id: 3}, new_name="かみのひと")
    conn.close()

    async def scenario():
        tablet = await WidgetClient(server.member_url).open()
        await tablet.update(tablet.find("tk-join-code"), value=meeting.join_code)
        await tablet.update(tablet.find("tk-join-name"), value="かみのひと")
        await tablet.handled(await tablet.click(tablet.find("tk-join-button")))
        text = tablet.value("tk-join-feedback")
        await tablet.close()
        return text

    assert "紙で参加しています" in run(scenario())
    conn = server.connect()
    try:
        ballot = voting.my_ballot(conn, vote.id, paper.id)
        assert ballot.is_paper and ballot.choices == {items[0].id: 3}
        voting.close_vote(conn, vote.id)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def plan_for_server():
    from kit.plan import load_plan

    return load_plan()


def test_rotating_the_key_ends_the_facilitators_session(server):
    async def opened():
        projector = await WidgetClient(server.facilitator_url).open()
        await projector.close()
        return projector.cookies

    cookies = run(opened())
    assert cookies.get("tk_session")
    done = subprocess.run(
        [sys.executable, "-m", "kit.cli", "key", "--rotate", "--db", str(server.db_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    new_key = done.stdout.split("新しい鍵（人に見せないでください）: ")[1].split()[0]

    async def attempt(url, jar=None):
        page = WidgetClient(url, cookies=jar)
        try:
            await page.open()
        except PageError as exc:
            return str(exc)
        found = bool(page.find("tk-phase-next"))
        await page.close()
        return found

    assert "403" in str(run(attempt(server.url("facilitator.ipynb"), cookies)))
    assert "403" in str(run(attempt(server.url("facilitator.ipynb", key=KEY))))
    assert run(attempt(server.url("facilitator.ipynb", key=new_key))) is True


def test_kernel_ids_and_the_key_never_reach_the_log(server):
    from kit.serving.logs import log_path_for

    log_file = log_path_for(server.db_path)
    text = server.log_path.read_text(errors="replace")
    if log_file.exists():
        text += log_file.read_text(errors="replace")
    conn = server.connect()
    try:
        live = [r[0] for r in conn.execute("SELECT kernel_id FROM page_kernels")]
    finally:
        conn.close()
    assert live, "no kernel to look for"
    assert "Kernel" in text  # the server did log about kernels…
    for kernel_id in live:
        assert kernel_id not in text  # …but never their ids
    assert KEY not in text
