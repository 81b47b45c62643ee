"""The member (tablet) page in headless Chromium: time until the join form is usable, bytes.

"Usable" means the join-code box and the join button are rendered, visible, enabled and not
covered (the element at the box's centre is the box itself), so a tap would reach it. The
time is the page's own ``performance.now()`` at that moment, i.e. from the start of the
navigation. A *first visit* uses a fresh browser profile (empty cache); a *returning visit*
opens the page again in the same profile. Bytes are what the network carried for the first
visit (compressed sizes with headers, from the DevTools protocol), HTTP and websocket apart.

Outside hosts fail at once (``--host-resolver-rules``), as on a room's Wi-Fi without uplink,
so a template that links a CDN is not timed on a hang. Between visits the server is left
to settle (its kernel pool refilled), so each visit is timed as a tablet arriving on its own.

Run alone: ``python bench/page_timing.py [--runs 20] [--baseline]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BaselineServer, KitServer, Stats, wait_quiet  # noqa: E402

from tests.browser.helpers import CHROMIUM_ARGS, TABLET  # noqa: E402

CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
TIMEOUT_MS = 90_000

USABLE_JS = """() => {
  const usable = (el) => {
    if (!el || el.disabled || el.offsetParent === null) return false;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  };
  const input = document.querySelector('.tk-join-code input');
  const button = document.querySelector('.tk-join-button');
  return usable(input) && usable(button) ? performance.now() : false;
}"""


@dataclass
class Visit:
    seconds: float
    http_bytes: int = 0
    ws_bytes: int = 0
    requests: int = 0
    biggest: list[tuple[int, str]] = field(default_factory=list)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)


# A room's Wi-Fi shared by a few dozen tablets: what one tablet may get while others load.
WIFI = {
    "offline": False,
    "latency": 20,
    "downloadThroughput": 10e6 / 8,
    "uploadThroughput": 5e6 / 8,
}


def visit(page, url: str, *, count_bytes: bool = False, network: dict | None = None) -> Visit:
    """Open ``url`` in ``page`` and time it until the join form is usable.

    ``network`` (DevTools ``Network.emulateNetworkConditions``) slows the link, e.g. :data:`WIFI`.
    """
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    ws = [0]
    if count_bytes or network:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        if network:
            cdp.send("Network.emulateNetworkConditions", network)
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e.get("encodedDataLength", 0))),
        )
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda e: ws.__setitem__(0, ws[0] + len(e["response"]["payloadData"].encode())),
        )
        cdp.on(
            "Network.webSocketFrameSent",
            lambda e: ws.__setitem__(0, ws[0] + len(e["response"]["payloadData"].encode())),
        )
    page.goto(url, timeout=TIMEOUT_MS, wait_until="commit")
    seconds = (
        page.wait_for_function(USABLE_JS, timeout=TIMEOUT_MS, polling="raf").json_value() / 1000
    )
    result = Visit(seconds)
    if count_bytes:
        time.sleep(1.0)  # late chunks and the widget state still arriving are part of the visit
        result.http_bytes = sum(sizes.values())
        result.ws_bytes = ws[0]
        result.requests = len(sizes)
        result.biggest = sorted(((n, urls.get(k, "?")) for k, n in sizes.items()), reverse=True)[:5]
    return result


@dataclass
class PageFigures:
    first: Stats
    returning: Stats
    first_visit: Visit
    first_on_wifi: Stats = field(default_factory=lambda: Stats([]))


def measure(server, runs: int, *, wifi_runs: int = 5, log=print) -> PageFigures:
    """``runs`` first and returning visits to ``server.member_url``, then ``wifi_runs``
    first visits over a slowed link (:data:`WIFI`)."""
    from playwright.sync_api import sync_playwright

    pid = server.proc.pid
    first: list[float] = []
    returning: list[float] = []
    on_wifi: list[float] = []
    first_visit = None
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for run in range(runs):
                wait_quiet(pid)
                context = browser.new_context(viewport=TABLET)
                result = visit(context.new_page(), server.member_url, count_bytes=run == 0)
                first_visit = first_visit or result
                first.append(result.seconds)
                context.close()
                log(f"  first visit {run + 1:2d}: {result.seconds:.2f} s")
            context = browser.new_context(viewport=TABLET)
            page = context.new_page()
            wait_quiet(pid)
            visit(page, server.member_url)  # fills the cache
            for run in range(runs):
                wait_quiet(pid)
                result = visit(page, server.member_url)
                returning.append(result.seconds)
                log(f"  returning visit {run + 1:2d}: {result.seconds:.2f} s")
            context.close()
            for run in range(wifi_runs):
                wait_quiet(pid)
                context = browser.new_context(viewport=TABLET)
                result = visit(context.new_page(), server.member_url, network=WIFI)
                on_wifi.append(result.seconds)
                context.close()
                log(f"  first visit over 10 Mbit/s Wi-Fi {run + 1}: {result.seconds:.2f} s")
        finally:
            browser.close()
    return PageFigures(Stats(first), Stats(returning), first_visit, Stats(on_wifi))


def time_to_first_page(make_server, *, log=print) -> tuple[float, float]:
    """From starting the server to the member page usable: (seconds, of which to port open)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        server = make_server()
        try:
            start = time.monotonic()
            server.start()
            port_open = time.monotonic() - start
            page = browser.new_context(viewport=TABLET).new_page()
            page.goto(server.member_url, timeout=TIMEOUT_MS, wait_until="commit")
            page.wait_for_function(USABLE_JS, timeout=TIMEOUT_MS, polling="raf")
            total = time.monotonic() - start
        finally:
            browser.close()
            server.stop()
    log(f"  start → member page usable: {total:.2f} s (port open after {port_open:.2f} s)")
    return total, port_open


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline", action="store_true", help="plain Voila instead of the kit")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tasukeai-bench-"))
    server = BaselineServer(workdir) if args.baseline else KitServer(workdir, demo=True)
    server.start()
    try:
        figures = measure(server, args.runs)
    finally:
        server.stop()
    v = figures.first_visit
    print(f"first visit: median {figures.first.median:.2f} s, worst {figures.first.worst:.2f} s")
    print(
        f"returning visit: median {figures.returning.median:.2f} s,"
        f" worst {figures.returning.worst:.2f} s"
    )
    print(f"first visit over 10 Mbit/s Wi-Fi: median {figures.first_on_wifi.median:.2f} s")
    print(f"first-visit transfer: {v.http_bytes / 1e6:.2f} MB HTTP in {v.requests} requests,"
          f" {v.ws_bytes / 1e6:.2f} MB websocket")  # fmt: skip
    for size, url in v.biggest:
        print(f"  {size / 1e6:6.2f} MB {url}")


if __name__ == "__main__":
    main()
