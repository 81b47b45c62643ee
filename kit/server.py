"""Serving the kit's pages with Voila, set up for a room of tablets with no internet.

What this adds to plain Voila, and why (see VOILA_NOTES.md for the measurements):
- no notebook listing and no file downloads: the tree, contents and files handlers are
  removed, so a tablet can open only the pages whose URL it is given;
- no CDN: the page template is Voila's ``lab`` template with its two Font Awesome CDN links
  removed (nothing on our pages uses those icons), plus the kit's large-text stylesheet;
- preheated kernels for the member page only, IPC transport (no TCP port races when
  many kernels start at once), a long IOPub timeout, idle kernels of closed tabs culled;
- gzip for every response (set before the Tornado app is built, where it takes effect).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sys
from pathlib import Path

from kit.settings import REPO_ROOT, Settings, settings_environ

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
TEMPLATE_NAME = "tasukeai"
STYLESHEET = Path(__file__).resolve().parent / "ui" / "tasukeai.css"

MEMBER_NOTEBOOK = "member.ipynb"
FACILITATOR_NOTEBOOK = "facilitator.ipynb"
MAP_NOTEBOOK = "map.ipynb"
OFFICE_NOTEBOOK = "office.ipynb"


def page_path(notebook: str) -> str:
    return f"/voila/render/{notebook}"


def page_urls(base: str, key: str) -> dict[str, str]:
    """The URLs the terminal prints: tablets get no key, the facilitator's pages do."""
    return {
        "member": f"{base}{page_path(MEMBER_NOTEBOOK)}",
        "facilitator": f"{base}{page_path(FACILITATOR_NOTEBOOK)}?key={key}",
        "map": f"{base}{page_path(MAP_NOTEBOOK)}?key={key}",
        "office": f"{base}{page_path(OFFICE_NOTEBOOK)}?key={key}",
    }


def build_template(root: Path) -> Path:
    """Write the offline page template under ``root`` (a JUPYTER_PATH entry); return root.

    It is made from the installed Voila's own ``lab`` template, so it follows Voila's
    version: only lines that load from a public host are dropped.
    """
    import voila.paths

    lab = next(
        Path(p) / "lab"
        for p in voila.paths.collect_template_paths(["voila", "nbconvert"], "lab")
        if (Path(p) / "lab" / "index.html.j2").exists()
    )
    target = root / "voila" / "templates" / TEMPLATE_NAME
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    index = (lab / "index.html.j2").read_text(encoding="utf-8")
    index = re.sub(r"^.*<link[^>]+href=\"https?://[^\"]+\"[^>]*>\s*$\n?", "", index, flags=re.M)
    css = STYLESHEET.read_text(encoding="utf-8")
    index = index.replace(
        "{{ super() }}\n{%- endblock notebook_css -%}",
        "{{ super() }}\n<style>\n" + css + "\n</style>\n{%- endblock notebook_css -%}",
        1,
    )
    remaining = re.findall(r"(?:href|src)=[\"']https?://[^\"']+", index)
    if remaining:
        raise RuntimeError(f"template still loads from outside: {remaining}")
    (target / "index.html.j2").write_text(index, encoding="utf-8")
    for name in os.listdir(lab):
        if name != "index.html.j2" and (lab / name).is_file():
            shutil.copy(lab / name, target / name)
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    return root


def voila_argv(settings: Settings, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    pools = {
        MEMBER_NOTEBOOK: {"pool_size": max(settings.member_pool_size, 0)},
        "default": {"pool_size": 0},
    }
    argv = [
        str(notebooks_dir),
        "--no-browser",
        f"--port={settings.port}",
        f"--Voila.ip={settings.host}",
        f"--template={TEMPLATE_NAME}",
        "--theme=light",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.preheat_kernel={settings.member_pool_size > 0}",
        f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",
        "--VoilaKernelManager.fill_delay=0",
        f"--VoilaExecutor.iopub_timeout={settings.iopub_timeout}",
        "--KernelManager.transport=ipc",
        "--VoilaConfiguration.file_allowlist=[]",
    ]
    if settings.cull_idle_timeout > 0:
        argv += [
            f"--MappingKernelManager.cull_idle_timeout={settings.cull_idle_timeout}",
            "--MappingKernelManager.cull_interval=60",
            "--MappingKernelManager.cull_connected=False",
        ]
    return argv


def lan_address() -> str:
    """This laptop's address on the room's network, as tablets should use it."""
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = "127.0.0.1"
    return address


def make_voila_app_class():
    """Voila with the listing, contents and file handlers removed and gzip on."""
    import tornado.web
    from jupyter_server.utils import url_path_join
    from voila.app import Voila
    from voila.static_file_handler import AllowListFileHandler
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    blocked = (TornadoVoilaTreeHandler, VoilaContentsHandler, AllowListFileHandler)

    class KitVoila(Voila):
        name = "tasukeai"

        def init_settings(self):
            settings = super().init_settings()
            settings["compress_response"] = True
            return settings

        def init_handlers(self):
            handlers = [h for h in super().init_handlers() if h[1] not in blocked]
            home = url_path_join(self.server_url, page_path(MEMBER_NOTEBOOK))
            handlers.insert(
                0,
                (url_path_join(self.server_url, r"/?"), tornado.web.RedirectHandler, {"url": home}),
            )
            return handlers

    return KitVoila


def prepare_environment(settings: Settings, runtime_dir: Path) -> dict[str, str]:
    """Environment for the server and, through it, every kernel."""
    template_root = build_template(runtime_dir / "jupyter")
    env = dict(settings_environ(settings))
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(template_root)]
        + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    )
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    # Tests and CI must not read the developer's own Jupyter config.
    env["JUPYTER_CONFIG_DIR"] = str(runtime_dir / "jupyter_config")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def run_voila(settings: Settings, runtime_dir: Path) -> None:
    """Run the server in this process until it is stopped (Ctrl+C / SIGTERM)."""
    os.environ.update(prepare_environment(settings, runtime_dir))
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    app_class = make_voila_app_class()
    app_class.launch_instance(argv=voila_argv(settings))
