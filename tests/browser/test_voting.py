"""Priority voting through Voila: eight tablets vote by slider, one changes their ballot,
the facilitator enters a paper ballot (紙の投票) and closes the vote, the projector shows
the result with the tie flagged and the spread; then the wrap-up (まとめ) records an action.
"""

from __future__ import annotations

from tests.browser.helpers import PROJECTOR, TABLET, click, current_meeting, fill, join, open_page

WAIT = 60_000
ITEMS = (  # (label, focus goal option shown in the dropdown)
    ("見守り声かけ当番をつくる", "1-(2) 見守り・たすけあい・居場所づくり"),
    ("集会所でサロンを開く", "1-(1) ご近所のつながり・交流・行事"),
    ("買い物の送迎を試す", "3-(1) 暮らしの困りごと・相談・生活の支え"),
)
# Dots per item (A, B, C). The last member first puts all 5 on A, then changes.
BALLOTS = [(5, 0, 0), (3, 2, 0), (0, 5, 0), (0, 3, 2), (2, 0, 3), (0, 0, 5), (1, 1, 3), (5, 0, 0)]
CHANGED = (0, 2, 3)
PAPER = (3, 1, 1)
# A = 5+3+2+1+3 = 14, B = 2+5+3+1+2+1 = 14, C = 2+3+5+3+3+1 = 17; spread A 5, B 6, C 6.
EXPECTED = {"買い物の送迎を試す": (17, 6, 1, False), "見守り声かけ当番をつくる": (14, 5, 2, True),
            "集会所でサロンを開く": (14, 6, 2, True)}  # fmt: skip


def move_slider(page, position: int, steps: int) -> None:
    """Move the slider of item ``position`` by ``steps`` with the keyboard (as a touch drag does)."""
    handle = page.locator(f".tk-vote-slider-{position} .noUi-handle").first
    handle.focus()
    for _ in range(abs(steps)):
        handle.press("ArrowRight" if steps > 0 else "ArrowLeft")


def wait_left(page, left: int) -> None:
    page.wait_for_selector(f".tk-vote-remaining-big[data-left='{left}']", timeout=WAIT)


def set_dots(page, before: tuple[int, ...], after: tuple[int, ...]) -> None:
    # Take dots away first, so the counter never has to refuse a move.
    for position, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        if new < old:
            move_slider(page, position, new - old)
    wait_left(page, 5 - sum(min(o, n) for o, n in zip(before, after, strict=True)))
    for position, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        if new > old:
            move_slider(page, position, new - old)
    wait_left(page, 5 - sum(after))


