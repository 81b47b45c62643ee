"""The member's tablet page (参加者のページ): join, then one task per phase.

Kept light on purpose (no pandas, no plotly): it is opened by up to 40 tablets at once.
"""

from __future__ import annotations

import logging
import random

import ipywidgets as w

from kit import messages as msg
from kit.errors import ValidationError
from kit.meeting import access, identity, voting
from kit.settings import served_by_kit_server
from kit.store import meetings as store
from kit.text import escape as _esc
from kit.ui.common import (
    Feedback,
    StorePoller,
    big_button,
    classed,
    guarded,
    heading,
    html,
    kernel_loop,
    later,
    offstage_rule,
    paragraph,
    set_offstage,
    when_widgets_connected,
    widgets_connected,
)
from kit.ui.context import PageContext, Panel
from kit.ui.member_issues import MemberIssuesPanel
from kit.ui.member_vote import MemberVotePanel
from kit.ui.timer import TimerView

log = logging.getLogger("tasukeai")

# Panels are built ahead, in idle moments after joining, so that a phase change or a vote
# opening only shows what is already there (every tablet's kernel would otherwise build the
# same widgets in the same second, through the one server process).
# Seconds after joining: the room arrives and sends its first words before anything is built.
PREBUILD_AFTER = (4.0, 12.0)
PREBUILD_GAP = 0.2  # seconds between two small steps (a panel, or one dot row): spread out
VOTE_ROWS_GAP = 0.05  # in 投票, before the ballot opens: the rows it will show, quickly
PREBUILT_ROWS = 8  # dot rows ready before the vote phase (in it: one per open issue)
CONNECTED_CHECK = 0.05  # seconds between looks at whether a loading page takes widgets yet


def draft_scope(meeting_id: int, member_id: int) -> str:
    """The CSS class under which the browser keeps this member's drafts (tk-connection.js).

    >>> draft_scope(3, 12)
    'tk-scope-3-12'
    """
    return f"tk-scope-{int(meeting_id)}-{int(member_id)}"


def member_panels() -> dict:
    """Phase → panel factory for the tablet. Phases not listed show only a hint."""
    return {"issues": MemberIssuesPanel, "vote": MemberVotePanel}


