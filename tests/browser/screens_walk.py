"""A demo meeting walked through every page state, measured in Chromium (issue 16).

One :class:`ScreensWalk` drives a served demo database through every phase: a tablet
(768×1024) and a phone (390×844) joined as members, the projector (1920×1080, and again at
1280×720), the map page and the office page. At each state it runs axe-core (from the npm
package in ``tests/browser/axe``, read from disk — never a CDN), measures the touch targets
of the tablet, where the thing the room must read sits on the projector and how large it is,
and — when given a folder — takes the screenshots in ``docs/screenshots/``.

Used by ``tests/browser/test_screens.py`` (assertions) and ``docs/make_screenshots_screens.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser.helpers import KEY, PHONE, PROJECTOR, TABLET, click, join, open_page

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PROJECTOR_SMALL = {"width": 1280, "height": 720}
WAIT = 60_000
ITEMS_ON_THE_BALLOT = 16
LONG_PROPOSALS = (
    "坂の上の団地から集会所までの送り迎えを、近所の車を持つ人で当番にして続ける",
    "一人暮らしの高齢者の見守り声かけを、民生委員と世話焼きさんで地区を分けて担当する",
    "子ども食堂とサロンを同じ日に開き、世代をこえて顔を合わせる場所にする",
    "ごみ出しが難しい方の手助け隊をつくる",
    "防災訓練の日に、避難に手助けが必要な方の名簿を見直す",
    "買い物の送迎を試す",
    "相談先の一覧を回覧する",
    "募金の呼びかけを工夫する",
)

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' +
      (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim()),
  }));
}"""

TOUCH_TARGETS = """() => {
  const selector = 'button, [role=button], select, textarea, a[href], [role=slider], [role=tab],'
    + ' input:not([type=checkbox]):not([type=radio]):not([type=hidden]), .widget-checkbox,'
    + ' .widget-radio-box label';
  const seen = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('[aria-hidden=true], .tk-not-a-target')) continue;
    const cls = [...el.classList].filter(c => c.startsWith('tk-')).join('.');
    const owner = el.closest('[class*="tk-"]');
    const name = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
    seen.push({what: (cls || el.tagName.toLowerCase()) + ' in '
                 + (owner ? [...owner.classList].filter(c => c.startsWith('tk-')).join('.') : '?')
                 + ' «' + name.slice(0, 20) + '»',
               w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
  }
  return seen;
}"""

MEASURE = """(selector) => {
  const el = [...document.querySelectorAll(selector)].find(e => e.getClientRects().length);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const texts = [el, ...el.querySelectorAll('*')].filter(e => [...e.childNodes].some(
    n => n.nodeType === 3 && n.data.trim()));
  const sizes = texts.map(e => parseFloat(getComputedStyle(e).fontSize));
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height,
          font: sizes.length ? Math.min(...sizes) : parseFloat(getComputedStyle(el).fontSize),
          vh: window.innerHeight, vw: window.innerWidth};
}"""

LINES = """(el) => {
  const lines = [];
  let top = null, current = '';
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rects = range.getClientRects();
      if (!rects.length || !node.data[i].trim()) continue;
      const t = rects[0].top;
      if (top !== null && t - top > rects[0].height / 2) { lines.push(current); current = ''; }
      top = t; current += node.data[i];
    }
  }
  if (current) lines.push(current);
  return lines;
}"""

