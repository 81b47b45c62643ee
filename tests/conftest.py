"""Shared fixtures: real SQLite stores (temp files), the sample plan, the sample city."""

from __future__ import annotations

import os
import shutil

import pytest

from kit.plan import load_plan
from kit.settings import load_settings
from kit.store import meetings as meeting_store
from kit.store import open_store

CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run: Playwright's sync API allows one at a time
    in a thread, so every test that prints or drives a page shares this one."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def plan():
    return load_plan()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "meetings.sqlite"


@pytest.fixture
def conn(db_path):
    """A fresh store whose map is open with the test passphrase (tests/map_helpers.py)."""
    from tests.map_helpers import unlock_fast

    connection = open_store(db_path)
    unlock_fast(connection)
    yield connection
    connection.close()


@pytest.fixture
def settings(db_path, tmp_path):
    return load_settings(
        environ={},
        db_path=db_path,
        office_db_path=tmp_path / "office.sqlite",
        results_dir=tmp_path / "results",
        district_dir=tmp_path / "地区で保管（個人情報）",
        records_dir=tmp_path / "records",
    )


@pytest.fixture
def district(conn):
    return meeting_store.upsert_district(conn, "d01", "テスト地区", "テスト市")


@pytest.fixture
def meeting(conn, district, plan):
    from kit.meeting import meetings

    return meetings.create_meeting(
        conn,
        district_id=district.id,
        title="テスト会議",
        held_on="2026-11-26",
        plan_id=plan.plan_id,
    )


@pytest.fixture
def members(conn, meeting):
    from kit.meeting import meetings

    return [
        meetings.join_meeting(conn, meeting.join_code, name)[1]
        for name in ("あお", "みどり", "あか")
    ]
