"""SQL for the phase timer (段階のタイマー): one running timer per meeting, or none."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class PhaseTimer:
    meeting_id: int
    phase: str
    minutes: int
    started_at: str
    ends_at: str


def set_timer(
    conn: sqlite3.Connection,
    meeting_id: int,
    phase: str,
    minutes: int,
    started_at: str,
    ends_at: str,
) -> PhaseTimer:
    """Start (or restart) the meeting's timer; a new one replaces the old."""
    conn.execute(
        "INSERT INTO phase_timers (meeting_id, phase, minutes, started_at, ends_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(meeting_id) DO UPDATE SET phase = excluded.phase,"
        " minutes = excluded.minutes, started_at = excluded.started_at, ends_at = excluded.ends_at",
        (meeting_id, phase, minutes, started_at, ends_at),
    )
    return PhaseTimer(meeting_id, phase, minutes, started_at, ends_at)


def clear_timer(conn: sqlite3.Connection, meeting_id: int) -> bool:
    """Stop the meeting's timer; True when there was one."""
    return conn.execute("DELETE FROM phase_timers WHERE meeting_id = ?", (meeting_id,)).rowcount > 0


def get_timer(conn: sqlite3.Connection, meeting_id: int) -> PhaseTimer | None:
    row = conn.execute(
        "SELECT meeting_id, phase, minutes, started_at, ends_at FROM phase_timers"
        " WHERE meeting_id = ?",
        (meeting_id,),
    ).fetchone()
    return None if row is None else PhaseTimer(**dict(row))
