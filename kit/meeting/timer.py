"""The phase timer (段階のタイマー): the facilitator gives a phase some minutes.

The projector shows the time left in large type, the tablets in a small line. Nothing
happens by itself when it runs out — the page says so, and the facilitator decides. A
timer belongs to the phase it was started in: after the phase changes it is not shown.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from kit import messages as msg
from kit.errors import PhaseError, ValidationError
from kit.store import meetings as meeting_store
from kit.store import timers as store
from kit.store.timers import PhaseTimer

MAX_MINUTES = 180

__all__ = [
    "MAX_MINUTES",
    "PhaseTimer",
    "TimeLeft",
    "current_timer",
    "start_timer",
    "stop_timer",
    "time_left",
]


@dataclass(frozen=True)
class TimeLeft:
    """What a page shows: whole seconds left (0 once over) and whether it is over."""

    seconds: int
    over: bool

    @property
    def big(self) -> str:
        if self.over:
            return msg.TIMER_OVER
        return msg.TIMER_LEFT_BIG.format(minutes=self.seconds // 60, seconds=self.seconds % 60)

    @property
    def small(self) -> str:
        if self.over:
            return msg.TIMER_OVER_SMALL
        if self.seconds < 60:
            return msg.TIMER_LEFT_SMALL_UNDER_A_MINUTE
        return msg.TIMER_LEFT_SMALL.format(minutes=(self.seconds + 59) // 60)


def _utc(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def start_timer(
    conn: sqlite3.Connection, meeting_id: int, minutes: object, *, now: dt.datetime | None = None
) -> PhaseTimer:
    """Give the meeting's current phase ``minutes`` (1–180, a whole number); replaces any timer."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationError(msg.TIMER_BAD_MINUTES.format(max=MAX_MINUTES))
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError(msg.TIMER_BAD_MINUTES.format(max=MAX_MINUTES))
    phase = meeting_store.get_phase(conn, meeting_id)
    if phase == "closed":
        raise PhaseError(msg.TIMER_NOT_NOW)
    start = _utc(now)
    end = start + dt.timedelta(minutes=minutes)
    return store.set_timer(conn, meeting_id, phase, minutes, _stamp(start), _stamp(end))


def stop_timer(conn: sqlite3.Connection, meeting_id: int) -> bool:
    meeting_store.get_phase(conn, meeting_id)  # an unknown meeting is an error
    return store.clear_timer(conn, meeting_id)


def current_timer(conn: sqlite3.Connection, meeting_id: int) -> PhaseTimer | None:
    """The timer of the phase the meeting is in now (``None`` without one)."""
    timer = store.get_timer(conn, meeting_id)
    if timer is None or timer.phase != meeting_store.get_phase(conn, meeting_id):
        return None
    return timer


def time_left(timer: PhaseTimer, *, now: dt.datetime | None = None) -> TimeLeft:
    end = dt.datetime.fromisoformat(timer.ends_at)
    seconds = (end - _utc(now)).total_seconds()
    return TimeLeft(max(int(seconds + 0.999), 0), seconds <= 0)
