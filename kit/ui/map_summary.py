"""支え合いマップ on the facilitator page (map phase): counts only — no names, no map.

The map is sealed at rest and opened only on its own page (``map.ipynb``, its figure,
key-protected, the district's passphrase typed there). This panel needs no passphrase: it
shows the plain counts stored at each save of the map (persons, places, lines, how many
findings of each kind and the changes since the meeting began) and links to the map page,
carrying the facilitator key. It takes no baseline: the meeting does (entering this phase).
"""

from __future__ import annotations

import os
from urllib.parse import quote

import ipywidgets as w

from kit import messages as msg
from kit.meeting import access
from kit.store import meetings as meeting_store
from kit.supportmap.privacy import office_counts
from kit.supportmap.render import change_rows_html, count_rows_html
from kit.text import escape
from kit.ui.common import Feedback, classed, heading, paragraph
from kit.ui.context import PageContext


def map_page_url(query_string: str | None = None) -> str:
    """Relative link to the map page, carrying the facilitator key of this page's URL."""
    if query_string is None:
        query_string = os.environ.get("QUERY_STRING", "")
    key = access.key_from_query(query_string)
    return "map.ipynb" + (f"?key={quote(key, safe='')}" if key else "")


class MapSummaryPanel:
    """The facilitator page's panel for the 支え合いマップ phase (no map figure)."""

    def __init__(self, ctx: PageContext, *, query_string: str | None = None) -> None:
        self.ctx = ctx
        self.feedback = Feedback("tk-map-panel-feedback")
        meeting = meeting_store.get_meeting(ctx.conn, ctx.meeting_id)
        self.district_id = meeting.district_id
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
                    paragraph(msg.MAP_PANEL_COUNTS_ONLY, cls="tk-map-panel-counts-only"),
                    self.feedback,
                ]
            ),
            "tk-map-panel",
        )
        self._key: tuple | None = None
        self.refresh()

    def refresh(self) -> None:
        rows = office_counts(self.ctx.conn, self.district_id, self.ctx.meeting_id)
        key = tuple(rows)
        if key == self._key:
            return
        self._key = key
        self.findings.value = count_rows_html(rows)
        self.changes.value = change_rows_html(rows)
