"""Writing the sample city: the demo database and the files kept in ``sample_data/``."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from kit.meeting import meetings
from kit.plan import load_plan
from kit.sample.city import CITY, DISTRICTS, build_sample_city
from kit.settings import REPO_ROOT, Settings
from kit.store import meetings as store
from kit.store import open_store

SAMPLE_DIR = REPO_ROOT / "sample_data"


def build_demo_database(settings: Settings) -> Path:
    """A fresh database with the sample city's past meetings and today's meeting, ready to run.

    Built beside the target under another name and moved into place when complete, so a
    full disk or an error leaves the old file (or none), never half a database.
    """
    target = Path(settings.db_path)
    building = target.with_name(target.name + ".building")
    _remove_database(building)
    try:
        conn = open_store(building)
        try:
            plan = load_plan(settings.plan_path)
            build_sample_city(conn, plan)
            district_id, _name = DISTRICTS[0]
            meetings.create_meeting(
                conn,
                district_id=district_id,
                title="支え合い会議（デモ）",
                held_on=dt.date.today(),
                plan_id=plan.plan_id,
                agenda="1. 困りごと出し\n2. 支え合いマップ\n3. 優先順位の投票\n4. まとめ",
            )
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        _remove_database(target)  # a stale WAL of an old file would corrupt the new one
        os.replace(building, target)
    except BaseException:
        _remove_database(building)
        raise
    return target


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def sample_summary(conn) -> dict:
    """Counts that describe the sample city (checked into ``sample_data/``)."""
    meetings_ = store.list_meetings(conn)
    return {
        "city": CITY,
        "districts": [{"id": d.id, "name": d.name} for d in store.list_districts(conn)],
        "meetings": len(meetings_),
        "members": sum(len(store.list_members(conn, m.id)) for m in meetings_),
    }


def write_sample_data(out: Path | None = None) -> Path:
    """Rebuild the sample city in memory and write what ``sample_data/`` holds into ``out``
    (default: the current folder; the repository keeps its copy in ``sample_data/``)."""
    out = Path(out) if out is not None else Path.cwd()
    out.mkdir(parents=True, exist_ok=True)
    conn = open_store(":memory:")
    plan = load_plan()
    build_sample_city(conn, plan)
    (out / "sample_city_summary.json").write_text(
        json.dumps(sample_summary(conn), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    for writer in sample_file_writers():
        writer(conn, plan, out)
    return out


def sample_file_writers() -> list:
    """Capabilities that write their own sample files (the office's result files)."""
    from kit.resultfile.write import write_sample_result_files

    return [write_sample_result_files]
