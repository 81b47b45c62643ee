"""Browser tests: a real ``tasukeai serve`` on a free port, driven by headless Chromium.

Marked ``browser``. Chromium is Debian's (/usr/bin/chromium); Playwright never downloads one.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser.helpers import KitServer


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def kit_server(tmp_path_factory):
    """A served demo database (sample city + today's meeting) for one test module."""
    server = KitServer(tmp_path_factory.mktemp("server"), demo=True)
    server.start()
    yield server
    server.stop()


# What a failed browser test leaves for whoever reads the log: a screenshot and the text of
# every open page, and the end of each server's log (the rerun may pass; this stays).
FAILURE_DIR = Path(os.environ.get("TK_FAILURE_DIR") or Path(tempfile.gettempdir()) / "tk-failures")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        try:
            _keep_evidence(item)
        except Exception as exc:  # noqa: BLE001 - evidence is a courtesy, never a new failure
            print(f"no evidence kept: {exc}")
    return report


def _keep_evidence(item) -> None:
    folder = FAILURE_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
    folder.mkdir(parents=True, exist_ok=True)
    browser = item.funcargs.get("chromium")
    for n, page in enumerate(p for c in (browser.contexts if browser else ()) for p in c.pages):
        page.screenshot(path=str(folder / f"page{n}.png"), timeout=5000)
        text = page.evaluate("document.body ? document.body.innerText : ''")
        (folder / f"page{n}.txt").write_text(f"{page.url}\n\n{text}", encoding="utf-8")
    for name, value in item.funcargs.items():
        servers = value.values() if isinstance(value, dict) else (value,)
        for server in servers:
            workdir = getattr(server, "workdir", None)
            for log in Path(workdir).glob("*.log") if workdir else ():
                tail = log.read_text(encoding="utf-8", errors="replace")[-30000:]
                (folder / f"{name}-{log.name}").write_text(tail, encoding="utf-8")
    print(f"evidence of the failure: {folder}")
