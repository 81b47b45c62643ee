"""The wrap-up on the projector (まとめ): action items for the top priorities, past actions.

Top items of the closed vote each prefill the form (what, and the 活動方針 of its 重点目標);
the facilitator adds who and by when. The action list is shown large; the district's
earlier actions can be marked 未着手・進行中・完了 as the room reports on them.
"""

from __future__ import annotations

import ipywidgets as w

from kit import messages as msg
from kit.meeting import actions
from kit.meeting.actions import ActionItem
from kit.text import escape
from kit.ui.common import Feedback, big_button, classed, guarded, heading, later, paragraph
from kit.ui.context import PageContext
from kit.ui.handover import HandoverPanel


class WrapUpPanel:
    """まとめ (see module docstring)."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.feedback = Feedback("tk-wrapup-feedback")
        self.source_item: int | None = None
        self.top_box = classed(w.VBox(), "tk-wrapup-top")
        self.what = classed(
            w.Text(description=msg.WRAPUP_WHAT, placeholder=msg.WRAPUP_WHAT_PLACEHOLDER),
            "tk-wrapup-what",
        )
        self.who = classed(
            w.Text(description=msg.WRAPUP_WHO, placeholder=msg.WRAPUP_WHO_PLACEHOLDER),
            "tk-wrapup-who",
        )
        self.due = classed(w.DatePicker(description=msg.WRAPUP_DUE), "tk-wrapup-due")
        self.policy = classed(
            w.Dropdown(
                options=[(msg.WRAPUP_POLICY_PICK, "")]
                + [(f"{p.id} {p.name}", p.id) for p in ctx.plan.policies()],
                value="",
                description=msg.WRAPUP_POLICY,
            ),
            "tk-wrapup-policy",
        )
        for field in (self.what, self.who, self.due, self.policy):
            field.style = {"description_width": "160px"}
        self.add = big_button(msg.WRAPUP_ADD, "tk-wrapup-add", style="success")
        self.add.on_click(guarded(self.feedback)(self._add))
        self.action_list = classed(w.VBox(), "tk-wrapup-actions")
        self.past_list = classed(w.VBox(), "tk-wrapup-past")
        self._actions_key: tuple | None = None
        self._past_key: tuple | None = None
        self._top_key: tuple | None = None
        self._rows: dict[tuple, w.Widget] = {}  # (number, action) → its row, kept
        # Saving for the office is allowed from まとめ on, so the button is here too.
        self.handover = HandoverPanel(ctx)
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.WRAPUP_TITLE, level=2),
                    heading(msg.WRAPUP_TOP_ITEMS, level=3),
                    self.top_box,
                    heading(msg.WRAPUP_FORM_TITLE, level=3),
                    classed(
                        w.VBox(
                            [self.what, self.who, self.due, self.policy, self.add, self.feedback]
                        ),
                        "tk-wrapup-form",
                    ),
                    heading(msg.WRAPUP_ACTIONS_TITLE, level=3),
                    self.action_list,
                    heading(msg.WRAPUP_PAST_TITLE, level=3),
                    self.past_list,
                    self.handover.widget,
                ]
            ),
            "tk-wrapup",
        )
        self.refresh()

    # --- following the store ------------------------------------------------------------------
    def refresh(self) -> None:
        top = actions.top_vote_items(self.ctx.conn, self.ctx.meeting_id)
        if tuple(top) != self._top_key:
            self._top_key = tuple(top)
            self._show_top(top)
        self._refresh_actions()
        past = actions.past_actions(self.ctx.conn, self.ctx.meeting_id)
        key = tuple((p.meeting.id, p.actions) for p in past)
        if key != self._past_key:
            self._past_key = key
            self._show_past(past)

    def _refresh_actions(self) -> None:
        mine = actions.meeting_actions(self.ctx.conn, self.ctx.meeting_id)
        if tuple(mine) != self._actions_key:
            self._actions_key = tuple(mine)
            self._show_actions(mine)

    def _show_top(self, top) -> None:
        if not top:
            self.top_box.children = [paragraph(msg.WRAPUP_NO_VOTE, cls="tk-wrapup-no-vote")]
            return
        rows = []
        for item in top:
            line = msg.WRAPUP_TOP_LINE.format(
                rank=item.rank,
                label=item.label,
                score=item.score,
                tie=msg.WRAPUP_TIE if item.tied else "",
            )
            use = classed(
                big_button(msg.WRAPUP_USE_ITEM, "tk-wrapup-use-item", style="info"),
                f"tk-wrapup-use-item-{item.item_id}",
            )
            use.on_click(guarded(self.feedback)(lambda _b, it=item: self._use_item(it)))
            rows.append(
                classed(
                    w.HBox(
                        [classed(w.HTML(f"<p>{escape(line)}</p>"), "tk-wrapup-top-line"), use],
                        layout=w.Layout(align_items="center", justify_content="space-between"),
                    ),
                    "tk-card",
                    "tk-wrapup-top-item",
                )
            )
        self.top_box.children = rows

    def _use_item(self, item) -> None:
        self.source_item = item.item_id
        self.what.value = item.label[: actions.TITLE_MAX_CHARS]
        self.policy.value = actions.suggested_policy(self.ctx.plan, item.goal_id) or ""
        self.feedback.clear()

    def _add(self, _button=None) -> None:
        actions.add_action(
            self.ctx.conn,
            self.ctx.plan,
            self.ctx.meeting_id,
            title=self.what.value,
            owner=self.who.value,
            due_on=self.due.value,
            policy_id=self.policy.value,
            source_vote_item_id=self.source_item,
        )
        # The new action first (what the room looks at), then the form is cleared; the
        # rest of the panel (top items, past meetings) follows once that is on screen.
        self._refresh_actions()
        self.feedback.ok(msg.WRAPUP_ADDED)
        self.source_item = None
        self.what.value = self.who.value = ""
        self.due.value = None
        self.policy.value = ""
        later(0.05, self.refresh)

    # --- lists --------------------------------------------------------------------------------------
    def _action_html(self, action: ActionItem) -> str:
        policy = action.policy_id
        if self.ctx.plan.has_policy(policy):
            policy = f"{policy} {self.ctx.plan.policy(policy).name}"
        meta = msg.WRAPUP_ACTION_META.format(
            owner=action.owner, due=action.due_on or "", policy=policy
        )
        return (
            f'<div class="tk-wrapup-action-title">{escape(action.title)}</div>'
            f'<div class="tk-wrapup-action-meta">{escape(meta)}</div>'
        )

    def _show_actions(self, items: list[ActionItem]) -> None:
        if not items:
            self.action_list.children = [paragraph(msg.WRAPUP_NO_ACTIONS, cls="tk-wrapup-none")]
            return
        rows = []
        kept: dict[tuple, w.Widget] = {}
        for number, action in enumerate(items, start=1):
            key = (number, action)
            row = self._rows.get(key) or self._action_row(number, action)
            kept[key] = row
            rows.append(row)
        self._rows = kept  # rows of unchanged actions are reused: only a new one is sent
        self.action_list.children = rows

    def _action_row(self, number: int, action: ActionItem) -> w.Widget:
        remove = classed(
            big_button(msg.WRAPUP_REMOVE, "tk-wrapup-remove", style=""),
            f"tk-wrapup-remove-{action.id}",
        )
        remove.on_click(guarded(self.feedback)(lambda _b, a=action.id: self._remove(a)))
        return classed(
            w.HBox(
                [
                    classed(
                        w.HTML(
                            f'<div class="tk-wrapup-number">{number}</div>'
                            + self._action_html(action)
                        ),
                        "tk-wrapup-action-text",
                    ),
                    remove,
                ],
                layout=w.Layout(align_items="center", justify_content="space-between"),
            ),
            "tk-card",
            "tk-wrapup-action",
        )

    def _remove(self, action_id: int) -> None:
        actions.remove_action(self.ctx.conn, action_id)
        self.refresh()

    def _show_past(self, past) -> None:
        if not past:
            self.past_list.children = [paragraph(msg.WRAPUP_NO_PAST, cls="tk-wrapup-no-past")]
            return
        blocks = []
        for entry in past:
            counts = entry.counts()
            head = msg.WRAPUP_PAST_MEETING.format(
                held_on=entry.meeting.held_on, title=entry.meeting.title
            )
            rows = [
                classed(
                    w.HTML(
                        f"<h4>{escape(head)}</h4><p>{escape(msg.WRAPUP_PAST_COUNTS.format(**counts))}</p>"
                    ),
                    "tk-wrapup-past-head",
                )
            ]
            for action in entry.actions:
                status = classed(
                    w.ToggleButtons(
                        options=[(msg.WRAPUP_STATUS_LABELS[s], s) for s in actions.STATUSES],
                        value=action.status,
                    ),
                    "tk-wrapup-status",
                    f"tk-wrapup-status-{action.id}",
                )
                status.observe(
                    guarded(self.feedback)(
                        lambda c, a=action.id: self._status_changed(a, c["new"])
                    ),
                    "value",
                )
                rows.append(
                    classed(
                        w.VBox(
                            [
                                classed(w.HTML(self._action_html(action)), "tk-wrapup-action-text"),
                                status,
                            ]
                        ),
                        "tk-card",
                        "tk-wrapup-past-action",
                        f"tk-wrapup-past-{action.status}",
                    )
                )
            blocks.append(classed(w.VBox(rows), "tk-wrapup-past-meeting"))
        self.past_list.children = blocks

    def _status_changed(self, action_id: int, status: str) -> None:
        actions.set_action_status(self.ctx.conn, action_id, status)
        self.refresh()
