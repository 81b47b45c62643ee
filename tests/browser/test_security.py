"""What a tablet on the room's Wi-Fi can and cannot do to the served kit.

- It cannot list or download files, nor step out of the static folders (raw HTTP paths).
- Without the key, the facilitator, map and office pages build no facilitator widgets.
- Over its kernel's websocket it cannot run code (execute, inspect, history, debugger
  requests are dropped), and crafted widget messages — wrong types, out-of-range values,
  huge text, clicks on widgets it does not have or that belong to the projector — crash
  nothing and break no rule in the store.
- Script typed into the forms (join, issue, ballot, the projector's vote setup) is shown
  as text on every page and never runs (``window.__pwned`` stays unset).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import uuid
from pathlib import Path

import pytest

from kit.meeting import meetings, voting
from kit.plan import load_plan
from kit.store import issues as issue_store
from kit.store import meetings as store
from tests.browser.helpers import (
    KEY,
    PHONE,
    PROJECTOR,
    TABLET,
    click,
    current_meeting,
    fill,
    join,
)
from tests.browser.widget_client import (
    PageError,
    WidgetClient,
    cast_dots,
    run,
    send_issue,
)
from tests.browser.widget_client import join as ws_join
from tests.hostile_inputs import NOT_TEXT, OUT_OF_RANGE, SCRIPT

WAIT = 30_000
TRAP = """
window.__pwned = undefined;
window.alert = window.confirm = window.prompt = () => { window.__pwned = 'dialog'; };
"""
SECRETS = ("root:x:0:", "SQLite format 3", KEY, "facilitator_key", "from kit", "import ")


# --- files and paths ------------------------------------------------------------------------------
RAW_PATHS = [
    "/voila/tree",
    "/voila/tree/",
    "/voila/tree/notebooks",
    "/voila/api/contents",
    "/voila/api/contents/",
    "/voila/api/contents/member.ipynb",
    "/voila/files/member.ipynb",
    "/voila/files/../kit/settings.py",
    "/voila/files/meetings.sqlite",
    "/tree",
    "/lab",
    "/files/member.ipynb",
    "/api/contents",
    "/api/kernels",
    "/api/sessions",
    "/api/terminals",
    "/api/kernelspecs",
    "/api/config/notebook",
    "/voila/static/../../../../../../etc/passwd",
    "/voila/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/voila/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/voila/templates/../../../../../../etc/passwd",
    "/voila/templates/tasukeai/static/../../../../../../../etc/passwd",
    "/voila/templates/..%2f..%2f..%2f..%2f/static/passwd",
    "/voila/templates/%2e%2e/static/index.html.j2",
    "/voila/templates/tasukeai/index.html.j2",
    "/voila/labextensions/../../../../../../etc/passwd",
    "/voila/labextensions/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/voila/api/themes/../../../../../../etc/passwd",
    "/voila/api/themes/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/voila/render/../kit/settings.py",
    "/voila/render/%2e%2e/kit/server.py",
    "/voila/render/..%2fpyproject.toml",
    "/voila/render/nonexistent.ipynb",
    "/voila/render/../tests/conftest.py",
    "/voila/render/member.ipynb/../../kit/access.py",
    f"/voila/query/{uuid.uuid4()}",
    f"/api/kernels/{uuid.uuid4()}",
    "/..%2f..%2fetc/passwd",
]


def raw_get(server, path: str) -> tuple[int, str, str]:
    """GET ``path`` exactly as written (no client-side normalisation); no redirects followed."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, response.getheader("Location") or "", body
    finally:
        connection.close()


@pytest.mark.parametrize("path", RAW_PATHS)
def test_no_listing_no_download_no_traversal(kit_server, path):
    status, location, body = raw_get(kit_server, path)
    if status in (301, 302, 303, 307, 308):
        assert "/voila/files" not in location and "/tree" not in location, location
        status, _, body = (
            raw_get(kit_server, location) if location.startswith("/") else (404, "", "")
        )
    assert status in (400, 403, 404, 405), (path, status, body[:300])
    for secret in SECRETS:
        assert secret not in body, (path, secret)


