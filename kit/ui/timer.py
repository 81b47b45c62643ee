"""The phase timer on the pages: large on the projector, a small line on the tablets.

The time is kept in the store (:mod:`kit.meeting.timer`); each page only counts down
what it read, once a second, and shows 「時間になりました」 at the end — nothing else.
"""

from __future__ import annotations

import asyncio
import logging

import ipywidgets as w

from kit import messages as msg
from kit.meeting import timer as timers
from kit.text import escape
from kit.ui.common import Feedback, big_button, classed, guarded, kernel_loop
from kit.ui.context import PageContext

log = logging.getLogger("tasukeai")


class TimerView:
    """The time left of the current phase's timer (empty without one)."""

    def __init__(self, ctx: PageContext, *, big: bool) -> None:
        self.ctx = ctx
        self.big = big
        self.timer: timers.PhaseTimer | None = None
        self._task: asyncio.Task | None = None
        self.widget = classed(w.HTML(), "tk-timer", "tk-timer-big" if big else "tk-timer-small")
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store (another page may have started or stopped the timer)."""
        if self.ctx.meeting_id is None:
            self.timer = None
        else:
            self.timer = timers.current_timer(self.ctx.conn, self.ctx.meeting_id)
        if self.tick():
            self._start_ticking()

    def tick(self, now=None) -> bool:
        """Show the time left now; True while it is still running."""
        if self.timer is None:
            value, running = "", False
        else:
            left = timers.time_left(self.timer, now=now)
            size = "big" if self.big else "small"
            classes = f"tk-timer-left tk-timer-left-{size}" + (
                " tk-timer-over" if left.over else ""
            )
            text = left.big if self.big else left.small
            value = f'<div class="{classes}" role="timer">{escape(text)}</div>'
            running = not left.over
        if self.widget.value != value:
            self.widget.value = value
        return running

    def _start_ticking(self) -> None:
        if self._task is not None and not self._task.done():
            return
        loop = kernel_loop()
        if loop is None:  # widget tests: no kernel loop, they call tick() themselves
            return
        self._task = loop.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(1)
            try:
                if not self.tick():
                    return
            except Exception:  # noqa: BLE001 - a page must survive its clock
                log.exception("timer tick failed")
                return


class TimerControls:
    """進行役: minutes for the current phase, start and stop; the large time left below."""

    def __init__(self, ctx: PageContext, feedback: Feedback, on_change=lambda: None) -> None:
        self.ctx = ctx
        self.feedback = feedback
        self.on_change = on_change
        self.minutes = classed(
            w.IntText(
                value=10, description=msg.TIMER_MINUTES, style={"description_width": "initial"}
            ),
            "tk-timer-minutes",
        )
        self.minutes.layout = w.Layout(width="220px")
        self.start = big_button(msg.TIMER_START, "tk-timer-start", style="")
        self.stop = big_button(msg.TIMER_STOP, "tk-timer-stop", style="")
        self.start.on_click(guarded(feedback)(self._start))
        self.stop.on_click(guarded(feedback)(self._stop))
        self.view = TimerView(ctx, big=True)
        self.controls = classed(
            w.HBox(
                [self.minutes, self.start, self.stop],
                layout=w.Layout(flex_flow="row wrap", align_items="center"),
            ),
            "tk-timer-controls",
        )

    def refresh(self) -> None:
        self.view.refresh()

    def _start(self, _button=None) -> None:
        timer = timers.start_timer(self.ctx.conn, self.ctx.meeting_id, self.minutes.value)
        self.feedback.ok(msg.TIMER_STARTED.format(minutes=timer.minutes))
        self.view.refresh()
        self.on_change()

    def _stop(self, _button=None) -> None:
        timers.stop_timer(self.ctx.conn, self.ctx.meeting_id)
        self.feedback.ok(msg.TIMER_STOPPED)
        self.view.refresh()
        self.on_change()
