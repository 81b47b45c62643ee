"""A live meeting in real browsers: 5 tablets and the projector at once, each its own kernel.

Members join, move to 困りごと出し with the facilitator, send issues; the projector shows
them grouped by the plan; the facilitator merges two and moves the phase; every tablet
follows. HTML typed by a member is shown as text on both pages and never runs.
"""

from __future__ import annotations

import pytest

from kit.store import issues as issue_store
from tests.browser.helpers import (
    PHONE,
    PROJECTOR,
    TABLET,
    click,
    current_meeting,
    fill,
    join,
    open_page,
)

WAIT = 30_000
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
SENT = [
    ("さくら", "引っ越してきた世帯と、あいさつする機会がない", "1-(1)"),
    ("つばき", "一人暮らしの高齢者の様子がわからない", "1-(2)"),
    ("ひまわり", "バス停までの坂道がきつく、買い物に行けない", "3-(1)"),
    ("すみれ", "坂道がきつくて買い物が大変", "3-(1)"),
    ("かえで", XSS, "2-(2)"),
]


def text_of(page, selector: str) -> str:
    return page.inner_text(selector)


def wait_text(page, selector: str, text: str, timeout: int = WAIT) -> None:
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel)].some(e => e.innerText.includes(text))",
        arg=[selector, text],
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def room(chromium, kit_server):
    """The projector and five tablets (one a phone), all joined to today's meeting."""
    meeting = current_meeting(kit_server)
    projector = open_page(chromium, kit_server.facilitator_url, PROJECTOR, wait_for=".tk-members")
    tablets = []
    for index, (name, _, _) in enumerate(SENT):
        viewport = PHONE if index == 4 else TABLET
        page = open_page(chromium, kit_server.member_url, viewport, wait_for=".tk-join-form")
        join(page, meeting.join_code, name)
        tablets.append(page)
    yield meeting, projector, tablets
    for page in (projector, *tablets):
        page.context.close()


def test_live_meeting(room, kit_server):
    meeting, projector, tablets = room
    names = [name for name, _, _ in SENT]
    for name in names:
        wait_text(projector, ".tk-members", name)

    # the facilitator opens 困りごと出し; every tablet follows without reloading
    click(projector, "tk-phase-issues")
    projector.wait_for_selector(".tk-board-groups", timeout=WAIT)
    for page in tablets:
        page.wait_for_selector(".tk-issue-form", state="visible", timeout=WAIT)
        assert "地域の困りごと出し" in text_of(page, ".tk-phase-title")

    # each member sends an issue: text, a goal in plain words, sliders left as they are
    for page, (_, text, goal) in zip(tablets, SENT, strict=True):
        fill(page, "tk-issue-text", text)
        wait_text(page, ".tk-issue-counter", f"{len(text)} / 200")
        click(page, "tk-goal-" + goal.replace("-(", "-").rstrip(")"))
        page.wait_for_selector(".tk-issue-goal.tk-selected", timeout=WAIT)
        click(page, "tk-issue-send")
        page.wait_for_selector(".tk-issue-feedback .tk-ok", timeout=WAIT)
        assert page.input_value(".tk-issue-text textarea") == ""

    # the projector shows them, grouped by basic plan and focus goal
    for _, text, goal in SENT:
        wait_text(projector, f'.tk-board-goal[data-goal="{goal}"] .tk-board-card-text', text)
    wait_text(projector, ".tk-board-total", "5")
    plan_of_goal = projector.eval_on_selector_all(
        ".tk-board-goal",
        "els => els.map(e => [e.dataset.goal, e.closest('.tk-board-plan').dataset.plan])",
    )
    assert all(goal.startswith(plan + "-") for goal, plan in plan_of_goal)
    assert projector.locator(".tk-board-chart .js-plotly-plot").count() == 1
    assert "2-(1)" in text_of(projector, ".tk-board-unraised")

    # HTML typed by a member is text on both pages, and nothing ran
    assert XSS in text_of(projector, ".tk-board-groups")
    click(tablets[4], "tk-issues-tab-mine")
    wait_text(tablets[4], ".tk-my-issues", XSS)
    for page in (projector, tablets[4]):
        assert page.evaluate("window.__pwned") is None
        assert (
            page.locator(".tk-board-groups script, .tk-my-issues script, .tk-my-issues img").count()
            == 0
        )

    # the facilitator merges the two 坂道 issues
    conn = kit_server.connect()
    try:
        by_text = {i.text: i for i in issue_store.list_issues(conn, meeting.id)}
    finally:
        conn.close()
    keep, merge = by_text[SENT[2][1]], by_text[SENT[3][1]]
    click(projector, "tk-board-controls-toggle")
    projector.wait_for_selector(".tk-board-controls", state="visible", timeout=WAIT)
    projector.select_option(".tk-board-merge-keep select", label=f"#{keep.id} {keep.text}")
    projector.select_option(".tk-board-merge-from select", label=f"#{merge.id} {merge.text}")
    click(projector, "tk-board-merge")
    projector.wait_for_selector(".tk-board-feedback .tk-ok", timeout=WAIT)
    card = f'.tk-board-card[data-issue="{keep.id}"]'
    wait_text(projector, card, "×2")
    assert "ひまわり・すみれ" in text_of(projector, card)
    assert projector.locator(f'.tk-board-card[data-issue="{merge.id}"]').count() == 0
    assert projector.locator(".tk-board-card").count() == 4
    conn = kit_server.connect()
    try:
        assert issue_store.get_issue(conn, keep.id).raised_count == 2
        assert issue_store.get_issue(conn, merge.id).status == "merged"
    finally:
        conn.close()
    # the member whose issue was merged sees it on their tablet
    click(tablets[3], "tk-issues-tab-mine")
    wait_text(tablets[3], ".tk-my-issues", "まとめられました")

    # the facilitator moves on; every tablet follows and the issue form is gone
    click(projector, "tk-phase-next")
    for page in tablets:
        wait_text(page, ".tk-phase-title", "支え合いマップ")
        page.wait_for_selector(".tk-issue-form", state="hidden", timeout=WAIT)  # kept, hidden
    conn = kit_server.connect()
    try:
        from kit.store import meetings as meeting_store

        assert meeting_store.get_phase(conn, meeting.id) == "map"
    finally:
        conn.close()
    for page in (projector, *tablets):
        assert page.outside_requests == []
