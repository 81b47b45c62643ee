"""Faults of a real room for browser tests: a Wi-Fi that drops packets, a frozen tab.

:class:`Blackhole` is a TCP proxy on 127.0.0.1 between Chromium and the kit's server. While
``cut`` it forwards nothing in either direction and holds what it gets, as a network that
drops packets does (TCP would send them again): no reset, no close, the sockets just go
silent. ``restore`` forwards what was held, like the retransmissions that get through once
the tablet is back in range; a connection its client gave up on meanwhile never reaches
the server (its SYN was dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from tests.browser.helpers import free_port


class _Pipe:
    def __init__(self, proxy: Blackhole, reader, writer) -> None:
        self.proxy = proxy
        self.client_reader, self.client_writer = reader, writer

    async def run(self) -> None:
        self.proxy.events.append((time.monotonic(), "accept", self.proxy.is_cut))
        early = bytearray()
        while self.proxy.is_cut:
            # opened while cut: it reaches the server only if the client still waits
            try:
                chunk = await asyncio.wait_for(self.client_reader.read(65536), 0.05)
            except TimeoutError:
                continue
            if not chunk:
                self.proxy.events.append((time.monotonic(), "gave up while cut", len(early)))
                self.client_writer.close()
                return
            early += chunk
        try:
            server_reader, server_writer = await asyncio.open_connection(
                "127.0.0.1", self.proxy.upstream
            )
        except OSError:
            self.client_writer.close()
            return
        self.proxy.events.append((time.monotonic(), "upstream", len(early)))
        if early:
            server_writer.write(bytes(early))
        await asyncio.gather(
            self._copy(self.client_reader, server_writer),
            self._copy(server_reader, self.client_writer),
        )

    async def _copy(self, reader, writer) -> None:
        try:
            while True:
                data = await reader.read(65536)
                while self.proxy.is_cut:  # held, as packets dropped and sent again later
                    await asyncio.sleep(0.05)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


class Blackhole:
    """A cuttable TCP proxy to ``127.0.0.1:upstream``; ``port`` is where to point Chromium."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.is_cut = False
        self.cut_at: float | None = None
        self.events: list[tuple] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("proxy did not start")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve():
            async def handle(reader, writer):
                await _Pipe(self, reader, writer).run()

            self._server = await asyncio.start_server(handle, "127.0.0.1", self.port)
            self._ready.set()

        self._loop.run_until_complete(serve())
        self._loop.run_forever()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        self.is_cut = True
        self.cut_at = time.monotonic()

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self.is_cut = False

        def stop():
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(stop)
        self._thread.join(5)


def freeze(page, seconds: float) -> None:
    """Freeze the page as a tablet does when its screen locks (Page Lifecycle), then resume."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    time.sleep(seconds)
    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    cdp.detach()


def connection(page) -> dict:
    """The page's connection state (``window.tkConnection``, from tk-connection.js)."""
    return page.evaluate(
        "() => { const s = window.tkConnection; return s && JSON.parse(JSON.stringify(s)); }"
    )


def banner_shown(page) -> bool:
    return page.evaluate(
        "() => { const b = document.querySelector('.tk-connection-banner');"
        " return !!b && !b.hidden; }"
    )


def wait_banner(page, shown: bool, timeout: float) -> float:
    """Wait until the banner is shown (or gone); return the seconds it took."""
    start = time.monotonic()
    try:
        _wait_banner(page, shown, timeout)
    except Exception as exc:
        raise AssertionError(f"banner shown={shown} not reached; page: {connection(page)}") from exc
    return time.monotonic() - start


def _wait_banner(page, shown: bool, timeout: float) -> None:
    page.wait_for_function(
        "(shown) => { const b = document.querySelector('.tk-connection-banner');"
        " const visible = !!b && !b.hidden;"
        " const up = window.tkConnection && window.tkConnection.status === 'connected';"
        " return shown ? visible : (!visible && up); }",
        arg=shown,
        timeout=timeout * 1000,
        polling=50,
    )