def test_kernel_list_and_other_kernels_are_not_reachable(kit_server):
    status, _, body = raw_get(kit_server, "/api/kernels")
    assert status in (403, 404, 405)
    # another tablet's kernel cannot be deleted, even with a made-up _xsrf cookie and header
    client = run(WidgetClient(kit_server.member_url).open())
    connection = http.client.HTTPConnection("127.0.0.1", kit_server.port, timeout=30)
    connection.request(
        "DELETE",
        f"/api/kernels/{client.kernel_id}",
        headers={"Cookie": "_xsrf=forged", "X-XSRFToken": "forged"},
    )
    assert connection.getresponse().status == 403
    connection.close()


# --- pages that need the key ----------------------------------------------------------------------
REFUSED_OK = {"tk-page", "tk-refused", "tk-app-title", "tk-heading", "tk-text"}


@pytest.mark.parametrize("notebook", ["facilitator.ipynb", "map.ipynb", "office.ipynb"])
@pytest.mark.parametrize(
    "query",
    ["", "?key=", "?key=guess", f"?KEY={KEY}", f"?key={KEY[:-1]}", f"?key={KEY}x", "?key[]=1",
     "?once=guess"],
)  # fmt: skip
def test_keyed_pages_are_refused_before_any_kernel_starts(kit_server, notebook, query):
    status, _, body = raw_get(kit_server, f"/voila/render/{notebook}{query}")
    assert status == 403
    assert "進行役の鍵が必要です" in body
    assert "kernelId" not in body and KEY not in body


def test_keyed_pages_refuse_in_the_browser(chromium, kit_server):
    for notebook in ("map.ipynb", "office.ipynb"):
        page = open_trapped(chromium, kit_server.url(notebook, key="guess"), TABLET, ".tk-guard")
        assert "進行役の鍵が必要です" in page.inner_text(".tk-guard")
        page.context.close()


# --- the websocket --------------------------------------------------------------------------------
async def no_reply(client: WidgetClient, msg_ids: set[str], seconds: float = 3.0) -> list[dict]:
    """Messages that answered any of ``msg_ids`` within ``seconds`` (should be none)."""
    await asyncio.sleep(seconds)
    return [
        m
        for m in client.received
        if m.get("parent_header", {}).get("msg_id") in msg_ids and m.get("msg_type") != "status"
    ]


def test_a_tablet_cannot_run_code_in_its_kernel(kit_server, tmp_path):
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('ran')"

    async def scenario():
        client = await WidgetClient(kit_server.member_url).open()
        sent = set()
        for channel in ("shell", "control"):
            sent.add(await client.send("execute_request", {"code": code, "silent": False,
                                                           "store_history": True,
                                                           "user_expressions": {"x": code},
                                                           "allow_stdin": False,
                                                           "stop_on_error": True},
                                       channel=channel))  # fmt: skip
        sent.add(await client.send("inspect_request", {"code": "import os", "cursor_pos": 5}))
        sent.add(await client.send("complete_request", {"code": "import o", "cursor_pos": 8}))
        sent.add(await client.send("history_request", {"hist_access_type": "tail", "n": 10,
                                                       "output": True, "raw": True}))  # fmt: skip
        sent.add(await client.send("is_complete_request", {"code": code}))
        sent.add(await client.send("debug_request", {"seq": 1, "type": "request",
                                                     "command": "evaluate",
                                                     "arguments": {"expression": code}},
                                   channel="control"))  # fmt: skip
        sent.add(await client.send("input_reply", {"value": code}, channel="stdin"))
        replies = await no_reply(client, sent)
        # the page still works afterwards
        alive = await client.send("kernel_info_request", {})
        await client.wait_for(
            lambda: any(m.get("parent_header", {}).get("msg_id") == alive for m in client.received
                        if m.get("msg_type") == "kernel_info_reply"),
            timeout=30, what="kernel_info_reply",
        )  # fmt: skip
        await client.close()
        return replies

    replies = run(scenario())
    assert [m.get("msg_type") for m in replies] == []
    assert not marker.exists()


