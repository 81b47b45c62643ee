"""Entry points the notebooks call: one line per page.

Each reads the settings from the environment that ``tasukeai serve`` gave the kernel,
opens its own store connection, checks access *in the kernel* and displays one app.
A refused page builds no facilitator widgets, so no crafted message can reach them. A
keyed page built ahead in a pooled kernel (:class:`HeldPage`) has built them before any
browser asked; it shows them only once the kernel has found that it was handed to a live
facilitator session, and closes every one of them otherwise — before any widget's state
is sent.
"""

from __future__ import annotations

import logging
import os
import sqlite3

import ipywidgets as w
from IPython.display import display

from kit import messages as msg
from kit.meeting import access
from kit.plan import load_plan
from kit.settings import Settings, load_settings
from kit.store import open_store
from kit.ui import resend
from kit.ui.common import (
    StorePoller,
    before_widget_states,
    classed,
    heading,
    paragraph,
    watch_widget_front_end,
    when_widgets_connected,
)
from kit.ui.context import PageContext

log = logging.getLogger("tasukeai")

HANDOUT_POLL = 0.1
"""Seconds between a held page's looks at the store for the browser it was handed to (a
cheap ``PRAGMA data_version``; the row is read only when it moved)."""
HELD_REFRESH = 3.0
"""While held, the app re-reads the store at most this often (not every poll): the room's
writes cost the pooled kernel little, and the page is at most this far behind when shown."""
SESSION_CHECK = 2.0


def page_context(settings: Settings | None = None) -> PageContext:
    settings = settings or load_settings()
    resend.install()  # a message the page sends again after a reconnect is handled once
    watch_widget_front_end()  # polling and building ahead wait for the page's widget manager
    return PageContext(
        conn=open_store(settings.db_path), settings=settings, plan=load_plan(settings.plan_path)
    )


def built_ahead(environ: dict[str, str] | None = None) -> bool:
    """True in a kernel Voila started for its pool, before any request (``VOILA_PREHEAT``)."""
    environ = os.environ if environ is None else environ
    return environ.get("VOILA_PREHEAT") == "True"


def refusal() -> w.Widget:
    return classed(
        w.VBox(
            [
                heading(msg.KEY_REQUIRED_TITLE, cls="tk-app-title"),
                paragraph(msg.KEY_REQUIRED_BODY),
            ]
        ),
        "tk-page",
        "tk-refused",
    )


def this_kernel_id() -> str | None:
    """This kernel's id, which Voila sets before the notebook runs (absent outside Voila)."""
    return os.environ.get("VOILA_KERNEL_ID") or None


def has_facilitator_key(ctx: PageContext, query_string: str | None = None) -> bool:
    """True when this page may show facilitator widgets, checked again in the kernel.

    Served by Voila: the HTTP guard handed this kernel to a browser with a live facilitator
    session (``page_kernels`` in the store says so). Outside Voila (nbval, scripts, tests):
    the query string carries this database's facilitator key (``?key=…``).
    """
    if access.kernel_is_facilitator(ctx.conn, this_kernel_id()):
        return True
    if query_string is None:
        query_string = os.environ.get("QUERY_STRING", "")
    return access.key_is_valid(ctx.conn, access.key_from_query(query_string))


def _keep_ids(*widgets: w.Widget) -> set[str]:
    kept: set[str] = set()
    stack = list(widgets)
    while stack:
        widget = stack.pop()
        if widget.model_id in kept:
            continue
        kept.add(widget.model_id)
        for name in ("layout", "style"):
            part = getattr(widget, name, None)
            if isinstance(part, w.Widget):
                stack.append(part)
        stack.extend(c for c in getattr(widget, "children", ()) if isinstance(c, w.Widget))
    return kept


def end_keyed_page(
    container: w.Box, message_title: str, message_body: str, *, notice: w.Widget | None = None
) -> None:
    """The session ended (key rotated): close every widget of this kernel but a notice
    (``notice``, when it was built beforehand).

    A keyed page is a kernel of its own, so every widget in it belongs to the page: once
    closed, no crafted message can reach a facilitator callback any more.
    """
    if notice is None:
        notice = classed(
            w.VBox([heading(message_title, cls="tk-app-title"), paragraph(message_body)]),
            "tk-page",
            "tk-refused",
        )
    container.children = (notice,)
    kept = _keep_ids(container)  # the box and the notice: the page's old content is closed
    from ipywidgets.widgets.widget import _instances

    for model_id, widget in list(_instances.items()):
        if model_id not in kept:
            widget.close()


