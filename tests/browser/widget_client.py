"""Talk to a served page as a tablet's browser does, without a browser.

``GET`` the page (the server starts or hands out a kernel for it and renders the notebook),
then open the kernel's websocket (``/api/kernels/<id>/channels``) and speak the Jupyter
widget protocol: ask the ``jupyter.widget.control`` comm for every widget's state, set a
widget's value (``comm_msg`` ``{"method": "update"}``), press a button
(``{"method": "custom", "content": {"event": "click"}}``), and follow the kernel's own
updates. Widgets are found by their ``tk-…`` CSS classes. Used by the load generator
(``bench/loadgen.py``), the crash test and the security tests (which also send what no
browser would: messages aimed at widgets the page does not show, code to execute, …).
"""

from __future__ import annotations

import asyncio
import http.cookies
import json
import re
import struct
import threading
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError, websocket_connect

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
V1 = "v1.kernel.websocket.jupyter.org"  # the binary protocol a browser's page asks for
AsyncHTTPClient.configure(None, max_clients=200)


class PageError(RuntimeError):
    """The page could not be opened (HTTP error, no kernel, no websocket)."""


def _decode_binary(data: bytes) -> dict:
    """The websocket's binary frames: [n][offsets…][json][buffers…] (Jupyter's legacy format)."""
    (count,) = struct.unpack("!I", data[:4])
    offsets = list(struct.unpack(f"!{count}I", data[4 : 4 + 4 * count]))
    offsets.append(len(data))
    message = json.loads(data[offsets[0] : offsets[1]].decode())
    message["buffers"] = [data[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    return message


def _decode_v1(data: bytes) -> dict:
    """A v1 frame: [n][n offsets, 8-byte little-endian][channel][header][parent][metadata]
    [content][buffers…] (jupyter_server's ``serialize_msg_to_ws_v1``)."""
    count = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    parts = [data[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    channel = parts[0].decode()
    header, parent, metadata, content = (json.loads(p) for p in parts[1:5])
    return {
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "buffers": parts[5:],
        "channel": channel,
        "msg_type": header.get("msg_type"),
    }


def _encode_v1(message: dict) -> bytes:
    parts = [message["channel"].encode()] + [
        json.dumps(message[k]).encode() for k in ("header", "parent_header", "metadata", "content")
    ]
    offsets = [8 * (len(parts) + 2)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + b"".join(parts)


class WidgetClient:
    """One page (one kernel) seen through its websocket: the widget models and their state."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 120,
        cookies: dict[str, str] | None = None,
        v1: bool = False,
    ):
        """``v1``: speak the binary v1 protocol, as a browser's page does (the server then
        forwards the kernel's messages without decoding them); else the legacy JSON one."""
        self.url = url
        self.v1 = v1
        # The browser's cookies for this server (device secret, facilitator session, _xsrf):
        # kept from every response and sent with every request, as a browser does.
        self.cookies: dict[str, str] = dict(cookies or {})
        self.status: int | None = None
        self.timeout = timeout
        self.session = uuid.uuid4().hex
        self.kernel_id: str | None = None
        self.html = ""
        self.models: dict[str, dict] = {}  # model id → {"model_name": …, "state": {…}}
        self.received: list[dict] = []  # every message from the kernel, in order
        self.closed_comms: set[str] = set()
        self.idle: set[str] = set()  # ids of our messages the kernel has finished handling
        self.ws = None
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task | None = None
        self.control = uuid.uuid4().hex
        self.timings: dict[str, float] = {}
        self._index: dict[str, list[str]] | None = None  # CSS class → model ids
        self._index_size = 0
        self.listeners: list[Callable[[WidgetClient, dict], None]] = []  # called on every message

    # --- opening ----------------------------------------------------------------------------------
    def cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def keep_cookies(self, headers) -> None:
        for line in headers.get_list("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    async def fetch(
        self, url: str, *, method: str = "GET", body=None, headers=None, follow: bool = True
    ):
        """One HTTP request with this browser's cookies; redirects followed (cookies kept)."""
        for _ in range(5):
            request = HTTPRequest(
                url,
                method=method,
                body=body,
                request_timeout=self.timeout,
                connect_timeout=self.timeout,
                decompress_response=True,
                follow_redirects=False,
                allow_nonstandard_methods=True,
                headers={"Accept-Encoding": "gzip", **self.cookie_header(), **(headers or {})},
            )
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
            self.keep_cookies(response.headers)
            location = response.headers.get("Location")
            if follow and response.code in (301, 302, 303, 307, 308) and location:
                parsed = urlparse(url)
                url = (
                    location
                    if "://" in location
                    else f"{parsed.scheme}://{parsed.netloc}{location}"
                )
                method, body = "GET", None
                continue
            return response
        raise PageError(f"too many redirects: {url}")

    async def open(self) -> WidgetClient:
        """GET the page, connect to its kernel and load every widget's state."""
        start = time.monotonic()
        try:
            response = await self.fetch(self.url)
        except (TimeoutError, HTTPClientError, OSError) as exc:
            raise PageError(f"GET {self.url}: {exc}") from exc
        self.status = response.code
        self.html = (response.body or b"").decode(errors="replace")
        if response.code >= 400:
            raise PageError(f"GET {self.url}: HTTP {response.code}")
        self.timings["page"] = time.monotonic() - start
        found = KERNEL_ID.search(self.html)
        if not found:
            raise PageError(f"no kernel id in {self.url}")
        self.kernel_id = found.group(1)
        await self.connect()
        await self.load_states()
        self.timings["usable"] = time.monotonic() - start
        return self

    def ws_url(self, kernel_id: str | None = None) -> str:
        parsed = urlparse(self.url)
        return (
            f"ws://{parsed.netloc}/api/kernels/{kernel_id or self.kernel_id}/channels"
            f"?session_id={self.session}"
        )

    async def connect(self) -> None:
        request = HTTPRequest(self.ws_url(), headers=self.cookie_header())
        try:
            self.ws = await asyncio.wait_for(
                websocket_connect(request, subprotocols=[V1] if self.v1 else None), self.timeout
            )
        except (TimeoutError, OSError, HTTPClientError) as exc:
            raise PageError(f"websocket {self.ws_url()}: {exc}") from exc
        if self.v1 and self.ws.selected_subprotocol != V1:
            self.v1 = False  # a server without it: the legacy protocol, as a browser falls back
        self._reader = asyncio.ensure_future(self._read())

    async def load_states(self) -> None:
        """What the page's widget manager does first: every model's state, from the kernel."""
        await self.send(
            "comm_open",
            {"comm_id": self.control, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "1.0.0"},
        )
        await self.send("comm_msg", {"comm_id": self.control, "data": {"method": "request_states"}})
        await self.wait_for(lambda: self.models, what="widget states")

    async def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def shutdown(self, kernel_id: str | None = None) -> int:
        """What the page does when its tab closes: the shutdown beacon with the ``_xsrf``
        cookie copied into the form. Returns the HTTP status."""
        parsed = urlparse(self.url)
        xsrf = self.cookies.get("_xsrf", "")
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="_xsrf"\r\n\r\n'
            f"{xsrf}\r\n--{boundary}--\r\n"
        ).encode()
        response = await self.fetch(
            f"{parsed.scheme}://{parsed.netloc}/voila/api/shutdown/{kernel_id or self.kernel_id}",
            method="POST",
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            follow=False,
        )
        return response.code

    # --- sending --------------------------------------------------------------------------------------
    def message(
        self, msg_type: str, content: dict, *, channel: str = "shell", metadata=None
    ) -> dict:
        return {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "username": "tablet",
                "session": self.session,
                "date": "",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }

    async def send(
        self, msg_type: str, content: dict, *, channel: str = "shell", metadata=None
    ) -> str:
        if self.ws is None:
            raise PageError("not connected")
        message = self.message(msg_type, content, channel=channel, metadata=metadata)
        try:
            if self.v1:
                await self.ws.write_message(_encode_v1(message), binary=True)
            else:
                await self.ws.write_message(json.dumps(message))
        except (WebSocketClosedError, StreamClosedError) as exc:
            raise PageError("connection closed") from exc
        return message["header"]["msg_id"]

    async def send_raw(self, text: str | bytes) -> None:
        if self.ws is None:
            raise PageError("not connected")
        try:
            await self.ws.write_message(text, binary=isinstance(text, bytes))
        except (WebSocketClosedError, StreamClosedError) as exc:
            raise PageError("connection closed") from exc

    async def update(self, model_id: str, **state) -> str:
        """Set widget state as a browser does when a member types or moves a slider."""
        self.models.setdefault(model_id, {"model_name": None, "state": {}})["state"].update(state)
        return await self.send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}},
        )

    async def click(self, model_id: str) -> str:
        """Press a button; returns the message id (see :meth:`handled`)."""
        return await self.send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}},
        )

    # --- receiving ------------------------------------------------------------------------------------
    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                break
            if isinstance(raw, bytes):
                message = _decode_v1(raw) if self.v1 else _decode_binary(raw)
            else:
                message = json.loads(raw)
            self._apply(message)
            for listener in self.listeners:
                listener(self, message)
            async with self._changed:
                self._changed.notify_all()
        async with self._changed:
            self.ws = None
            self._changed.notify_all()

    def _apply(self, message: dict) -> None:
        self.received.append(message)
        self._index = None if message.get("msg_type") == "comm_open" else self._index
        if message.get("msg_type") == "status":
            if message.get("content", {}).get("execution_state") == "idle":
                self.idle.add(message.get("parent_header", {}).get("msg_id"))
        kind = message.get("msg_type") or message.get("header", {}).get("msg_type")
        content = message.get("content", {})
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            data = content.get("data", {})
            self.models[content["comm_id"]] = {
                "model_name": data.get("state", {}).get("_model_name"),
                "state": dict(data.get("state", {})),
            }
        elif kind == "comm_msg":
            data = content.get("data", {})
            if content.get("comm_id") == self.control and data.get("method") == "update_states":
                self._index = None
                for model_id, entry in data.get("states", {}).items():
                    self.models[model_id] = {
                        "model_name": entry.get("model_name"),
                        "state": dict(entry.get("state", {})),
                    }
            elif data.get("method") in ("update", "echo_update"):
                model = self.models.setdefault(
                    content["comm_id"], {"model_name": None, "state": {}}
                )
                model["state"].update(data.get("state", {}))
        elif kind == "comm_close":
            self.closed_comms.add(content.get("comm_id"))

    @property
    def connected(self) -> bool:
        return self.ws is not None

    async def wait_for(
        self, predicate: Callable[[], object], *, timeout: float | None = None, what: str = ""
    ):
        """Wait until ``predicate()`` is truthy (re-checked on every message); return its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                if self.ws is None:
                    raise PageError(f"connection closed while waiting for {what or predicate}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"waiting for {what or predicate}")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    continue

    async def handled(self, msg_id: str, *, timeout: float | None = None) -> None:
        """Wait until the kernel has finished handling message ``msg_id`` (status idle).

        Everything the callback changed has reached us by then: the kernel sends its
        widget updates before the idle status, on the same channel.
        """
        await self.wait_for(lambda: msg_id in self.idle, timeout=timeout, what="kernel idle")

    # --- finding widgets ------------------------------------------------------------------------------
    def find_all(self, css_class: str) -> list[str]:
        """Model ids of live widgets carrying ``css_class`` (oldest first)."""
        if self._index is None or self._index_size != len(self.models):
            index: dict[str, list[str]] = {}
            for model_id, model in self.models.items():
                for cls in model["state"].get("_dom_classes", ()):
                    index.setdefault(cls, []).append(model_id)
            self._index, self._index_size = index, len(self.models)
        return [m for m in self._index.get(css_class, ()) if m not in self.closed_comms]

    def find(self, css_class: str) -> str | None:
        found = self.find_all(css_class)
        return found[-1] if found else None

    def state(self, model_id: str) -> dict:
        return self.models[model_id]["state"]

    def value(self, css_class: str, key: str = "value"):
        model_id = self.find(css_class)
        return None if model_id is None else self.state(model_id).get(key)

    def shown(self, model_id: str) -> bool:
        """False when the widget's own layout hides it (the page may still hide a parent)."""
        layout = self.state(model_id).get("layout", "")
        layout_id = layout[len("IPY_MODEL_") :] if isinstance(layout, str) else ""
        display = self.models.get(layout_id, {}).get("state", {}).get("display")
        return display != "none"

    def text_of(self, css_class: str) -> str:
        """All text values (HTML/Label/description) of widgets with ``css_class``, joined."""
        parts = []
        for model_id in self.find_all(css_class):
            state = self.state(model_id)
            parts += [str(state.get(k, "")) for k in ("value", "description") if k in state]
        return "\n".join(parts)

    def errors(self) -> list[str]:
        """Tracebacks and stderr the kernel sent (a crash shows up here)."""
        found = []
        for message in self.received:
            kind = message.get("msg_type")
            content = message.get("content", {})
            if kind == "error":
                found.append(f"{content.get('ename')}: {content.get('evalue')}")
            elif kind == "stream" and content.get("name") == "stderr":
                found.append(content.get("text", ""))
        return found