def test_crafted_widget_messages_crash_nothing(kit_server):
    meeting = current_meeting(kit_server)
    conn = kit_server.connect()
    meetings.set_phase(conn, meeting.id, "issues")
    meetings_before = [(m.id, m.title, m.join_code) for m in store.list_meetings(conn)]
    conn.close()

    async def scenario():
        projector = await WidgetClient(kit_server.facilitator_url).open()
        client = await WidgetClient(kit_server.member_url).open()
        other = await WidgetClient(kit_server.member_url).open()
        code, name, button = (
            client.find(c) for c in ("tk-join-code", "tk-join-name", "tk-join-button")
        )
        # wrong types, huge and odd text, into the join form
        for value in [*NOT_TEXT, "x" * 1_000_000, SCRIPT[0], "\x00\x01"]:
            for model in (code, name):
                await client.send("comm_msg", {"comm_id": model, "data": {"method": "update",
                                  "state": {"value": value}, "buffer_paths": []}})  # fmt: skip
            await client.click(button)
        # other traits, other methods, unknown widgets, another tablet's widget, the projector's
        await client.update(
            button, disabled=True, _dom_classes=["tk-phase-next"], description=SCRIPT[1]
        )
        await client.send("comm_msg", {"comm_id": button, "data": {"method": "custom",
                          "content": {"event": "rm -rf"}}})  # fmt: skip
        await client.send("comm_msg", {"comm_id": button, "data": {"method": "request_state"}})
        await client.send("comm_msg", {"comm_id": button, "data": {"method": "nonsense"}})
        await client.send("comm_msg", {"comm_id": button, "data": "not a dict"})
        await client.click(uuid.uuid4().hex)
        await client.click(other.find("tk-join-button"))
        for cls in ("tk-phase-next", "tk-phase-vote", "tk-phase-closed", "tk-setup-create"):
            await client.click(projector.find(cls))
        await client.send("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget",
                                        "data": {"state": {"_model_name": "ButtonModel"}}})  # fmt: skip
        await client.send(
            "comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "evil", "data": {}}
        )
        for n in range(300):  # a flood of keystrokes
            await client.update(name, value=f"なまえ{n}")
        # the same tablet's kernel survived all of it: it still answers — the junk codes count
        # as wrong codes, so this page now has to wait (issue 12's rate limit) — and a reload
        # of the tablet (a new page) joins and sends an issue
        await client.update(code, value=meeting.join_code)
        await client.update(name, value="まだ動く")
        await client.handled(await client.click(button))
        answer = client.value("tk-join-feedback") or client.value("tk-member-status") or ""
        assert "しばらく受け付けません" in answer or "まだ動く" in answer, answer
        survivor = await WidgetClient(kit_server.member_url).open()
        await ws_join(survivor, meeting.join_code, "まだ動く")
        await send_issue(survivor, "荒らしのあとでも送れる")
        # frames no browser sends: the server may drop that connection, nothing more
        garbage = await WidgetClient(kit_server.member_url).open()
        for frame in ("{not json", b"\x00\x00\x00\x05garbage", json.dumps({"msg_type": "x"})):
            try:
                await garbage.send_raw(frame)
            except PageError:
                break
        await garbage.close()
        fresh = await WidgetClient(kit_server.member_url).open()
        await ws_join(fresh, meeting.join_code, "あとから来た人")
        await send_issue(fresh, "壊れた通信のあとでも送れる")
        # out-of-range sliders and hidden widgets of the issue form
        for value in OUT_OF_RANGE:
            for cls in ("tk-issue-seriousness", "tk-issue-reach"):
                await fresh.send("comm_msg", {"comm_id": fresh.find(cls), "data": {"method": "update",
                                 "state": {"value": value}, "buffer_paths": []}})  # fmt: skip
            await fresh.update(fresh.find("tk-issue-text"), value=f"範囲外 {value!r}")
            await fresh.click(fresh.find("tk-goal-1-1"))
            await fresh.handled(await fresh.click(fresh.find("tk-issue-send")))
        await fresh.click(fresh.find("tk-issue-cancel-edit"))
        for other_client in (projector, client, other, fresh):
            await other_client.close()
        return client.errors() + fresh.errors()

    errors = run(scenario(), timeout=300)
    conn = kit_server.connect()
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = store.get_meeting(conn, meeting.id)
        assert after.phase == "issues", "a tablet moved the meeting's phase"
        after_meetings = [(m.id, m.title, m.join_code) for m in store.list_meetings(conn)]
        assert after_meetings == meetings_before, "a tablet created or changed a meeting"
        stored = issue_store.list_issues(conn, meeting.id)
        assert {"荒らしのあとでも送れる", "壊れた通信のあとでも送れる"} <= {i.text for i in stored}
        for issue in stored:
            assert 1 <= issue.seriousness <= 5 and 1 <= issue.reach <= 5
        names = {m.display_name for m in store.list_members(conn, meeting.id)}
        assert all(len(n) <= 20 and "\x00" not in n for n in names)
    finally:
        conn.close()
    # ipywidgets refusing the crafted comm_open prints its own traceback; the kit's must not
    kit_errors = [e for e in errors if "Traceback" in e and "/kit/" in e]
    assert kit_errors == [], kit_errors


