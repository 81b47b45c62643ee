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
import time
from collections.abc import Callable

import ipywidgets as w
from ipywidgets.widgets.widget_bool import ToggleButtonStyle
from ipywidgets.widgets.widget_string import HTMLStyle, LabelStyle

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


# A widget drawn in the page but not shown (display: none, by offstage_rule): tablets keep what
# they built ahead in the page, hidden, so a phase change or a vote opening draws nothing new.
OFFSTAGE = "tk-offstage"
PAGE_RULE = "tk-page-rule"


def offstage_rule() -> w.HTML:
    """The rule that hides :data:`OFFSTAGE`, in the page itself rather than the kit's
    template: a page served by plain Voila or opened in JupyterLab hides them too."""
    rule = f"<style>.{OFFSTAGE}, .{PAGE_RULE} {{ display: none !important; }}</style>"
    return html(rule, PAGE_RULE)  # it hides its own box too: no blank line on the page


def set_offstage(widget: w.Widget, hidden: bool) -> None:
    """Hide ``widget`` (still drawn) or show it again; nothing is sent when it already is."""
    if hidden and OFFSTAGE not in widget._dom_classes:
        widget.add_class(OFFSTAGE)
    elif not hidden and OFFSTAGE in widget._dom_classes:
        widget.remove_class(OFFSTAGE)


# --- shared Layout and style models ----------------------------------------------------------------
# Every ipywidget comes with its own Layout and style model unless it is given one, and each
# model is one more comm message (and kernel memory) when the widget is built. Widgets whose
# layout and style never change share one instance per kernel: a dot-vote row is 7 models
# instead of ~22. Never change a shared layout (``w.layout.display = …``): give that widget
# its own.
_SHARED_FACTORIES: dict[str, Callable[[], w.Widget]] = {
    "layout": w.Layout,
    "html": HTMLStyle,
    "label": LabelStyle,
    "button": w.ButtonStyle,
    "toggle": ToggleButtonStyle,
    "slider": w.SliderStyle,
    "big": lambda: w.Layout(width="auto", min_height="56px"),
    "wide-big": lambda: w.Layout(width="100%", min_height="56px"),
    "step": lambda: w.Layout(width="64px", min_width="64px", min_height="56px"),
    "wide": lambda: w.Layout(width="100%"),
    "row": lambda: w.Layout(align_items="center", width="100%"),
    "wrap": lambda: w.Layout(flex_flow="row wrap"),
    "approve": lambda: w.Layout(width="auto", min_width="200px", min_height="56px"),
}
_SHARED: dict[str, w.Widget] = {}


def shared(kind: str) -> w.Widget:
    """This kernel's one Layout or style model of ``kind`` (see above); a new one once closed."""
    model = _SHARED.get(kind)
    if model is None or model.comm is None:
        model = _SHARED[kind] = _SHARED_FACTORIES[kind]()
    return model


def html(value: str, *classes: str) -> w.HTML:
    """An HTML widget with shared layout and style and its classes in its first message.

    ``value`` is put as is: escape any user text in it.
    """
    return w.HTML(value, layout=shared("layout"), style=shared("html"), _dom_classes=classes)


def box(children, *classes: str, vertical: bool = True, layout: str = "layout") -> w.Box:
    """A VBox/HBox with a shared layout (``layout``: a kind of :func:`shared`)."""
    kind = w.VBox if vertical else w.HBox
    return kind(list(children), layout=shared(layout), _dom_classes=classes)


def heading(text: str, *, level: int = 1, cls: str = "tk-heading", lean: bool = False) -> w.HTML:
    """A heading; ``text`` is escaped, so user text can be passed safely.

    ``lean``: shared layout and style (see :func:`shared`): never change its layout.
    """
    value = f"<h{level}>{escape(text)}</h{level}>"
    return html(value, cls) if lean else classed(w.HTML(value), cls)


def paragraph(text: str, *, cls: str = "tk-text", lean: bool = False) -> w.HTML:
    value = f"<p>{escape(text)}</p>"
    return html(value, cls) if lean else classed(w.HTML(value), cls)


def big_button(
    label: str,
    cls: str,
    *more: str,
    style: str = "primary",
    icon: str = "",
    lean: bool = False,
    layout: str = "big",
) -> w.Button:
    """A large touch target (at least 56 px high) for tablets and the projector.

    ``lean``: shared layout (``layout``, a kind of :func:`shared`) and style: never change its
    layout (its ``button_style``, description and icon may change).
    """
    return w.Button(
        description=label,
        button_style=style,
        icon=icon,
        layout=shared(layout) if lean else w.Layout(width="auto", min_height="56px"),
        style=shared("button") if lean else w.ButtonStyle(),
        _dom_classes=("tk-big-button", cls, *more),
    )


