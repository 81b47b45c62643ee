"""The page's connection to the laptop, kept through a room's Wi-Fi (issue 17).

Two halves:
- in the browser, ``tk-connection.js`` (package data, copied into the kit's page template
  and served from it, nothing from a CDN): a banner while the kernel connection is down, a
  heartbeat that notices a dead socket, a new socket as soon as the server answers, messages
  sent again that may not have reached it, and a reload when the kernel is gone;
- on the server, websocket pings so a socket whose tablet walked out of range is dropped
  (and its messages buffered for the reconnect) within seconds, not minutes, and a check
  of every frame a page sends (:class:`CheckedKernelFrames`): a frame held by a blackholed
  Wi-Fi and delivered after its socket was closed (ping timeout, or replaced by the page's
  new socket) was read by jupyter_server as the legacy wire format, whose first word made
  it build a format of 100 million codes — every page on the laptop stalled for 6–8 s.

The kernel half (a message sent again is handled once) is :mod:`kit.ui.resend`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import struct
from importlib.resources import files
from pathlib import Path

from kit import messages as msg

SCRIPT_NAME = "tk-connection.js"
# jupyter_server's kernel websocket pings (milliseconds): a dead socket is closed after
# WS_PING_TIMEOUT without an answer; a server that was itself stopped (lid closed) does
# not count the time it was stopped.
WS_PING_INTERVAL_MS = 3000
WS_PING_TIMEOUT_MS = 9000
HEAD_BLOCK = "{%- block html_head_js -%}\n"
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
# A kernel message has a channel, header, parent header, metadata, content and a few buffers.
MAX_FRAME_PARTS = 64


def script_path() -> Path:
    return Path(str(files("kit.serving") / SCRIPT_NAME))


def page_config() -> dict:
    """What the script is told: its Japanese text (from kit.messages)."""
    return {
        "text": {
            "down": msg.CONNECTION_LOST,
            "reloading": msg.CONNECTION_RELOADING,
            "busy": msg.CONNECTION_BUSY,
        }
    }


def add_to_template(index: str, template_dir: Path, template_name: str) -> str:
    """Copy the script into the template's ``static/`` and load it first in ``<head>``."""
    source = script_path()
    data = source.read_bytes()
    static = template_dir / "static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, static / SCRIPT_NAME)
    version = hashlib.sha256(data).hexdigest()[:12]
    config = json.dumps(page_config(), ensure_ascii=False).replace("</", "<\\/")
    tags = (
        f'<script id="tk-connection-config" type="application/json">{config}</script>\n'
        f'<script src="{{{{ resources.base_url }}}}voila/templates/{template_name}/static/'
        f'{SCRIPT_NAME}?v={version}"></script>\n'
    )
    if HEAD_BLOCK not in index:
        raise RuntimeError("the page template has no html_head_js block for the connection script")
    return index.replace(HEAD_BLOCK, HEAD_BLOCK + tags, 1)


def websocket_settings() -> dict[str, int]:
    """Tornado settings for jupyter_server's kernel websockets (see WS_PING_*).

    >>> websocket_settings()
    {'ws_ping_interval': 3000, 'ws_ping_timeout': 9000}
    """
    return {"ws_ping_interval": WS_PING_INTERVAL_MS, "ws_ping_timeout": WS_PING_TIMEOUT_MS}


class _QuietPingWarning(logging.Filter):
    """Tornado reads jupyter_server's millisecond ping settings as seconds and warns about
    them once; its own ping is then idle (jupyter_server pings), so the line only confuses."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "websocket_ping_timeout" not in record.getMessage()


def quiet_ping_warning() -> None:
    """Drop tornado's misleading ping-timeout warning from the server's log."""
    logger = logging.getLogger("tornado.general")
    if not any(isinstance(f, _QuietPingWarning) for f in logger.filters):
        logger.addFilter(_QuietPingWarning())


def readable_frame(message: bytes | str, protocol: str | None) -> bool:
    """True when jupyter_server reads this frame from a page at a cost bounded by its size.

    Both binary wire formats start with a count of parts that jupyter_server trusts: the
    v1 format (little-endian, 8 bytes) and the legacy one (big-endian, 4 bytes). A count
    larger than the frame holds is refused. Text frames (legacy JSON) are read as they are.

    >>> frame = (2).to_bytes(8, "little") + (24).to_bytes(8, "little") + bytes(8) + b"shell"
    >>> readable_frame(frame, V1_PROTOCOL)
    True
    >>> readable_frame(frame, None)  # the same bytes read as the legacy format
    False
    >>> readable_frame((10**9).to_bytes(8, "little"), V1_PROTOCOL)
    False
    >>> readable_frame('{"channel": "shell"}', None)
    True
    """
    if isinstance(message, str):
        return True
    if protocol == V1_PROTOCOL:
        if len(message) < 8:
            return False
        count = int.from_bytes(message[:8], "little")
        return 2 <= count <= MAX_FRAME_PARTS and 8 * (count + 1) <= len(message)
    if len(message) < 4:
        return False
    (count,) = struct.unpack("!i", message[:4])
    return 1 <= count <= MAX_FRAME_PARTS and 4 * (count + 1) <= len(message)


class CheckedKernelFrames:
    """Mixed into the kernel websocket handler: frames are read only while the socket is
    open and only when shaped as its wire format says (see :func:`readable_frame`).

    A frame that arrives after the server closed the socket is dropped: the page sends
    again, on its new socket, everything the kernel has not acknowledged.
    """

    def on_message(self, message):
        if self.ws_connection is None:
            return None
        if not readable_frame(message, self.selected_subprotocol):
            logging.getLogger("tasukeai.connection").warning(
                "a kernel websocket frame that does not match its wire format was dropped"
            )
            return None
        return super().on_message(message)
