"""The facilitator's page on the projector (進行役のページ): meeting, join code, phases.

Each phase shows its own panel (困りごとボード, 投票, まとめ, …) under a header that stays:
the join code and QR code, the phase buttons and who has joined.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading

import ipywidgets as w

from kit import messages as msg
from kit.errors import ValidationError
from kit.meeting import meetings
from kit.meeting.meetings import PHASES
from kit.store import meetings as store
from kit.text import escape
from kit.ui.common import (
    Feedback,
    StorePoller,
    big_button,
    classed,
    guarded,
    heading,
    kernel_loop,
    widgets_connected,
)
from kit.ui.context import PageContext, Panel
from kit.ui.join import join_corner_html, join_screen_html
from kit.ui.members_admin import MembersAdmin
from kit.ui.timer import TimerControls

log = logging.getLogger("tasukeai")

PANEL_CLASSES = {
    "setup": ("kit.ui.facilitator", "SetupPhasePanel"),
    "issues": ("kit.ui.board", "IssueBoardPanel"),
    "map": ("kit.ui.map_summary", "MapSummaryPanel"),
    "vote": ("kit.ui.vote_panel", "VotePanel"),
    "wrapup": ("kit.ui.wrapup", "WrapUpPanel"),
    "closed": ("kit.ui.handover", "HandoverPanel"),
}
"""Phase → (module, class) of its panel on the projector, imported when first needed: the
page opens without pandas, networkx or the vote's modules (~2.5 s of imports cold)."""
HEAVY_MODULES = ("pandas", *sorted({module for module, _ in PANEL_CLASSES.values()}))
"""Imported in a background thread once the page is shown, before a phase needs them."""
PREPARE_AFTER = 2.0
"""Seconds after the page (or a phase) is shown before the next phase's panel is built."""
PLOTLY_WARM = {
    "data": [{"type": "bar", "orientation": "h", "x": [1], "y": ["準備"], "name": "準備",
              "text": ["1"], "textposition": "outside"}],
    "layout": {"width": 320, "height": 160, "title": {"text": "準備"}, "showlegend": True,
               "yaxis": {"automargin": True}},
}  # fmt: skip
PLOTLY_WARM_CONFIG = {"displayModeBar": False, "responsive": False}
"""A small chart added out of sight once the page is up (:meth:`FacilitatorApp.warm_plotly`),
so the browser has loaded and compiled plotly.js (4.7 MB), and the code that draws the board's
and the result's bars (labels, title, legend), before the first real chart — not while the page
opens, nor while the room waits for the chart."""


def panel_class(phase: str) -> type:
    module, name = PANEL_CLASSES[phase]
    return getattr(importlib.import_module(module), name)


def facilitator_panels() -> dict:
    """Phase → panel factory on the projector; each capability has its own panel."""
    return {phase: panel_class(phase) for phase in PANEL_CLASSES}


def preimport(modules=HEAVY_MODULES) -> threading.Thread:
    """Import ``modules`` in a daemon thread (pure imports: no widget is made off the main
    thread). A phase that needs one before it is done waits on Python's import lock."""

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the phase that needs it reports the error
                log.exception("preimport %s failed", name)

    thread = threading.Thread(target=run, name="tk-preimport", daemon=True)
    thread.start()
    return thread


def member_url(ctx: PageContext) -> str:
    host = ctx.settings.public_host or "localhost"
    return f"http://{host}:{ctx.settings.port}/voila/render/member.ipynb"


