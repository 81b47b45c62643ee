"""The store on real SQLite: pragmas, named migrations, refusing a newer database, many writers."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from kit.errors import SchemaTooNewError
from kit.store import db, open_store
from kit.store import meetings as store
from kit.store.schema import MEETING_MIGRATIONS


def test_pragmas_are_set(conn):
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_migrations_are_recorded_once_by_name(db_path):
    open_store(db_path).close()
    conn = open_store(db_path)
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY position")]
    assert names == [m.name for m in MEETING_MIGRATIONS]


def test_newer_database_is_refused_with_a_japanese_message(db_path):
    conn = open_store(db_path)
    conn.execute(
        "INSERT INTO schema_migrations (position, name) VALUES (999, '9999_from_the_future')"
    )
    conn.close()
    with pytest.raises(SchemaTooNewError) as info:
        open_store(db_path)
    assert "新しい版" in info.value.message


def test_migrate_applies_only_missing_steps(tmp_path):
    conn = db.connect(tmp_path / "m.sqlite")
    first = db.Migration("0001_a", "CREATE TABLE a (x INTEGER);")
    second = db.Migration("0002_b", "CREATE TABLE b (y INTEGER);\nINSERT INTO b VALUES (1);")
    assert db.migrate(conn, [first]) == 1
    assert db.migrate(conn, [first, second]) == 2
    assert conn.execute("SELECT y FROM b").fetchone()[0] == 1


def test_failed_migration_leaves_nothing_behind(tmp_path):
    conn = db.connect(tmp_path / "m.sqlite")
    broken = db.Migration("0001_broken", "CREATE TABLE a (x INTEGER);\nTHIS IS NOT SQL;")
    with pytest.raises(sqlite3.OperationalError):
        db.migrate(conn, [broken])
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'a'").fetchone()[0] == 0
    assert db.applied_migrations(conn) == []


def test_transaction_rolls_back_on_error(conn, district):
    with pytest.raises(RuntimeError), db.transaction(conn):
        store.upsert_district(conn, "d99", "消える地区")
        raise RuntimeError("boom")
    assert [d.id for d in store.list_districts(conn)] == ["d01"]


def test_damaged_database_file_gets_a_clear_message(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    from kit.errors import KitError

    with pytest.raises(KitError) as info:
        open_store(path)
    assert "開けません" in info.value.message or "壊れて" in info.value.message


def test_change_token_moves_when_another_connection_writes(db_path, district):
    reader = open_store(db_path)
    writer = open_store(db_path)
    before = db.change_token(reader)
    assert db.change_token(reader) == before
    store.upsert_district(writer, "d02", "別の地区")
    assert db.change_token(reader) != before


def _join_many(args):
    path, code, names = args
    from kit.meeting import meetings

    conn = open_store(path)
    for name in names:
        meetings.join_meeting(conn, code, name)
    conn.close()
    return len(names)


def test_many_processes_join_at_once(db_path, meeting):
    jobs = [(str(db_path), meeting.join_code, [f"p{p}-{i}" for i in range(10)]) for p in range(8)]
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        assert sum(pool.map(_join_many, jobs)) == 80
    conn = open_store(db_path)
    assert len(store.list_members(conn, meeting.id)) == 80


def test_savepoint_undoes_only_its_own_step(conn, district):
    with db.transaction(conn):
        store.upsert_district(conn, "d02", "残る地区")
        with pytest.raises(RuntimeError), db.savepoint(conn, "step"):
            store.upsert_district(conn, "d03", "消える地区")
            raise RuntimeError("boom")
    assert [d.id for d in store.list_districts(conn)] == ["d01", "d02"]
