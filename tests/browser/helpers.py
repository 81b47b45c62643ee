"""Helpers for driving the served pages: start/stop the server, open pages, fill widgets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
KEY = "test-facilitator-key"
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def launch_chromium(playwright, executable: str):
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KitServer:
    """``tasukeai serve`` (or ``demo``) in a subprocess, with its own database and port."""

    def __init__(
        self, workdir: Path, *, demo: bool = True, pool: int = 2, extra_args=(), program=None
    ):
        """``program``: the command to run instead of this checkout's ``python -m kit.cli``
        (an installed kit's ``tasukeai``); it then gets no PYTHONPATH into the checkout."""
        self.program = list(program) if program else None
        self.workdir = Path(workdir)
        self.db_path = self.workdir / "meetings.sqlite"
        self.port = free_port()
        self.demo = demo
        self.pool = pool
        self.extra_args = list(extra_args)
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "server.log"
        self.base = f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            *(self.program or [sys.executable, "-m", "kit.cli"]),
            "demo" if self.demo else "serve",
            "--db",
            str(self.db_path),
            "--port",
            str(self.port),
            "--host",
            "127.0.0.1",
            "--public-host",
            "127.0.0.1",
            "--key",
            KEY,
            "--pool",
            str(self.pool),
            "--no-browser",
            *self.extra_args,
        ]

    def start(self, timeout: float = 90) -> KitServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASUKEAI_")}
        if self.program:
            env.pop("PYTHONPATH", None)
        else:
            env["PYTHONPATH"] = str(REPO)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited: {self.log_path.read_text(errors='replace')[-3000:]}"
                )
            try:
                # Only a TCP connection: every GET of a notebook URL would start a kernel.
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("server did not start")
        return self

    def kill(self) -> None:
        """SIGKILL the whole server process group (crash tests)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if getattr(self, "_log", None):
            self._log.close()

    def url(self, notebook: str, *, key: str | None = None) -> str:
        suffix = f"?key={key}" if key else ""
        return f"{self.base}/voila/render/{notebook}{suffix}"

    @property
    def member_url(self) -> str:
        return self.url("member.ipynb")

    @property
    def facilitator_url(self) -> str:
        return self.url("facilitator.ipynb", key=KEY)

    def connect(self):
        from kit.store import open_store

        return open_store(self.db_path)


def track_outside_requests(page) -> list[str]:
    """Record every request the page makes to a host that is not this machine."""
    outside: list[str] = []

    def check(request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if parsed.hostname not in LOCAL_HOSTS:
            outside.append(request.url)

    page.on("request", check)
    return outside


def open_page(
    browser, url: str, viewport=TABLET, *, wait_for: str = ".tk-page", timeout: float = 90_000
):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    outside = track_outside_requests(page)
    page.goto(url, timeout=timeout)
    page.wait_for_selector(wait_for, timeout=timeout)
    page.outside_requests = outside  # type: ignore[attr-defined]
    return page


def reload(page, timeout: float = 90_000) -> None:
    """Reload as a member would; a page that was already loading itself again (its kernel
    was lost: ``tk-connection.js``) aborts our navigation, and then its own is waited for."""
    from playwright.sync_api import Error

    try:
        page.reload(timeout=timeout)
    except Error as exc:
        if "ERR_ABORTED" not in str(exc) and "frame was detached" not in str(exc):
            raise
        page.wait_for_load_state("load", timeout=timeout)


def fill(page, css_class: str, value: str) -> None:
    """Type into the text/textarea widget carrying ``css_class``."""
    page.locator(f".{css_class} input, .{css_class} textarea").first.fill(value)


def click(page, css_class: str) -> None:
    page.locator(f".{css_class}").first.click()


def join(page, code: str, name: str) -> None:
    fill(page, "tk-join-code", code)
    fill(page, "tk-join-name", name)
    click(page, "tk-join-button")
    page.wait_for_selector(".tk-task", state="visible", timeout=30_000)


def current_meeting(server: KitServer):
    from kit.store import meetings as store

    conn = server.connect()
    try:
        return store.current_meeting(conn)
    finally:
        conn.close()
