"""A widget message sent again is handled once (the kernel half of issue 17's reconnect).

After a dead socket is replaced, the page's connection script (``tk-connection.js``) sends
again every message the server may not have had: some did arrive. Each message has its own
id, so the kernel remembers the last ids it handled and drops a repeat: a tap on 送る made
while the Wi-Fi was cut is delivered once, never twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

log = logging.getLogger("tasukeai")

COMM_MESSAGES = ("comm_open", "comm_msg", "comm_close")
REMEMBERED = 5000


class OnceByMessageId:
    """Wraps a kernel shell handler ``(stream, idents, msg)``: a repeated ``msg_id`` is dropped.

    >>> seen = []
    >>> handler = OnceByMessageId(lambda stream, idents, msg: seen.append(msg["header"]["msg_id"]))
    >>> for msg_id in ["a", "b", "a"]:
    ...     _ = handler(None, [], {"header": {"msg_id": msg_id}})
    >>> seen
    ['a', 'b']
    """

    def __init__(self, handler: Callable, remembered: int = REMEMBERED) -> None:
        self.handler = handler
        self.remembered = remembered
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.dropped = 0

    def __call__(self, stream, idents, msg):
        msg_id = (msg.get("header") or {}).get("msg_id")
        if msg_id:
            if msg_id in self.seen:
                self.dropped += 1
                log.debug("dropped a repeated message %s", msg_id)
                return None
            self.seen[msg_id] = None
            if len(self.seen) > self.remembered:
                self.seen.popitem(last=False)
        return self.handler(stream, idents, msg)


def install(kernel=None) -> bool:
    """Make this kernel's comm handlers drop repeated messages; True when installed.

    Outside a kernel (tests building pages in plain Python) there is nothing to do.
    """
    if kernel is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with ipykernel
            return False
        shell = get_ipython()
        kernel = getattr(shell, "kernel", None)
    handlers = getattr(kernel, "shell_handlers", None)
    if not isinstance(handlers, dict):
        return False
    for name in COMM_MESSAGES:
        handler = handlers.get(name)
        if handler is not None and not isinstance(handler, OnceByMessageId):
            handlers[name] = OnceByMessageId(handler)
    return True
