"""SQL for access: facilitator sessions, the page that opened each kernel, join-code attempts.

The server process writes ``page_kernels`` when it hands a kernel to a browser; the kernel
reads its own row (by ``VOILA_KERNEL_ID``) to learn which device and which facilitator
session opened it. Only hashes of the browser's secrets are stored, never the secrets.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kit.store import now


@dataclass(frozen=True)
class PageKernel:
    """Who opened one kernel: the page, the device (hash), the facilitator session (hash)."""

    kernel_id: str
    page: str
    device_hash: str
    session_hash: str | None
    client_address: str
    opened_at: str


@dataclass(frozen=True)
class Attempts:
    scope: str
    failures: int
    lockouts: int
    blocked_until: float
    last_failure: float


# --- app settings without a value shown -------------------------------------------------------
def delete_setting(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM app_settings WHERE key = ?", (key,))


# --- facilitator sessions ---------------------------------------------------------------------
def insert_session(conn: sqlite3.Connection, token_hash: str, kind: str, expires_at: float) -> None:
    conn.execute(
        "INSERT INTO facilitator_sessions (token_hash, kind, created_at, expires_at)"
        " VALUES (?, ?, ?, ?)",
        (token_hash, kind, now(), expires_at),
    )


def session_expiry(conn: sqlite3.Connection, token_hash: str, kind: str) -> float | None:
    row = conn.execute(
        "SELECT expires_at FROM facilitator_sessions WHERE token_hash = ? AND kind = ?",
        (token_hash, kind),
    ).fetchone()
    return None if row is None else float(row["expires_at"])


def take_once_token(conn: sqlite3.Connection, token_hash: str, at: float) -> bool:
    """Delete a one-time token; True when it existed and had not expired (race-safe)."""
    cur = conn.execute(
        "DELETE FROM facilitator_sessions WHERE token_hash = ? AND kind = 'once'"
        " AND expires_at > ?",
        (token_hash, at),
    )
    return cur.rowcount == 1


def delete_sessions(conn: sqlite3.Connection) -> int:
    return conn.execute("DELETE FROM facilitator_sessions").rowcount


def delete_expired_sessions(conn: sqlite3.Connection, at: float) -> None:
    conn.execute("DELETE FROM facilitator_sessions WHERE expires_at <= ?", (at,))


# --- kernels and the browser that opened them ----------------------------------------------------
def insert_page_kernel(
    conn: sqlite3.Connection,
    kernel_id: str,
    page: str,
    device_hash: str,
    session_hash: str | None,
    client_address: str,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO page_kernels"
        " (kernel_id, page, device_hash, session_hash, client_address, opened_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (kernel_id, page, device_hash, session_hash, client_address, now()),
    )


def get_page_kernel(conn: sqlite3.Connection, kernel_id: str) -> PageKernel | None:
    row = conn.execute("SELECT * FROM page_kernels WHERE kernel_id = ?", (kernel_id,)).fetchone()
    return None if row is None else PageKernel(**dict(row))


def delete_page_kernel(conn: sqlite3.Connection, kernel_id: str) -> None:
    conn.execute("DELETE FROM page_kernels WHERE kernel_id = ?", (kernel_id,))


def delete_page_kernels(conn: sqlite3.Connection) -> None:
    """At server start: every kernel of an earlier run is gone."""
    conn.execute("DELETE FROM page_kernels")


# --- join-code attempts (rate limit) -----------------------------------------------------------------
def get_attempts(conn: sqlite3.Connection, scope: str) -> Attempts | None:
    row = conn.execute(
        "SELECT scope, failures, lockouts, blocked_until, last_failure FROM join_attempts"
        " WHERE scope = ?",
        (scope,),
    ).fetchone()
    return None if row is None else Attempts(**dict(row))


def put_attempts(conn: sqlite3.Connection, attempts: Attempts) -> None:
    conn.execute(
        "INSERT INTO join_attempts (scope, failures, lockouts, blocked_until, last_failure)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(scope) DO UPDATE SET failures = excluded.failures,"
        " lockouts = excluded.lockouts, blocked_until = excluded.blocked_until,"
        " last_failure = excluded.last_failure",
        (
            attempts.scope,
            attempts.failures,
            attempts.lockouts,
            attempts.blocked_until,
            attempts.last_failure,
        ),
    )


def database_file(conn: sqlite3.Connection) -> str | None:
    """The file behind ``conn`` (``None`` for an in-memory database): keys live beside it."""
    for row in conn.execute("PRAGMA database_list"):
        if row["name"] == "main":
            return row["file"] or None
    return None
