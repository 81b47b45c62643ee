"""The meeting store: SQLite, owned by this package. Nothing outside it writes SQL.

``open_store(path)`` returns a ready connection (pragmas set, migrations applied). Each
concern has its own module: ``meetings`` (districts, meetings, phases, members), ``issues``,
``votes``, ``actions``, ``supportmap`` and ``office`` (the council office's compiled data).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from kit.store.db import change_token, connect, migrate, savepoint, transaction
from kit.store.schema import MEETING_MIGRATIONS

__all__ = ["change_token", "connect", "now", "open_store", "savepoint", "transaction"]


def open_store(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the meeting database at ``path`` and bring it up to date."""
    from kit.store.supportmap import drop_empty_legacy_tables

    conn = connect(path)
    migrate(conn, MEETING_MIGRATIONS)
    drop_empty_legacy_tables(conn)  # the old plain map tables, when they hold nothing
    return conn


def now() -> str:
    """UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
