"""支え合いマップ on the facilitator page (map phase): counts, findings and changes — no map.

The map itself is edited on its own page (``map.ipynb``, FigureWidget, key-protected);
this panel stays light (no plotly) and links there, carrying the facilitator key.
The HTML renderers here are shared with the map page; all user text is escaped.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import ipywidgets as w

from kit import access
from kit import messages as msg
from kit import supportmap as sm
from kit.map_analysis import FINDING_KINDS, MapAnalysis, MapDiff, analyse_map, diff_maps
from kit.store import meetings as meeting_store
from kit.text import escape
from kit.ui.common import Feedback, classed, heading
from kit.ui.context import PageContext

FINDINGS_SHOWN = 6
CHANGES_SHOWN = 20


def counts_html(analysis: MapAnalysis) -> str:
    c = analysis.counts
    return (
        f'<p class="tk-map-counts">'
        f"{escape(msg.MAP_SUMMARY_COUNTS.format(persons=c.persons, places=c.places, links=c.links))}</p>"
    )


def findings_html(analysis: MapAnalysis, *, limit: int = FINDINGS_SHOWN) -> str:
    """The findings by kind, each line 「label：reason」 (escaped)."""
    parts = [f'<div class="tk-map-findings-list">{counts_html(analysis)}']
    if not analysis.findings:
        parts.append(f"<p>{escape(msg.MAP_SUMMARY_NONE)}</p>")
    for kind in FINDING_KINDS:
        items = analysis.of_kind(kind)
        if not items:
            continue
        parts.append(
            f'<div class="tk-map-finding-group tk-map-finding-{kind}">'
            f"<h3>{escape(msg.MAP_FINDING_LABELS[kind])}（{len(items)}）</h3><ul>"
        )
        for finding in items[:limit]:
            parts.append(
                f'<li data-node="{finding.node_id}"><b>{escape(finding.label)}</b>'
                f"：{escape(finding.reason)}</li>"
            )
        if len(items) > limit:
            parts.append(
                f"<li>{escape(msg.MAP_SUMMARY_MORE.format(count=len(items) - limit))}</li>"
            )
        parts.append("</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def changes_html(diff: MapDiff | None, *, limit: int = CHANGES_SHOWN) -> str:
    """前回の会議からの変化 as a list (escaped); ``None`` when there is nothing to compare with."""
    title = f"<h3>{escape(msg.MAP_CHANGES_TITLE)}</h3>"
    if diff is None:
        return title + f"<p>{escape(msg.MAP_CHANGES_NO_BASE)}</p>"
    if not diff:
        return title + f"<p>{escape(msg.MAP_CHANGES_NONE)}</p>"
    items = "".join(
        f'<li class="tk-map-change-{c.kind}">{escape(c.reason)}</li>' for c in diff.changes[:limit]
    )
    more = (
        f"<li>{escape(msg.MAP_SUMMARY_MORE.format(count=len(diff.changes) - limit))}</li>"
        if len(diff.changes) > limit
        else ""
    )
    return title + f"<ul>{items}{more}</ul>"


def changes_since_baseline(conn, meeting_id: int | None, current: sm.MapData) -> MapDiff | None:
    """Diff from the map at the start of the meeting; None without a (non-empty) baseline."""
    if meeting_id is None:
        return None
    before = sm.baseline(conn, meeting_id)
    if before is None or not before.persons:
        return None
    return diff_maps(before, current)


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
