"""Serving the kit's pages with Voila, set up for a room of tablets with no internet.

What this adds to plain Voila, and why (figures in ``bench/``; see VOILA_NOTES.md):
- no notebook listing and no file downloads: the tree, contents and files handlers are
  removed, so a tablet can open only the pages whose URL it is given;
- no CDN: the page template is Voila's ``lab`` template with its two Font Awesome CDN links
  removed (nothing on our pages uses those icons), plus the kit's large-text stylesheet;
- a kernel pool sized for the meeting: ``member_pool_size`` member-page kernels (one per
  tablet expected) are started ahead, one per core at a time so the first is ready within
  seconds, and only a small reserve is kept once they are handed out; one kernel of the
  facilitator's page (進行役のページ) is kept ready too, its notebook run ahead, and shows
  its controls only once the kernel itself has checked whom it was handed to
  (:class:`kit.ui.pages.HeldPage`); IPC transport (no TCP port races when many kernels
  start at once), a long IOPub timeout, idle kernels of closed tabs culled;
- each page loads only the front-end extensions it needs: the widget manager, and where a
  page has charts (projector, map, office) the small anywidget extension; no page loads
  plotly's 4.7 MB extension: the charts draw with plotly.js served as one static file,
  ``/tasukeai/static/plotly.min.js``, loaded once the page is usable;
- static files gzipped once and kept in memory, cached by browsers (a year for
  content-hashed names, a meeting's length for Voila's own unversioned chunks);
- gzip for every other response (set before the Tornado app is built, where it takes effect).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import deque
from pathlib import Path

from jupyter_server._tz import utcnow
from traitlets import Float, Int, List, Unicode
from traitlets.config import Configurable

from kit.resources import (
    PLOTLY_JS_ROUTE,
    notebooks_dir,
    page_script_path,
    plotly_js_path,
    stylesheet_path,
)
from kit.serving import connection, guard
from kit.settings import KIT_SERVER_ENV, Settings, settings_environ

NOTEBOOKS_DIR = notebooks_dir()
TEMPLATE_NAME = "tasukeai"
STYLESHEET = stylesheet_path()
PAGE_SCRIPT = page_script_path()

MEMBER_NOTEBOOK = "member.ipynb"
FACILITATOR_NOTEBOOK = "facilitator.ipynb"
MAP_NOTEBOOK = "map.ipynb"
OFFICE_NOTEBOOK = "office.ipynb"

# Optional modules that cost the server's start-up much and give the kit nothing: jsonschema
# (through jupyter_events) imports rfc3987_syntax, when installed, only to check the "iri"
# string format, and it builds its grammar at import — 2.6 s of a 4 s start on a 2-core
# laptop, seconds every tablet waits after the laptop restarts. Nothing served checks "iri".
SKIPPED_IMPORTS = ("rfc3987_syntax",)
# Spare member kernels kept ready once the pool started ahead has been handed out: one, for a
# tablet that reloads or arrives unexpected (a second at once waits ~2 s for a fresh kernel).
# Each spare is another ~57 MiB: with 40 tablets joined, two spares put the laptop's server at
# 2769–2784 MiB, over its 2.7 GiB (2765 MiB) budget; one puts it at 2718 MiB.
POOL_RESERVE = 1
KEYED_POOL = {FACILITATOR_NOTEBOOK: 1}
"""Keyed pages whose kernel is kept ready (one each): the projector's page, opened at the
start and reloaded during a meeting. Not the map or office page: each kernel is another
110–150 MiB, and with 40 tablets joined the laptop's server is at ~2.6 of its 2.7 GiB; they
are opened once or twice a meeting, the projector's page is what the room waits for."""
KEYED_REFILL_DELAY = 3.0
"""Seconds after a keyed page's kernel is handed out before its replacement starts: the page
being opened has the laptop's cores first. A request that needs the replacement sooner
starts it at once."""
FIRST_MEMBERS_WAIT = 60.0
"""At most this many seconds does a keyed page's first pooled kernel wait for the member
pool's first kernels to start (they go first: tablets may be waiting)."""
# Front-end (JupyterLab) extensions each page needs; any other notebook gets them all.
WIDGET_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")
# The charts and the map figure are anywidgets drawn with the static plotly.js (kit/ui/chart.py):
# plotly's own extension (a 4.7 MB chunk evaluated as the page loads) is on no page.
PAGE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    MEMBER_NOTEBOOK: WIDGET_EXTENSIONS,
    FACILITATOR_NOTEBOOK: (*WIDGET_EXTENSIONS, "anywidget"),
    MAP_NOTEBOOK: (*WIDGET_EXTENSIONS, "anywidget"),
    OFFICE_NOTEBOOK: (*WIDGET_EXTENSIONS, "anywidget"),
}
# Static files: content-hashed names never change; Voila's own chunks change only when
# Voila is upgraded, so a browser may keep them for a meeting's length without asking.
HASHED_NAME = re.compile(r"(^|[.-])[0-9a-f]{8,}\.[a-z0-9]+$")
CACHE_HASHED = "public, max-age=31536000, immutable"
CACHE_UNVERSIONED = "public, max-age=10800"
TEMPLATE_PART = re.compile(r"^[A-Za-z0-9_-]+$")
COMPRESSIBLE = (".js", ".css", ".json", ".svg", ".html", ".map", ".txt", ".ttf", ".eot")