def run(coroutine, timeout: float = 180):
    """Run a websocket scenario to the end on its own thread and event loop.

    Playwright's sync API owns the test thread's loop, so the scenario gets its own.
    """
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(asyncio.wait_for(coroutine, timeout))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout + 30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


# --- the member's steps, shared by the load generator and the tests --------------------------------
async def join(client: WidgetClient, code: str, name: str, *, timeout: float = 60) -> float:
    """Type the join code and name, press 参加する; seconds until the page shows the member."""
    await client.update(client.find("tk-join-code"), value=code)
    await client.update(client.find("tk-join-name"), value=name)
    start = time.monotonic()
    await client.click(client.find("tk-join-button"))
    await client.wait_for(
        lambda: name in (client.value("tk-member-status") or ""), timeout=timeout, what="join"
    )
    return time.monotonic() - start


async def send_issue(
    client: WidgetClient, text: str, goal_class: str = "tk-goal-1-1", *, timeout: float = 60
) -> float:
    """Write an issue, pick its focus goal, press 送る; seconds until the page confirms it.

    Raises :class:`PageError` when the page answers with an error message instead.
    """
    await client.wait_for(lambda: client.find("tk-issue-send"), timeout=timeout, what="issue form")
    feedback = client.find("tk-issue-feedback")
    await client.update(client.find("tk-issue-text"), value=text)
    await client.click(client.find(goal_class))
    start = time.monotonic()
    await client.handled(await client.click(client.find("tk-issue-send")), timeout=timeout)
    value = client.state(feedback).get("value", "")
    if "tk-ok" not in value or client.value("tk-issue-text") != "":
        raise PageError(f"issue not confirmed: {value}")
    return time.monotonic() - start


