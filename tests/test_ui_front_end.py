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

