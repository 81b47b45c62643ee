"""The 会議録 button through the served facilitator page (まとめ and 終了), in Chromium."""

from __future__ import annotations

import base64

import pytest

from kit import messages as msg
from tests.browser.helpers import PROJECTOR, KitServer, click, open_page

WAIT = 90_000


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A demo server whose home folder is private, so its records land in the test's folder."""
    workdir = tmp_path_factory.mktemp("record-server")
    monkey = pytest.MonkeyPatch()
    monkey.setenv("HOME", str(workdir))  # records_dir defaults to ~/.tasukeai/records
    server = KitServer(workdir, demo=True, pool=1)
    server.start()
    monkey.undo()
    yield server, workdir / ".tasukeai" / "records"
    server.stop()


@pytest.mark.parametrize("phase", ["wrapup", "closed"])
def test_the_record_button_saves_and_links_the_record(chromium, served, phase):
    server, records = served
    projector = open_page(chromium, server.facilitator_url, PROJECTOR, wait_for=".tk-phase-vote")
    click(projector, f"tk-phase-{phase}")
    # the page may open in the other phase: wait for this phase's panel, not the old one
    inside = ".tk-wrapup" if phase == "wrapup" else ".tk-handover"
    projector.wait_for_function(
        f"""() => document.querySelector('{inside} .tk-record-save') &&
                 {"true" if phase == "wrapup" else "!document.querySelector('.tk-wrapup')"}""",
        timeout=WAIT,
    )
    before = set(records.glob("*.html")) if records.exists() else set()
    click(projector, "tk-record-save")
    link = projector.wait_for_selector(".tk-record-open", timeout=WAIT)
    assert msg.RECORD_SAVED in projector.inner_text(".tk-record-feedback")
    href = link.get_attribute("href")
    assert href.startswith("data:text/html;charset=utf-8;base64,")
    page = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    assert "会議録" in page and "@page { size: A4 portrait" in page
    written = sorted(records.glob("*.html"))
    assert written and set(written) >= before
    assert written[-1].name == link.get_attribute("download")
    assert projector.outside_requests == []
    projector.context.close()