def test_crafted_ballots_break_no_rule(kit_server):
    meeting = current_meeting(kit_server)
    plan = load_plan()
    conn = kit_server.connect()
    meetings.set_phase(conn, meeting.id, "vote")
    if voting.current_vote(conn, meeting.id) is None:
        specs = [voting.proposal(f"案{n}") for n in range(3)]
        voting.create_vote(conn, meeting.id, specs, plan=plan, dots=3, open_now=True)
    vote = voting.current_vote(conn, meeting.id)
    conn.close()

    async def scenario():
        client = await WidgetClient(kit_server.member_url).open()
        await ws_join(client, meeting.join_code, "票の荒らし")
        await client.wait_for(lambda: client.find("tk-vote-slider-3"), what="ballot")
        for value in [*OUT_OF_RANGE, *NOT_TEXT, 10**30]:
            for position in (1, 2, 3):
                await client.send("comm_msg", {"comm_id": client.find(f"tk-vote-slider-{position}"),
                                  "data": {"method": "update", "state": {"value": value,
                                  "max": 10**6, "min": -(10**6)}, "buffer_paths": []}})  # fmt: skip
            await client.handled(await client.click(client.find("tk-vote-send")))
        for _ in range(20):
            await client.click(client.find("tk-vote-plus-1"))
        await client.handled(await client.click(client.find("tk-vote-send")))
        ok = await cast_dots(client, {1: 1, 2: 1, 3: 1})
        await client.close()
        return ok

    assert run(scenario(), timeout=300) is not None
    conn = kit_server.connect()
    try:
        items = {i.id for i in voting.vote_items(conn, vote.id)}
        for ballot in voting.ballots(conn, vote.id):
            assert set(ballot.choices) <= items
            assert all(isinstance(v, int) and v >= 0 for v in ballot.choices.values())
            assert 0 < sum(ballot.choices.values()) <= vote.settings.dots
    finally:
        conn.close()


# --- script in the forms, in a real browser ---------------------------------------------------------
def open_trapped(browser, url: str, viewport, wait_for: str):
    context = browser.new_context(viewport=viewport)
    context.add_init_script(TRAP)
    page = context.new_page()
    page.goto(url, timeout=90_000)
    page.wait_for_selector(wait_for, timeout=90_000)
    return page


def pwned(*pages) -> list:
    return [p.evaluate("() => window.__pwned") for p in pages if p.evaluate("() => window.__pwned")]


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel)].some(e => e.innerText.includes(text))",
        arg=[selector, text],
        timeout=WAIT,
    )


@pytest.fixture(scope="module")
def fresh_meeting(kit_server):
    """A new meeting of another district, so the websocket tests above do not interfere."""
    conn = kit_server.connect()
    try:
        district = store.list_districts(conn)[1]
        meeting = meetings.create_meeting(
            conn, district_id=district.id, title="安全性の確認", held_on="2026-11-26",
            plan_id=load_plan().plan_id,
        )  # fmt: skip
    finally:
        conn.close()
    return meeting