class Feedback(w.HTML):
    """One line under a form: an error in red or a confirmation in green, always escaped."""

    def __init__(self, cls: str = "tk-feedback", **kwargs) -> None:
        kwargs.setdefault("layout", shared("layout"))  # never hidden: empty when there is nothing
        kwargs.setdefault("style", shared("html"))
        super().__init__(value="", _dom_classes=("tk-feedback-area", cls), **kwargs)

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


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the IPython kernel this page lives in; None in tests and
    scripts — even when some other library runs a loop in this thread (Playwright's sync
    API does, in the browser tests), since work deferred onto that loop would never run."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return None
    return loop if loop.is_running() else None


# Seconds after the kernel answers the page's request for every widget's state until the
# page has made its models from the answer (a change sent before that can be dropped).
STATES_READ_SECONDS = 1.0


class _FrontEnd:
    """Whether this kernel's page has read its widgets (see :func:`widgets_connected`)."""

    watching = False
    connected = False
    ready_at = 0.0  # time.monotonic() after which the page has made the widgets it was sent
    before_states: list[Callable[[], None]] = []  # see before_widget_states


def watch_widget_front_end() -> None:
    """Note when the page's widget manager has read every widget's state: it asks through
    the ``jupyter.widget.control`` comm, once its own comm target is registered, and from
    then on takes new widgets. Idempotent; does nothing outside a kernel."""
    if _FrontEnd.watching or kernel_loop() is None:
        return
    from ipywidgets import comm as widget_comm

    manager = widget_comm.get_comm_manager()
    if manager is None:
        return

    def answered(message) -> None:
        for check in list(_FrontEnd.before_states):
            try:
                check()
            except Exception:  # noqa: BLE001 - a check decides for itself what failing means
                log.exception("widget state check failed")
        w.Widget._handle_control_comm_msg(message)
        _FrontEnd.connected = True
        _FrontEnd.ready_at = time.monotonic() + STATES_READ_SECONDS

    def opened(comm, message) -> None:
        w.Widget.handle_control_comm_opened(comm, message)
        comm.on_msg(answered)

    manager.register_target("jupyter.widget.control", opened)
    _FrontEnd.watching = True
    # JupyterLab's widget manager connects before any cell runs: already there
    _FrontEnd.connected = w.Widget._control_comm is not None


def before_widget_states(check: Callable[[], None]) -> None:
    """Run ``check`` whenever the page's widget manager asks the kernel something — first of
    all for every widget's state — before it is answered. A keyed page built ahead decides
    there, at the latest, whether its browser may see its widgets (:class:`kit.ui.pages.HeldPage`)."""
    _FrontEnd.before_states.append(check)


def widgets_connected() -> bool:
    """True once the browser's widget manager can take new widgets (always, outside a kernel).

    A widget made after the page was handed out and before its widget manager registers
    reaches the browser as a ``comm_open`` (held by the server until the websocket opens,
    then replayed) that JupyterLab's kernel connection may read before the manager listens:
    it closes the comm ("Exception opening new comm"), the kernel closes the widget, and a
    box that holds it can no longer be drawn ("widget model not found": "Loading widget..."
    for good, after a reload). A change to a widget sent while the page is still making
    its models from the states it asked for can be dropped too, so this turns true
    :data:`STATES_READ_SECONDS` after the answer (again after each reconnect's). So work that builds
    widgets on its own — a tablet finding its member, building ahead, the projector's next
    panel — waits for this.
    """
    if kernel_loop() is None:
        return True
    watch_widget_front_end()
    if not _FrontEnd.watching:
        return True
    return _FrontEnd.connected and time.monotonic() >= _FrontEnd.ready_at


def when_widgets_connected(callback: Callable[[], object], every: float = 0.05) -> None:
    """Run ``callback`` once the page takes new widgets (:func:`widgets_connected`): at once
    when it does (always outside a kernel), else at the first look, ``every`` s apart, that
    finds it does."""

    def look() -> None:
        if widgets_connected():
            callback()
        else:
            later(every, look)

    look()


def later(delay: float, callback: Callable[[], object]):
    """Run ``callback`` on the kernel's event loop ``delay`` s from now — after the message
    being handled has been answered, so what the room waits for is on screen first. Outside
    a running loop (tests, scripts) it runs at once."""
    loop = kernel_loop()
    if loop is not None:
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
        loop = kernel_loop()
        if loop is None:  # tests and scripts call check() themselves
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
