"""The page's connection to the laptop, kept through a room's Wi-Fi (issue 17).

Two halves:
- in the browser, ``tk-connection.js`` (package data, copied into the kit's page template
  and served from it, nothing from a CDN): a banner while the kernel connection is down, a
  heartbeat that notices a dead socket, a new socket as soon as the server answers, messages
  sent again that may not have reached it, and a reload when the kernel is gone;
- on the server, websocket pings so a socket whose tablet walked out of range is dropped
  (and its messages buffered for the reconnect) within seconds, not minutes.

The kernel half (a message sent again is handled once) is :mod:`kit.ui.resend`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
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