def page_path(notebook: str) -> str:
    return f"/voila/render/{notebook}"


def page_urls(base: str, local_base: str | None = None) -> dict[str, str]:
    """The URLs the terminal prints, none with a key: tablets get the member page at
    ``base``; the keyed pages open only on the laptop itself, at ``local_base``."""
    local_base = local_base or base
    return {
        "member": f"{base}{page_path(MEMBER_NOTEBOOK)}",
        "facilitator": f"{local_base}{page_path(FACILITATOR_NOTEBOOK)}",
        "map": f"{local_base}{page_path(MAP_NOTEBOOK)}",
        "office": f"{local_base}{page_path(OFFICE_NOTEBOOK)}",
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
    script = PAGE_SCRIPT.read_text(encoding="utf-8")
    index = index.replace(
        "{{ super() }}\n{%- endblock notebook_css -%}",
        "{{ super() }}\n<style>\n" + css + "\n</style>\n<script>\n" + script + "\n</script>\n"
        "{%- endblock notebook_css -%}",
        1,
    )
    # The page's one landmark (WCAG 1.3.1): everything a kit page shows is its main content.
    index = index.replace('<div id="rendered_cells"', '<div id="rendered_cells" role="main"', 1)
    remaining = re.findall(r"(?:href|src)=[\"']https?://[^\"']+", index)
    if remaining:
        raise RuntimeError(f"template still loads from outside: {remaining}")
    index = connection.add_to_template(index, target, TEMPLATE_NAME)
    (target / "index.html.j2").write_text(index, encoding="utf-8")
    for name in os.listdir(lab):
        if name != "index.html.j2" and (lab / name).is_file():
            shutil.copy(lab / name, target / name)
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    return root


def voila_config(settings: Settings):
    """The options whose values are lists or dicts (given on a command line, traitlets
    would print a DeprecationWarning on the facilitator's terminal)."""
    from traitlets.config import Config

    config = Config()
    pools = {
        MEMBER_NOTEBOOK: {"pool_size": max(settings.member_pool_size, 0)},
        "default": {"pool_size": 0},
    }
    if settings.member_pool_size > 0:  # no pool at all (--pool 0): every page starts its kernel
        pools.update({name: {"pool_size": size} for name, size in KEYED_POOL.items()})
    config.VoilaKernelManager.kernel_pools_config = pools
    config.MeetingPool.keyed_pages = list(KEYED_POOL)
    config.VoilaConfiguration.file_allowlist = []
    return config


def voila_argv(settings: Settings, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    argv = [
        str(notebooks_dir),
        "--no-browser",
        f"--port={settings.port}",
        f"--Voila.ip={settings.host}",
        f"--template={TEMPLATE_NAME}",
        "--theme=light",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.preheat_kernel={settings.member_pool_size > 0}",
        "--VoilaKernelManager.fill_delay=0",
        f"--MeetingPool.reserve={POOL_RESERVE}",
        f"--VoilaExecutor.iopub_timeout={settings.iopub_timeout}",
        f"--KernelManager.transport={settings.kernel_transport}",
        # Pages are Japanese: <html lang="ja"> (their titles are in the notebooks' metadata).
        "--VoilaExporter.language_code=ja",
        # Never move to another port: the printed URL and QR code name this one.
        "--Voila.port_retries=0",
    ]
    if settings.cull_idle_timeout > 0:
        argv += [
            f"--MappingKernelManager.cull_idle_timeout={settings.cull_idle_timeout}",
            f"--MappingKernelManager.cull_interval={cull_interval(settings.cull_idle_timeout)}",
            "--MappingKernelManager.cull_connected=False",
        ]
    return argv


def cull_interval(timeout: int) -> int:
    """How often idle kernels are looked for: a tenth of the timeout, between 1 and 60 s.

    >>> cull_interval(600), cull_interval(30), cull_interval(5)
    (60, 3, 1)
    """
    return max(1, min(60, timeout // 10))


def page_config_hook(
    current_page_config: dict,
    base_url: str,
    settings: dict,
    log,
    voila_configuration,
    notebook_path: str,
) -> dict:
    """Keep only the front-end extensions a page needs (Voila's ``page_config_hook``).

    A tablet then downloads the widget manager only; no page downloads plotly's 4.7 MB bundle.
    """
    wanted = PAGE_EXTENSIONS.get(Path(str(notebook_path)).name)
    if wanted is None:
        return current_page_config
    config = dict(current_page_config)
    config["federated_extensions"] = [
        ext for ext in config.get("federated_extensions", []) if ext.get("name") in wanted
    ]
    return config


class StartSlots:
    """At most ``size`` pooled kernels starting at once, in turn; a waiter with ``first=True``
    (a keyed page's kernel) goes ahead of those in the queue."""

    def __init__(self, size: int) -> None:
        self.free = max(size, 1)
        self._queues: tuple[deque, deque] = (deque(), deque())  # first, in turn

    async def acquire(self, *, first: bool = False) -> None:
        if self.free > 0 and not any(self._queues):
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._queues[0 if first else 1].append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # given a slot while being cancelled: pass it on
            raise

    def release(self) -> None:
        for queue in self._queues:
            while queue:
                waiter = queue.popleft()
                if not waiter.done():  # a cancelled waiter is skipped
                    waiter.set_result(None)
                    return
        self.free += 1

    @contextlib.asynccontextmanager
    async def slot(self, *, first: bool = False):
        await self.acquire(first=first)
        try:
            yield
        finally:
            self.release()


async def _until(events: list[asyncio.Event], *, task=None, timeout: float | None = None):
    """Wait until one of ``events`` is set or ``task`` (never cancelled here) is done, or
    ``timeout`` seconds."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(
            [*waits, *([task] if task is not None else [])],
            timeout=timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        for wait in waits:
            wait.cancel()


class MeetingPool(Configurable):
    """Mixed into Voila's pooled kernel manager: a pool sized for the meeting.

    The member page's ``pool_size`` kernels (one per tablet expected) are started ahead,
    at most ``start_slots`` at a time (one per core), so the first is ready in about a
    second instead of all of them together at the end. Each kernel handed out lowers the
    target by one, down to ``reserve`` spares: a room of 40 tablets finds 40 ready
    kernels, and the pool does not start 40 more behind them while they join.

    A keyed page's pooled kernel (``keyed_pages``, :data:`KEYED_POOL`) starts once the
    member pool's first kernels have started, ahead of the member kernels still waiting;
    its replacement starts ``refill_delay`` seconds after it is handed out — at once when
    a request is already waiting for it (a second reload), without waiting for a slot and
    with the page sent as its notebook runs, as a kernel started for that request would.
    """

    reserve = Int(POOL_RESERVE, config=True, help="Spare kernels kept once the pool is used.")
    start_slots = Int(
        max(os.cpu_count() or 1, 1), config=True, help="Pooled kernels starting at once."
    )
    keyed_pages = List(
        Unicode(), config=True, help="Pooled pages started after the member pool's first kernels."
    )
    refill_delay = Float(
        KEYED_REFILL_DELAY,
        config=True,
        help="Seconds after a keyed page's kernel is handed out before its replacement starts.",
    )

    def _meeting_slots(self) -> StartSlots:
        if getattr(self, "_kit_slots", None) is None:
            self._kit_slots = StartSlots(self.start_slots)
            self._kit_handed_out: dict[str, int] = {}
            self._kit_ahead: dict[str, int] = {}
            self._kit_member_starts = 0
            self._kit_members_started = asyncio.Event()
            self._kit_wake: dict[str, list[asyncio.Event]] = {}
            self._kit_last_handout: dict[str, float] = {}
        return self._kit_slots

    def fill_if_needed(
        self, delay=None, notebook_name=None, extra_kernel_env_variables=None, **kwargs
    ):
        self._meeting_slots()
        config = self.kernel_pools_config.get(notebook_name)
        if config:
            ahead = self._kit_ahead.setdefault(notebook_name, config.get("pool_size", 0))
            handed_out = self._kit_handed_out.get(notebook_name, 0)
            config["pool_size"] = max(min(self.reserve, ahead), ahead - handed_out)
        return super().fill_if_needed(
            delay=delay,
            notebook_name=notebook_name,
            extra_kernel_env_variables=extra_kernel_env_variables or {},
            **kwargs,
        )

    async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
        self._meeting_slots()
        for wake in self._kit_wake.get(notebook_name, [])[:1]:
            wake.set()  # the kernel this request will get may still be waiting its turn
        self._kit_handed_out[notebook_name] = self._kit_handed_out.get(notebook_name, 0) + 1
        rendered = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        if notebook_name in self.keyed_pages:
            self._kit_last_handout[notebook_name] = time.monotonic()
        self._handed_out_now(rendered[2])
        return rendered

    def _handed_out_now(self, kernel_id: str) -> None:
        """A kernel leaving the pool counts as active now: it may have waited there longer
        than the cull timeout, and until the browser's websocket opens (seconds) the culler
        would otherwise shut it down — a tablet's page with no kernel."""
        try:
            self.get_kernel(kernel_id).last_activity = utcnow()
        except KeyError:  # already gone: the page reloads by itself
            pass

    def _first_members_started(self) -> bool:
        members = self._kit_ahead.get(
            MEMBER_NOTEBOOK,
            self.kernel_pools_config.get(MEMBER_NOTEBOOK, {}).get("pool_size", 0),
        )
        return self._kit_member_starts >= min(max(self.start_slots, 1), members)

    async def _keyed_turn(self, notebook_path: str, wake: asyncio.Event) -> None:
        """Wait until a keyed page's pooled kernel may start (see the class docstring), or
        until ``wake``: a request is waiting for it."""
        handed_out = self._kit_last_handout.get(notebook_path)
        if handed_out is not None:
            pause = self.refill_delay - (time.monotonic() - handed_out)
            if pause > 0:
                await _until([wake], timeout=pause)
        if not wake.is_set() and not self._first_members_started():
            await _until([wake, self._kit_members_started], timeout=FIRST_MEMBERS_WAIT)

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs):
        slots = self._meeting_slots()
        if kernel_id is not None or notebook_path not in self.keyed_pages:
            async with slots.slot():
                if notebook_path == MEMBER_NOTEBOOK and kernel_id is None:
                    self._kit_member_starts += 1
                    if self._first_members_started():
                        self._kit_members_started.set()
                content = await super()._initialize(notebook_path, kernel_id, **kwargs)
                try:
                    await asyncio.shield(content["task"])  # the page is rendered: the slot is free
                except Exception:  # noqa: BLE001 - the request that takes this kernel reports it
                    pass
            return content
        # A keyed page: after its turn, ahead of the member kernels waiting for a slot. A
        # request waiting for it (``wake``) gets it at once, its page sent as the notebook
        # runs — as the kernel it would otherwise start for itself, without a slot.
        wake = asyncio.Event()
        waiting = self._kit_wake.setdefault(notebook_path, [])
        waiting.append(wake)
        try:
            await self._keyed_turn(notebook_path, wake)
            if wake.is_set():
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            await slots.acquire(first=True)
            try:
                content = await super()._initialize(notebook_path, kernel_id, **kwargs)
            except BaseException:
                slots.release()
                raise
            content["task"].add_done_callback(lambda _task: slots.release())
            await _until([wake], task=content["task"])
            return content
        finally:
            waiting.remove(wake)


class CachedStatic:
    """Mixed into Tornado static file handlers: gzip each file once, cache it in browsers.

    The compressed bytes and an ETag are kept in memory per (path, size, mtime), so a
    burst of first visits costs no compression and no re-hashing of megabytes of JavaScript.
    """

    _gzipped: dict[str, tuple[tuple[int, int], bytes | None, str]] = {}

    @classmethod
    def _entry(cls, absolute_path: str) -> tuple[bytes | None, str]:
        stat = os.stat(absolute_path)
        key = (stat.st_size, stat.st_mtime_ns)
        cached = cls._gzipped.get(absolute_path)
        if cached is None or cached[0] != key:
            with open(absolute_path, "rb") as f:
                data = f.read()
            packed = (
                gzip.compress(data, 6, mtime=0) if absolute_path.endswith(COMPRESSIBLE) else None
            )
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            cached = cls._gzipped[absolute_path] = (key, packed, etag)
        return cached[1], cached[2]

    def compute_etag(self):
        return self._entry(self.absolute_path)[1]

    def set_headers(self) -> None:
        super().set_headers()
        name = os.path.basename(self.absolute_path)
        hashed = HASHED_NAME.search(name) or "v" in self.request.arguments
        self.set_header("Cache-Control", CACHE_HASHED if hashed else CACHE_UNVERSIONED)

    async def get(self, path: str, include_body: bool = True) -> None:
        accepts = "gzip" in self.request.headers.get("Accept-Encoding", "")
        if not accepts or self.request.headers.get("Range"):
            return await super().get(path, include_body)
        self.path = self.parse_url_path(path)
        absolute_path = self.get_absolute_path(self.root, self.path)
        self.absolute_path = self.validate_absolute_path(self.root, absolute_path)
        if self.absolute_path is None:
            return None
        packed, _etag = self._entry(self.absolute_path)
        if packed is None:
            return await super().get(path, include_body)
        self.modified = self.get_modified_time()
        self.set_headers()
        if self.should_return_304():
            self.set_status(304)
            return None
        self.set_header("Content-Encoding", "gzip")
        self.set_header("Content-Length", len(packed))
        if include_body:
            self.write(packed)
        return None


def make_voila_app_class():
    """Voila with the listing, contents and file handlers removed, the tuned kernel pool,
    per-page front-end extensions and cached, pre-compressed static files."""
    import tornado.web
    import voila.app
    from jupyter_server.base.handlers import FileFindHandler
    from jupyter_server.utils import url_path_join
    from voila.app import Voila
    from voila.static_file_handler import (
        AllowListFileHandler,
        MultiStaticFileHandler,
        TemplateStaticFileHandler,
    )
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    blocked = (TornadoVoilaTreeHandler, VoilaContentsHandler, AllowListFileHandler)

    class KitLabExtensions(CachedStatic, FileFindHandler):
        pass

    class KitStatic(CachedStatic, MultiStaticFileHandler):
        pass

    class KitTemplateStatic(CachedStatic, TemplateStaticFileHandler):
        def parse_url_path(self, path: str) -> str:
            # Voila's handler asserts on the shape of the path (a 500 for ``..`` or a
            # missing ``static``): answer 404 instead, before any path is built.
            parts = path.split("/")
            if (
                len(parts) < 3
                or parts[1] != "static"
                or not TEMPLATE_PART.match(parts[0])
                or any(part in ("", ".", "..") for part in parts[2:])
            ):
                raise tornado.web.HTTPError(404)
            return super().parse_url_path(path)

    class KitAsset(CachedStatic, tornado.web.StaticFileHandler):
        """plotly.js for the charts and the map (no personal data; the URL names its version)."""

    class KitPage(guard.PageGuard, TornadoVoilaHandler):
        def redirect_to_file(self, path):
            # Voila sends any other file to /voila/files/…, which is gone: say 404 at once.
            raise tornado.web.HTTPError(404)

    replaced = {
        TornadoVoilaHandler: KitPage,
        FileFindHandler: KitLabExtensions,
        MultiStaticFileHandler: KitStatic,
        TemplateStaticFileHandler: KitTemplateStatic,
    }

    def kit_kernel_manager_factory(
        base_class, preheat_kernel, default_pool_size, page_config_hook=None
    ):
        manager = voila_kernel_manager_factory(
            base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook
        )
        if not preheat_kernel:
            return type("KitKernelManager", (guard.KernelGuard, manager), {})
        return type("KitKernelManager", (guard.KernelGuard, MeetingPool, manager), {})

    # Voila builds its kernel manager class with this factory inside init_settings().
    voila.app.voila_kernel_manager_factory = kit_kernel_manager_factory

    class KitVoila(Voila):
        name = "tasukeai"
        # Sockets bound by ``tasukeai serve`` before it printed the URLs (kit/serving/checks.py).
        bound_sockets: list = []

        def listen(self):
            if not self.bound_sockets:
                return super().listen()
            import tornado.httpserver
            import tornado.ioloop

            server = tornado.httpserver.HTTPServer(
                self.app, xheaders=self.app.settings.get("xheaders", False)
            )
            server.add_sockets(self.bound_sockets)
            self.log.info("Voila is running at:\n%s", self.display_url)
            self.ioloop = tornado.ioloop.IOLoop.current()
            try:
                self.ioloop.start()
            except KeyboardInterrupt:
                self.log.info("Stopping...")
            finally:
                server.stop()
                self.stop()

        def initialize(self, argv=None):
            super().initialize(argv)
            self.voila_configuration.page_config_hook = page_config_hook

        def init_settings(self):
            settings = super().init_settings()
            settings["compress_response"] = True
            settings.update(connection.websocket_settings())
            connection.quiet_ping_warning()
            return settings

        def init_handlers(self):
            handlers = []
            for handler in super().init_handlers():
                if handler[1] in blocked:
                    continue
                if handler[1] in replaced:
                    kwargs = dict(handler[2]) if len(handler) > 2 else {}
                    kwargs.pop("no_cache_paths", None)
                    handler = (handler[0], replaced[handler[1]], kwargs)
                handlers.append(handler)
            plotly_js = plotly_js_path()
            handlers.insert(
                0,
                (
                    url_path_join(self.server_url, "/" + PLOTLY_JS_ROUTE.rsplit("/", 1)[0])
                    + r"/(plotly\.min\.js)",
                    KitAsset,
                    {"path": str(plotly_js.parent)},
                ),
            )
            home = url_path_join(self.server_url, page_path(MEMBER_NOTEBOOK))
            handlers.insert(
                0,
                (url_path_join(self.server_url, r"/?"), tornado.web.RedirectHandler, {"url": home}),
            )
            return guard.guard_handlers(handlers)

    return KitVoila


def prepare_environment(settings: Settings, runtime_dir: Path) -> dict[str, str]:
    """Environment for the server and, through it, every kernel."""
    template_root = build_template(runtime_dir / "jupyter")
    env = dict(settings_environ(settings))
    env[KIT_SERVER_ENV] = "1"
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(template_root)]
        + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    )
    # Tests and CI must not read the developer's own Jupyter config.
    env["JUPYTER_CONFIG_DIR"] = str(runtime_dir / "jupyter_config")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def skip_slow_imports() -> None:
    """Make the optional modules of :data:`SKIPPED_IMPORTS` absent for this process (their
    importers treat them as not installed), unless something imported them already."""
    for name in SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)


def run_voila(settings: Settings, runtime_dir: Path, *, sockets: list | None = None) -> None:
    """Run the server in this process until it is stopped (Ctrl+C / SIGTERM), on the
    already bound ``sockets`` when given (else Voila binds ``settings.port`` itself)."""
    skip_slow_imports()
    # Voila gives each page's kernel its request's query string; a pooled kernel, started
    # before any request, would otherwise inherit one from whoever started the server.
    os.environ.pop("QUERY_STRING", None)
    os.environ.update(prepare_environment(settings, runtime_dir))
    guard.configure(settings)
    guard.install_log_redaction()
    app_class = make_voila_app_class()
    app_class.bound_sockets = list(sockets or [])
    app_class.launch_instance(argv=voila_argv(settings), config=voila_config(settings))