LAYOUT = """() => {
  // What a person would see as cut, squeezed or overlapping on the page as it is now.
  const problems = [];
  let ticksSeen = 0;
  const shown = (e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
    && !e.closest('[aria-hidden=true]');
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const svg = plot.querySelector('svg.main-svg');
    if (!svg || !shown(plot)) continue;
    const box = svg.getBoundingClientRect();
    if (box.width < 50 || box.height < 50) continue;
    const owner = plot.closest('[class*="tk-"]');
    const where = owner ? [...owner.classList].filter(c => c.startsWith('tk-'))[0] : 'chart';
    for (const axis of ['x', 'y']) {
      const ticks = [...plot.querySelectorAll(`.${axis}tick text`)].filter(
        t => t.textContent.trim() && shown(t)).map(t => [t, t.getBoundingClientRect()]);
      if (axis === 'y') ticksSeen += ticks.length;
      for (const [t, r] of ticks) {
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
            || r.bottom > box.bottom + 1)
          problems.push(`${where}: tick cut «${t.textContent}» ${Math.round(r.left)}<${Math.round(box.left)}`);
      }
      // ticks of one axis (the same subplot) never overlap
      for (let i = 0; i < ticks.length; i++) for (let j = i + 1; j < ticks.length; j++) {
        const [a, ra] = ticks[i], [b, rb] = ticks[j];
        if (a.closest('g[class*="axislayer"]') !== b.closest('g[class*="axislayer"]')) continue;
        if (meets(ra, rb)) {
          problems.push(`${where}: ticks overlap «${a.textContent}» «${b.textContent}»`);
          i = ticks.length; break;
        }
      }
    }
  }
  // text cut off with an ellipsis, or clipped by its box
  for (const e of document.querySelectorAll('.tk-page *')) {
    if (!shown(e) || e.closest('svg, .js-plotly-plot, input, textarea, select')) continue;
    // The projector header's members line ends in 「…」 by design: 「参加者 N 人」 leads it,
    // 新しく参加 names the newest and 参加者を外す lists everyone (the fold stays high).
    if (e.closest('.tk-members-line')) continue;
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.data.trim())) continue;
    const st = getComputedStyle(e);
    const cuts = st.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(st.overflowX);
    if (cuts && e.scrollWidth > e.clientWidth + 1)
      problems.push(`cut text «${e.textContent.trim().slice(0, 30)}» ${e.scrollWidth}>${e.clientWidth}`);
  }
  // a box with something inside past its right edge (clipped, or behind a scroll bar)
  for (const e of document.querySelectorAll('.tk-page .widget-box, .tk-page [class*="tk-"]')) {
    if (!shown(e) || e.closest('svg, .js-plotly-plot, .tk-members-line')) continue;
    const st = getComputedStyle(e);
    if (!['hidden', 'clip', 'auto', 'scroll'].includes(st.overflowX)) continue;
    if (e.scrollWidth <= e.clientWidth + 1) continue;
    const box = e.getBoundingClientRect();
    const inner = box.left + e.clientLeft + e.clientWidth;  // a child's margin may pass it
    for (const inside of e.querySelectorAll('.widget-box, [class*="tk-"], button')) {
      const r = inside.getBoundingClientRect();
      if (shown(inside) && r.width && r.right > inner + 3) {  // 2 px: a widget's border
        const cls = [...inside.classList].filter(c => c.startsWith('tk-') || c.startsWith('widget-'));
        problems.push(`box cut ${cls.slice(0, 2).join('.')} ${Math.round(r.right)}>${Math.round(inner)}`);
        break;
      }
    }
  }
  if (document.documentElement.scrollWidth > innerWidth + 1)
    problems.push(`page wider than the screen: ${document.documentElement.scrollWidth}`);
  return {problems, ticks: ticksSeen};
}"""

WHOLE = """([selector, limit]) => {
  // The first `limit` elements matching `selector`: each wholly on the screen (scrolled to the top).
  const found = [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length);
  return found.slice(0, limit).map(e => {
    const r = e.getBoundingClientRect();
    return {what: e.className.baseVal ?? e.className, text: (e.textContent || '').trim().slice(0, 24),
            top: r.top, bottom: r.bottom, right: r.right, vh: innerHeight, vw: innerWidth};
  });
}"""

SCROLL_TOP = """() => { window.scrollTo(0, 0);
  for (const el of document.querySelectorAll('*')) if (el.scrollTop) el.scrollTop = 0; }"""


