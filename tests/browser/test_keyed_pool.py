"""The projector's page from the kernel pool (issue 11: opened → controls usable ≤ 1.5 s).

One kernel of ``facilitator.ipynb`` waits with its notebook run (``KEYED_POOL``); its page's
HTML, rendered ahead, holds only 「開いています…」 (the holder's view and its text repr) and
no facilitator widget. A request
without a live session is refused by the HTTP guard before any kernel is handed out (the
kernel's own check is the second line: ``tests/test_held_kernel.py``); an authorized one gets
the ready kernel and its controls; a reload, too, once the pool has refilled (3 s after).
"""

from __future__ import annotations

import re
import time

from kit.serving.logs import log_path_for
from tests.browser.helpers import KEY, PROJECTOR, current_meeting
from tests.browser.widget_client import PageError, WidgetClient, run

HANDED_OUT = "Using pre-heated kernel: <kernel> for facilitator.ipynb"
FILLED = "Kernel pool of facilitator.ipynb is filled"
CELL_OUTPUT = r'<script type="application/vnd\.voila\.cell-output\+json">(.*?)</script>'


def server_log(server) -> str:
    path = log_path_for(server.db_path)
    return path.read_text(errors="replace") if path.exists() else ""


def wait_for_pool(server, filled_before: int, timeout: float = 90) -> None:
    """Until the facilitator's pool has one more ready kernel than ``filled_before``."""
    deadline = time.monotonic() + timeout
    while server_log(server).count(FILLED) <= filled_before:
        assert time.monotonic() < deadline, "the facilitator's pool did not refill"
        time.sleep(0.2)


async def open_projector(url: str, cookies=None) -> WidgetClient:
    client = await WidgetClient(url, cookies=cookies).open()
    await client.wait_for(
        lambda: client.find("tk-phase-next") and client.shown(client.find("tk-phase-next")),
        what="the projector's controls",
        timeout=60,
    )
    await client.close()
    assert await client.shutdown() == 204  # the tab closes: its kernel ends
    return client


def test_requests_without_a_session_take_no_pooled_kernel(kit_server):
    wait_for_pool(kit_server, 0)
    handed_out = server_log(kit_server).count(HANDED_OUT)

    async def keyless(url: str, cookies=None) -> str:
        try:
            await WidgetClient(url, cookies=cookies).open()
        except PageError as exc:
            return str(exc)
        return "opened"

    page = kit_server.url("facilitator.ipynb")
    for url, cookies in (
        (page, None),
        (kit_server.url("facilitator.ipynb", key="guess"), None),
        (page, {"tk_session": "x" * 43}),  # a made-up session cookie
    ):
        assert "HTTP 403" in run(keyless(url, cookies))
    time.sleep(0.5)
    assert server_log(kit_server).count(HANDED_OUT) == handed_out  # the pool is untouched
    conn = kit_server.connect()
    try:
        assert conn.execute("SELECT COUNT(*) FROM page_kernels").fetchone()[0] == 0
    finally:
        conn.close()


def test_the_ready_kernel_opens_with_its_controls_and_its_html_says_nothing(kit_server):
    wait_for_pool(kit_server, 0)
    meeting = current_meeting(kit_server)
    client = run(open_projector(kit_server.facilitator_url))
    # The page's one output, rendered ahead in the pool: the holder's view and its text repr.
    (output,) = re.findall(CELL_OUTPUT, client.html, re.S)
    assert "tk-page-opening" in output
    assert "tk-phase" not in output and "tk-setup" not in output
    for secret in (meeting.join_code, meeting.title, KEY):
        assert secret not in client.html
    assert client.find("tk-page-opening") is None  # closed once the controls were shown


def test_a_reload_gets_a_ready_kernel_too(chromium, kit_server):
    wait_for_pool(kit_server, 0)
    filled = server_log(kit_server).count(FILLED)
    page = chromium.new_context(viewport=PROJECTOR).new_page()
    page.goto(kit_server.facilitator_url)
    page.wait_for_selector(".tk-phase-next", state="visible", timeout=60_000)
    first = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)")
    handed_out = server_log(kit_server).count(HANDED_OUT)
    wait_for_pool(kit_server, filled)  # the kernel that replaces the one just handed out
    started = time.monotonic()
    page.reload()
    page.wait_for_selector(".tk-phase-next", state="visible", timeout=60_000)
    took = time.monotonic() - started
    again = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)")
    assert again["kernelId"] != first["kernelId"]
    assert server_log(kit_server).count(HANDED_OUT) == handed_out + 1  # from the pool
    assert page.locator(".tk-page-opening").count() == 0  # closed: the controls are shown
    assert took < 15, took  # generous: the machine may be shared; bench/projector_rows.py times it
    page.context.close()