# A tablet's kernel yields the laptop's cores to the server and the projector's kernel, which
# the whole room waits for (40 tablet kernels wake together at a phase change or a close).
MEMBER_KERNEL_NICE = 5


def lower_priority(environ: dict[str, str] | None = None) -> bool:
    """Lower this process's CPU priority when it is a tablet's kernel served by Voila
    (not in nbval, scripts or tests). Returns whether it did."""
    if not served_by_voila(environ) or not hasattr(os, "nice"):
        return False
    try:
        os.nice(MEMBER_KERNEL_NICE)
    except OSError:
        return False
    return True


def member_page(settings: Settings | None = None, *, show: bool = True):
    from kit.ui.member import MemberApp

    lower_priority()
    ctx = page_context(settings)
    ctx.kernel_id = this_kernel_id()
    app = MemberApp(ctx)
    if show:
        display(app.widget)
    return app


def facilitator_page(
    settings: Settings | None = None, *, query_string: str | None = None, show: bool = True
):
    """進行役のページ (projector): only with the facilitator key."""
    from kit.ui.facilitator import FacilitatorApp

    return _keyed_page(FacilitatorApp, settings, query_string, show)


def _keyed_page(app_factory, settings: Settings | None, query_string: str | None, show: bool):
    ctx = page_context(settings)
    kernel_id = this_kernel_id()
    if show and kernel_id and built_ahead() and access.page_kernel(ctx.conn, kernel_id) is None:
        ctx.built_ahead = True
        app = app_factory(ctx)  # the slow part, done while no browser waits
        app.held = HeldPage(ctx, kernel_id, app)
        display(app.held.container)
        return app
    if not has_facilitator_key(ctx, query_string):
        widget = refusal()
        if show:
            display(widget)
        return widget
    app = app_factory(ctx)
    if show:
        if kernel_id and access.page_kernel(ctx.conn, kernel_id) is not None:
            container = w.VBox([app.widget])
            watch_session(ctx, kernel_id, app, container)
            display(container)
        else:
            display(app.widget)
    return app


def watch_session(ctx: PageContext, kernel_id: str, app, container: w.Box) -> StorePoller:
    """End the page (:func:`end_keyed_page`) once its facilitator session is gone."""

    def check_session() -> None:
        if not access.kernel_is_facilitator(ctx.conn, kernel_id):
            watch.stop()
            _stop_polling(app)
            end_keyed_page(container, msg.SESSION_ENDED_TITLE, msg.SESSION_ENDED_BODY)

    watch = StorePoller(ctx.conn, check_session, SESSION_CHECK).start()
    app.session_watch = watch
    return watch


