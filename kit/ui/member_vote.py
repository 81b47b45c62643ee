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
from kit.ui.common import Feedback, big_button, classed, guarded, heading, paragraph
from kit.ui.context import PageContext

NO_GOAL_COLOR = "#888888"


class MemberVotePanel:
    """投票 on a tablet; follows the meeting's current vote (open → ballot, closed → thanks)."""

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
        self.badge = classed(w.HTML(), "tk-vote-badge")
        self.remaining = classed(w.HTML(), "tk-vote-remaining")
        self.send = big_button(msg.VOTE_SEND, "tk-vote-send", style="success")
        self.send.on_click(guarded(self.feedback)(self._send))
        self._adjusting = False
        self._shown_ballot: tuple | None = None
        self.refresh()

    @property
    def hint(self) -> str | None:
        """The page's 「投票してください」 prompt, hidden once the vote is closed."""
        closed = isinstance(self.state, tuple) and self.state[1] != "open"
        return "" if closed else None

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

    def _build(self, key) -> None:
        self.sliders, self.toggles, self.rank_buttons, self.ranking = {}, {}, {}, []
        if key is None:
            self.vote = None
            self.body.children = [paragraph(msg.VOTE_WAITING, cls="tk-vote-waiting")]
            return
        self.vote = voting.get_vote(self.ctx.conn, key[0])
        if key[1] != "open":
            if 'class="tk-ok"' in self.feedback.value:  # 「投票しました」 was for the open vote;
                self.feedback.clear()  # a refused late ballot's message stays
            self.badge.value = ""
            self.body.children = [paragraph(msg.VOTE_CLOSED_MEMBER, cls="tk-vote-closed-msg")]
            return
        self.items = voting.vote_items(self.ctx.conn, self.vote.id)
        self._shown_ballot = self._ballot_key()
        mine = voting.my_ballot(self.ctx.conn, self.vote.id, self.ctx.member_id)
        # what was moved and not sent yet comes back (reload, new kernel, restarted server)
        draft = voting.ballot_draft(self.ctx.conn, self.vote.id, self.ctx.member_id)
        choices = draft if draft is not None else (dict(mine.choices) if mine else {})
        method = self.vote.method
        if method == "dots":
            how = msg.VOTE_HOW_DOTS.format(dots=self.vote.settings.dots)
            if self.vote.settings.per_item_cap:
                how += msg.VOTE_HOW_DOTS_CAP.format(cap=self.vote.settings.per_item_cap)
            rows = [self._dots_row(item, choices.get(item.id, 0)) for item in self.items]
            controls = [self.remaining, *rows]
        elif method == "approval":
            how = msg.VOTE_HOW_APPROVAL
            controls = [self._approval_toggle(item, item.id in choices) for item in self.items]
        else:
            k = voting.rank_k_of(self.vote, len(self.items))
            how = msg.VOTE_HOW_RANKING.format(k=k)
            self.ranking = [i for i, _ in sorted(choices.items(), key=lambda kv: kv[1])]
            reset = big_button(msg.VOTE_RANK_RESET, "tk-vote-rank-reset", style="")
            reset.on_click(guarded(self.feedback)(self._reset_ranking))
            controls = [self._rank_button(item) for item in self.items] + [reset]
        title = (
            [heading(self.vote.title, level=3, cls="tk-vote-title")]
            if self.vote.title != msg.VOTE_DEFAULT_TITLE  # the phase title already says it
            else []
        )
        self.body.children = [
            *title,
            paragraph(how, cls="tk-vote-how"),
            self.badge,
            *controls,
            self.send,
        ]
        self._update_remaining()
        self._update_ranking()
        self._show_badge()

    def _show_badge(self) -> None:
        conn, member_id = self.ctx.conn, self.ctx.member_id
        mine = voting.my_ballot(conn, self.vote.id, member_id) if self.vote else None
        draft = voting.ballot_draft(conn, self.vote.id, member_id) if self.vote else None
        if mine is None:
            value = f'<div class="tk-vote-not-yet">{escape(msg.VOTE_NOT_YET_BADGE)}</div>'
            self.send.description = msg.VOTE_SEND
        else:
            value = f'<div class="tk-vote-done">{escape(msg.VOTE_DONE_BADGE)}</div>'
            self.send.description = msg.VOTE_SEND_CHANGE
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

    def _item_label(self, item: VoteItem) -> w.HTML:
        color = NO_GOAL_COLOR
        if item.goal_id and self.ctx.plan.has_goal(item.goal_id):
            color = self.ctx.plan.basic_plan_of(item.goal_id).color
        return classed(
            w.HTML(
                f'<div class="tk-vote-item-text" style="border-left: 10px solid {escape(color)}">'
                f"{escape(item.label)}</div>"
            ),
            "tk-vote-item-label",
        )

    # --- dots (持ち点) ------------------------------------------------------------------------------
    def _dots_row(self, item: VoteItem, value: int) -> w.Widget:
        settings = self.vote.settings
        top = settings.per_item_cap or settings.dots
        slider = classed(
            w.IntSlider(
                value=min(value, top),
                min=0,
                max=top,
                step=1,
                continuous_update=True,
                readout=False,
                tooltip=msg.ARIA_ITEM_POINTS.format(label=item.label),
                layout=w.Layout(width="100%"),
            ),
            "tk-vote-slider",
            f"tk-vote-slider-{item.position}",
        )
        count = classed(
            w.HTML(self._count_html(slider.value)),
            "tk-vote-count",
            f"tk-vote-count-{item.position}",
        )
        slider.observe(lambda change, i=item.id: self._slider_changed(i, change), "value")
        slider.observe(
            lambda change, c=count: setattr(c, "value", self._count_html(change["new"])), "value"
        )
        self.sliders[item.id] = slider
        minus = classed(
            big_button(msg.VOTE_MINUS, "tk-vote-minus", style=""), f"tk-vote-minus-{item.position}"
        )
        plus = classed(
            big_button(msg.VOTE_PLUS, "tk-vote-plus", style=""), f"tk-vote-plus-{item.position}"
        )
        minus.layout = plus.layout = w.Layout(width="64px", min_width="64px", min_height="56px")
        minus.on_click(lambda _b, s=slider: setattr(s, "value", max(s.value - 1, 0)))
        plus.on_click(lambda _b, s=slider: setattr(s, "value", min(s.value + 1, s.max)))
        return classed(
            w.VBox(
                [
                    self._item_label(item),
                    classed(
                        w.HBox(
                            [minus, slider, count, plus],
                            layout=w.Layout(align_items="center", width="100%"),
                        ),
                        "tk-vote-dots-row",
                    ),
                ]
            ),
            "tk-card",
            "tk-vote-item",
            f"tk-vote-item-{item.position}",
        )

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
            self.remaining.value = ""
            return
        left = self.vote.settings.dots - self.dots_used()
        text = msg.VOTE_REMAINING_NONE if left <= 0 else msg.VOTE_REMAINING.format(left=left)
        state = "tk-vote-remaining-zero" if left <= 0 else "tk-vote-remaining-some"
        self.remaining.value = (
            f'<div class="tk-vote-remaining-big {state}" role="status" data-left="{left}">'
            f"{escape(text)}</div>"
        )

    # --- approval (賛成するものすべて) --------------------------------------------------------------
    def _approval_toggle(self, item: VoteItem, on: bool) -> w.Widget:
        toggle = classed(
            w.ToggleButton(
                value=on, description=msg.VOTE_APPROVE_ON if on else msg.VOTE_APPROVE_OFF
            ),
            "tk-vote-approve",
            f"tk-vote-approve-{item.position}",
        )
        toggle.layout = w.Layout(width="auto", min_width="200px", min_height="56px")
        toggle.icon = "check" if on else ""
        toggle.button_style = "success" if on else ""

        def changed(change, t=toggle) -> None:
            t.description = msg.VOTE_APPROVE_ON if change["new"] else msg.VOTE_APPROVE_OFF
            t.icon = "check" if change["new"] else ""
            t.button_style = "success" if change["new"] else ""
            self._keep_draft()

        toggle.observe(changed, "value")
        self.toggles[item.id] = toggle
        return classed(
            w.VBox([self._item_label(item), toggle]),
            "tk-card",
            "tk-vote-item",
            f"tk-vote-item-{item.position}",
        )

    # --- ranking (順位付け) ---------------------------------------------------------------------------
    def _rank_button(self, item: VoteItem) -> w.Widget:
        button = classed(
            big_button("", "tk-vote-rank-item", style=""), f"tk-vote-rank-{item.position}"
        )
        button.on_click(guarded(self.feedback)(lambda _b, i=item.id: self._rank_clicked(i)))
        self.rank_buttons[item.id] = button
        return classed(
            w.VBox([self._item_label(item), button]),
            "tk-card",
            "tk-vote-item",
            f"tk-vote-item-{item.position}",
        )

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
        if self.vote is None:
            return
        had_ballot = voting.my_ballot(self.ctx.conn, self.vote.id, self.ctx.member_id) is not None
        voting.cast_ballot(self.ctx.conn, self.vote.id, self.ctx.member_id, self.choices())
        self._shown_ballot = self._ballot_key()
        self.feedback.ok(msg.VOTE_CHANGED if had_ballot else msg.VOTE_SENT)
        self._show_badge()
