"""The projector's 困りごとボード: issues arriving live, grouped by 基本計画 → 重点目標.

Large type for the back of the room; a bar chart of the combined counts per goal; the
goals nobody has raised yet. Below, behind one button, the facilitator's controls:
edit wording, merge two issues, hide / unhide, write down an issue spoken aloud.
"""

from __future__ import annotations

import ipywidgets as w

from kit import messages as msg
from kit.charts.issues import goal_counts_spec
from kit.errors import ConflictError, ValidationError
from kit.meeting import issues
from kit.meeting.issues import BoardCard, IssueBoard
from kit.store import issues as issue_store
from kit.store import meetings as meeting_store
from kit.text import escape
from kit.ui.chart import PROJECTOR_CONFIG, Chart
from kit.ui.common import Feedback, big_button, classed, guarded, heading
from kit.ui.context import PageContext

OPTION_TEXT_CHARS = 36


def render_board_html(board: IssueBoard) -> str:
    """The grouped cards as HTML; every piece of user text is escaped."""
    if not board.cards:
        return f'<div class="tk-board-empty">{escape(msg.ISSUE_BOARD_EMPTY)}</div>'
    parts = ['<div class="tk-board-grid">']
    for group in board.plans:
        if not group.cards:
            continue
        color = escape(group.color)
        parts.append(
            f'<section class="tk-board-plan" data-plan="{escape(group.basic_plan_id)}"'
            f' style="border-color:{color}">'
            f'<h3 class="tk-board-plan-name" style="border-color:{color};'
            f' background:color-mix(in srgb, {color} 16%, white)">'
            f"{escape(group.basic_plan_id)} {escape(group.name)}</h3>"
        )
        for goal in group.goals:
            if not goal.cards:
                continue
            parts.append(
                f'<div class="tk-board-goal" data-goal="{escape(goal.goal_id)}">'
                f'<h4 class="tk-board-goal-name">{escape(goal.goal_id)} {escape(goal.plain or goal.name)}'
                f' <span class="tk-board-goal-count">'
                f"{escape(msg.ISSUE_BOARD_GOAL_COUNT.format(count=goal.count))}</span></h4>"
            )
            parts.extend(render_card(card) for card in goal.cards)
            parts.append("</div>")
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def render_card(card: BoardCard) -> str:
    badges = ""
    if card.raised_count > 1:
        badges += (
            f'<span class="tk-board-raised">'
            f"{escape(msg.ISSUE_BOARD_RAISED.format(count=card.raised_count))}</span>"
        )
    if card.spoken:
        badges += f'<span class="tk-board-spoken">{escape(msg.ISSUE_BOARD_SPOKEN)}</span>'
    who = "・".join(card.raisers)
    place = f"（{card.place}）" if card.place else ""
    return (
        f'<div class="tk-board-card" data-issue="{card.issue_id}">'
        f'<span class="tk-board-card-id">#{card.issue_id}</span> '
        f'<span class="tk-board-card-text">{escape(card.text)}</span>{badges}'
        f'<div class="tk-board-card-who">{escape(who + place)}</div></div>'
    )


def render_unraised_html(board: IssueBoard) -> str:
    title = f"<h3>{escape(msg.ISSUE_BOARD_UNRAISED_TITLE)}</h3>"
    if not board.unraised:
        return title + f"<p>{escape(msg.ISSUE_BOARD_UNRAISED_NONE)}</p>"
    colors = {g.goal_id: g.color for g in board.goal_counts()}
    chips = "".join(
        f'<span class="tk-board-unraised-goal" data-goal="{escape(g.id)}"'
        f' style="border-color:{escape(colors.get(g.id, "#777777"))}">'
        f"{escape(g.id)} {escape(g.plain or g.name)}</span>"
        for g in board.unraised
    )
    return title + f'<div class="tk-board-unraised-list">{chips}</div>'


def issue_option(card: BoardCard, *, hidden: bool = False) -> str:
    text = card.text if len(card.text) <= OPTION_TEXT_CHARS else card.text[:OPTION_TEXT_CHARS] + "…"
    label = msg.ISSUE_BOARD_OPTION.format(id=card.issue_id, text=text)
    return f"{label}（{msg.ISSUE_STATUS['hidden']}）" if hidden else label


