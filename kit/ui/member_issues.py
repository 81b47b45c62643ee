"""The tablet's 困りごと出し panel: write an issue, pick its focus goal in plain words, send.

Light on purpose (no pandas, no plotly): every tablet runs its own kernel. All rules are
checked again in :mod:`kit.meeting.issues`; nothing here is access control.
"""

from __future__ import annotations

import re
import time

import ipywidgets as w

from kit import messages as msg
from kit.errors import ConflictError, KitError
from kit.meeting import issues
from kit.store import issues as issue_store
from kit.store.issues import Issue
from kit.text import escape
from kit.ui.common import Feedback, big_button, box, classed, guarded, html, paragraph, shared
from kit.ui.context import PageContext

DOUBLE_TAP_SECONDS = 3.0


def goal_css(goal_id: str) -> str:
    """A stable CSS class for a 重点目標 button: ``"1-(2)"`` → ``"tk-goal-1-2"``."""
    return "tk-goal-" + "-".join(p for p in re.split(r"[^0-9A-Za-z]+", goal_id) if p)


def scale_word(words: dict[int, str], value: int) -> str:
    return f"{value}：{words.get(value, '')}"


class MemberIssuesPanel:
    """困りごと出し on a tablet: a form (write / edit) and the member's own issues."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.max_chars = ctx.settings.issue_max_chars
        self.selected_goal: str | None = None
        self.editing_id: int | None = None
        self.editing_version: int | None = None
        self._last_sent = 0.0
        self._mine_key: tuple | None = None
        self.mine_issues: list[Issue] = []

        self.feedback = Feedback("tk-issue-feedback")
        self.mine_feedback = Feedback("tk-my-issues-feedback")

        # --- tabs: one task per screen -------------------------------------------------------------
        self.tab_write = w.ToggleButton(
            description=msg.ISSUE_TAB_WRITE,
            value=True,
            layout=shared("layout"),
            style=shared("toggle"),
            _dom_classes=("tk-issues-tab", "tk-issues-tab-write"),
        )
        self.tab_mine = w.ToggleButton(
            description=msg.ISSUE_TAB_MINE.format(count=0),
            value=False,
            layout=shared("layout"),
            style=shared("toggle"),
            _dom_classes=("tk-issues-tab", "tk-issues-tab-mine"),
        )
        self.tab = "write"
        self.tab_write.observe(lambda c: self._tab_tapped("write", c["new"]), "value")
        self.tab_mine.observe(lambda c: self._tab_tapped("mine", c["new"]), "value")

        # --- the form ------------------------------------------------------------------------------
        self.edit_note = html("", "tk-issue-editing")
        self.text = classed(
            w.Textarea(placeholder=msg.ISSUE_TEXT_PLACEHOLDER, rows=3, continuous_update=True),
            "tk-issue-text",
        )
        self.counter = w.Label(
            layout=shared("layout"), style=shared("label"), _dom_classes=("tk-issue-counter",)
        )
        self.text.observe(lambda _c: self._update_counter(), "value")
        self.goal_buttons: dict[str, w.Button] = {}
        goal_sections = [self._plan_section(bp) for bp in ctx.plan.basic_plans]
        self.seriousness, seriousness_row = self._scale(
            "tk-issue-seriousness", msg.ISSUE_SERIOUSNESS_WORDS, msg.ARIA_SERIOUSNESS
        )
        self.reach, reach_row = self._scale("tk-issue-reach", msg.ISSUE_REACH_WORDS, msg.ARIA_REACH)
        self.place = classed(w.Text(placeholder=msg.ISSUE_PLACE_PLACEHOLDER), "tk-issue-place")
        self.send = big_button(msg.ISSUE_SEND, "tk-issue-send", lean=True)
        self.send.on_click(guarded(self.feedback)(self._send))
        self.cancel_edit = big_button(msg.ISSUE_CANCEL_EDIT, "tk-issue-cancel-edit", style="")
        self.cancel_edit.on_click(guarded(self.feedback)(lambda _b: self.stop_editing()))
        self.cancel_edit.layout.display = "none"
        self.form = classed(
            w.VBox(
                [
                    self.edit_note,
                    paragraph(msg.ISSUE_TEXT_LABEL, cls="tk-issue-label", lean=True),
                    self.text,
                    self.counter,
                    paragraph(msg.ISSUE_GOAL_LABEL, cls="tk-issue-label", lean=True),
                    box(goal_sections, "tk-issue-goals"),
                    paragraph(msg.ISSUE_SERIOUSNESS_LABEL, cls="tk-issue-label", lean=True),
                    seriousness_row,
                    paragraph(msg.ISSUE_REACH_LABEL, cls="tk-issue-label", lean=True),
                    reach_row,
                    paragraph(msg.ISSUE_PLACE_LABEL, cls="tk-issue-label", lean=True),
                    self.place,
                    box([self.send, self.cancel_edit], vertical=False, layout="wrap"),
                    self.feedback,
                ]
            ),
            "tk-issue-form",
        )

        # --- my issues -----------------------------------------------------------------------------
        self.mine_list = classed(w.VBox(), "tk-my-issues-list")
        self.mine = classed(w.VBox([self.mine_feedback, self.mine_list]), "tk-my-issues")
        self.mine.layout.display = "none"

        self.widget = classed(
            w.VBox(
                [
                    box([self.tab_write, self.tab_mine], "tk-issues-tabs", vertical=False),
                    self.form,
                    self.mine,
                ]
            ),
            "tk-issues-panel",
        )
        self._update_counter()
        self.refresh()

    # --- building blocks ----------------------------------------------------------------------------
    def _plan_section(self, basic_plan) -> w.Widget:
        """One 基本計画: its name, then a big button per 重点目標 (plain words + summary)."""
        cards = []
        for goal in basic_plan.goals:
            button = w.Button(
                description=goal.plain or goal.name,
                tooltip=goal.summary,
                layout=shared("wide-big"),
                style=shared("button"),
                _dom_classes=("tk-issue-goal", goal_css(goal.id)),
            )
            button.on_click(guarded(self.feedback)(lambda _b, gid=goal.id: self.select_goal(gid)))
            self.goal_buttons[goal.id] = button
            summary = paragraph(goal.summary, cls="tk-issue-goal-summary", lean=True)
            cards.append(box([button, summary], "tk-issue-goal-card"))
        header = html(
            f'<div class="tk-issue-plan-name" style="border-color:{escape(basic_plan.color)}">'
            f"{escape(basic_plan.name)}</div>",
            "tk-issue-plan-header",
        )
        return box([header, box(cards, "tk-issue-goal-list")], "tk-issue-plan")

    def _scale(self, cls: str, words: dict[int, str], name: str) -> tuple[w.IntSlider, w.Widget]:
        slider = w.IntSlider(  # the tooltip names the handle for screen readers (tasukeai.js)
            value=3,
            min=1,
            max=5,
            step=1,
            readout=False,
            continuous_update=True,
            tooltip=name,
            layout=shared("layout"),
            style=shared("slider"),
            _dom_classes=("tk-issue-slider", cls),
        )
        word = w.Label(
            scale_word(words, 3),
            layout=shared("layout"),
            style=shared("label"),
            _dom_classes=("tk-issue-scale-word", f"{cls}-word"),
        )
        slider.observe(lambda c: setattr(word, "value", scale_word(words, c["new"])), "value")
        return slider, box([slider, word], "tk-issue-scale", vertical=False)

    def _update_counter(self) -> None:
        count = len(self.text.value.strip())
        if count > self.max_chars:
            self.counter.value = msg.ISSUE_COUNTER_OVER.format(
                count=count, limit=self.max_chars, over=count - self.max_chars
            )
            self.counter.add_class("tk-issue-counter-over")
        else:
            self.counter.value = msg.ISSUE_COUNTER.format(count=count, limit=self.max_chars)
            self.counter.remove_class("tk-issue-counter-over")

    # --- actions ------------------------------------------------------------------------------------
    def _tab_tapped(self, tab: str, pressed: bool) -> None:
        """A tap on the tab already shown un-presses it in the browser: press it again."""
        if pressed:
            self.show_tab(tab)
        elif tab == self.tab:
            self.show_tab(tab)

    def show_tab(self, tab: str) -> None:
        self.tab = tab
        self.tab_write.value = tab == "write"
        self.tab_mine.value = tab == "mine"
        self.form.layout.display = None if tab == "write" else "none"
        self.mine.layout.display = None if tab == "mine" else "none"

    def select_goal(self, goal_id: str | None) -> None:
        self.selected_goal = goal_id
        for gid, button in self.goal_buttons.items():
            chosen = gid == goal_id
            button.button_style = "info" if chosen else ""
            button.icon = "check" if chosen else ""
            (button.add_class if chosen else button.remove_class)("tk-selected")

    def clear_form(self) -> None:
        self.text.value = ""
        self.place.value = ""
        self.seriousness.value = 3
        self.reach.value = 3
        self.select_goal(None)

    def _values(self) -> dict:
        return {
            "text": self.text.value,
            "goal_id": self.selected_goal,
            "seriousness": self.seriousness.value,
            "reach": self.reach.value,
            "place": self.place.value,
            "max_chars": self.max_chars,
        }

    def _send(self, _button=None) -> None:
        ctx = self.ctx
        if self.editing_id is None:
            if (
                not self.text.value.strip()
                and time.monotonic() - self._last_sent < DOUBLE_TAP_SECONDS
            ):
                return  # a double tap on 送る: the first tap already sent and cleared the form
            issues.submit_issue(ctx.conn, ctx.plan, ctx.meeting_id, ctx.member_id, **self._values())
            self._last_sent = time.monotonic()
            self.clear_form()
            self.feedback.ok(msg.ISSUE_SENT)
        else:
            try:
                issues.edit_issue(
                    ctx.conn,
                    ctx.plan,
                    self.editing_id,
                    ctx.member_id,
                    self.editing_version,
                    **self._values(),
                )
            except ConflictError:
                self._after_conflict()
                raise
            self.stop_editing()
            self.show_tab("mine")
            self.mine_feedback.ok(msg.ISSUE_SAVED)
        self.refresh()

    def _after_conflict(self) -> None:
        """Keep what the member typed; a second press writes it over the newer version."""
        try:
            latest = issue_store.get_issue(self.ctx.conn, self.editing_id)
        except KitError:
            latest = None
        if latest is None or not issues.can_be_edited(latest):
            self.stop_editing(clear=False)
        else:
            self.editing_version = latest.version

    def start_editing(self, issue: Issue) -> None:
        self.editing_id, self.editing_version = issue.id, issue.version
        self.text.value = issue.text
        self.place.value = issue.place
        self.seriousness.value = issue.seriousness
        self.reach.value = issue.reach
        self.select_goal(issue.goal_id if issue.goal_id in self.goal_buttons else None)
        self.send.description = msg.ISSUE_SAVE_EDIT
        self.cancel_edit.layout.display = None
        self.edit_note.value = f'<p class="tk-issue-editing-note">{escape(msg.ISSUE_EDITING)}</p>'
        self.feedback.clear()
        self.show_tab("write")

    def stop_editing(self, *, clear: bool = True) -> None:
        self.editing_id = self.editing_version = None
        self.send.description = msg.ISSUE_SEND
        self.cancel_edit.layout.display = "none"
        self.edit_note.value = ""
        if clear:
            self.clear_form()

    def withdraw(self, issue: Issue) -> None:
        issues.withdraw_issue(self.ctx.conn, issue.id, self.ctx.member_id, issue.version)
        if self.editing_id == issue.id:
            self.stop_editing()
        self.mine_feedback.ok(msg.ISSUE_WITHDRAWN)
        self.refresh()

    # --- my issues ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the member's own issues (the facilitator may have merged or hidden one)."""
        ctx = self.ctx
        if ctx.meeting_id is None or ctx.member_id is None:
            return
        mine = issues.my_issues(ctx.conn, ctx.meeting_id, ctx.member_id)
        key = tuple((i.id, i.version, i.status) for i in mine)
        if key == self._mine_key:
            return
        self._mine_key = key
        self.mine_issues = mine
        self.tab_mine.description = msg.ISSUE_TAB_MINE.format(count=len(mine))
        self.mine_list.children = [self._card(i) for i in mine] or [
            paragraph(msg.ISSUE_MINE_EMPTY, cls="tk-my-issues-empty", lean=True)
        ]

    def _card(self, issue: Issue) -> w.Widget:
        plan = self.ctx.plan
        goal = plan.goal(issue.goal_id).plain if plan.has_goal(issue.goal_id) else issue.goal_id
        meta = msg.ISSUE_MINE_GOAL.format(
            goal=goal,
            seriousness=msg.ISSUE_SERIOUSNESS_WORDS.get(issue.seriousness, ""),
            reach=msg.ISSUE_REACH_WORDS.get(issue.reach, ""),
        )
        lines = [
            f'<div class="tk-my-issue-text">{escape(issue.text)}</div>',
            f'<div class="tk-my-issue-meta">{escape(meta)}</div>',
        ]
        if issue.place:
            lines.append(
                f'<div class="tk-my-issue-meta">{escape(msg.ISSUE_MINE_PLACE.format(place=issue.place))}</div>'
            )
        lines.append(
            f'<div class="tk-my-issue-status tk-status-{escape(issue.status)}">'
            f"{escape(msg.ISSUE_STATUS.get(issue.status, ''))}</div>"
        )
        children: list[w.Widget] = [html("".join(lines), "tk-my-issue-body")]
        if issues.is_live(issue):
            feedback = self.mine_feedback
            confirm_yes = big_button(
                msg.ISSUE_WITHDRAW_CONFIRM, "tk-my-issue-withdraw-confirm", style="danger"
            )
            confirm_no = big_button(
                msg.ISSUE_WITHDRAW_CANCEL, "tk-my-issue-withdraw-cancel", style=""
            )
            confirm = classed(
                w.VBox(
                    [
                        paragraph(msg.ISSUE_WITHDRAW_QUESTION, cls="tk-my-issue-question"),
                        w.HBox([confirm_yes, confirm_no], layout=w.Layout(flex_flow="row wrap")),
                    ]
                ),
                "tk-my-issue-confirm",
            )
            confirm.layout.display = "none"
            buttons = []
            if issues.can_be_edited(issue):
                edit = big_button(msg.ISSUE_EDIT, "tk-my-issue-edit", style="")
                edit.on_click(guarded(feedback)(lambda _b, i=issue: self.start_editing(i)))
                buttons.append(edit)
            withdraw = big_button(msg.ISSUE_WITHDRAW, "tk-my-issue-withdraw", style="warning")
            withdraw.on_click(
                guarded(feedback)(lambda _b: setattr(confirm.layout, "display", None))
            )
            buttons.append(withdraw)
            confirm_yes.on_click(guarded(feedback)(lambda _b, i=issue: self.withdraw(i)))
            confirm_no.on_click(
                guarded(feedback)(lambda _b: setattr(confirm.layout, "display", "none"))
            )
            children += [w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")), confirm]
        return classed(w.VBox(children), "tk-card", "tk-my-issue", f"tk-my-issue-{issue.status}")
