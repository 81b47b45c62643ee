"""SQLite connection and named migrations: the only place that opens the database.

Every tablet is its own Voila kernel (a separate process), so every kernel opens its own
connection to the same file. WAL lets readers go on while one writer writes; the busy
timeout makes concurrent writers wait instead of failing; ``synchronous=FULL`` makes an
acknowledged write survive a power cut or a killed server.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kit import messages as msg
from kit.errors import KitError, SchemaTooNewError

BUSY_TIMEOUT_MS = 30_000


class StoreConnection(sqlite3.Connection):
    """A connection of the kit's store; unlike the base class it can be weakly referenced
    (the map's key is held per connection, in this kernel only: kit.supportmap.vault)."""


@dataclass(frozen=True)
class Migration:
    """One schema step; ``name`` is recorded in the database once it has run."""

    name: str
    sql: str


def connect(path: str | Path) -> sqlite3.Connection:
    """Open ``path`` with the kit's pragmas (WAL, foreign keys, busy timeout, FULL sync,
    secure_delete: a deleted row's bytes are overwritten with zeros, not left in the file).

    The connection is in autocommit mode; group writes with :func:`transaction`.
    """
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            factory=StoreConnection,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        raise KitError(msg.DB_DAMAGED.format(path=path), details=[str(exc)]) from exc
    return conn


@contextmanager
def transaction(
    conn: sqlite3.Connection, *, immediate: bool = True
) -> Iterator[sqlite3.Connection]:
    """Run a block as one transaction: all of it is written, or none of it.

    ``BEGIN IMMEDIATE`` takes the write lock at the start, so two kernels that
    read-then-write (a ballot, an edit) are serialised instead of deadlocking.
    """
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """A nested step inside a transaction: all of its writes or none of them."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    else:
        conn.execute(f"RELEASE {name}")


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at TEXT NOT NULL"
        " DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
    )
    return [r["name"] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY position")]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Apply the missing migrations in order; return the schema version (their count).

    A database that has migrations this kit does not know was written by a newer kit:
    it is refused with :class:`SchemaTooNewError` rather than silently misread.
    """
    known = [m.name for m in migrations]
    with transaction(conn):
        done = applied_migrations(conn)
        unknown = [name for name in done if name not in known]
        if unknown or done != known[: len(done)]:
            raise SchemaTooNewError(msg.DB_TOO_NEW, details=unknown or done)
        for position, migration in enumerate(migrations[len(done) :], start=len(done) + 1):
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (position, name) VALUES (?, ?)",
                (position, migration.name),
            )
    return len(known)


def split_statements(sql: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit early)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def change_token(conn: sqlite3.Connection) -> tuple[int, int]:
    """Cheap change detector for polling pages.

    ``PRAGMA data_version`` moves when *another* connection commits; ``total_changes``
    moves when this one writes. Compare tokens instead of re-reading tables.
    """
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def checkpoint(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the database file and empty it (True when it could be emptied).

    After a deletion this takes the old page images out of the ``-wal`` file too; a reader
    in another kernel may keep the WAL busy, then the next checkpoint empties it.
    """
    try:
        row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:
        return False
    return row is None or row[0] == 0


def vacuum(conn: sqlite3.Connection) -> None:
    """Rewrite the database file without free pages, then empty the WAL."""
    conn.execute("VACUUM")
    checkpoint(conn)