class FacilitatorApp:
    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.panel: Panel | None = None
        self.kept: dict[str, Panel] = {}  # phase → its panel, built once per meeting
        self.phase: str | None = None
        self._prepare_handle = None
        self.plotly_warm = None  # a hidden chart, added once the page is up (warm_plotly)
        self.feedback = Feedback("tk-facilitator-feedback")
        self.title = classed(w.HTML(), "tk-meeting-title")
        self.join_info = classed(w.HTML(), "tk-join-info")
        self.phase_buttons = {
            phase: classed(
                w.ToggleButton(description=msg.PHASE_LABELS[phase], value=False),
                "tk-phase-button",
                f"tk-phase-{phase}",
            )
            for phase in PHASES
        }
        for phase, button in self.phase_buttons.items():
            button.observe(guarded(self.feedback)(self._phase_clicked(phase)), "value")
        self.back_button = big_button(msg.PHASE_BACK, "tk-phase-back", style="")
        self.next_button = big_button(msg.PHASE_NEXT, "tk-phase-next")
        self.back_button.on_click(guarded(self.feedback)(lambda _b: self._step(-1)))
        self.next_button.on_click(guarded(self.feedback)(lambda _b: self._step(1)))
        self.members = classed(w.HTML(), "tk-members")
        self.admin = MembersAdmin(ctx)
        self.body = classed(w.VBox(), "tk-phase-body")
        self.timer = TimerControls(ctx, self.feedback)
        self.text_size = classed(
            w.ToggleButton(description=msg.TEXT_SIZE_LARGER, value=False), "tk-text-size"
        )
        self.text_size.observe(lambda c: self._larger_text(c["new"]), "value")
        self.setup = SetupForm(ctx, self._meeting_chosen)
        self.header = classed(
            w.HBox(
                [
                    w.VBox(
                        [
                            self.title,
                            w.HBox(
                                [
                                    self.back_button,
                                    *self.phase_buttons.values(),
                                    self.next_button,
                                    self.text_size,
                                    self.timer.controls,
                                ],
                                layout=w.Layout(flex_flow="row wrap", align_items="center"),
                            ),
                            self.members,
                            self.admin.widget,
                            self.timer.view.widget,
                            self.feedback,
                        ],
                        layout=w.Layout(flex="1 1 auto"),
                    ),
                    self.join_info,
                ],
                layout=w.Layout(justify_content="space-between", align_items="flex-start"),
            ),
            "tk-facilitator-header",
        )
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.APP_NAME, cls="tk-app-title"),
                    self.setup.widget,
                    self.header,
                    self.body,
                ]
            ),
            "tk-page",
            "tk-projector-page",
        )
        self.poller = StorePoller(ctx.conn, self.refresh, ctx.settings.poll_seconds)
        current = store.latest_meeting(ctx.conn)
        if current is not None:
            self._meeting_chosen(current.id)
        else:
            self.header.layout.display = "none"
        self.poller.start()
        if not ctx.built_ahead:  # else once shown (catch_up): ~54 MiB less while in the pool
            self._later(PREPARE_AFTER / 2, preimport)

    def _later(self, delay: float, callback) -> None:
        """Run ``callback`` on the kernel's event loop after ``delay`` s (not outside a kernel)."""
        loop = kernel_loop()
        return None if loop is None else loop.call_later(delay, callback)

    def _schedule_prepare(self) -> None:
        if self._prepare_handle is not None:
            self._prepare_handle.cancel()
        self._prepare_handle = self._later(PREPARE_AFTER, self.prepare_next)

    def prepare_next(self) -> Panel | None:
        """Build the next phase's panel ahead (while the room talks), so that moving there
        only swaps panels; and add the hidden plotly warm-up once."""
        self._prepare_handle = None
        if not widgets_connected():  # the page is loading: new widgets would be refused
            self._schedule_prepare()
            return None
        self.warm_plotly()
        if self.ctx.meeting_id is None or self.phase not in PHASES:
            return None
        index = PHASES.index(self.phase)
        if index + 1 >= len(PHASES):
            return None
        phase = PHASES[index + 1]
        if phase not in self.kept and phase in PANEL_CLASSES:
            try:
                self.kept[phase] = panel_class(phase)(self.ctx)
            except Exception:  # noqa: BLE001 - built again (and reported) when shown
                log.exception("preparing the %s panel failed", phase)
        return self.kept.get(phase)

    def warm_plotly(self) -> None:
        """Add the hidden warm-up chart to the page, once: its front end loads plotly.js when
        the browser is idle. Not at the start: the page's controls come first (and no chart
        widget, hence no anywidget, is imported or loaded before the page is usable)."""
        if self.plotly_warm is not None:
            return
        from kit.ui.chart import Chart

        self.plotly_warm = classed(
            Chart(config=PLOTLY_WARM_CONFIG, figure=PLOTLY_WARM), "tk-plotly-warm"
        )
        self.plotly_warm.layout.display = "none"
        self.widget.children = (*self.widget.children, self.plotly_warm)

    def _panel_for(self, phase: str) -> Panel | None:
        """The phase's panel: the one kept (brought up to date) or a new one."""
        if phase not in PANEL_CLASSES:
            return None
        panel = self.kept.get(phase)
        if panel is None:
            panel = self.kept[phase] = panel_class(phase)(self.ctx)
        else:
            panel.refresh()
        return panel

    def _meeting_chosen(self, meeting_id: int) -> None:
        if meeting_id != self.ctx.meeting_id:
            self.kept = {}
        self.ctx.meeting_id = meeting_id
        self.phase = None
        self.header.layout.display = None
        self.refresh()

    def catch_up(self) -> None:
        """Show what a page opened now would: built ahead in a pooled kernel (minutes or hours
        before it is handed out), the page may hold an older meeting and yesterday's date."""
        self.setup.catch_up()
        if self.ctx.built_ahead:
            self.ctx.built_ahead = False
            self._later(PREPARE_AFTER, preimport)  # once the page is up, not while it opens
        current = store.latest_meeting(self.ctx.conn)
        if current is not None and current.id != self.ctx.meeting_id:
            self._meeting_chosen(current.id)
        else:
            self.refresh()

    def _larger_text(self, larger: bool) -> None:
        """The projector's larger-text toggle (for a big room or a dim projector)."""
        (self.widget.add_class if larger else self.widget.remove_class)("tk-larger-text")
        self.text_size.description = msg.TEXT_SIZE_NORMAL if larger else msg.TEXT_SIZE_LARGER

    def _phase_clicked(self, phase: str):
        def on_change(change) -> None:
            if self.ctx.meeting_id is None:
                return
            if change["new"] and phase != self.phase:
                meetings.set_phase(self.ctx.conn, self.ctx.meeting_id, phase)
                self.refresh()
            elif not change["new"] and phase == self.phase:
                self.phase_buttons[phase].value = True  # the current phase stays pressed

        return on_change

    def _step(self, step: int) -> None:
        if self.ctx.meeting_id is not None:
            meetings.step_phase(self.ctx.conn, self.ctx.meeting_id, step)
            self.refresh()

    def refresh(self) -> None:
        self.setup.refresh()
        if self.ctx.meeting_id is None:
            return
        meeting = store.get_meeting(self.ctx.conn, self.ctx.meeting_id)
        district = store.get_district(self.ctx.conn, meeting.district_id)
        self.title.value = msg.MEETING_HEADER.format(
            district=escape(district.name),
            title=escape(meeting.title),
            date=escape(meeting.held_on),
        )
        url = member_url(self.ctx)
        corner = join_corner_html(url, meeting.join_code)
        if corner != self.join_info.value:
            self.join_info.value = corner
        # 準備 has the join screen in the body: the corner would only repeat it smaller.
        self.join_info.layout.display = "none" if meeting.phase == "setup" else None
        members = store.list_members(self.ctx.conn, meeting.id)
        names = "、".join(escape(m.display_name) for m in members) or msg.NO_MEMBERS_YET
        self.members.value = msg.MEMBERS_JOINED.format(count=len(members), names=names)
        self.admin.refresh()
        if meeting.phase != self.phase:
            self.phase = meeting.phase
            # A slim header in every phase (準備 has its own large join screen); after 準備
            # the meeting set-up moves below the phase, which is what the room reads.
            self.header.add_class("tk-header-compact")
            compact = meeting.phase != "setup"
            (self.widget.add_class if compact else self.widget.remove_class)("tk-compact")
            for phase, button in self.phase_buttons.items():
                button.value = phase == meeting.phase
                button.button_style = "info" if phase == meeting.phase else ""
            self.panel = self._panel_for(meeting.phase)
            self.body.children = (
                [self.panel.widget]
                if self.panel
                else [heading(msg.PHASE_LABELS[meeting.phase], level=2)]
            )
            self._schedule_prepare()
        elif self.panel is not None:
            self.panel.refresh()
        self.timer.refresh()