def _close_tree(widget: w.Widget) -> None:
    """Close ``widget`` and the widgets in it (not their Layout and style models, which
    may be shared)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _stop_polling(app) -> None:
    poller = getattr(app, "poller", None)
    if poller is not None:
        poller.stop()


class HeldPage:
    """A keyed page built ahead in a pooled kernel, shown only to a facilitator.

    The app is built before any request exists, but the page shows only 「開いています…」:
    the HTML Voila renders ahead names this box, never an app widget. When the server hands
    the kernel to a browser it writes the kernel's ``page_kernels`` row; the kernel reads it
    (every :data:`HANDOUT_POLL` s, and at the latest when the browser's widget manager first
    asks for the widgets' state, before it is answered): a live facilitator session → the
    app (brought up to date) goes into the box, and the session is watched as on any keyed
    page; anything else → the refusal, and every other widget of the kernel is closed, so
    none of their state is ever sent and no crafted message reaches their callbacks.
    Only the box's children change then: the app is brought up to date (which may make
    widgets) once the browser's widget manager takes new ones
    (:func:`kit.ui.common.widgets_connected`); while held it re-reads the store every
    :data:`HELD_REFRESH` s, so it is at most that far behind until then.
    """

    def __init__(self, ctx: PageContext, kernel_id: str, app) -> None:
        self.ctx = ctx
        self.kernel_id = kernel_id
        self.app = app
        self.decided: str | None = None  # "shown" or "refused"
        self.refused = refusal()  # built now too: refusing then only changes the box
        self.container = classed(
            w.VBox([paragraph(msg.PAGE_OPENING, cls="tk-page-opening")]), "tk-page-holder"
        )
        poller = getattr(app, "poller", None)
        if poller is not None:
            poller.interval = HELD_REFRESH
        self.watch = StorePoller(ctx.conn, self.check, HANDOUT_POLL).start()
        before_widget_states(self.decide)

    def check(self) -> None:
        """One look at the store: decide once the kernel has been handed out."""
        if self.decided is None and access.page_kernel(self.ctx.conn, self.kernel_id):
            self.decide()

    def decide(self) -> None:
        """Show the app to a live facilitator session; refuse anything else (a kernel not
        handed out yet has no browser that may see it)."""
        if self.decided is not None:
            return
        self.watch.stop()
        try:
            allowed = access.kernel_is_facilitator(self.ctx.conn, self.kernel_id)
        except sqlite3.Error:
            log.exception("could not check whom a keyed page was handed to")
            allowed = False
        if allowed:
            self._show()
        else:
            self._refuse()

    def _show(self) -> None:
        self.decided = "shown"
        opening = self.container.children
        self.container.children = (self.app.widget,)
        for widget in (*opening, self.refused):
            _close_tree(widget)  # not needed any more (closing changes, it makes no widget)
        watch_session(self.ctx, self.kernel_id, self.app, self.container)
        self._catch_up_when_connected()

    def _catch_up_when_connected(self) -> None:
        """Bring the app up to date (it may make widgets: a new meeting's panel, new cards)
        once the browser's widget manager takes new widgets, not while the page loads."""
        when_widgets_connected(self._catch_up, HANDOUT_POLL)

    def _catch_up(self) -> None:
        catch_up = getattr(self.app, "catch_up", None) or getattr(self.app, "refresh", None)
        if catch_up is not None:
            try:
                catch_up()
            except Exception:  # noqa: BLE001 - the page's own polling shows it again
                log.exception("bringing a held page up to date failed")
        poller = getattr(self.app, "poller", None)
        if poller is not None:
            poller.interval = self.ctx.settings.poll_seconds

    def _refuse(self) -> None:
        self.decided = "refused"
        _stop_polling(self.app)
        end_keyed_page(
            self.container, msg.KEY_REQUIRED_TITLE, msg.KEY_REQUIRED_BODY, notice=self.refused
        )


def map_page(
    settings: Settings | None = None, *, query_string: str | None = None, show: bool = True
):
    """支え合いマップ: personal data, so only with the facilitator key."""
    from kit.ui.map_page import MapApp

    return _keyed_page(MapApp, settings, query_string, show)


def served_by_voila(environ: dict[str, str] | None = None) -> bool:
    """True in a kernel that Voila started for a browser (``tasukeai serve``).

    Voila gives each page's kernel ``QUERY_STRING``, ``SERVER_SOFTWARE=voila/…`` and its
    ``VOILA_*`` variables; a JupyterLab kernel on the office PC has none of them.
    """
    environ = os.environ if environ is None else environ
    return (
        "QUERY_STRING" in environ
        or environ.get("SERVER_SOFTWARE", "").startswith("voila")
        or any(name.startswith("VOILA_") for name in environ)
    )


def office_page(
    settings: Settings | None = None, *, query_string: str | None = None, show: bool = True
):
    """事務局のページ: compiled results of every district.

    Served to the network by ``tasukeai serve`` (Voila), it asks for the facilitator/office
    key like the other keyed pages. Opened in JupyterLab on the office PC, Jupyter's own
    token already protects it: no key is asked, and no meeting database is opened or
    created (the office page needs only the office's own store).
    """
    from kit.ui.office import OfficeApp

    if query_string is not None or served_by_voila():
        return _keyed_page(OfficeApp, settings, query_string, show)
    settings = settings or load_settings()
    app = OfficeApp(PageContext(conn=None, settings=settings, plan=load_plan(settings.plan_path)))
    if show:
        display(app.widget)
    return app
