"""The page's connection script (issue 17) ships in the template, local, before Voila's bundle."""

from __future__ import annotations

from kit import messages as msg


def test_connection_script_is_in_the_page_template_and_served_locally(tmp_path):
    from kit.serving.connection import quiet_ping_warning, websocket_settings
    from kit.serving.server import build_template

    root = build_template(tmp_path)
    template = root / "voila" / "templates" / "tasukeai"
    index = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "static/tk-connection.js?v=" in index
    assert msg.CONNECTION_LOST in index
    assert (template / "static" / "tk-connection.js").read_text(encoding="utf-8").startswith("/*")
    assert index.index("tk-connection.js") < index.index("html_head_js_logs")  # before Voila's
    settings = websocket_settings()
    assert 0 < settings["ws_ping_interval"] < settings["ws_ping_timeout"] <= 15_000
    import logging

    quiet_ping_warning()
    record = logging.LogRecord("tornado.general", logging.WARNING, "", 0,
                               "The websocket_ping_timeout (9000) cannot be longer", (), None)  # fmt: skip
    assert not logging.getLogger("tornado.general").filter(record)
