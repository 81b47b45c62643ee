"""A pressed button shows that the kernel is working (issue 11): tk-busy until it answered."""

from __future__ import annotations

from tests.browser.helpers import PROJECTOR, open_page

WATCH = """() => {
  window.__tkBusySeen = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.classList && r.target.classList.contains('tk-busy')) {
        window.__tkBusySeen.push([r.target.className, r.target.getAttribute('aria-busy')]);
      }
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['class']});
}"""


def test_a_pressed_button_is_busy_until_the_kernel_answers(chromium, kit_server):
    page = open_page(chromium, kit_server.facilitator_url, PROJECTOR, wait_for=".tk-phase-next")
    page.evaluate(WATCH)
    page.locator(".tk-phase-issues").first.click()
    page.wait_for_selector(".tk-board-groups", timeout=60_000)
    page.wait_for_function("window.tkConnection.busy === 0", timeout=60_000)
    seen = page.evaluate("window.__tkBusySeen")
    assert seen and "tk-phase-issues" in seen[0][0] and seen[0][1] == "true"
    assert page.locator(".tk-busy").count() == 0  # answered: no button stays busy
    assert page.locator(".tk-busy-notice").count() <= 1
    assert page.evaluate("document.documentElement.classList.contains('tk-waiting')") is False
    page.locator(".tk-phase-setup").first.click()
    page.wait_for_function("window.tkConnection.busy === 0", timeout=60_000)
    page.context.close()
