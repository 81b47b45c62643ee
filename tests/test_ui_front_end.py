"""Pages change themselves only once the browser can take new widgets (kit.ui.common)."""

from __future__ import annotations

import sqlite3

from kit.store import open_store
from kit.ui import common


def test_outside_a_kernel_widgets_count_as_connected():
    assert common.kernel_loop() is None
    assert common.widgets_connected()


def test_poller_sees_a_write_by_another_connection(tmp_path):
    path = tmp_path / "m.sqlite"
    conn = open_store(path)
    seen = []
    poller = common.StorePoller(conn, lambda: seen.append(1)).start()
    assert not poller.check()  # nothing changed
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    assert poller.check() and seen == [1]
    assert not poller.check()
    conn.close()


def test_member_page_outside_a_served_kernel_shows_the_join_form_at_once(tmp_path):
    from kit.sample.write import build_demo_database
    from kit.settings import load_settings
    from kit.ui.pages import member_page

    settings = load_settings(
        environ={},
        db_path=tmp_path / "m.sqlite",
        office_db_path=tmp_path / "o.sqlite",
        results_dir=tmp_path / "r",
    )
    build_demo_database(settings)
    app = member_page(settings, show=False)
    assert app.join_box.layout.display is None



class _Loop:
    """A kernel's event loop as far as the page uses it: callbacks kept, run on demand."""

    def __init__(self):
        self.waiting = []

    def call_later(self, _delay, callback, *args):
        self.waiting.append((callback, args))

    def run_waiting(self):
        waiting, self.waiting = self.waiting, []
        for callback, args in waiting:
            callback(*args)


def test_a_loading_tablet_builds_no_widget_until_its_page_can_take_them(
    conn, settings, plan, meeting, monkeypatch
):
    """A reloaded tablet's kernel finds its member before the browser's widget manager is up:
    a widget made then could be refused by the browser and the page never drawn."""
    from ipywidgets.widgets.widget import _instances

    from kit.meeting import meetings
    from kit.ui import member
    from kit.ui.context import PageContext

    app = member.MemberApp(PageContext(conn=conn, settings=settings, plan=plan))
    app.code.value, app.name.value = meeting.join_code, "はな"
    app.join_button.click()
    loop, connected = _Loop(), [False]
    monkeypatch.setattr(common, "kernel_loop", lambda: loop)
    for module in (member, common):
        monkeypatch.setattr(module, "widgets_connected", lambda: connected[0])
    meetings.set_phase(conn, meeting.id, "issues")
    before = set(_instances)
    app.refresh()
    app.refresh()  # polls while loading wait together
    assert set(_instances) == before  # nothing new for the loading page
    assert app.body.children == () and len(loop.waiting) == 1
    loop.run_waiting()  # still loading: it looks again later
    assert app.body.children == () and len(loop.waiting) == 1
    connected[0] = True
    loop.run_waiting()
    assert "困りごと" in app.phase_title.value
    assert app.body.children == (app.built["issues"].widget,)


def test_a_tablet_kernel_served_by_voila_yields_the_cores_to_the_projector():
    import subprocess
    import sys

    from kit.ui.pages import MEMBER_KERNEL_NICE, lower_priority

    assert lower_priority({}) is False  # nbval, scripts, tests: left alone
    script = (
        "import os; from kit.ui.pages import lower_priority;"
        "before = os.nice(0); done = lower_priority({'SERVER_SOFTWARE': 'voila/0.5.13'});"
        "print(done, os.nice(0) - before)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.split() == ["True", str(MEMBER_KERNEL_NICE)], out.stderr


def test_the_tablet_page_carries_the_rule_that_hides_what_it_drew_ahead(conn, settings, plan):
    """Outside the kit's template (plain Voila, JupyterLab) hidden panels must stay hidden."""
    from kit.ui.common import OFFSTAGE, PAGE_RULE
    from kit.ui.context import PageContext
    from kit.ui.member import MemberApp

    rule = MemberApp(PageContext(conn=conn, settings=settings, plan=plan)).widget.children[0]
    assert PAGE_RULE in rule._dom_classes
    assert f".{OFFSTAGE}, .{PAGE_RULE} {{ display: none !important; }}" in rule.value
