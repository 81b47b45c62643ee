"""The tablet's ballot (投票用紙): dots with big sliders, approval toggles, or ranking buttons.

One task on the screen: the open vote's items and one send button. The widgets help (the
dots cannot go over the allowance, a rank cannot repeat), but every rule is checked again
by :func:`kit.meeting.voting.cast_ballot` — this page only shows its message. No pandas, no plotly.
"""

from __future__ import annotations

import ipywidgets as w

from kit import messages as msg
from kit.errors import KitError
from kit.meeting import voting
from kit.meeting.voting import Vote, VoteItem
from kit.text import escape
from kit.ui.common import (
    Feedback,
    big_button,
    box,
    classed,
    guarded,
    html,
    paragraph,
    set_offstage,
    shared,
)
from kit.ui.context import PageContext

NO_GOAL_COLOR = "#888888"


class DotsRow:
    """One dot-vote row (持ち点), kept by its position and used again by every dot vote.

    Built before a vote opens (see :meth:`MemberVotePanel.prebuild`): when it opens, a row
    only gets its item's text and limits — two small updates instead of its widgets being
    built and sent while the room waits. Layouts and styles are shared (7 models a row).
    """

    def __init__(self, panel: MemberVotePanel, position: int) -> None:
        self.panel = panel
        self.position = position
        self.item_id: int | None = None
        self.moved_unbound = False  # its slider was set while no vote used it (crafted/early)
        self.label = html("", "tk-vote-item-label")
        self.slider = w.IntSlider(
            value=0,
            min=0,
            max=voting.DEFAULT_DOTS,
            step=1,
            continuous_update=True,
            readout=False,
            layout=shared("wide"),
            style=shared("slider"),
            _dom_classes=("tk-vote-slider", f"tk-vote-slider-{position}"),
        )
        self.count = html(
            MemberVotePanel._count_html(0), "tk-vote-count", f"tk-vote-count-{position}"
        )
        self.minus = big_button(
            msg.VOTE_MINUS, "tk-vote-minus", f"tk-vote-minus-{position}", style="", lean=True,
            layout="step",
        )  # fmt: skip
        self.plus = big_button(
            msg.VOTE_PLUS, "tk-vote-plus", f"tk-vote-plus-{position}", style="", lean=True,
            layout="step",
        )  # fmt: skip
        self.slider.observe(self._changed, "value")
        self.minus.on_click(lambda _b: self.step(-1))
        self.plus.on_click(lambda _b: self.step(+1))
        row = box(
            [self.minus, self.slider, self.count, self.plus],
            "tk-vote-dots-row",
            vertical=False,
            layout="row",
        )
        self.widget = box([self.label, row], "tk-card", "tk-vote-item", f"tk-vote-item-{position}")

    def step(self, by: int) -> None:
        self.slider.value = max(0, min(self.slider.value + by, self.slider.max))

    def _changed(self, change) -> None:
        value = MemberVotePanel._count_html(change["new"])
        if self.count.value != value:
            self.count.value = value
        if self.item_id is None:
            self.moved_unbound = not self.panel._adjusting
            return
        self.panel._slider_changed(self.item_id, change)

    def bind(self, item: VoteItem, value: int, top: int, label_html: str) -> None:
        """Show ``item`` in this row with ``value`` dots (no draft is written for it)."""
        self.item_id = item.id
        self.moved_unbound = False
        if self.label.value != label_html:
            self.label.value = label_html
        tooltip = msg.ARIA_ITEM_POINTS.format(label=item.label)
        with self.slider.hold_sync():  # one message for the three
            if self.slider.max != top:
                self.slider.max = top
            if self.slider.value != value:
                self.slider.value = value
            if self.slider.tooltip != tooltip:
                self.slider.tooltip = tooltip

    def unbind(self) -> None:
        self.item_id = None


