"""Entry points the notebooks call: one line per page.

Each reads the settings from the environment that ``tasukeai serve`` gave the kernel,
opens its own store connection, checks access *in the kernel* and displays one app.
A refused page builds no facilitator widgets, so no crafted message can reach them.
"""

from __future__ import annotations

import os

import ipywidgets as w
from IPython.display import display

from kit import messages as msg
from kit.meeting import access
from kit.plan import load_plan
from kit.settings import Settings, load_settings
from kit.store import open_store
from kit.ui.common import classed, heading, paragraph
from kit.ui.context import PageContext


def page_context(settings: Settings | None = None) -> PageContext:
    settings = settings or load_settings()
    return PageContext(
        conn=open_store(settings.db_path), settings=settings, plan=load_plan(settings.plan_path)
    )


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


def has_facilitator_key(ctx: PageContext, query_string: str | None = None) -> bool:
    """True when the page URL carries this database's facilitator key (``?key=…``)."""
    if query_string is None:
        query_string = os.environ.get("QUERY_STRING", "")
    return access.key_is_valid(ctx.conn, access.key_from_query(query_string))


def member_page(settings: Settings | None = None, *, show: bool = True):
    from kit.ui.member import MemberApp

    app = MemberApp(page_context(settings))
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
    if not has_facilitator_key(ctx, query_string):
        widget = refusal()
        if show:
            display(widget)
        return widget
    app = app_factory(ctx)
    if show:
        display(app.widget)
    return app


def map_page(
    settings: Settings | None = None, *, query_string: str | None = None, show: bool = True
):
    """支え合いマップ: personal data, so only with the facilitator key."""
    from kit.ui.map_page import MapApp

    return _keyed_page(MapApp, settings, query_string, show)


def office_page(
    settings: Settings | None = None, *, query_string: str | None = None, show: bool = True
):
    """事務局のページ: compiled results of every district, with the facilitator/office key."""
    from kit.ui.office import OfficeApp

    return _keyed_page(OfficeApp, settings, query_string, show)