async def wait_for_ballot(client: WidgetClient, items: int, *, timeout: float = 60) -> None:
    """Wait until the ballot with ``items`` dot sliders is on the tablet."""
    await client.wait_for(
        lambda: (
            all(client.find(f"tk-vote-slider-{p}") for p in range(1, items + 1))
            and client.find("tk-vote-send")
        ),
        timeout=timeout,
        what="ballot",
    )


async def cast_dots(client: WidgetClient, dots: dict[int, int], *, timeout: float = 60) -> float:
    """Set the dot sliders (position → dots), press 投票する; seconds until the page confirms.

    Raises :class:`PageError` when the page answers with an error message instead.
    """
    await wait_for_ballot(client, max(dots), timeout=timeout)
    feedback = client.find("tk-vote-feedback")
    sliders = {p: client.find(f"tk-vote-slider-{p}") for p in dots}
    # lower sliders first, as a member would: the page holds a slider back while the
    # other sliders still use the dots it asks for
    order = sorted(dots, key=lambda p: dots[p] - (client.state(sliders[p]).get("value") or 0))
    for position in order:
        await client.update(sliders[position], value=dots[position])
    start = time.monotonic()
    await client.handled(await client.click(client.find("tk-vote-send")), timeout=timeout)
    value = client.state(feedback).get("value", "")
    if "tk-ok" not in value:
        raise PageError(f"ballot not confirmed: {value}")
    shown = {p: client.state(sliders[p]).get("value") for p in dots}
    if shown != dots:
        raise PageError(f"the page sent {shown}, not {dots}")
    return time.monotonic() - start
