"""A held keyed page in a real kernel: what a browser's widget manager is sent (no Voila).

The kernel runs ``facilitator.ipynb``'s one line as a pooled kernel does (``VOILA_PREHEAT``,
``VOILA_KERNEL_ID``, no ``QUERY_STRING``); the test writes the ``page_kernels`` row as the
HTTP guard does when it hands the kernel out, then asks for every widget's state through the
``jupyter.widget.control`` comm, as the page's widget manager does first. Only a live
facilitator session gets any facilitator widget; the kernel decides before it answers.
"""

from __future__ import annotations

import json
import os
import queue
import time
import uuid
from pathlib import Path

import pytest

from kit.meeting import access
from kit.settings import settings_environ

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
KERNEL = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"


@pytest.fixture
def held(settings, conn, meeting):
    """A real kernel holding the facilitator's page, built ahead; yields its client."""
    from jupyter_client.manager import start_new_kernel

    env = {k: v for k, v in os.environ.items() if k != "QUERY_STRING"}
    env.update(settings_environ(settings))
    env.update(VOILA_PREHEAT="True", PYTHONPATH=str(REPO))
    manager, client = start_new_kernel(kernel_name="python3", env=env, startup_timeout=120)
    try:
        code = (
            f"import os\nos.environ['VOILA_KERNEL_ID'] = {KERNEL!r}\n"
            "from kit.ui.pages import facilitator_page\napp = facilitator_page()"
        )
        reply = client.execute_interactive(code, timeout=120, output_hook=lambda _m: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def widget_states(client, timeout: float = 30) -> dict[str, dict]:
    """What the page's widget manager asks first, and the kernel's answer (model id → state)."""
    comm_id = uuid.uuid4().hex
    session = client.session
    for msg_type, content in (
        ("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}),
        ("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}),
    ):
        message = session.msg(msg_type, content, metadata={"version": "1.0.0"})
        client.shell_channel.send(message)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        data = message["content"].get("data", {})
        if message["msg_type"] == "comm_msg" and data.get("method") == "update_states":
            return {model_id: entry["state"] for model_id, entry in data["states"].items()}
    raise AssertionError("the kernel sent no widget states")


def classes(states: dict[str, dict]) -> set[str]:
    return {c for state in states.values() for c in state.get("_dom_classes", ())}


def hand_out(conn, session_hash: str | None) -> None:
    access.bind_kernel(conn, KERNEL, access.PAGE_FACILITATOR, "device", session_hash, "::1")


def test_a_live_facilitator_session_gets_the_controls(held, conn):
    hand_out(conn, access.secret_hash(access.new_session(conn)))
    states = widget_states(held)
    assert "tk-phase-next" in classes(states)
    assert not {"tk-refused", "tk-page-opening"} & classes(states)  # closed once shown


@pytest.mark.parametrize("handed_out", ["made-up session", "no row"])
def test_anything_else_gets_the_refusal_and_no_facilitator_state(held, conn, meeting, handed_out):
    if handed_out == "made-up session":
        hand_out(conn, access.secret_hash("not-a-session-of-this-database"))
    states = widget_states(held)  # asked at once: the kernel decides before it answers
    found = classes(states)
    assert "tk-refused" in found
    assert not (found - {"tk-page", "tk-page-holder", "tk-refused", "tk-app-title", "tk-text"})
    text = json.dumps(states, ensure_ascii=False)
    for secret in (meeting.join_code, meeting.title, "tk-phase-next"):
        assert secret not in text
