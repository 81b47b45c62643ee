"""How long the office's compile takes for 30, 300 and 3,000 result files, and how it grows.

Run: ``python bench/compile_speed.py [--sizes 30 300 3000]``. The files are made from the
sample city's real result files (same tables and sizes), each given its own district, date
and title so every file is a different meeting. For each size it prints the time to compile
into a fresh office store, the time per file, the growth against the previous size (10× the
files should take about 10× the time) and the time of a second compile of the same folder
(every file already taken in: counted once, skipped by its checksum). CPU time is shown
beside the wall time: on a busy machine the wall time is mostly waiting. Every time is
the best of ``--repeat`` runs (the machine may be busy).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kit.office.compile import compile_folder  # noqa: E402
from kit.plan import load_plan  # noqa: E402
from kit.resultfile.format import TABLES, meeting_uid, result_file_name  # noqa: E402
from kit.resultfile.read import read_result_file  # noqa: E402
from kit.resultfile.write import build_result_file, pack_result_file  # noqa: E402
from kit.sample.city import build_sample_city  # noqa: E402
from kit.store import meetings as meeting_store  # noqa: E402
from kit.store import open_store  # noqa: E402
from kit.store.office import open_office_store, table_counts  # noqa: E402


def templates(plan) -> list:
    """The sample city's closed meetings as checked result files (the content to copy)."""
    conn = open_store(":memory:")
    build_sample_city(conn, plan)
    found = []
    for meeting in meeting_store.list_meetings(conn):
        if meeting.phase == "closed":
            data, _ = build_result_file(conn, plan, meeting.id, created_at="2025-06-14T12:00:00Z")
            found.append(read_result_file(data, plan))
    conn.close()
    return found


def make_files(folder: Path, count: int, sources: list, plan) -> int:
    """``count`` result files, each a different meeting; returns the total bytes written."""
    total = 0
    for i in range(count):
        source = sources[i % len(sources)]
        m = source.manifest
        district_id = f"b{i % 60:02d}"
        held_on = f"{2024 + (i // 336) % 3}-{1 + i % 12:02d}-{1 + (i // 12) % 28:02d}"
        title = f"{m.title}（{i}）"
        header = {
            "format": "tasukeai-result",
            "format_version": m.format_version,
            "kit_version": m.kit_version,
            "plan_id": plan.plan_id,
            "city": m.city,
            "district_id": district_id,
            "district_name": f"ベンチ{i % 60}地区",
            "meeting_uid": meeting_uid(district_id, held_on, title),
            "meeting_date": held_on,
            "title": title,
            "revision": 1,
            "created_at": m.created_at,
            "members": m.members,
            "members_with_tablet": m.members_with_tablet,
        }
        data, manifest = pack_result_file(header, {t.name: source.rows(t.name) for t in TABLES})
        (folder / result_file_name(manifest)).write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 3000])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)
    plan = load_plan()
    sources = templates(plan)
    rows_per_file = sum(len(s.rows(t.name)) for s in sources for t in TABLES) / len(sources)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}"
    )
    print(
        f"template files: {len(sources)} sample-city meetings, {rows_per_file:.0f} CSV rows per file on average"
    )
    print(
        f"{'files':>6} {'MB':>6} {'compile s':>10} {'CPU s':>7} {'ms/file':>8} {'growth':>32} {'recompile s':>12}"
    )
    previous: tuple[int, float, float] | None = None
    for size in args.sizes:
        root = Path(tempfile.mkdtemp(prefix="tasukeai-bench-"))
        try:
            folder = root / "results"
            folder.mkdir()
            size_bytes = make_files(folder, size, sources, plan)
            runs = args.repeat
            took, cpu, retook = min(
                compile_twice(root, folder, plan, size, run) for run in range(runs)
            )
            growth = ""
            if previous is not None:
                growth = (
                    f"{took / previous[1]:.1f}× ({cpu / previous[2]:.1f}× CPU)"
                    f" for {size / previous[0]:.0f}× files"
                )
            print(
                f"{size:>6} {size_bytes / 1e6:>6.1f} {took:>10.2f} {cpu:>7.2f}"
                f" {1000 * took / size:>8.2f} {growth:>32} {retook:>12.2f}"
            )
            previous = (size, took, cpu)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def compile_twice(
    root: Path, folder: Path, plan, size: int, run: int
) -> tuple[float, float, float]:
    """Compile into a fresh office store, then again (all duplicates): wall, CPU, recompile s."""
    office = open_office_store(root / f"office{run}.sqlite")
    started, cpu_started = time.perf_counter(), time.process_time()
    report = compile_folder(office, folder, plan)
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert report.counts()["ok"] == size and not report.has_errors, report.summary()
    started = time.perf_counter()
    again = compile_folder(office, folder, plan)
    retook = time.perf_counter() - started
    assert again.counts()["duplicate"] == size
    assert table_counts(office)["meetings"] == size
    office.close()
    return took, cpu, retook


if __name__ == "__main__":
    main()
