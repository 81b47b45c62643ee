"""支え合いマップ on the facilitator page (map phase): counts, findings and changes — no map.

The map itself is edited on its own page (``map.ipynb``, FigureWidget, key-protected);
this panel stays light (no plotly) and links there, carrying the facilitator key.
The HTML pieces come from :mod:`kit.supportmap.render`; all user text is escaped.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import ipywidgets as w

from kit import messages as msg
from kit.meeting import access
from kit.store import meetings as meeting_store
from kit.supportmap import model as sm
from kit.supportmap.analysis import analyse_map
from kit.supportmap.render import changes_html, changes_since_baseline, findings_html
from kit.text import escape
from kit.ui.common import Feedback, classed, heading
from kit.ui.context import PageContext


def map_page_url(query_string: str | None = None) -> str:
    """Relative link to the map page, carrying the facilitator key of this page's URL."""
    if query_string is None:
        query_string = os.environ.get("QUERY_STRING", "")
    key = access.key_from_query(query_string)
    return "map.ipynb" + (f"?key={quote(key, safe='')}" if key else "")


class MapSummaryPanel:
    """The facilitator page's panel for the 支え合いマップ phase (no FigureWidget)."""

    def __init__(self, ctx: PageContext, *, query_string: str | None = None) -> None:
        self.ctx = ctx
        self.feedback = Feedback("tk-map-panel-feedback")
        meeting = meeting_store.get_meeting(ctx.conn, ctx.meeting_id)
        self.district_id = meeting.district_id
        if meeting.phase != "closed":
            sm.ensure_baseline(ctx.conn, meeting.id)
        url = map_page_url(query_string)
        self.link = classed(
            w.HTML(
                f'<p class="tk-map-panel-hint">{escape(msg.MAP_PANEL_HINT)}</p>'
                f'<a class="tk-map-open-link" href="{escape(url)}" target="_blank"'
                f' rel="noopener">{escape(msg.MAP_PANEL_OPEN)}</a>'
            ),
            "tk-map-panel-link",
        )
        self.findings = classed(w.HTML(), "tk-map-panel-findings")
        self.changes = classed(w.HTML(), "tk-map-panel-changes")
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.MAP_PANEL_TITLE, level=2),
                    self.link,
                    w.HBox(
                        [self.findings, self.changes],
                        layout=w.Layout(align_items="flex-start", width="100%"),
                    ),
                    self.feedback,
                ]
            ),
            "tk-map-panel",
        )
        self._key: tuple | None = None
        self.refresh()

    def refresh(self) -> None:
        data = sm.load_map(self.ctx.conn, self.district_id)
        key = (
            tuple((n.id, n.label, n.flags, n.x, n.y, n.kind) for n in data.nodes),
            tuple((link.id, link.kind, link.strength) for link in data.links),
        )
        if key == self._key:
            return
        self._key = key
        analysis = analyse_map(data)
        self.findings.value = findings_html(analysis)
        self.changes.value = changes_html(
            changes_since_baseline(self.ctx.conn, self.ctx.meeting_id, data)
        )
