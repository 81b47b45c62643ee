"""A keyed page built ahead in a pooled kernel (``kit.ui.pages.HeldPage``), as widget trees.

The pooled kernel runs the notebook before any request: ``VOILA_PREHEAT=True`` and its
``VOILA_KERNEL_ID`` but no ``page_kernels`` row. The server writes the row when it hands the
kernel out; these tests write it as the server does (``access.bind_kernel``), on real SQLite.
``tests/test_held_kernel.py`` runs the same in a real kernel, over the widget protocol.
"""

from __future__ import annotations

import pytest
from ipywidgets.widgets.widget import _instances

from kit.meeting import access, meetings
from kit.store import meetings as store
from kit.ui import pages
from kit.ui.facilitator import FacilitatorApp

KERNEL = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


@pytest.fixture
def held_kernel(monkeypatch):
    """This test process plays a pooled kernel: built ahead, not handed out yet."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", KERNEL)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setattr(pages, "display", lambda *_a, **_k: None)


def _hand_out(conn, *, session: str | None, page: str = access.PAGE_FACILITATOR) -> None:
    """What the HTTP guard writes when it hands this kernel to a browser."""
    session_hash = access.secret_hash(session) if session else None
    access.bind_kernel(conn, KERNEL, page, "device-hash", session_hash, "127.0.0.1")


def _classes_alive() -> set[str]:
    found: set[str] = set()
    for widget in list(_instances.values()):
        found.update(getattr(widget, "_dom_classes", ()))
    return found


def test_built_ahead_only_in_a_pooled_kernel():
    assert pages.built_ahead({"VOILA_PREHEAT": "True"})
    assert not pages.built_ahead({"VOILA_PREHEAT": "False"})
    assert not pages.built_ahead({})


def test_held_page_shows_nothing_of_the_app_until_handed_out(conn, settings, meeting, held_kernel):
    app = pages.facilitator_page(settings)
    assert isinstance(app, FacilitatorApp)  # built ahead: the slow part is done
    held = app.held
    (only,) = held.container.children
    assert "tk-page-opening" in only._dom_classes
    assert "開いています" in only.value
    held.check()  # no page_kernels row: still in the pool
    assert held.decided is None
    assert held.container.children == (only,)
    assert app.poller.interval == pages.HELD_REFRESH  # the room's writes cost it little
    assert app.ctx.built_ahead  # heavy imports (pandas…) wait until it is shown


def test_handed_to_a_facilitator_session_it_shows_the_controls(
    conn, settings, meeting, held_kernel
):
    app = pages.facilitator_page(settings)
    _hand_out(conn, session=access.new_session(conn))
    app.held.check()
    assert app.held.decided == "shown"
    assert app.held.container.children == (app.widget,)
    assert app.next_button.comm is not None  # the controls are alive
    assert app.poller.interval == settings.poll_seconds
    assert not app.ctx.built_ahead
    assert app.session_watch is not None
    app.next_button.click()
    assert store.get_phase(conn, meeting.id) == "issues"


@pytest.mark.parametrize(
    "binding",
    [
        {"session": "not-a-session-of-this-database"},  # a made-up or ended session
        {"session": None},  # no session at all
        {"session": "x", "page": access.PAGE_MEMBER},  # handed out as a member page
    ],
)
def test_handed_to_anything_else_it_refuses_and_closes_the_app(
    conn, settings, meeting, held_kernel, binding
):
    app = pages.facilitator_page(settings)
    buttons = [app.next_button, app.back_button, *app.phase_buttons.values()]
    _hand_out(conn, **binding)
    app.held.check()
    assert app.held.decided == "refused"
    assert app.held.container.children == (app.held.refused,)
    assert "tk-refused" in app.held.refused._dom_classes
    assert all(button.comm is None for button in buttons)  # closed: no message reaches them
    alive = _classes_alive()
    assert "tk-phase-next" not in alive and "tk-setup" not in alive
    assert not (alive - {"tk-page", "tk-page-holder", "tk-refused", "tk-app-title", "tk-text"})


def test_asked_for_widget_states_before_any_hand_out_it_refuses(
    conn, settings, meeting, held_kernel
):
    """The widget manager's first request decides at the latest: a browser talking to a
    kernel that no page_kernels row gives to it sees no app widget."""
    app = pages.facilitator_page(settings)
    app.held.decide()  # what kit.ui.common.before_widget_states runs
    assert app.held.decided == "refused"
    assert app.next_button.comm is None
    _hand_out(conn, session=access.new_session(conn))  # too late: decided once
    app.held.check()
    assert app.held.decided == "refused"


def test_a_page_held_since_before_the_meeting_shows_the_meeting(
    conn, settings, district, plan, held_kernel
):
    app = pages.facilitator_page(settings)  # no meeting yet: the set-up form
    assert app.ctx.meeting_id is None and app.header.layout.display == "none"
    made = meetings.create_meeting(  # another facilitator kernel made one meanwhile
        conn, district_id=district.id, title="後から", held_on="2026-12-02", plan_id=plan.plan_id
    )
    _hand_out(conn, session=access.new_session(conn))
    app.held.check()
    assert app.ctx.meeting_id == made.id
    assert app.header.layout.display is None
    assert "後から" in app.title.value
    assert app.setup.widget.selected_index is None  # as a page opened now


def test_the_set_up_date_of_a_page_held_overnight_is_today(conn, settings, held_kernel):
    app = pages.facilitator_page(settings)
    app.setup.date.value = app.setup.built_on = "2026-12-01"  # built yesterday, untouched
    app.setup.catch_up()
    assert app.setup.date.value != "2026-12-01"
    app.setup.date.value = "2027-01-15"  # typed by the facilitator: kept
    app.setup.catch_up()
    assert app.setup.date.value == "2027-01-15"


def test_a_shown_held_page_ends_with_the_session(conn, settings, meeting, held_kernel):
    app = pages.facilitator_page(settings)
    _hand_out(conn, session=access.new_session(conn))
    app.held.check()
    access.rotate_facilitator_key(conn)  # tasukeai key --rotate
    app.session_watch.check()
    (notice,) = app.held.container.children
    assert "tk-refused" in notice._dom_classes
    assert app.next_button.comm is None
    assert app.poller._task is None  # the app no longer polls


def test_a_kernel_handed_out_before_its_notebook_ran_opens_as_usual(
    conn, settings, meeting, held_kernel
):
    """A request waiting for the pooled kernel may be bound before the notebook runs."""
    _hand_out(conn, session=access.new_session(conn))
    app = pages.facilitator_page(settings)
    assert isinstance(app, FacilitatorApp)
    assert not hasattr(app, "held")
    assert app.session_watch is not None
