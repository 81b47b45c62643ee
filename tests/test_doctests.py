"""The examples in the modules' docstrings run, against a real store (none is skipped)."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

from kit.meeting import meetings
from kit.office.views import OfficeFilter
from kit.store.office import open_office_store

KIT = Path(__file__).resolve().parents[1] / "kit"


def _modules_with_examples() -> list[str]:
    found = []
    for path in sorted(KIT.rglob("*.py")):
        if ">>> " in path.read_text(encoding="utf-8"):
            parts = path.relative_to(KIT.parent).with_suffix("").parts
            found.append(".".join(p for p in parts if p != "__init__"))
    return found


def test_no_example_is_skipped():
    skipped = [p for p in KIT.rglob("*.py") if re.search(r"doctest:\s*\+SKIP", p.read_text())]
    assert skipped == []


@pytest.fixture
def namespace(conn, plan, meeting, members, tmp_path):
    """What the examples name: a meeting in its issues phase, a closed one, an office."""
    meetings.set_phase(conn, meeting.id, "issues")
    closed = meetings.create_meeting(
        conn, district_id=meeting.district_id, title="前回の会議", held_on="2026-10-01",
        plan_id=plan.plan_id,
    )  # fmt: skip
    meetings.set_phase(conn, closed.id, "closed")
    results = tmp_path / "results"
    from kit.resultfile.write import save_result_file

    save_result_file(conn, plan, closed.id, results, bump=False)
    office_conn = open_office_store(tmp_path / "office.sqlite")
    yield {
        "conn": conn,
        "plan": plan,
        "meeting_id": meeting.id,
        "member_id": members[0].id,
        "closed_meeting_id": closed.id,
        "results_folder": results,
        "office_conn": office_conn,
        "OfficeFilter": OfficeFilter,
    }
    office_conn.close()


@pytest.mark.parametrize("module_name", _modules_with_examples())
def test_examples_run(module_name, namespace):
    module = importlib.import_module(module_name)
    if module_name in (
        "kit.meeting.voting",
        "kit.meeting.tally",
    ):  # votes are cast in the vote phase
        meetings.set_phase(namespace["conn"], namespace["meeting_id"], "vote")
    if module_name == "kit.office.views":  # the office has compiled something to show
        from kit.office.compile import compile_folder

        compile_folder(namespace["office_conn"], namespace["results_folder"], namespace["plan"])
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(module, globs={**vars(module), **namespace}) if t.examples]
    assert tests, f"{module_name} has no examples"
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) failed in {module_name}"
