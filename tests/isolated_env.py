"""pytest plugin (loaded with ``-p tests.isolated_env``): a private, prepared environment.

Runs before collection, so nbval's kernels inherit it too: every ``TASUKEAI_*`` setting
points into a temporary folder holding a demo database (sample city + today's meeting),
and ``QUERY_STRING`` carries that database's facilitator key, so the notebooks run their
real pages headless instead of the developer's own data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

NBVAL_KEY = "nbval-facilitator-key"
_workdir: Path | None = None


def pytest_configure(config):
    global _workdir
    if os.environ.get("TASUKEAI_TEST_ENV_READY"):
        return
    for name in [n for n in os.environ if n.startswith("TASUKEAI_")]:
        del os.environ[name]
    _workdir = Path(tempfile.mkdtemp(prefix="tasukeai-tests-"))
    os.environ["TASUKEAI_DB_PATH"] = str(_workdir / "meetings.sqlite")
    os.environ["TASUKEAI_OFFICE_DB_PATH"] = str(_workdir / "office.sqlite")
    os.environ["TASUKEAI_RESULTS_DIR"] = str(_workdir / "results")
    os.environ["TASUKEAI_RECORDS_DIR"] = str(_workdir / "records")
    os.environ["TASUKEAI_DISTRICT_DIR"] = str(_workdir / "district")
    os.environ["TASUKEAI_PUBLIC_HOST"] = "127.0.0.1"
    os.environ["JUPYTER_CONFIG_DIR"] = str(_workdir / "jupyter_config")
    os.environ["QUERY_STRING"] = f"key={NBVAL_KEY}"
    os.environ["TASUKEAI_TEST_ENV_READY"] = "1"
    if _collects_notebooks(config):
        from kit.meeting import access
        from kit.sample.write import build_demo_database
        from kit.settings import load_settings
        from kit.store import open_store

        settings = load_settings()
        build_demo_database(settings)
        conn = open_store(settings.db_path)
        access.ensure_facilitator_key(conn, NBVAL_KEY)
        conn.close()
        _compile_sample_results(settings)


def _compile_sample_results(settings) -> None:
    """The office notebook runs on the sample city's result files, compiled."""
    from kit.office.compile import compile_folder
    from kit.plan import load_plan
    from kit.resultfile.write import write_sample_result_files
    from kit.sample.city import build_sample_city
    from kit.store import open_store
    from kit.store.office import open_office_store

    plan = load_plan(settings.plan_path)
    city = open_store(":memory:")
    build_sample_city(city, plan)
    write_sample_result_files(city, plan, settings.results_dir.parent)  # → results_dir
    office = open_office_store(settings.office_db_path)
    compile_folder(office, settings.results_dir, plan)
    office.close()


def _collects_notebooks(config) -> bool:
    return bool(
        config.getoption("--nbval-lax", default=False) or config.getoption("--nbval", default=False)
    )


def pytest_unconfigure(config):
    if _workdir is not None:
        shutil.rmtree(_workdir, ignore_errors=True)