class MemberApp:
    """Join form first; after joining, the current phase's task, following the facilitator."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.panels = member_panels()
        self.phase: str | None = None
        self.panel: Panel | None = None
        self.built: dict[str, Panel] = {}  # phase → its panel, kept once built
        self._prebuilding = False
        self._waiting_for_page = False
        self.feedback = Feedback("tk-join-feedback")
        self.code = classed(
            w.Text(placeholder=msg.JOIN_CODE_PLACEHOLDER, description=""), "tk-join-code"
        )
        self.name = classed(w.Text(placeholder=msg.JOIN_NAME_PLACEHOLDER), "tk-join-name")
        self.join_button = big_button(msg.JOIN_BUTTON, "tk-join-button")
        self.join_button.on_click(guarded(self.feedback)(self._join))
        self.status = html("", "tk-member-status")
        self.phase_title = html("", "tk-phase-title")
        self.phase_hint = html("", "tk-phase-hint")
        self.body = classed(w.VBox(), "tk-phase-body")
        self.timer = TimerView(ctx, big=False)
        self.join_box = classed(
            w.VBox(
                [
                    heading(msg.JOIN_TITLE, level=2, lean=True),
                    paragraph(msg.JOIN_CODE_LABEL, lean=True),
                    self.code,
                    paragraph(msg.JOIN_NAME_LABEL, lean=True),
                    self.name,
                    self.join_button,
                    self.feedback,
                ]
            ),
            "tk-join-form",
        )
        self.task_box = classed(
            w.VBox([self.status, self.phase_title, self.timer.widget, self.phase_hint, self.body]),
            "tk-task",
        )
        self.task_box.layout.display = "none"
        self.widget = classed(
            w.VBox(
                [
                    offstage_rule(),
                    heading(msg.APP_NAME, cls="tk-app-title", lean=True),
                    self.join_box,
                    self.task_box,
                ]
            ),
            "tk-page",
            "tk-member-page",
        )
        self.membership = identity.PageMembership(ctx.device, ctx.client_address)
        self.poller = StorePoller(ctx.conn, self.refresh, ctx.settings.poll_seconds)
        self._identify()
        self.poller.start()  # from the start: a known device resumes as its member

    # --- who this page is -------------------------------------------------------------------------
    def _identify(self) -> None:
        """Learn this page's device from the store once the server has handed the kernel out."""
        if self.membership.device is None and self.ctx.kernel_id:
            bound = access.page_kernel(self.ctx.conn, self.ctx.kernel_id)
            if bound is not None:
                self.membership.device = self.ctx.device = bound.device_hash
                self.membership.client_address = self.ctx.client_address = bound.client_address
        if not self.membership.joined and self.membership.claim_id is None:
            found = identity.resume(self.ctx.conn, self.membership.device)
            if found is not None:
                self._enter(*found)

    # --- joining --------------------------------------------------------------------------------
    def _join(self, _button=None) -> None:
        self._identify()
        if self.membership.joined:
            raise ValidationError(msg.PAGE_ALREADY_JOINED)
        if self.ctx.kernel_id and self.membership.device is None and served_by_kit_server():
            raise ValidationError(msg.NEEDS_RELOAD)  # the guard had not bound this page yet
        try:
            meeting, member = self.membership.join(
                self.ctx.conn,
                self.code.value,
                self.name.value,
                name_max_chars=self.ctx.settings.name_max_chars,
            )
        except identity.ApprovalNeeded as waiting:
            self.feedback.ok(waiting.message)
            return
        self._enter(meeting, member)

    def _enter(self, meeting, member) -> None:
        self.membership.take(meeting, member)
        self.ctx.meeting_id, self.ctx.member_id = meeting.id, member.id
        self.feedback.clear()
        self.join_box.layout.display = "none"
        self.task_box.layout.display = None
        self.task_box.add_class(draft_scope(meeting.id, member.id))
        self.status.value = msg.MEMBER_STATUS.format(
            name=_esc(member.display_name), meeting=_esc(meeting.title)
        )
        self.phase = None
        self.refresh()
        self.prebuild_soon()

    def _leave(self) -> None:
        """The facilitator removed this member: back to the join form, with the reason."""
        self.membership.forget()
        if self.ctx.meeting_id is not None and self.ctx.member_id is not None:
            self.task_box.remove_class(draft_scope(self.ctx.meeting_id, self.ctx.member_id))
        self.ctx.meeting_id = self.ctx.member_id = None
        self.phase, self.panel = None, None
        self.built = {}  # they belonged to the member who left
        self.body.children = []
        self.task_box.layout.display = "none"
        self.join_box.layout.display = None
        self.feedback.error(msg.MEMBER_REMOVED)

    # --- following the phase -----------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.membership.joined:
            if self.membership.claim_id is not None:
                outcome = self.membership.check_claim(self.ctx.conn)
                if outcome == "approved":
                    meeting = store.get_meeting(self.ctx.conn, self.membership.meeting_id)
                    member = store.get_member(self.ctx.conn, self.membership.member_id)
                    self._enter(meeting, member)
                    self.feedback.ok(msg.JOIN_APPROVED.format(name=member.display_name))
                elif outcome == "denied":
                    self.feedback.error(msg.JOIN_DENIED)
                return
            self._identify()
            return
        if not identity.member_exists(self.ctx.conn, self.ctx.member_id):
            self._leave()
            return
        if not widgets_connected():
            # The page is loading (a reload, a new kernel finding its member): a widget made
            # now can be refused by the browser and then never drawn ("Loading widget..."),
            # so the phase's panel is built and shown once the page can take it.
            self._refresh_when_connected()
            return
        phase = store.get_phase(self.ctx.conn, self.ctx.meeting_id)
        if phase != self.phase:
            self.phase = phase
            self.phase_title.value = f"<h2>{_esc(msg.PHASE_LABELS[phase])}</h2>"
            self.panel = self._panel_for(phase)
            self._put_on_stage(self.panel)
            if phase == "vote":
                self.prebuild_soon(0.2)  # a dot row for every open issue, before the vote opens
        elif self.panel is not None:
            self.panel.refresh()
        self._show_hint()
        self.timer.refresh()

    def _put_on_stage(self, shown: Panel | None) -> None:
        """Every panel built is in the page, drawn once; only ``shown``'s is visible. A phase
        change then only moves a class: the browser draws nothing new while the room waits."""
        for panel in self.built.values():
            set_offstage(panel.widget, panel is not shown)
        children = tuple(panel.widget for panel in self.built.values())
        if tuple(self.body.children) != children:
            self.body.children = children  # new panels go last: those drawn stay drawn

    def _refresh_when_connected(self) -> None:
        if self._waiting_for_page:
            return
        self._waiting_for_page = True

        def again() -> None:
            self._waiting_for_page = False
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - the poller would have logged it too
                log.exception("refresh failed")

        later(CONNECTED_CHECK, lambda: when_widgets_connected(again, CONNECTED_CHECK))

    def _panel_for(self, phase: str) -> Panel | None:
        """The phase's panel: the one built ahead (brought up to date), else a new one."""
        panel = self.built.get(phase)
        if panel is not None:
            panel.refresh()
            return panel
        factory = self.panels.get(phase)
        if factory is None:
            return None
        panel = self.built[phase] = factory(self.ctx)
        return panel

    # --- building ahead -----------------------------------------------------------------------
    def prebuild_soon(self, delay: float | None = None) -> None:
        """Build the other phases' panels (and dot rows) in small steps, soon, on the kernel's
        loop; taps and polls run between the steps. Nothing happens without a running loop
        (widget tests call :meth:`prebuild_step` themselves)."""
        if self._prebuilding:
            return
        loop = kernel_loop()
        if loop is None:
            return
        self._prebuilding = True
        wait = random.uniform(*PREBUILD_AFTER) if delay is None else delay
        loop.call_later(wait, self._prebuild_loop, loop)

    def _prebuild_loop(self, loop) -> None:
        if not widgets_connected():  # the page is loading: new widgets would be refused
            loop.call_later(PREBUILD_GAP * 4, self._prebuild_loop, loop)
            return
        try:
            more = self.prebuild_step()
        except Exception:  # noqa: BLE001 - building ahead is only an optimisation
            log.exception("building ahead failed")
            more = False
        if more:
            gap = VOTE_ROWS_GAP if self.phase == "vote" else PREBUILD_GAP
            loop.call_later(gap, self._prebuild_loop, loop)
        else:
            self._prebuilding = False

    def prebuild_step(self) -> bool:
        """One step of building ahead; True while there is more to build."""
        if not self.membership.joined:
            return False
        for phase, factory in self.panels.items():
            if phase not in self.built:
                self.built[phase] = factory(self.ctx)
                self._put_on_stage(self.panel)  # drawn now, in the quiet, out of sight
                return True
        vote = self.built.get("vote")
        if vote is None or not hasattr(vote, "prebuild"):
            return False
        rows = PREBUILT_ROWS
        if self.phase == "vote":
            if vote.ballot_open:  # built with the rows it needs: the room's CPU goes to showing it
                return False
            rows = max(rows, len(voting.open_issues(self.ctx.conn, self.ctx.meeting_id)))
        return vote.prebuild(rows)

    def _show_hint(self) -> None:
        """The phase's prompt, unless the panel says otherwise (``hint``: "" hides it)."""
        hint = getattr(self.panel, "hint", None)
        text = msg.PHASE_MEMBER_HINTS[self.phase] if hint is None else hint
        value = f"<p>{_esc(text)}</p>" if text else ""
        if self.phase_hint.value != value:
            self.phase_hint.value = value