def test_script_typed_into_forms_never_runs(chromium, kit_server, fresh_meeting):
    meeting = fresh_meeting
    name_a, name_b = "<svg onload=alert()>", '"><img src=x>'
    issue_a, issue_b = SCRIPT[0], SCRIPT[2]
    proposal = SCRIPT[5][:40]
    projector = open_trapped(chromium, kit_server.facilitator_url, PROJECTOR, ".tk-members")
    wait_text(projector, ".tk-meeting-title", "安全性の確認")  # the newest open meeting
    tablet = open_trapped(chromium, kit_server.member_url, TABLET, ".tk-join-form")
    phone = open_trapped(chromium, kit_server.member_url, PHONE, ".tk-join-form")
    join(tablet, meeting.join_code, name_a)
    join(phone, meeting.join_code, name_b)
    wait_text(projector, ".tk-members", name_a)
    wait_text(projector, ".tk-members", name_b)
    assert pwned(projector, tablet, phone) == []

    click(projector, "tk-phase-issues")
    for page, text in ((tablet, issue_a), (phone, issue_b)):
        page.wait_for_selector(".tk-issue-form", state="visible", timeout=WAIT)
        fill(page, "tk-issue-text", text)
        fill(page, "tk-issue-place", SCRIPT[1][:40])
        click(page, "tk-goal-1-1")
        page.wait_for_selector(".tk-goal-1-1.tk-selected", timeout=WAIT)
        click(page, "tk-issue-send")
        page.wait_for_selector(".tk-issue-feedback .tk-ok", timeout=WAIT)
    wait_text(projector, ".tk-board-groups", issue_a)
    wait_text(projector, ".tk-board-groups", issue_b)
    click(tablet, "tk-issues-tab-mine")
    wait_text(tablet, ".tk-my-issues", issue_a)
    assert pwned(projector, tablet, phone) == []

    click(projector, "tk-phase-vote")
    projector.wait_for_selector(".tk-vote-setup", timeout=WAIT)
    fill(projector, "tk-vote-proposal-text", proposal)
    click(projector, "tk-vote-proposal-add")
    wait_text(projector, ".tk-vote-proposal-list", proposal)
    click(projector, "tk-vote-open")
    projector.wait_for_selector(".tk-vote-turnout", timeout=WAIT)
    for page in (tablet, phone):
        page.wait_for_selector(".tk-vote-send", timeout=WAIT)
        wait_text(page, ".tk-member-vote", issue_a)
        wait_text(page, ".tk-member-vote", proposal)
    click(tablet, "tk-vote-plus-1")
    tablet.wait_for_selector(".tk-vote-remaining-big[data-left]", timeout=WAIT)
    click(tablet, "tk-vote-send")
    tablet.wait_for_selector(".tk-vote-feedback .tk-ok", timeout=WAIT)
    wait_text(projector, ".tk-vote-not-voted", name_b)
    click(projector, "tk-vote-close")
    click(projector, "tk-vote-close-confirm")
    projector.wait_for_selector(".tk-vote-result-table", timeout=WAIT)
    wait_text(projector, ".tk-vote-panel", issue_a)
    assert pwned(projector, tablet, phone) == []
    assert tablet.locator("img[src='x'], svg[onload]").count() == 0
    assert projector.locator("img[src='x'], svg[onload], details[ontoggle]").count() == 0
    for page in (projector, tablet, phone):
        page.context.close()


def test_member_page_carries_no_secret(kit_server):
    client = run(WidgetClient(kit_server.member_url).open())
    states = json.dumps([m["state"] for m in client.models.values()], ensure_ascii=False)
    for secret in (KEY, str(Path(kit_server.db_path)), "facilitator_key", "TASUKEAI_"):
        assert secret not in client.html and secret not in states, secret


def test_tablet_cannot_reach_projector_kernel_without_its_id(kit_server):
    """Kernel ids are never listed; a made-up one gives no websocket."""

    async def scenario():
        client = WidgetClient(kit_server.member_url)
        client.kernel_id = str(uuid.uuid4())
        try:
            await client.connect()
            await client.load_states()
        except (PageError, TimeoutError, OSError):
            return "refused"
        return "connected"

    assert run(scenario(), timeout=60) == "refused"
