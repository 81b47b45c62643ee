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
    settings = load_settings(environ={}, member_pool_size=3, port=9999, kernel_transport="ipc")
    argv = server.voila_argv(settings)
    joined = " ".join(argv)
    assert "--KernelManager.transport=ipc" in argv
    assert "--VoilaExecutor.iopub_timeout=" in joined
    assert "cull_idle_timeout" in joined
    assert "--port=9999" in argv
    config = server.voila_config(settings)
    assert config.VoilaKernelManager.kernel_pools_config["member.ipynb"] == {"pool_size": 3}
    assert config.VoilaConfiguration.file_allowlist == []


def test_voila_never_moves_to_another_port_and_pages_are_japanese():
    argv = server.voila_argv(load_settings(environ={}))
    assert "--Voila.port_retries=0" in argv
    assert "--VoilaExporter.language_code=ja" in argv


def test_no_option_is_given_in_a_deprecated_form():
    # lists and dicts on a command line make traitlets print a DeprecationWarning
    for arg in server.voila_argv(load_settings(environ={})):
        value = arg.split("=", 1)[-1]
        assert not value.startswith(("[", "{")), arg


def test_kernel_transport_follows_the_setting():
    argv = server.voila_argv(load_settings(environ={}, kernel_transport="tcp"))
    assert "--KernelManager.transport=tcp" in argv


def test_page_urls_carry_no_key_and_keyed_pages_are_local():
    urls = server.page_urls("http://h:1", "http://127.0.0.1:1")
    assert all("key=" not in url for url in urls.values())
    assert urls["member"].startswith("http://h:1/")
    assert all(urls[n].startswith("http://127.0.0.1:1/") for n in ("facilitator", "map", "office"))


def test_every_page_has_its_japanese_title():
    import json

    from kit import messages as msg
    from kit.resources import notebooks_dir

    served = sorted(p.name for p in notebooks_dir().glob("*.ipynb"))
    assert served == sorted(msg.PAGE_TITLES)
    for name, title in msg.PAGE_TITLES.items():
        notebook = json.loads((notebooks_dir() / name).read_text(encoding="utf-8"))
        assert notebook["metadata"]["title"] == title, name
    assert msg.PAGE_TITLES["member.ipynb"] == "参加者のページ"
    assert msg.PAGE_TITLES["facilitator.ipynb"] == "進行役のページ"


def test_the_server_skips_the_iri_grammar_it_never_uses():
    """jsonschema builds rfc3987_syntax's grammar at import (2.6 s of a 4 s start here)."""
    import subprocess
    import sys

    code = (
        "from kit.serving.server import skip_slow_imports; skip_slow_imports();"
        "import jupyter_server.serverapp, jsonschema, sys;"
        "from jsonschema import FormatChecker;"
        "print(sys.modules.get('rfc3987_syntax') is None, 'iri' in FormatChecker.checkers,"
        " 'date' in FormatChecker.checkers)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False", "True"]
    assert "cull_interval=60" in " ".join(server.voila_argv(load_settings(environ={})))


def test_pages_with_charts_load_anywidget_and_no_page_loads_plotlys_extension():
    installed = {
        "federated_extensions": [
            {"name": name}
            for name in (*server.WIDGET_EXTENSIONS, "anywidget", "jupyterlab-plotly", "other")
        ]
    }

    def loaded(notebook: str) -> set[str]:
        config = server.page_config_hook(installed, "/", {}, None, None, f"/x/{notebook}")
        return {ext["name"] for ext in config["federated_extensions"]}

    for notebook in (server.FACILITATOR_NOTEBOOK, server.MAP_NOTEBOOK, server.OFFICE_NOTEBOOK):
        assert loaded(notebook) == {*server.WIDGET_EXTENSIONS, "anywidget"}, notebook
    assert loaded(server.MEMBER_NOTEBOOK) == set(server.WIDGET_EXTENSIONS)
    assert len(loaded("someone_elses.ipynb")) == 5  # any other notebook: all of them