class IssueBoardPanel:
    """困りごとボード on the projector, refreshed from the store within about a second."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.board: IssueBoard | None = None
        self._chart_key: tuple | None = None
        self._members_key: tuple | None = None
        self._syncing = False

        self.total = classed(w.HTML(), "tk-board-total")
        self.groups = classed(w.HTML(), "tk-board-groups")
        self.chart = classed(Chart(config=PROJECTOR_CONFIG), "tk-board-chart")
        self.unraised = classed(w.HTML(), "tk-board-unraised")
        self.feedback = Feedback("tk-board-feedback")

        goal_options = [
            (msg.ISSUE_BOARD_GOAL_OPTION.format(id=g.id, plain=g.plain or g.name), g.id)
            for g in ctx.plan.goals()
        ]
        none = [(msg.ISSUE_BOARD_PICK_NONE, None)]
        run = guarded(self.feedback)

        # edit wording / hide / unhide: one picked issue
        self.pick = classed(
            w.Dropdown(options=none, description=msg.ISSUE_BOARD_PICK), "tk-board-pick"
        )
        self.pick.observe(run(lambda _c: self._load_picked()), "value")
        self.edit_text = classed(
            w.Text(description=msg.ISSUE_BOARD_EDIT_TEXT), "tk-board-edit-text"
        )
        self.edit_goal = classed(
            w.Dropdown(options=goal_options, description=msg.ISSUE_BOARD_EDIT_GOAL),
            "tk-board-edit-goal",
        )
        self.edit_save = big_button(msg.ISSUE_BOARD_EDIT_SAVE, "tk-board-edit-save")
        self.edit_save.on_click(run(self._save_edit))
        self.hide = big_button(msg.ISSUE_BOARD_HIDE, "tk-board-hide", style="warning")
        self.hide.on_click(run(self._hide))
        self.unhide = big_button(msg.ISSUE_BOARD_UNHIDE, "tk-board-unhide", style="")
        self.unhide.on_click(run(self._unhide))
        self.picked_version: int | None = None

        # merge two
        self.merge_keep = classed(
            w.Dropdown(options=none, description=msg.ISSUE_BOARD_MERGE_KEEP), "tk-board-merge-keep"
        )
        self.merge_from = classed(
            w.Dropdown(options=none, description=msg.ISSUE_BOARD_MERGE_INTO), "tk-board-merge-from"
        )
        self.merge = big_button(msg.ISSUE_BOARD_MERGE, "tk-board-merge")
        self.merge.on_click(run(self._merge))

        # spoken aloud
        self.spoken_text = classed(
            w.Text(description=msg.ISSUE_BOARD_SPOKEN_TEXT), "tk-board-spoken-text"
        )
        self.spoken_goal = classed(
            w.Dropdown(options=goal_options, description=msg.ISSUE_BOARD_EDIT_GOAL),
            "tk-board-spoken-goal",
        )
        self.spoken_member = classed(
            w.Dropdown(
                options=[(msg.ISSUE_BOARD_SPOKEN_NOBODY, None)],
                description=msg.ISSUE_BOARD_SPOKEN_MEMBER,
            ),
            "tk-board-spoken-member",
        )
        self.spoken_name = classed(
            w.Text(
                description=msg.ISSUE_BOARD_SPOKEN_NEW_NAME,
                placeholder=msg.ISSUE_BOARD_SPOKEN_NEW_NAME_PLACEHOLDER,
            ),
            "tk-board-spoken-name",
        )
        self.spoken_seriousness = classed(
            w.IntSlider(
                value=3,
                min=1,
                max=5,
                description=msg.ISSUE_SERIOUSNESS,
                tooltip=msg.ARIA_SPOKEN_SERIOUSNESS,
            ),
            "tk-board-spoken-seriousness",
        )
        self.spoken_reach = classed(
            w.IntSlider(
                value=3, min=1, max=5, description=msg.ISSUE_REACH, tooltip=msg.ARIA_SPOKEN_REACH
            ),
            "tk-board-spoken-reach",
        )
        for dropdown in (self.pick, self.merge_keep, self.merge_from, self.spoken_member):
            dropdown.index = 0  # show 「（選んでください）」 rather than an empty box
        self.spoken_add = big_button(msg.ISSUE_BOARD_SPOKEN_ADD, "tk-board-spoken-add")
        self.spoken_add.on_click(run(self._add_spoken))

        row = w.Layout(flex_flow="row wrap", align_items="center")
        for control in (
            self.pick,
            self.edit_text,
            self.edit_goal,
            self.merge_keep,
            self.merge_from,
            self.spoken_text,
            self.spoken_goal,
            self.spoken_member,
            self.spoken_name,
            self.spoken_seriousness,
            self.spoken_reach,
        ):
            control.style.description_width = "11em"
            control.layout.width = "900px"
            control.layout.max_width = "100%"
        self.controls = classed(
            w.VBox(
                [
                    heading(msg.ISSUE_BOARD_EDIT_TITLE, level=3),
                    self.pick,
                    self.edit_text,
                    self.edit_goal,
                    w.HBox([self.edit_save, self.hide, self.unhide], layout=row),
                    heading(msg.ISSUE_BOARD_MERGE_TITLE, level=3),
                    self.merge_keep,
                    self.merge_from,
                    w.HBox([self.merge], layout=row),
                    heading(msg.ISSUE_BOARD_SPOKEN_TITLE, level=3),
                    self.spoken_text,
                    self.spoken_goal,
                    self.spoken_member,
                    self.spoken_name,
                    self.spoken_seriousness,
                    self.spoken_reach,
                    w.HBox([self.spoken_add], layout=row),
                ]
            ),
            "tk-board-controls",
        )
        self.controls.layout.display = "none"
        self.controls_toggle = classed(
            w.ToggleButton(description=msg.ISSUE_BOARD_CONTROLS_OPEN, value=False),
            "tk-board-controls-toggle",
        )
        self.controls_toggle.observe(lambda c: self.show_controls(c["new"]), "value")

        main = classed(w.VBox([self.total, self.groups]), "tk-board-main")
        side = classed(w.VBox([self.chart, self.unraised]), "tk-board-side")
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.ISSUE_BOARD_TITLE, level=2, cls="tk-board-title"),
                    classed(w.HBox([main, side]), "tk-board-layout"),
                    w.HBox([self.controls_toggle]),
                    self.feedback,
                    self.controls,
                ]
            ),
            "tk-board",
        )
        self.refresh()

    # --- showing --------------------------------------------------------------------------------------
    def show_controls(self, shown: bool) -> None:
        self.controls.layout.display = None if shown else "none"
        self.controls_toggle.description = (
            msg.ISSUE_BOARD_CONTROLS_CLOSE if shown else msg.ISSUE_BOARD_CONTROLS_OPEN
        )
        if self.controls_toggle.value != shown:
            self.controls_toggle.value = shown

    def refresh(self) -> None:
        """Re-read the board; redraw only what changed (the chart only when counts move)."""
        ctx = self.ctx
        if ctx.meeting_id is None:
            return
        board = issues.issue_board(ctx.conn, ctx.plan, ctx.meeting_id)
        if board != self.board:
            self.board = board
            self.total.value = msg.ISSUE_BOARD_TOTAL.format(
                cards=len(board.cards), count=board.total_count
            )
            self.groups.value = render_board_html(board)
            self.unraised.value = render_unraised_html(board)
            self._update_options(board)
            counts = board.goal_counts()
            key = tuple((c.goal_id, c.count) for c in counts)
            if key != self._chart_key:
                self._chart_key = key
                self._draw_chart(counts)
        self._update_members()

    def _draw_chart(self, counts) -> None:
        self.chart.show(goal_counts_spec(counts))  # a plain dict: no plotly import

    def _update_options(self, board: IssueBoard) -> None:
        none = [(msg.ISSUE_BOARD_PICK_NONE, None)]
        shown = [(issue_option(c), c.issue_id) for c in board.cards]
        hidden = [(issue_option(c, hidden=True), c.issue_id) for c in board.hidden]
        picked = self.pick.value
        self._syncing = True  # new options must not reload (and wipe) what is being typed
        try:
            for dropdown in (self.pick, self.merge_keep, self.merge_from):
                set_options(dropdown, none + shown + hidden)
        finally:
            self._syncing = False
        if self.pick.value != picked:
            self._load_picked()

    def _update_members(self) -> None:
        members = meeting_store.list_members(self.ctx.conn, self.ctx.meeting_id)
        key = tuple((m.id, m.display_name) for m in members)
        if key != self._members_key:
            self._members_key = key
            set_options(
                self.spoken_member,
                [(msg.ISSUE_BOARD_SPOKEN_NOBODY, None)] + [(m.display_name, m.id) for m in members],
            )

    def _card(self, issue_id: int | None) -> BoardCard | None:
        if issue_id is None or self.board is None:
            return None
        for card in self.board.cards + self.board.hidden:
            if card.issue_id == issue_id:
                return card
        return None

    # --- actions --------------------------------------------------------------------------------------
    def _picked(self) -> int:
        if self.pick.value is None:
            raise ValidationError(msg.ISSUE_CHOOSE_FIRST)
        return self.pick.value

    def _load_picked(self) -> None:
        if self._syncing:
            return
        card = self._card(self.pick.value)
        if card is None:
            self.picked_version = None
            return
        self.picked_version = card.version
        self.edit_text.value = card.text
        if card.goal_id in {value for _, value in self.edit_goal.options}:
            self.edit_goal.value = card.goal_id

    def _save_edit(self, _button=None) -> None:
        issue_id = self._picked()
        try:
            issue = issues.facilitator_edit_issue(
                self.ctx.conn,
                self.ctx.plan,
                issue_id,
                self.picked_version,
                text=self.edit_text.value,
                goal_id=self.edit_goal.value,
                max_chars=self.ctx.settings.issue_max_chars,
            )
        except ConflictError:
            latest = issue_store.get_issue(self.ctx.conn, issue_id)
            self.picked_version = latest.version  # a second press writes over it
            raise
        self.picked_version = issue.version
        self.feedback.ok(msg.ISSUE_BOARD_EDITED.format(id=issue.id))
        self.refresh()

    def _hide(self, _button=None) -> None:
        issue = issues.hide_issue(self.ctx.conn, self._picked())
        self.feedback.ok(msg.ISSUE_BOARD_HIDDEN_DONE.format(id=issue.id))
        self.refresh()
        self._load_picked()

    def _unhide(self, _button=None) -> None:
        issue = issues.unhide_issue(self.ctx.conn, self._picked())
        self.feedback.ok(msg.ISSUE_BOARD_UNHIDDEN_DONE.format(id=issue.id))
        self.refresh()
        self._load_picked()

    def _merge(self, _button=None) -> None:
        if self.merge_keep.value is None or self.merge_from.value is None:
            raise ValidationError(msg.ISSUE_CHOOSE_FIRST)
        keep, other = self._card(self.merge_keep.value), self._card(self.merge_from.value)
        issue = issues.merge_issues(
            self.ctx.conn,
            self.merge_keep.value,
            self.merge_from.value,
            keep_version=keep.version if keep else None,
            merge_version=other.version if other else None,
        )
        self.feedback.ok(
            msg.ISSUE_BOARD_MERGED.format(
                source=self.merge_from.value, target=issue.id, count=issue.raised_count
            )
        )
        self.merge_from.value = None
        self.refresh()

    def _add_spoken(self, _button=None) -> None:
        issue = issues.add_spoken_issue(
            self.ctx.conn,
            self.ctx.plan,
            self.ctx.meeting_id,
            text=self.spoken_text.value,
            goal_id=self.spoken_goal.value,
            seriousness=self.spoken_seriousness.value,
            reach=self.spoken_reach.value,
            member_id=self.spoken_member.value,
            speaker_name=self.spoken_name.value,
            max_chars=self.ctx.settings.issue_max_chars,
            name_max_chars=self.ctx.settings.name_max_chars,
        )
        self.spoken_text.value = ""
        self.spoken_name.value = ""
        self.feedback.ok(msg.ISSUE_BOARD_SPOKEN_ADDED.format(id=issue.id))
        self.refresh()


def set_options(dropdown: w.Dropdown, options: list) -> None:
    """Replace a dropdown's options only when they changed, keeping the chosen value."""
    if list(dropdown.options) == options:
        return
    value = dropdown.value
    dropdown.options = options
    values = [v for _, v in options]
    if value in values:
        dropdown.index = values.index(value)  # index, not value: None is a real choice here
    elif values and values[0] is None:
        dropdown.index = 0