def table_rows(page) -> dict[str, tuple[int, int, int, bool]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.tk-vote-table tr[data-item]')]
            .map(tr => [tr.children[1].innerText.replace('＝同点', '').trim(),
                        [+tr.dataset.score, +tr.dataset.spread, +tr.children[0].innerText,
                         tr.dataset.tied === '1']]))"""
    )


def test_eight_tablets_paper_ballot_close_and_result(chromium, kit_server):
    meeting = current_meeting(kit_server)
    projector = open_page(
        chromium, kit_server.facilitator_url, PROJECTOR, wait_for=".tk-phase-vote"
    )
    click(projector, "tk-phase-vote")
    projector.wait_for_selector(".tk-vote-setup", timeout=WAIT)
    for label, goal in ITEMS:
        fill(projector, "tk-vote-proposal-text", label)
        projector.select_option(".tk-vote-proposal-goal select", label=goal)
        click(projector, "tk-vote-proposal-add")
        projector.wait_for_function(
            f"document.querySelector('.tk-vote-proposal-list').innerText.includes('{label}')",
            timeout=WAIT,
        )
    click(projector, "tk-vote-open")
    projector.wait_for_selector(".tk-vote-turnout-box[data-voted='0']", timeout=WAIT)

    tablets = []
    for number in range(len(BALLOTS)):
        page = open_page(chromium, kit_server.member_url, TABLET, wait_for=".tk-join-form")
        join(page, meeting.join_code, f"委員{number + 1}")
        page.wait_for_selector(".tk-vote-slider-3", timeout=WAIT)
        tablets.append(page)
    for page, dots in zip(tablets, BALLOTS, strict=True):
        assert "まだ投票していません" in page.inner_text(".tk-vote-badge")
        set_dots(page, (0, 0, 0), dots)
        click(page, "tk-vote-send")
        page.wait_for_selector(".tk-vote-done", timeout=WAIT)
        assert "投票済み（変更できます）" in page.inner_text(".tk-vote-badge")
    projector.wait_for_selector(f".tk-vote-turnout-box[data-voted='{len(BALLOTS)}']", timeout=WAIT)

    # One member changes their ballot while the vote is open.
    changer = tablets[-1]
    set_dots(changer, BALLOTS[-1], CHANGED)
    click(changer, "tk-vote-send")
    changer.wait_for_function(
        "document.querySelector('.tk-vote-feedback').innerText.includes('投票を変更しました')",
        timeout=WAIT,
    )
    # While open, no results are shown on the projector.
    assert projector.locator(".tk-vote-chart .js-plotly-plot").count() == 0
    assert projector.locator(".tk-vote-table").count() == 0

    # The facilitator enters one paper ballot.
    projector.locator(
        ".tk-vote-paper .jupyter-widget-Collapse-header, .tk-vote-paper .lm-AccordionPanel-title,"
        " .tk-vote-paper .p-Accordion-header"
    ).first.click()
    fill(projector, "tk-vote-paper-name", "紙の投票さん")
    for position, dots in enumerate(PAPER, start=1):
        box = projector.locator(f".tk-vote-paper-dots-{position} input").first
        box.fill(str(dots))
        box.press("Enter")
    projector.wait_for_function(
        "[1, 2, 3].every(p => document.querySelector(`.tk-vote-paper-dots-${p} input`).value !== '')",
        timeout=WAIT,
    )
    click(projector, "tk-vote-paper-save")
    projector.wait_for_selector(
        f".tk-vote-turnout-box[data-voted='{len(BALLOTS) + 1}'][data-joined='{len(BALLOTS) + 1}']",
        timeout=WAIT,
    )
    assert "紙の投票 1 人" in projector.inner_text(".tk-vote-turnout")

    # Close (asked once more), then the result.
    click(projector, "tk-vote-close")
    click(projector, "tk-vote-close-confirm")
    projector.wait_for_selector(".tk-vote-table tr[data-item]", timeout=WAIT)
    projector.wait_for_selector(".tk-vote-chart .js-plotly-plot", timeout=WAIT)
    assert table_rows(projector) == {k: list(v) for k, v in EXPECTED.items()}
    chart = projector.inner_text(".tk-vote-chart")
    assert "＝同点" in chart and "17" in chart and "6人" in chart
    assert "同点" in projector.inner_text(".tk-vote-ties")
    assert projector.outside_requests == []

    # The tablets follow: the vote is closed.
    tablets[0].wait_for_selector(".tk-vote-closed-msg", timeout=WAIT)

    conn = kit_server.connect()
    try:
        from kit.meeting import voting

        vote = voting.current_vote(conn, meeting.id)
        ballots = voting.ballots(conn, vote.id)
        assert vote.status == "closed" and len(ballots) == len(BALLOTS) + 1
        assert sum(b.is_paper for b in ballots) == 1
        assert sorted(b.changes for b in ballots) == [0] * len(BALLOTS) + [1]
    finally:
        conn.close()

    # Per basic plan: the two items of basic plan 1 add up.
    projector.select_option(".tk-vote-view select", label="基本計画ごとの合計")
    projector.wait_for_function(
        "document.querySelector('.tk-vote-chart').innerText.includes('28')", timeout=WAIT
    )

    # まとめ: the top item becomes an action with a policy of the plan.
    click(projector, "tk-phase-wrapup")
    projector.wait_for_selector(".tk-wrapup-top-item", timeout=WAIT)
    projector.locator(".tk-wrapup-use-item").first.click()
    projector.wait_for_function(
        "document.querySelector('.tk-wrapup-what input').value === '買い物の送迎を試す'",
        timeout=WAIT,
    )
    fill(projector, "tk-wrapup-who", "民生委員と自治会")
    projector.locator(".tk-wrapup-due input").first.fill("2026-12-31")
    projector.locator(".tk-wrapup-due input").first.press("Tab")
    projector.wait_for_function(
        "document.querySelector('.tk-wrapup-policy select').selectedIndex > 0", timeout=WAIT
    )
    click(projector, "tk-wrapup-add")
    projector.wait_for_function(
        "document.querySelector('.tk-wrapup-actions').innerText.includes('民生委員と自治会')",
        timeout=WAIT,
    )
    assert "3-(1)-①" in projector.inner_text(".tk-wrapup-actions")
    for page in tablets:
        page.context.close()
    projector.context.close()
