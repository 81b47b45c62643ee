"""What every page and panel is handed: the store, the settings, the plan, who is looking."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

import ipywidgets as w

from kit.plan import Plan
from kit.settings import Settings


@dataclass
class PageContext:
    conn: sqlite3.Connection | None
    """The meeting store; ``None`` only for the office page in JupyterLab, which needs none."""
    settings: Settings
    plan: Plan
    meeting_id: int | None = None
    member_id: int | None = None
    kernel_id: str | None = None  # VOILA_KERNEL_ID: the server's page_kernels row says who opened it
    device: str | None = None  # the hash of the browser's device secret (tests set it directly)
    client_address: str = ""
    built_ahead: bool = False
    """Built in a pooled kernel before any request (:class:`kit.ui.pages.HeldPage`): what is
    only needed once the page is shown (heavy imports) waits until then."""


class Panel(Protocol):
    """One phase's part of a page. ``refresh`` re-reads the store after another kernel wrote."""

    widget: w.Widget

    def refresh(self) -> None: ...
