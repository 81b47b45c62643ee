"""``tasukeai serve``: prepare the store and the key, print the URLs and QR code, run Voila."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import segno

from kit import messages as msg
from kit.meeting import access
from kit.serving.server import lan_address, page_urls, run_voila
from kit.settings import Settings
from kit.store import open_store


def serve(settings: Settings) -> None:
    conn = open_store(settings.db_path)
    key = access.ensure_facilitator_key(conn, settings.facilitator_key)
    conn.close()
    public_host = settings.public_host or (
        lan_address() if settings.host in ("0.0.0.0", "::") else settings.host
    )
    settings = dataclasses.replace(settings, public_host=public_host, facilitator_key="")
    urls = page_urls(f"http://{public_host}:{settings.port}", key)
    print(msg.SERVE_BANNER)
    print(msg.SERVE_FACILITATOR_URL.format(url=urls["facilitator"]))
    print(msg.SERVE_MAP_URL.format(url=urls["map"]))
    print(msg.SERVE_OFFICE_URL.format(url=urls["office"]))
    print(msg.SERVE_MEMBER_URL.format(url=urls["member"]))
    print(msg.SERVE_QR_HINT)
    segno.make(urls["member"], error="m").terminal(out=sys.stdout, compact=True)
    print(msg.SERVE_STOP_HINT, flush=True)
    runtime_dir = Path(tempfile.mkdtemp(prefix="tasukeai-run-"))
    run_voila(settings, runtime_dir)