@dataclass
class ScreensWalk:
    """Walks the demo meeting; results are filled in as it goes (see the module docstring)."""

    browser: object
    server: object
    shots: Path | None = None
    axe: dict[str, list[dict]] = field(default_factory=dict)
    targets: dict[str, list[dict]] = field(default_factory=dict)
    fold: dict[str, dict] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    layout: dict[str, list[str]] = field(default_factory=dict)
    ticks: dict[str, int] = field(default_factory=dict)
    whole: dict[str, list[dict]] = field(default_factory=dict)

    # --- measuring ------------------------------------------------------------------------------
    def check(self, page, state: str) -> None:
        """axe-core over the page as it is now."""
        page.wait_for_timeout(400)  # let the last widget messages land
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        self.axe[state] = page.evaluate(AXE_RUN)

    def measure_targets(self, page, state: str) -> None:
        self.targets[state] = page.evaluate(TOUCH_TARGETS)

    def measure_fold(
        self, page, state: str, selector: str, whole: str | None = None, limit: int = 20
    ) -> None:
        """Where the thing the room must read is, at both projector sizes (scrolled to the top);
        ``whole``: what must be on the screen entirely (its first ``limit`` elements)."""
        for size in (PROJECTOR, PROJECTOR_SMALL):
            page.set_viewport_size(size)
            page.wait_for_timeout(500)
            page.evaluate(SCROLL_TOP)
            self.fold[f"{state}@{size['width']}"] = page.evaluate(MEASURE, selector)
            if whole:
                self.whole[f"{state}@{size['width']}"] = page.evaluate(WHOLE, [whole, limit])
            self.shoot(page, f"projector{size['height']}_{state}")
        page.set_viewport_size(PROJECTOR)

    def look(self, page, name: str) -> None:
        """What looks cut or overlapping (LAYOUT), and how many y tick labels it measured."""
        found = page.evaluate(LAYOUT)
        self.layout[name] = found["problems"]
        self.ticks[name] = found["ticks"]

    def shoot_both(self, page, state: str) -> None:
        """Screenshots (and the layout check) at both projector sizes."""
        for size in (PROJECTOR, PROJECTOR_SMALL):
            page.set_viewport_size(size)
            page.wait_for_timeout(500)
            self.shoot(page, f"projector{size['height']}_{state}")
        page.set_viewport_size(PROJECTOR)

    def sized(self, page, size: dict, selector: str) -> list[list[str]]:
        """:meth:`lines` at a viewport size (the projector's own size restored after)."""
        page.set_viewport_size(size)
        page.wait_for_timeout(400)
        found = self.lines(page, selector)
        page.set_viewport_size(PROJECTOR)
        return found

    def lines(self, page, selector: str) -> list[list[str]]:
        return [
            page.evaluate(LINES, el) for el in page.query_selector_all(selector) if el.is_visible()
        ]

    def shoot(self, page, name: str) -> None:
        """The screenshot (when given a folder) and, always, what looks cut or overlapping."""
        page.evaluate(SCROLL_TOP)
        page.wait_for_timeout(300)
        self.look(page, name)
        if self.shots is not None:
            page.screenshot(path=str(self.shots / f"{name}.png"))

    def member_state(self, state: str, *, shoot: bool = True, scroll_to: str | None = None):
        """axe and touch targets on the tablet; screenshots of tablet and phone."""
        self.check(self.tablet, f"member:{state}")
        self.measure_targets(self.tablet, f"member:{state}")
        if shoot:
            for page, device in ((self.tablet, "tablet"), (self.phone, "phone")):
                if scroll_to and page.locator(scroll_to).count():
                    page.locator(scroll_to).first.scroll_into_view_if_needed()
                self.shoot(page, f"{device}_{state}")

    # --- the meeting ----------------------------------------------------------------------------
    def store(self):
        return self.server.connect()

    def set_phase(self, phase: str) -> None:
        from kit.meeting import meetings
        from kit.store import meetings as meeting_store

        conn = self.store()
        try:
            meetings.set_phase(conn, meeting_store.current_meeting(conn).id, phase)
        finally:
            conn.close()

    def prepare(self) -> str:
        """Members and the sample issues for today's demo meeting; its join code."""
        from kit.meeting import meetings
        from kit.plan import load_plan
        from kit.sample.city import NICKNAMES, SampleMeeting
        from kit.sample.issues import add_sample_issues
        from kit.store import meetings as meeting_store

        conn = self.store()
        try:
            meeting = meeting_store.current_meeting(conn)
            self.meeting_id = meeting.id
            ids = tuple(
                meetings.join_meeting(conn, meeting.join_code, name)[1].id
                for name in NICKNAMES[2:12]
            )
            self.member_ids = ids
            add_sample_issues(
                conn,
                random.Random(7),
                load_plan(),
                SampleMeeting(meeting.id, meeting.district_id, ids, False),
            )
            return meeting.join_code
        finally:
            conn.close()

    def open_vote(self, method: str):
        """A vote of 16 items (the open issues, then long proposals), opened at once."""
        from kit.meeting import voting
        from kit.plan import load_plan

        conn = self.store()
        try:
            specs = [voting.issue_item(i.id) for i in voting.open_issues(conn, self.meeting_id)]
            specs = specs[: ITEMS_ON_THE_BALLOT - 4]
            proposals = iter(LONG_PROPOSALS)
            while len(specs) < ITEMS_ON_THE_BALLOT:
                specs.append(voting.proposal(next(proposals)))
            return voting.create_vote(
                conn, self.meeting_id, specs, plan=load_plan(), method=method, open_now=True
            )
        finally:
            conn.close()

    def cast_some(self, vote_id: int) -> None:
        from kit.meeting import voting

        conn = self.store()
        try:
            items = [i.id for i in voting.vote_items(conn, vote_id)]
            rng = random.Random(3)
            for member_id in self.member_ids[:8]:
                picks = rng.sample(items[:8], 3)
                voting.cast_ballot(
                    conn, vote_id, member_id, {picks[0]: 2, picks[1]: 2, picks[2]: 1}
                )
        finally:
            conn.close()

    def close_vote(self, vote_id: int) -> None:
        from kit.meeting import voting

        conn = self.store()
        try:
            voting.close_vote(conn, vote_id)
        finally:
            conn.close()

    def run(self) -> ScreensWalk:
        code = self.prepare()
        b, s = self.browser, self.server
        self.tablet = open_page(b, s.member_url, TABLET, wait_for=".tk-join-form")
        self.phone = open_page(b, s.member_url, PHONE, wait_for=".tk-join-form")
        self.member_state("join")
        self.projector = open_page(b, s.facilitator_url, PROJECTOR, wait_for=".tk-phase-setup")
        proj = self.projector
        join(self.tablet, code, "さくら")
        join(self.phone, code, "つばき")
        self.member_state("setup")
        self.check(proj, "projector:setup")
        self.notes["join_code"] = code
        self.measure_fold(
            proj,
            "setup",
            ".tk-join-screen-code, .tk-join-code-big b",
            whole=".tk-join-screen-qr svg, .tk-join-screen-code, .tk-join-screen-url",
        )
        self.notes["url_lines_setup"] = self.lines(proj, ".tk-join-screen-url, .tk-join-url")

        # 困りごと出し
        self.set_phase("issues")
        for page in (self.tablet, self.phone, proj):
            page.wait_for_selector(".tk-issue-form, .tk-board-card", timeout=WAIT)
        self.notes["tab_write_class_before"] = self.tablet.get_attribute(
            ".tk-issues-tab-write", "class"
        )
        click(self.tablet, "tk-issues-tab-write")  # the tab already shown
        self.tablet.wait_for_timeout(600)
        self.notes["tab_write_class_after"] = self.tablet.get_attribute(
            ".tk-issues-tab-write", "class"
        )
        self.member_state("issue_form")
        self.notes["goal_lines"] = self.lines(self.tablet, ".tk-issue-goal")
        self.notes["goal_lines_phone"] = self.lines(self.phone, ".tk-issue-goal")
        self.notes["issue_form_height_phone"] = self.phone.evaluate(
            "() => document.querySelector('.tk-issue-form').getBoundingClientRect().height"
        )
        for page in (self.tablet, self.phone):
            page.locator(".tk-issue-text textarea").first.fill("夜道が暗くて、買い物帰りが心配")
            page.locator(".tk-issue-goal").nth(2).click()
            click(page, "tk-issue-send")
            page.wait_for_selector(".tk-issue-feedback .tk-ok", timeout=WAIT)
            click(page, "tk-issues-tab-mine")
            page.wait_for_selector(".tk-my-issue-withdraw", timeout=WAIT)
        self.member_state("my_issues")
        self.check(proj, "projector:issues")
        self.measure_fold(proj, "issues", ".tk-board-card-text")
        self.notes["board_order"] = proj.evaluate(
            """() => [...document.querySelectorAll('.tk-board-plan')].map(e => {
                 const r = e.getBoundingClientRect();
                 return [e.dataset.plan, Math.round(r.top), Math.round(r.left)]; })"""
        )
        self.notes["board_modebar"] = proj.locator(".tk-board-chart .modebar").count()
        self.notes["url_lines"] = self.lines(proj, ".tk-join-url")
        proj.set_viewport_size(PROJECTOR_SMALL)
        proj.wait_for_timeout(400)
        self.notes["url_lines_small"] = self.lines(proj, ".tk-join-url")
        proj.set_viewport_size(PROJECTOR)

        # The larger-text toggle on the projector
        before = proj.evaluate(MEASURE, ".tk-board-total")
        click(proj, "tk-text-size")
        proj.wait_for_function(
            "() => document.querySelector('.tk-projector-page.tk-larger-text') !== null",
            timeout=WAIT,
        )
        proj.wait_for_timeout(300)
        after = proj.evaluate(MEASURE, ".tk-board-total")
        self.notes["larger_text"] = (before, after)
        self.shoot_both(proj, "issues_larger_text")
        click(proj, "tk-text-size")
        proj.wait_for_function(
            "() => document.querySelector('.tk-projector-page.tk-larger-text') === null",
            timeout=WAIT,
        )

        # The phase timer: set on the projector, large there, small on the tablets.
        proj.locator(".tk-timer-minutes input").first.fill("5")
        proj.locator(".tk-timer-minutes input").first.press("Enter")
        click(proj, "tk-timer-start")
        proj.wait_for_selector(".tk-timer-left-big", timeout=WAIT)
        self.tablet.wait_for_selector(".tk-timer-left-small", timeout=WAIT)
        self.notes["timer_projector"] = proj.evaluate(MEASURE, ".tk-timer-left-big")
        self.notes["timer_tablet"] = self.tablet.evaluate(MEASURE, ".tk-timer-left-small")
        self.notes["timer_text"] = proj.inner_text(".tk-timer-left-big")
        self.shoot_both(proj, "timer")
        self.member_state("timer", scroll_to=".tk-task")

        # 支え合いマップ
        self.set_phase("map")
        proj.wait_for_selector(".tk-map-panel-findings li", timeout=WAIT)
        self.tablet.wait_for_selector(".tk-phase-title", timeout=WAIT)
        self.check(proj, "projector:map")
        self.measure_fold(
            proj, "map", ".tk-map-panel-findings li", whole=".tk-map-panel-findings li"
        )
        self.member_state("map")

        # 投票: set-up, then each method open on the tablets, then the result
        self.set_phase("vote")
        proj.wait_for_selector(".tk-vote-setup", timeout=WAIT)
        self.check(proj, "projector:vote_setup")
        self.shoot_both(proj, "vote_setup")
        self.tablet.wait_for_selector(".tk-vote-waiting", timeout=WAIT)
        self.member_state("vote_waiting")
        for method in ("approval", "ranking", "dots"):
            vote = self.open_vote(method)
            for page in (self.tablet, self.phone):
                page.wait_for_selector(".tk-vote-send", timeout=WAIT)
            self.member_state(f"ballot_{method}")
            if method != "dots":
                self.close_vote(vote.id)
                proj.wait_for_selector(".tk-vote-new", timeout=WAIT)
                click(proj, "tk-vote-new")
                proj.wait_for_selector(".tk-vote-setup", timeout=WAIT)
        self.ballot_on_the_phone()
        proj.wait_for_selector(".tk-vote-turnout-box", timeout=WAIT)
        self.cast_some(vote.id)
        proj.wait_for_selector(".tk-vote-turnout-box[data-voted='9']", timeout=WAIT)
        self.check(proj, "projector:vote_open")
        self.measure_fold(proj, "vote_open", ".tk-vote-turnout-box")
        proj.locator(
            ".tk-vote-paper .jupyter-widget-Collapse-header, .tk-vote-paper .lm-AccordionPanel-title,"
            " .tk-vote-paper .p-Accordion-header"
        ).first.click()
        proj.wait_for_selector(".tk-vote-paper-dots input", timeout=WAIT)
        proj.locator(".tk-vote-paper").first.scroll_into_view_if_needed()
        self.check(proj, "projector:paper_ballot")
        self.notes["paper_boxes"] = proj.evaluate(
            """() => [...document.querySelectorAll('.tk-vote-paper-dots')].map(row => {
                 const box = row.querySelector('input').getBoundingClientRect();
                 const r = row.getBoundingClientRect();
                 return {w: box.width, left: box.left, right: box.right, rowRight: r.right}; })"""
        )
        for size in (PROJECTOR, PROJECTOR_SMALL):
            proj.set_viewport_size(size)
            proj.wait_for_timeout(500)
            proj.locator(".tk-vote-paper").first.evaluate("e => e.scrollIntoView()")
            proj.wait_for_timeout(300)
            self.look(proj, f"projector{size['height']}_paper_ballot")
            if self.shots is not None:
                proj.screenshot(
                    path=str(self.shots / f"projector{size['height']}_paper_ballot.png")
                )
        proj.set_viewport_size(PROJECTOR)
        self.close_vote(vote.id)
        proj.wait_for_selector(".tk-vote-table tr[data-item]", timeout=WAIT)
        proj.wait_for_selector(".tk-vote-chart .js-plotly-plot", timeout=WAIT)
        self.tablet.wait_for_selector(".tk-vote-closed-msg", timeout=WAIT)
        self.notes["closed_hint"] = self.tablet.inner_text(".tk-task")
        self.member_state("vote_closed")
        proj.wait_for_timeout(800)  # plotly draws
        self.check(proj, "projector:vote_result")
        self.measure_fold(
            proj,
            "vote_result",
            ".tk-vote-table tr[data-item]",
            whole=".tk-vote-table tr[data-item]",
            limit=3,
        )
        self.notes["result_table_lines"] = {
            f"{size['width']}": self.sized(proj, size, ".tk-vote-table th, .tk-vote-tie-mark")
            for size in (PROJECTOR, PROJECTOR_SMALL)
        }
        self.notes["result_modebar"] = proj.locator(".tk-vote-chart .modebar").count()
        self.notes["result_ticks"] = proj.evaluate(
            "() => [...document.querySelectorAll('.tk-vote-chart .ytick text')]"
            ".map(t => t.textContent)"
        )

        # まとめ and 終了
        self.set_phase("wrapup")
        proj.wait_for_selector(".tk-wrapup", timeout=WAIT)
        self.check(proj, "projector:wrapup")
        self.measure_fold(
            proj, "wrapup", ".tk-wrapup-top-line", whole=".tk-wrapup-top-item", limit=1
        )
        self.notes["wrapup_button_lines"] = {
            f"{size['width']}": self.sized(proj, size, ".tk-wrapup-use-item")
            for size in (PROJECTOR, PROJECTOR_SMALL)
        }
        self.tablet.wait_for_function(  # gone, or drawn ahead and hidden (tk-offstage)
            "() => ![...document.querySelectorAll('.tk-member-vote')]"
            ".some((e) => e.offsetParent !== null)",
            timeout=WAIT,
        )
        self.member_state("wrapup")
        self.set_phase("closed")
        proj.wait_for_selector(".tk-handover", timeout=WAIT)
        self.check(proj, "projector:closed")
        self.measure_fold(proj, "closed", ".tk-phase-body h2")
        self.member_state("closed")

        # The map page and the office page
        from kit.sample.city import DEMO_PASSPHRASE

        self.map_page = open_page(
            b,
            s.url("map.ipynb", key=KEY),
            PROJECTOR,
            wait_for=".tk-map-gate .tk-map-passphrase input",
            timeout=180_000,
        )
        self.check(self.map_page, "map:passphrase")
        self.map_page.fill(".tk-map-passphrase input", DEMO_PASSPHRASE)
        self.map_page.click(".tk-map-gate-open")
        self.map_page.wait_for_selector(".tk-map-figure.js-plotly-plot", timeout=WAIT)
        self.check(self.map_page, "map")
        self.shoot_both(self.map_page, "map_page")
        click(self.map_page, "tk-map-findings")
        self.map_page.wait_for_timeout(1500)
        self.check(self.map_page, "map:findings")
        self.shoot_both(self.map_page, "map_findings")
        self.office = open_page(
            b,
            s.url("office.ipynb", key=KEY),
            PROJECTOR,
            wait_for=".tk-office-page",
            timeout=180_000,
        )
        self.check(self.office, "office")
        click(self.office, "tk-office-compile")
        self.office.wait_for_selector(
            ".tk-office-compile-feedback .tk-ok, .tk-office-compile-feedback .tk-error",
            timeout=180_000,
        )
        self.notes["office_progress"] = self.office.inner_text(".tk-office-progress-label")
        self.check(self.office, "office:compiled")
        self.shoot(self.office, "office_compiled")
        self.busy_notice()
        return self

    def busy_notice(self) -> None:
        """axe with 「処理しています…」 on the screen: a projector page whose kernel's answers are
        held back (a routed websocket) while a pressed button waits, then let through."""
        import re

        held: dict = {"on": False, "queue": [], "ws": []}

        def route(ws) -> None:
            server = ws.connect_to_server()
            held["ws"].append(ws)

            def from_server(message) -> None:
                if held["on"]:
                    held["queue"].append((ws, message))
                else:
                    ws.send(message)

            server.on_message(from_server)

        context = self.browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        page.route_web_socket(re.compile(r".*/channels.*"), route)
        page.goto(self.server.facilitator_url, timeout=180_000)
        page.wait_for_selector(".tk-text-size", timeout=180_000)
        page.wait_for_timeout(1000)
        held["on"] = True
        try:
            click(page, "tk-text-size")
            page.wait_for_selector(".tk-busy-notice:not([hidden])", timeout=WAIT)
            self.notes["busy_notice"] = page.evaluate(MEASURE, ".tk-busy-notice")
            self.notes["busy_notice_text"] = page.inner_text(".tk-busy-notice")
            self.check(page, "projector:busy")
        finally:
            held["on"] = False
            for ws, message in held["queue"]:
                ws.send(message)
        page.wait_for_selector(".tk-busy-notice[hidden]", state="attached", timeout=WAIT)
        self.notes["busy_notice_after"] = page.locator(".tk-busy-notice:not([hidden])").count()
        context.close()

    def dump(self, path: Path) -> None:
        """Everything measured, as JSON (for a report, or to read after a failure)."""
        import json

        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "axe": self.axe,
            "targets": self.targets,
            "fold": self.fold,
            "notes": self.notes,
            "layout": self.layout,
            "ticks": self.ticks,
            "whole": self.whole,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), "utf-8")

    def ballot_on_the_phone(self) -> None:
        """The compact ballot on a phone: no slider, +/− buttons, 16 items in few screens."""
        phone = self.phone
        phone.wait_for_selector(".tk-vote-plus-1", timeout=WAIT)
        self.notes["phone_ballot"] = phone.evaluate(
            """() => {
              const first = document.querySelector('.tk-vote-item').getBoundingClientRect();
              const send = document.querySelector('.tk-vote-send').getBoundingClientRect();
              const sliders = [...document.querySelectorAll('.tk-vote-slider')]
                .filter(e => e.getClientRects().length).length;
              const plus = [...document.querySelectorAll('.tk-vote-plus')]
                .filter(e => e.getClientRects().length).length;
              const top = document.querySelector('.tk-task').getBoundingClientRect().top;
              const items = [...document.querySelectorAll('.tk-vote-item')]
                .filter(e => e.getClientRects().length).length;  // rows drawn ahead: hidden
              return {items,
                      height: send.bottom - top, ballot: send.bottom - first.top,
                      sliders, plus, vh: innerHeight}; }"""
        )
        click(phone, "tk-vote-plus-2")
        click(phone, "tk-vote-plus-2")
        phone.wait_for_selector(".tk-vote-remaining-big[data-left='3']", timeout=WAIT)
        self.notes["phone_count"] = phone.inner_text(".tk-vote-count-2")
        self.shoot(phone, "phone_ballot_dots_top")
        phone.locator(".tk-vote-send").first.scroll_into_view_if_needed()
        if self.shots is not None:
            phone.screenshot(path=str(self.shots / "phone_ballot_dots_end.png"))
        click(phone, "tk-vote-send")
        phone.wait_for_selector(".tk-vote-done", timeout=WAIT)
