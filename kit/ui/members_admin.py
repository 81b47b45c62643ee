"""The projector's part about who takes part: new members as they join, name claims to
confirm (「○○さんとして参加しようとしています。同じ方ですか？」) and removing a member.

Only the facilitator page builds this (the page is refused without a facilitator session),
and every action is checked again in :mod:`kit.meeting.identity`.
"""

from __future__ import annotations

import ipywidgets as w

from kit import messages as msg
from kit.errors import ValidationError
from kit.meeting import identity
from kit.store import meetings as store
from kit.text import escape
from kit.ui.common import Feedback, big_button, classed, guarded
from kit.ui.context import PageContext


def _time(stamp: str) -> str:
    return stamp[11:16] if len(stamp) >= 16 else stamp


class MembersAdmin:
    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.feedback = Feedback("tk-members-admin-feedback")
        self.new_members = classed(w.HTML(), "tk-new-members")
        self.claims = classed(w.VBox(), "tk-join-claims")
        self._claim_ids: tuple[int, ...] | None = None
        self.choice = classed(w.Dropdown(description=msg.REMOVE_CHOICE), "tk-member-remove-choice")
        self.remove = big_button(msg.REMOVE_BUTTON, "tk-member-remove", style="warning")
        self.remove.on_click(guarded(self.feedback)(self._ask))
        self.confirm_text = classed(w.HTML(), "tk-member-remove-preview")
        self.confirm = big_button(msg.REMOVE_CONFIRM, "tk-member-remove-confirm", style="danger")
        self.cancel = big_button(msg.REMOVE_CANCEL, "tk-member-remove-cancel", style="")
        self.confirm.on_click(guarded(self.feedback)(self._remove))
        self.cancel.on_click(guarded(self.feedback)(self._cancel))
        self.confirm_box = classed(
            w.VBox([self.confirm_text, w.HBox([self.confirm, self.cancel])]),
            "tk-member-remove-confirm-box",
        )
        self.confirm_box.layout.display = "none"
        self._asked: int | None = None
        self.remove_box = classed(
            w.Accordion(
                children=[w.VBox([w.HBox([self.choice, self.remove]), self.confirm_box])],
                titles=(msg.REMOVE_SECTION,),
                selected_index=None,
            ),
            "tk-member-remove-section",
        )
        self.widget = classed(
            w.VBox([self.new_members, self.claims, self.remove_box, self.feedback]),
            "tk-members-admin",
        )

    # --- reading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        meeting_id = self.ctx.meeting_id
        if meeting_id is None:
            return
        recent = identity.recent_joins(self.ctx.conn, meeting_id)
        names = "、".join(
            msg.NEW_MEMBER_ITEM.format(name=escape(name), time=escape(_time(at)))
            for name, at in recent
        )
        value = msg.NEW_MEMBERS.format(names=names) if names else ""
        if self.new_members.value != value:
            self.new_members.value = value
        claims = identity.pending_claims(self.ctx.conn, meeting_id)
        ids = tuple(c.id for c, _ in claims)
        if ids != self._claim_ids:
            self._claim_ids = ids
            self.claims.children = [self._claim_row(c, m) for c, m in claims]
        options = [(m.display_name, m.id) for m in store.list_members(self.ctx.conn, meeting_id)]
        if options != list(self.choice.options):
            current = self.choice.value
            self.choice.options = options
            self.choice.value = current if current in {v for _, v in options} else None

    def _claim_row(self, claim, member) -> w.Widget:
        yes = big_button(msg.CLAIM_APPROVE, "tk-claim-approve")
        no = big_button(msg.CLAIM_DENY, "tk-claim-deny", style="")
        yes.on_click(guarded(self.feedback)(lambda _b, c=claim.id: self._decide(c, True)))
        no.on_click(guarded(self.feedback)(lambda _b, c=claim.id: self._decide(c, False)))
        question = classed(
            w.HTML(msg.CLAIM_QUESTION.format(name=escape(member.display_name))),
            "tk-claim-question",
        )
        return classed(w.VBox([question, w.HBox([yes, no])]), "tk-join-claim")

    # --- acting ----------------------------------------------------------------------------------
    def _decide(self, claim_id: int, same_person: bool) -> None:
        if same_person:
            member = identity.approve_claim(self.ctx.conn, self.ctx.meeting_id, claim_id)
            self.feedback.ok(msg.CLAIM_APPROVED.format(name=member.display_name))
        else:
            identity.deny_claim(self.ctx.conn, self.ctx.meeting_id, claim_id)
            self.feedback.ok(msg.CLAIM_DENIED)
        self.refresh()

    def _ask(self, _button=None) -> None:
        if self.choice.value is None:
            raise ValidationError(msg.REMOVE_NONE)
        preview = identity.removal_preview(self.ctx.conn, self.choice.value)
        if preview.member.meeting_id != self.ctx.meeting_id:
            raise ValidationError(msg.REMOVE_NONE)
        self._asked = preview.member.id
        self.confirm_text.value = (
            "<p>"
            + escape(
                msg.REMOVE_PREVIEW.format(
                    name=preview.member.display_name,
                    ballots=preview.ballots,
                    issues=preview.issues,
                    devices=preview.devices,
                )
            )
            + "</p>"
        )
        self.confirm_box.layout.display = None

    def _remove(self, _button=None) -> None:
        if self._asked is None:
            raise ValidationError(msg.REMOVE_NONE)
        member_id, self._asked = self._asked, None
        done = identity.remove_member(self.ctx.conn, self.ctx.meeting_id, member_id)
        self.confirm_box.layout.display = "none"
        self.feedback.ok(
            msg.REMOVE_DONE.format(name=done.member.display_name, ballots=done.ballots)
        )
        self.refresh()

    def _cancel(self, _button=None) -> None:
        self._asked = None
        self.confirm_box.layout.display = "none"
