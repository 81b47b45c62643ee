"""The served pages: Japanese titles, the key check, no listing, nothing from outside."""

from __future__ import annotations

import urllib.error
import urllib.request

from tests.browser.helpers import PROJECTOR, TABLET, current_meeting, join, open_page


def test_member_page_renders_japanese_at_tablet_size(chromium, kit_server):
    page = open_page(chromium, kit_server.member_url, TABLET, wait_for=".tk-join-form")
    assert "会議に参加する" in page.inner_text(".tk-member-page")
    assert page.outside_requests == []
    page.context.close()


def test_facilitator_page_renders_with_key_at_projector_size(chromium, kit_server):
    page = open_page(chromium, kit_server.facilitator_url, PROJECTOR, wait_for=".tk-projector-page")
    assert "key=" not in page.url  # the key was exchanged for a session cookie
    text = page.inner_text(".tk-projector-page")
    assert "参加コード" in text
    assert current_meeting(kit_server).join_code in text
    assert page.outside_requests == []
    page.context.close()


def test_facilitator_page_refuses_without_key(chromium, kit_server):
    for url in (
        kit_server.url("facilitator.ipynb"),
        kit_server.url("facilitator.ipynb", key="guess"),
    ):
        page = open_page(chromium, url, TABLET, wait_for=".tk-guard")
        assert "進行役の鍵が必要です" in page.inner_text(".tk-guard")
        assert page.locator(".tk-phase-button").count() == 0
        assert page.locator(".tk-setup").count() == 0
        page.context.close()


def test_no_listing_and_no_file_download(kit_server):
    for path in ("/voila/tree", "/voila/api/contents", "/voila/files/member.ipynb", "/tree"):
        try:
            with urllib.request.urlopen(kit_server.base + path, timeout=10) as response:
                status = response.status
                body = response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, ""
        assert status in (403, 404, 405), (path, status)
        assert "facilitator.ipynb" not in body


def test_root_redirects_to_member_page(kit_server):
    with urllib.request.urlopen(kit_server.base + "/", timeout=30) as response:
        assert response.geturl().endswith("/voila/render/member.ipynb")


def test_member_joins_and_facilitator_sees_them(chromium, kit_server):
    meeting = current_meeting(kit_server)
    projector = open_page(chromium, kit_server.facilitator_url, PROJECTOR, wait_for=".tk-members")
    tablet = open_page(chromium, kit_server.member_url, TABLET, wait_for=".tk-join-form")
    join(tablet, meeting.join_code, "テストさん")
    assert "テストさん" in tablet.inner_text(".tk-member-status")
    projector.wait_for_function(
        "document.querySelector('.tk-members').innerText.includes('テストさん')", timeout=10_000
    )
    tablet.context.close()
    projector.context.close()
