"""Building blocks shared by every page: headers, big buttons, feedback, safe callbacks, polling.

Pages are widget trees built by functions; callbacks only call ``kit`` functions and show
their result or their Japanese error message. Every control a test or a helper script
must find carries a stable ``tk-…`` CSS class.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Callable

import ipywidgets as w

from kit import messages as msg
from kit.errors import KitError
from kit.store import change_token
from kit.text import escape

log = logging.getLogger("tasukeai")


def classed(widget: w.Widget, *classes: str) -> w.Widget:
    """Add CSS classes (``tk-…``) to a widget and return it, for chaining."""
    with widget.hold_sync():  # one message to the browser, not one per class
        for cls in classes:
            widget.add_class(cls)
    return widget


def heading(text: str, *, level: int = 1, cls: str = "tk-heading") -> w.HTML:
    """A heading; ``text`` is escaped, so user text can be passed safely."""
    return classed(w.HTML(f"<h{level}>{escape(text)}</h{level}>"), cls)


def paragraph(text: str, *, cls: str = "tk-text") -> w.HTML:
    return classed(w.HTML(f"<p>{escape(text)}</p>"), cls)


def big_button(label: str, cls: str, *, style: str = "primary", icon: str = "") -> w.Button:
    """A large touch target (at least 56 px high) for tablets and the projector."""
    button = w.Button(description=label, button_style=style, icon=icon)
    button.layout = w.Layout(width="auto", min_height="56px")
    return classed(button, "tk-big-button", cls)


class Feedback(w.HTML):
    """One line under a form: an error in red or a confirmation in green, always escaped."""

    def __init__(self, cls: str = "tk-feedback", **kwargs) -> None:
        super().__init__(value="", **kwargs)
        classed(self, "tk-feedback-area", cls)

    def error(self, text: str) -> None:
        self.value = f'<div class="tk-error" role="alert">{escape(text)}</div>'

    def ok(self, text: str) -> None:
        self.value = f'<div class="tk-ok" role="status">{escape(text)}</div>'

    def clear(self) -> None:
        self.value = ""


def guarded(feedback: Feedback) -> Callable:
    """Decorate a callback: a :class:`KitError` shows its message; anything else a generic one.

    Nothing reaches a bare ``print``; an unexpected error is logged for the facilitator.
    """

    def wrap(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def run(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except KitError as exc:
                feedback.error(str(exc))
            except Exception:  # noqa: BLE001 - a page must survive any callback
                log.exception("callback %s failed", getattr(callback, "__name__", callback))
                feedback.error(msg.UNEXPECTED_ERROR)
            return None

        return run

    return wrap


def loop_running() -> bool:
    """True inside a served kernel (its event loop runs); False in tests and scripts."""
    try:
        return asyncio.get_event_loop().is_running()
    except RuntimeError:
        return False


def later(delay: float, callback: Callable[[], object]):
    """Run ``callback`` on the kernel's event loop ``delay`` s from now — after the message
    being handled has been answered, so what the room waits for is on screen first. Outside
    a running loop (tests, scripts) it runs at once."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = None
    if loop is not None and loop.is_running():
        return loop.call_later(delay, callback)
    callback()
    return None


class StorePoller:
    """Calls ``on_change`` whenever another kernel has written to the store.

    Every tablet is its own kernel, so shared state is read back from SQLite. A cheap
    ``PRAGMA data_version`` check runs every ``interval`` seconds on the kernel's event
    loop; tables are re-read only when it moves.
    """

    def __init__(
        self, conn: sqlite3.Connection, on_change: Callable[[], None], interval: float = 0.5
    ):
        self.conn = conn
        self.on_change = on_change
        self.interval = interval
        self._token = None
        self._task: asyncio.Task | None = None

    def check(self) -> bool:
        """One check; returns True when ``on_change`` ran. Tests call this directly."""
        token = change_token(self.conn)
        if token == self._token:
            return False
        self._token = token
        try:
            self.on_change()
        except Exception:  # noqa: BLE001 - keep polling whatever a refresh does
            log.exception("refresh failed")
        return True

    def start(self) -> StorePoller:
        self._token = change_token(self.conn)
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return self
        self._task = loop.create_task(self._run())
        return self

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.check()
