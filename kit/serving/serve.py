"""``tasukeai serve``: prepare the store and the key, print the URLs and QR code, run Voila.

The terminal shows no key (unless ``--show-key``): the facilitator page is opened on this
laptop's own browser with a one-time link, and the keyed pages open only from this laptop.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

import segno

from kit import messages as msg
from kit.meeting import access
from kit.serving.server import (
    FACILITATOR_NOTEBOOK,
    lan_address,
    page_path,
    page_urls,
    run_voila,
)
from kit.settings import Settings
from kit.store import open_store

LOCAL_HOSTS = ("0.0.0.0", "::", "", "127.0.0.1", "localhost", "::1")


def local_base(settings: Settings) -> str:
    """The address this laptop's own browser uses (loopback unless the server listens elsewhere)."""
    host = "127.0.0.1" if settings.host in LOCAL_HOSTS else settings.host
    return f"http://{host}:{settings.port}"


def display_available() -> bool:
    """Whether a browser window can be opened here (a Linux without a display cannot)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_when_listening(url: str, host: str, port: int, timeout: float = 120) -> threading.Thread:
    """Open ``url`` in the laptop's browser once the server accepts connections."""

    def wait_then_open() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            return
        webbrowser.open(url)

    thread = threading.Thread(target=wait_then_open, daemon=True)
    thread.start()
    return thread


def serve(settings: Settings, *, show_key: bool = False) -> None:
    conn = open_store(settings.db_path)
    key = access.ensure_facilitator_key(conn, settings.facilitator_key)
    if show_key and key is None:
        key = access.rotate_facilitator_key(conn)  # only its hash is kept: show a new one
    once = access.new_once_token(conn)
    conn.close()
    public_host = settings.public_host or (
        lan_address() if settings.host in ("0.0.0.0", "::") else settings.host
    )
    settings = dataclasses.replace(settings, public_host=public_host, facilitator_key="")
    local = local_base(settings)
    urls = page_urls(f"http://{public_host}:{settings.port}", local)
    print(msg.SERVE_BANNER)
    print(msg.SERVE_FACILITATOR_URL.format(url=urls["facilitator"]))
    print(msg.SERVE_MAP_URL.format(url=urls["map"]))
    print(msg.SERVE_OFFICE_URL.format(url=urls["office"]))
    print(msg.SERVE_MEMBER_URL.format(url=urls["member"]))
    once_url = f"{local}{page_path(FACILITATOR_NOTEBOOK)}?once={once}"
    if settings.open_browser and display_available():
        host = local.split("//", 1)[1].rsplit(":", 1)[0]
        open_when_listening(once_url, host, settings.port)
        print(msg.SERVE_FACILITATOR_OPENED)
    else:
        print(msg.SERVE_FACILITATOR_LOCAL.format(url=once_url))
    if show_key and key:
        print(msg.SERVE_KEY_SHOWN.format(key=key))
    else:
        print(msg.SERVE_KEY_HINT)
    print(msg.SERVE_QR_HINT)
    segno.make(urls["member"], error="m").terminal(out=sys.stdout, compact=True)
    print(msg.SERVE_STOP_HINT, flush=True)
    runtime_dir = Path(tempfile.mkdtemp(prefix="tasukeai-run-"))
    run_voila(settings, runtime_dir)
