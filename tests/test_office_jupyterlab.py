"""The office on the office PC: its notebook in JupyterLab, and the city tables as DataFrames.

In JupyterLab there is no ``QUERY_STRING`` (only Voila sets it) and Jupyter's own token
protects the server, so the office page asks no key there — and opens no meeting database.
Served by ``tasukeai serve`` (Voila), it still needs the key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit import messages as msg
from kit.errors import ValidationError
from kit.office.compile import compile_folder
from kit.office.frames import office_dataframes
from kit.settings import load_settings
from kit.store.office import open_office_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RESULTS = ROOT / "sample_data" / "results"
VOILA_VARIABLES = ("QUERY_STRING", "SERVER_SOFTWARE", "VOILA_KERNEL_ID", "VOILA_BASE_URL")


@pytest.fixture
def office_db(tmp_path, plan) -> Path:
    path = tmp_path / "office.sqlite"
    conn = open_office_store(path)
    assert compile_folder(conn, SAMPLE_RESULTS, plan).counts()["ok"] == 12
    conn.close()
    return path


@pytest.fixture
def jupyterlab_env(monkeypatch, tmp_path, office_db):
    """A JupyterLab kernel's environment: no Voila variables; a meeting db that does not exist."""
    for name in [n for n in os.environ if n in VOILA_VARIABLES or n.startswith("VOILA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TASUKEAI_DB_PATH", str(tmp_path / "never" / "meetings.sqlite"))
    monkeypatch.setenv("TASUKEAI_OFFICE_DB_PATH", str(office_db))
    return load_settings()


def test_served_by_voila_reads_the_variables_voila_sets():
    from kit.ui.pages import served_by_voila

    assert not served_by_voila({"HOME": "/home/office", "JPY_SESSION_NAME": "office.ipynb"})
    assert served_by_voila({"QUERY_STRING": ""})
    assert served_by_voila({"SERVER_SOFTWARE": "voila/0.5.13"})
    assert served_by_voila({"VOILA_KERNEL_ID": "abc"})


def test_office_page_in_jupyterlab_needs_no_key_and_creates_no_meeting_db(jupyterlab_env):
    from kit.ui.office import OfficeApp
    from kit.ui.pages import office_page

    app = office_page(show=False)
    assert isinstance(app, OfficeApp)
    assert not jupyterlab_env.db_path.exists()
    assert not jupyterlab_env.db_path.parent.exists()
    assert len(app.tables["meetings"]) == 12
    app.conn.close()


def test_office_page_served_by_voila_still_needs_the_key(jupyterlab_env, monkeypatch):
    from kit.ui.pages import office_page

    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    monkeypatch.setenv("QUERY_STRING", "key=wrong")
    monkeypatch.setenv("TASUKEAI_DB_PATH", str(jupyterlab_env.db_path.parent.parent / "m.sqlite"))
    widget = office_page(show=False)
    assert "tk-refused" in widget._dom_classes
    assert msg.KEY_REQUIRED_TITLE in widget.children[0].value


def test_dataframes_have_real_dtypes(office_db, plan):
    tables = office_dataframes(office_db, plan)
    assert list(tables) == [
        "地区×重点目標",
        "困りごとの一覧",
        "優先課題",
        "各地区の上位項目",
        "計画のカバー状況",
        "取組の状況",
        "取組の一覧",
        "参加と投票率",
        "支え合いマップの数",
        "会議一覧",
    ]
    issues = tables["困りごとの一覧"]
    assert len(issues) == 96
    assert issues["開催日"].dtype.kind == "M"
    assert str(issues["深刻さ"].dtype) == "Int64"
    assert str(issues["困りごと"].dtype) == "string"
    turnout = tables["参加と投票率"]
    assert turnout["投票率"].dtype == "float64"
    assert turnout["投票率"].between(0, 1).all()
    actions = tables["取組の一覧"]
    assert actions["いつまでに"].dtype.kind == "M"
    top = tables["各地区の上位項目"]
    assert top["同点"].dtype == bool and top["同点"].any()
    assert top["得点の割合"].dtype == "float64"
    assert issues.attrs["title"] == msg.OFFICE_TABLE_ISSUES
    # a pivot works on the real dtypes
    grid = issues.pivot_table(
        index="地区", columns="重点目標ID", values="困りごと", aggfunc="count"
    )
    assert grid.sum().sum() == 96


def test_dataframes_filter_like_the_office_page(office_db, plan):
    district = office_dataframes(office_db, plan, district_id="d01")["会議一覧"]
    assert set(district["地区ID"]) == {"d01"} and len(district) == 2
    year = office_dataframes(office_db, plan, year=2025)["会議一覧"]
    assert len(year) == 12
    assert office_dataframes(office_db, plan, year=2030)["会議一覧"].empty


def test_dataframes_refuse_a_missing_office_db_and_create_nothing(tmp_path, plan):
    missing = tmp_path / "no" / "office.sqlite"
    with pytest.raises(ValidationError) as refused:
        office_dataframes(missing, plan)
    assert "集計" in refused.value.message
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.slow
def test_the_office_notebook_runs_in_a_jupyterlab_kernel(tmp_path, office_db):
    """nbclient, in an environment like JupyterLab's: no QUERY_STRING, no VOILA_*."""
    env = {k: v for k, v in os.environ.items() if k not in VOILA_VARIABLES}
    env = {k: v for k, v in env.items() if not k.startswith(("VOILA_", "TASUKEAI_"))}
    meeting_db = tmp_path / "home" / ".tasukeai" / "meetings.sqlite"
    env.update(
        TASUKEAI_DB_PATH=str(meeting_db),
        TASUKEAI_OFFICE_DB_PATH=str(office_db),
        PYTHONPATH=str(ROOT),
    )
    script = (
        "import json, nbformat, sys\n"
        "from nbclient import NotebookClient\n"
        f"nb = nbformat.read({str(ROOT / 'notebooks' / 'office.ipynb')!r}, as_version=4)\n"
        "NotebookClient(nb, timeout=180, kernel_name='python3').execute()\n"
        "print(json.dumps([o for c in nb.cells for o in c.get('outputs', [])], ensure_ascii=False))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outputs = done.stdout
    assert "application/vnd.jupyter.widget-view+json" in outputs
    assert msg.KEY_REQUIRED_TITLE not in outputs
    assert not meeting_db.exists()


def test_the_office_page_exports_through_export_all(jupyterlab_env, monkeypatch):
    """One export orchestration: the page's buttons call ``export_all`` (issue 15)."""
    import inspect

    import kit.ui.office as page_module
    from kit.ui.pages import office_page

    source = inspect.getsource(page_module)
    assert "write_workbook" not in source and "write_csv_folder" not in source
    calls = []
    real = page_module.export_all

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(page_module, "export_all", spy)
    app = office_page(show=False)
    app.district.value = "d02"
    for kind, button in (
        ("excel", app.export_excel),
        ("csv", app.export_csv),
        ("html", app.export_html),
    ):
        button.click()
        assert calls[-1]["kinds"] == (kind,)
        assert "かわせみ地区" in calls[-1]["filter_text"]
    from openpyxl import load_workbook

    book = next(app.export_folder.glob("集計_*.xlsx"))
    about = {r[0].value: r[1].value for r in load_workbook(book)["説明"].iter_rows()}
    assert "かわせみ地区" in about["絞り込み"]
    assert len(load_workbook(book)["会議一覧"]["A"]) == 1 + 2  # the filter applies
    app.conn.close()
