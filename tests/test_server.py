"""Serving: the offline template and the Voila options."""

from __future__ import annotations

import re

from kit.serving import server
from kit.settings import load_settings


def test_offline_template_loads_nothing_from_outside(tmp_path):
    root = server.build_template(tmp_path)
    index = (root / "voila" / "templates" / server.TEMPLATE_NAME / "index.html.j2").read_text()
    assert not re.search(r"(href|src)=[\"']https?://", index)
    assert "tk-page" in index  # the kit's stylesheet is inlined
    assert (root / "voila" / "templates" / server.TEMPLATE_NAME / "conf.json").exists()


def test_voila_options_for_many_tablets():
    argv = server.voila_argv(load_settings(environ={}, member_pool_size=3, port=9999))
    joined = " ".join(argv)
    assert "--KernelManager.transport=ipc" in argv
    assert "--VoilaExecutor.iopub_timeout=" in joined
    assert "cull_idle_timeout" in joined
    assert '"member.ipynb": {"pool_size": 3}' in joined
    assert "--port=9999" in argv


def test_page_urls_carry_no_key_and_keyed_pages_are_local():
    urls = server.page_urls("http://h:1", "http://127.0.0.1:1")
    assert all("key=" not in url for url in urls.values())
    assert urls["member"].startswith("http://h:1/")
    assert all(urls[n].startswith("http://127.0.0.1:1/") for n in ("facilitator", "map", "office"))