class SetupPhasePanel:
    """準備 on the projector: the join screen (QR code and join code filling the screen)
    and the meeting's agenda (次第)."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.join_screen = classed(w.HTML(), "tk-join-screen-box")
        self.agenda = classed(w.HTML(), "tk-setup-agenda-view")
        self.widget = classed(w.VBox([self.join_screen, self.agenda]), "tk-setup-phase")
        self.refresh()

    def refresh(self) -> None:
        meeting = store.get_meeting(self.ctx.conn, self.ctx.meeting_id)
        screen = join_screen_html(member_url(self.ctx), meeting.join_code)
        if screen != self.join_screen.value:
            self.join_screen.value = screen
        lines = [line for line in meeting.agenda.splitlines() if line.strip()]
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        agenda = msg.SETUP_AGENDA_VIEW.format(items=items) if lines else ""
        if agenda != self.agenda.value:
            self.agenda.value = agenda


class SetupForm:
    """準備: start a new meeting of a district, or continue an open one."""

    def __init__(self, ctx: PageContext, on_chosen) -> None:
        self.ctx = ctx
        self.on_chosen = on_chosen
        self.feedback = Feedback("tk-setup-feedback")
        # 地区: pick a known one, or type a new one (the first meeting on a new laptop).
        self.district_pick = classed(
            w.Dropdown(description=msg.SETUP_DISTRICT), "tk-setup-district-pick"
        )
        self.district_new = classed(
            w.Text(
                description=msg.SETUP_DISTRICT_NEW,
                placeholder=msg.SETUP_DISTRICT_NEW_PLACEHOLDER,
            ),
            "tk-setup-district-new",
        )
        self.district_pick.observe(self._district_picked, "value")
        self.district_new.observe(self._district_typed, "value")
        self.district = classed(
            w.VBox([self.district_pick, self.district_new]), "tk-setup-district"
        )
        self.title = classed(
            w.Text(description=msg.SETUP_TITLE, placeholder=msg.SETUP_TITLE_PLACEHOLDER),
            "tk-setup-title",
        )
        self.built_on = dt.date.today().isoformat()
        self.date = classed(
            w.Text(description=msg.SETUP_DATE, value=self.built_on), "tk-setup-date"
        )
        self.agenda = classed(w.Textarea(description=msg.SETUP_AGENDA), "tk-setup-agenda")
        self.create = big_button(msg.SETUP_CREATE, "tk-setup-create")
        self.create.on_click(guarded(self.feedback)(self._create))
        self.existing = classed(
            w.Dropdown(description=msg.SETUP_EXISTING, style={"description_width": "initial"}),
            "tk-setup-existing",
        )
        self.open_existing = big_button(msg.SETUP_OPEN, "tk-setup-open", style="")
        self.open_existing.on_click(guarded(self.feedback)(self._open))
        self.widget = classed(
            w.Accordion(
                children=[
                    w.VBox(
                        [
                            self.district,
                            self.title,
                            self.date,
                            self.agenda,
                            self.create,
                            w.HBox([self.existing, self.open_existing]),
                            self.feedback,
                        ]
                    )
                ],
                titles=(msg.SETUP_SECTION,),
                selected_index=None if store.latest_meeting(ctx.conn) else 0,
            ),
            "tk-setup",
        )
        self.refresh()

    def refresh(self) -> None:
        districts = store.list_districts(self.ctx.conn)
        options = [(d.name, d.id) for d in districts] + [(msg.SETUP_DISTRICT_NEW_OPTION, "")]
        if options != list(self.district_pick.options):
            value = self.district_pick.value
            self.district_pick.options = options
            ids = [d.id for d in districts]
            if value in ids:
                self.district_pick.value = value
            elif self.district_new.value.strip() or not ids:
                self.district_pick.value = ""
            else:
                self.district_pick.value = ids[0]
        # With no district yet, only the box to type one in is shown.
        self.district_pick.layout.display = None if districts else "none"
        self.district_new.description = msg.SETUP_DISTRICT_NEW if districts else msg.SETUP_DISTRICT
        meetings_ = store.list_meetings(self.ctx.conn)
        options = [
            (f"{m.held_on} {m.title}（{msg.PHASE_LABELS[m.phase]}）", m.id)
            for m in reversed(meetings_)
        ]
        if options != list(self.existing.options):
            self.existing.options = options

    def catch_up(self) -> None:
        """The form built on an earlier day, its date untouched: today's date instead."""
        today = dt.date.today().isoformat()
        if self.date.value == self.built_on != today:
            self.date.value = self.built_on = today
        if store.latest_meeting(self.ctx.conn) is not None and self.widget.selected_index == 0:
            self.widget.selected_index = None  # as a page opened now (its meeting is shown)
        self.refresh()

    def _district_picked(self, change) -> None:
        if change["new"]:  # a known district: the typed name would be ignored, so clear it
            self.district_new.value = ""

    def _district_typed(self, change) -> None:
        if change["new"].strip() and self.district_pick.value:
            self.district_pick.value = ""

    def _create(self, _button=None) -> None:
        typed = self.district_new.value.strip()
        picked = self.district_pick.value or None
        if not typed and picked is None:
            raise ValidationError(msg.DISTRICT_PICK_FIRST)
        known = {d.id for d in store.list_districts(self.ctx.conn)}
        meeting = meetings.create_meeting(
            self.ctx.conn,
            district_id=None if typed else picked,
            district_name=typed or None,
            title=self.title.value,
            held_on=self.date.value,
            agenda=self.agenda.value,
            plan_id=self.ctx.plan.plan_id,
        )
        self.district_new.value = ""
        self.refresh()
        self.district_pick.value = meeting.district_id
        created = msg.SETUP_CREATED.format(code=meeting.join_code)
        if meeting.district_id not in known:
            district = store.get_district(self.ctx.conn, meeting.district_id)
            created = msg.SETUP_DISTRICT_ADDED.format(name=district.name) + created
        self.feedback.ok(created)
        self.widget.selected_index = None
        self.on_chosen(meeting.id)

    def _open(self, _button=None) -> None:
        if self.existing.value is not None:
            self.widget.selected_index = None
            self.on_chosen(self.existing.value)
