"""The sample city is deterministic and fictional."""

from __future__ import annotations

import dataclasses
import re

from kit.sample.city import DISTRICTS, NICKNAMES, build_sample_city
from kit.store import meetings as store
from kit.store import open_store


def _dump(conn) -> list:
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
    ]
    skip_columns = {
        "created_at",
        "updated_at",
        "joined_at",
        "last_seen_at",
        "join_code",
        "cast_at",
        "opened_at",
        "closed_at",
        "taken_at",
        "applied_at",
        "uploaded_at",
        "computed_at",
        "changed_at",
        # sealed at rest: a fresh salt and fresh nonces every time (compared opened, below)
        "sealed",
        "salt",
        "check_value",
    }
    dump = []
    for table in tables:
        cols = [
            r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip_columns
        ]
        if not cols:
            continue
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1").fetchall()
        dump.append((table, [tuple(_without_times(v) for v in r) for r in rows]))
    return dump


_TIMESTAMP = re.compile(r'"(created_at|updated_at|taken_at)": "[^"]*"')


def _without_times(value):
    return _TIMESTAMP.sub("", value) if isinstance(value, str) else value


def test_same_seed_same_city(plan):
    first, second = open_store(":memory:"), open_store(":memory:")
    build_sample_city(first, plan)
    build_sample_city(second, plan)
    assert _dump(first) == _dump(second)
    from kit.supportmap import model as sm

    def untimed(data):
        return (
            [dataclasses.replace(n, created_at="", updated_at="") for n in data.nodes],
            [dataclasses.replace(link, created_at="") for link in data.links],
        )

    for district_id, _name in DISTRICTS:
        assert untimed(sm.load_map(first, district_id)) == untimed(sm.load_map(second, district_id))
        for a, b in zip(
            sm.list_baselines(first, district_id),
            sm.list_baselines(second, district_id),
            strict=True,
        ):
            assert untimed(sm.baseline_map(first, a)) == untimed(sm.baseline_map(second, b))


def test_city_has_six_districts_and_past_meetings(plan):
    conn = open_store(":memory:")
    built = build_sample_city(conn, plan)
    assert len(store.list_districts(conn)) >= 6 == len(DISTRICTS)
    closed = [m for m in store.list_meetings(conn) if m.phase == "closed"]
    assert len(closed) >= 6
    assert all(m.plan_id == plan.plan_id for m in store.list_meetings(conn))
    names = {m.display_name for s in built for m in store.list_members(conn, s.meeting_id)}
    assert names <= set(NICKNAMES)


def test_committed_sample_data_matches_the_builder(tmp_path):
    """``tasukeai sample-data`` is deterministic: what sample_data/ holds is what it writes."""
    from kit.sample.write import SAMPLE_DIR, write_sample_data

    out = write_sample_data(tmp_path)
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert written, "nothing written"
    for relative in written:
        committed = SAMPLE_DIR / relative
        assert committed.exists(), f"{relative} is not in sample_data/ (run tasukeai sample-data)"
        assert committed.read_bytes() == (out / relative).read_bytes(), relative