class MemberVotePanel:
    """投票 on a tablet; follows the meeting's current vote (open → ballot, closed → thanks).

    Built when the member enters the meeting, before any vote (the page keeps it); the dot
    rows are built ahead too (:meth:`prebuild`), so opening a vote only fills them in.
    """

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.feedback = Feedback("tk-vote-feedback")
        self.body = classed(w.VBox(), "tk-vote-body")
        self.widget = classed(w.VBox([self.body, self.feedback]), "tk-member-vote")
        self.state: tuple[int, str] | None | str = "unset"
        self.vote: Vote | None = None
        self.items: list[VoteItem] = []
        self.sliders: dict[int, w.IntSlider] = {}
        self.toggles: dict[int, w.ToggleButton] = {}
        self.rank_buttons: dict[int, w.Button] = {}
        self.ranking: list[int] = []
        self.rows: list[DotsRow] = []  # by position - 1, kept for every dot vote
        self._built: list[w.Widget] = []  # an approval or ranking ballot's own widgets
        self.badge = html("", "tk-vote-badge")
        self.remaining = html("", "tk-vote-remaining")
        self.how = html("", "tk-vote-how")
        self.title = html("", "tk-vote-title")
        self.waiting = paragraph(msg.VOTE_WAITING, cls="tk-vote-waiting", lean=True)
        self.closed_msg = paragraph(msg.VOTE_CLOSED_MEMBER, cls="tk-vote-closed-msg", lean=True)
        self.send = big_button(msg.VOTE_SEND, "tk-vote-send", style="success", lean=True)
        self.send.on_click(guarded(self.feedback)(self._send))
        self.reset = big_button(msg.VOTE_RANK_RESET, "tk-vote-rank-reset", style="", lean=True)
        self.reset.on_click(guarded(self.feedback)(self._reset_ranking))
        self._adjusting = False
        self._shown_ballot: tuple | None = None
        self._shown: tuple[w.Widget, ...] = ()
        self.refresh()

    @property
    def hint(self) -> str | None:
        """The page's 「投票してください」 prompt, hidden once the vote is closed."""
        closed = isinstance(self.state, tuple) and self.state[1] != "open"
        return "" if closed else None

    @property
    def ballot_open(self) -> bool:
        """A vote is open and its ballot is on the panel."""
        return isinstance(self.state, tuple) and self.state[1] == "open"

    # --- built ahead ------------------------------------------------------------------------------
    def row(self, position: int) -> DotsRow:
        while len(self.rows) < position:
            self.rows.append(DotsRow(self, len(self.rows) + 1))
        return self.rows[position - 1]

    def prebuild(self, rows: int) -> bool:
        """Build one more dot row if fewer than ``rows`` (at most ``MAX_ITEMS``) exist;
        True while more are to come. The page calls it in idle moments."""
        rows = min(rows, voting.MAX_ITEMS)
        if len(self.rows) >= rows:
            return False
        set_offstage(self.row(len(self.rows) + 1).widget, True)
        self._set_body()  # drawn now, hidden
        return len(self.rows) < rows

    # --- following the store ------------------------------------------------------------------
    def refresh(self) -> None:
        state = voting.vote_state(self.ctx.conn, self.ctx.meeting_id)
        key = None if state is None else (state[0], state[1])
        if key != self.state:
            opened_new = key is not None and key[1] == "open"
            self.state = key
            if opened_new:
                self.feedback.clear()
            self._build(key)
        elif key is not None and key[1] == "open":
            if self._ballot_key() != self._shown_ballot:
                self._build(key)  # sent from the member's other device: show what was sent
            else:
                self._show_badge()

    def _ballot_key(self) -> tuple | None:
        if self.vote is None:
            return None
        mine = voting.my_ballot(self.ctx.conn, self.vote.id, self.ctx.member_id)
        return (
            None
            if mine is None
            else (mine.changes, mine.cast_at, tuple(sorted(mine.choices.items())))
        )

    def _release(self) -> None:
        """Forget the shown ballot: rows go back to the pool, a built ballot is closed."""
        for row in self.rows:
            row.unbind()
        for widget in self._built:
            widget.close()
        self._built = []
        self.sliders, self.toggles, self.rank_buttons, self.ranking = {}, {}, {}, []

    def _build(self, key) -> None:
        if key is None:
            self._release()
            self.vote = None
            self._set_body([self.waiting])
            return
        vote = voting.get_vote(self.ctx.conn, key[0])
        if key[1] != "open":
            self._release()
            self.vote = vote
            if 'class="tk-ok"' in self.feedback.value:  # 「投票しました」 was for the open vote;
                self.feedback.clear()  # a refused late ballot's message stays
            self.badge.value = ""
            self._set_body([self.closed_msg])
            return
        same_vote = self.vote is not None and self.vote.id == vote.id
        kept = self._unbound_values() if not same_vote else {}
        if not same_vote or vote.method != "dots":
            self._release()
        self.vote = vote
        self.items = voting.vote_items(self.ctx.conn, vote.id)
        self._shown_ballot = self._ballot_key()
        mine = voting.my_ballot(self.ctx.conn, vote.id, self.ctx.member_id)
        # what was moved and not sent yet comes back (reload, new kernel, restarted server)
        draft = voting.ballot_draft(self.ctx.conn, vote.id, self.ctx.member_id)
        choices = draft if draft is not None else (dict(mine.choices) if mine else None)
        method = vote.method
        if method == "dots":
            how = msg.VOTE_HOW_DOTS.format(dots=vote.settings.dots)
            if vote.settings.per_item_cap:
                how += msg.VOTE_HOW_DOTS_CAP.format(cap=vote.settings.per_item_cap)
            controls = [self.remaining, *self._bind_rows(choices, kept)]
        elif method == "approval":
            how = msg.VOTE_HOW_APPROVAL
            chosen = choices or {}
            controls = [self._approval_toggle(item, item.id in chosen) for item in self.items]
        else:
            k = voting.rank_k_of(vote, len(self.items))
            how = msg.VOTE_HOW_RANKING.format(k=k)
            ranked = sorted((choices or {}).items(), key=lambda kv: kv[1])
            self.ranking = [i for i, _ in ranked]
            controls = [self._rank_button(item) for item in self.items] + [self.reset]
        title = []
        if vote.title != msg.VOTE_DEFAULT_TITLE:  # the phase title already says it
            self._set_value(self.title, f"<h3>{escape(vote.title)}</h3>")
            title = [self.title]
        self._set_value(self.how, f"<p>{escape(how)}</p>")
        self._update_remaining()
        self._update_ranking()
        self._show_badge()
        self._set_body([*title, self.how, self.badge, *controls, self.send])

    @staticmethod
    def _set_value(widget: w.Widget, value: str) -> None:
        if widget.value != value:
            widget.value = value

    def _stage(self) -> tuple[w.Widget, ...]:
        """Everything a dot vote, the wait and the close show, in the one order they are
        shown in; each row as it is built ahead goes before 投票する."""
        return (
            self.waiting, self.closed_msg, self.title, self.how, self.badge, self.remaining,
            *(row.widget for row in self.rows), self.send,
        )  # fmt: skip

    def _set_body(self, children: list[w.Widget] | None = None) -> None:
        """Show ``children`` (the last shown when None). What a dot vote, the wait and the
        close show stays in the page, drawn once, the rest hidden: opening a vote then only
        shows rows (the browser draws nothing new while the room waits). An approval or
        ranking ballot's own widgets are put in as they are."""
        shown = self._shown if children is None else tuple(children)
        self._shown = shown
        stage = self._stage()
        ids = {id(widget) for widget in shown}
        if ids <= {id(widget) for widget in stage}:
            for widget in stage:
                set_offstage(widget, id(widget) not in ids)
            shown = stage
        else:
            for widget in shown:
                set_offstage(widget, False)
        if tuple(self.body.children) != shown:
            self.body.children = shown

    def _unbound_values(self) -> dict[int, int]:
        """Dots set on rows before their vote was shown (a message that came first)."""
        return {r.position: r.slider.value for r in self.rows if r.moved_unbound}

    def _bind_rows(self, choices: dict[int, int] | None, kept: dict[int, int]) -> list[w.Widget]:
        settings = self.vote.settings
        top = settings.per_item_cap or settings.dots
        left = settings.dots
        self.sliders = {}
        self._adjusting = True  # filling in is no move by the member: no draft, no message
        try:
            widgets = []
            for item in self.items:
                if choices is not None:
                    value = choices.get(item.id, 0)
                else:
                    value = kept.get(item.position, 0)
                value = max(0, min(value, top, left))
                left -= value
                row = self.row(item.position)
                row.bind(item, value, top, self._item_label_html(item))
                self.sliders[item.id] = row.slider
                widgets.append(row.widget)
        finally:
            self._adjusting = False
        return widgets

    def _show_badge(self) -> None:
        conn, member_id = self.ctx.conn, self.ctx.member_id
        mine = voting.my_ballot(conn, self.vote.id, member_id) if self.vote else None
        draft = voting.ballot_draft(conn, self.vote.id, member_id) if self.vote else None
        if mine is None:
            value = f'<div class="tk-vote-not-yet">{escape(msg.VOTE_NOT_YET_BADGE)}</div>'
            description = msg.VOTE_SEND
        else:
            value = f'<div class="tk-vote-done">{escape(msg.VOTE_DONE_BADGE)}</div>'
            description = msg.VOTE_SEND_CHANGE
        if self.send.description != description:
            self.send.description = description
        if draft is not None:
            value += (
                f'<div class="tk-vote-draft" role="status">{escape(msg.VOTE_DRAFT_UNSENT)}</div>'
            )
        if self.badge.value != value:
            self.badge.value = value

    def _keep_draft(self) -> None:
        """Keep what the member moved, not sent yet, in the store (下書き)."""
        if self.vote is None or self.vote.status != "open":
            return
        try:
            voting.save_ballot_draft(
                self.ctx.conn, self.vote.id, self.ctx.member_id, self.choices()
            )
        except KitError:
            return  # the vote was closed meanwhile: the next refresh shows it
        self._show_badge()

    def _item_label_html(self, item: VoteItem) -> str:
        color = NO_GOAL_COLOR
        if item.goal_id and self.ctx.plan.has_goal(item.goal_id):
            color = self.ctx.plan.basic_plan_of(item.goal_id).color
        return (
            f'<div class="tk-vote-item-text" style="border-left: 10px solid {escape(color)}">'
            f"{escape(item.label)}</div>"
        )

    def _item_label(self, item: VoteItem) -> w.HTML:
        label = html(self._item_label_html(item), "tk-vote-item-label")
        self._built.append(label)
        return label

    def _card(self, item: VoteItem, control: w.Widget) -> w.Widget:
        card = box(
            [self._item_label(item), control],
            "tk-card",
            "tk-vote-item",
            f"tk-vote-item-{item.position}",
        )
        self._built += [control, card]
        return card

    # --- dots (持ち点) ------------------------------------------------------------------------------
    @staticmethod
    def _count_html(value: int) -> str:
        """The item's points as text: the one readout on a phone, where the slider is hidden."""
        return (
            f'<span class="tk-vote-count-text">{escape(msg.VOTE_COUNT.format(count=value))}</span>'
        )

    def dots_used(self) -> int:
        return sum(s.value for s in self.sliders.values())

    def _slider_changed(self, item_id: int, change) -> None:
        if self._adjusting:
            return
        allowance = self.vote.settings.dots
        others = self.dots_used() - change["new"]
        allowed = max(allowance - others, 0)
        if change["new"] > allowed:
            self._adjusting = True
            try:
                self.sliders[item_id].value = allowed
            finally:
                self._adjusting = False
            self.feedback.error(msg.VOTE_NO_DOTS_LEFT)
        else:
            self.feedback.clear()
        self._update_remaining()
        self._keep_draft()

    def _update_remaining(self) -> None:
        if not self.sliders:
            self._set_value(self.remaining, "")
            return
        left = self.vote.settings.dots - self.dots_used()
        text = msg.VOTE_REMAINING_NONE if left <= 0 else msg.VOTE_REMAINING.format(left=left)
        state = "tk-vote-remaining-zero" if left <= 0 else "tk-vote-remaining-some"
        self._set_value(
            self.remaining,
            f'<div class="tk-vote-remaining-big {state}" role="status" data-left="{left}">'
            f"{escape(text)}</div>",
        )

    # --- approval (賛成するものすべて) --------------------------------------------------------------
    def _approval_toggle(self, item: VoteItem, on: bool) -> w.Widget:
        toggle = w.ToggleButton(
            value=on,
            description=msg.VOTE_APPROVE_ON if on else msg.VOTE_APPROVE_OFF,
            icon="check" if on else "",
            button_style="success" if on else "",
            layout=shared("approve"),
            style=shared("toggle"),
            _dom_classes=("tk-vote-approve", f"tk-vote-approve-{item.position}"),
        )

        def changed(change, t=toggle) -> None:
            t.description = msg.VOTE_APPROVE_ON if change["new"] else msg.VOTE_APPROVE_OFF
            t.icon = "check" if change["new"] else ""
            t.button_style = "success" if change["new"] else ""
            self._keep_draft()

        toggle.observe(changed, "value")
        self.toggles[item.id] = toggle
        return self._card(item, toggle)

    # --- ranking (順位付け) ---------------------------------------------------------------------------
    def _rank_button(self, item: VoteItem) -> w.Widget:
        button = big_button(
            "", "tk-vote-rank-item", f"tk-vote-rank-{item.position}", style="", lean=True
        )
        button.on_click(guarded(self.feedback)(lambda _b, i=item.id: self._rank_clicked(i)))
        self.rank_buttons[item.id] = button
        return self._card(item, button)

    def _rank_clicked(self, item_id: int) -> None:
        k = voting.rank_k_of(self.vote, len(self.items))
        if item_id in self.ranking:
            self.ranking.remove(item_id)
        elif len(self.ranking) >= k:
            self.feedback.error(msg.VOTE_RANK_FULL.format(k=k))
            return
        else:
            self.ranking.append(item_id)
        self.feedback.clear()
        self._update_ranking()
        self._keep_draft()

    def _reset_ranking(self, _button=None) -> None:
        self.ranking = []
        self.feedback.clear()
        self._update_ranking()
        self._keep_draft()

    def _update_ranking(self) -> None:
        if not self.rank_buttons:
            return
        next_rank = len(self.ranking) + 1
        for item_id, button in self.rank_buttons.items():
            if item_id in self.ranking:
                button.description = msg.VOTE_RANK_BADGE.format(
                    rank=self.ranking.index(item_id) + 1
                )
                button.button_style = "info"
            else:
                button.description = msg.VOTE_RANK_PICK.format(next=next_rank)
                button.button_style = ""

    # --- sending ------------------------------------------------------------------------------------
    def choices(self) -> object:
        """The ballot as :func:`kit.meeting.voting.cast_ballot` takes it, from the widgets."""
        if self.vote is None:
            return None
        if self.vote.method == "dots":
            return {item_id: s.value for item_id, s in self.sliders.items()}
        if self.vote.method == "approval":
            return [item_id for item_id, t in self.toggles.items() if t.value]
        return list(self.ranking)

    def _send(self, _button=None) -> None:
        state = voting.vote_state(self.ctx.conn, self.ctx.meeting_id)
        if state is not None and state[1] == "open" and (state[0], "open") != self.state:
            self.refresh()  # the tap came before this page's poll saw the vote open
        if self.vote is None:
            return
        had_ballot = voting.my_ballot(self.ctx.conn, self.vote.id, self.ctx.member_id) is not None
        voting.cast_ballot(self.ctx.conn, self.vote.id, self.ctx.member_id, self.choices())
        self._shown_ballot = self._ballot_key()
        self.feedback.ok(msg.VOTE_CHANGED if had_ballot else msg.VOTE_SENT)
        self._show_badge()
