"""Browser tests: a real ``tasukeai serve`` on a free port, driven by headless Chromium.

Marked ``browser``. Chromium is Debian's (/usr/bin/chromium); Playwright never downloads one.
"""

from __future__ import annotations

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
