"""HTML pieces of the 支え合いマップ shared by the map page, the facilitator's summary and the
handout: counts, findings and changes since the meeting's baseline. All user text is escaped."""

from __future__ import annotations

from kit import messages as msg
from kit.supportmap import model as sm
from kit.supportmap.analysis import FINDING_KINDS, MapAnalysis, MapDiff, diff_maps
from kit.text import escape

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
            f"<h3>{escape(msg.MAP_FINDING_LABELS[kind])}（{len(items)}）</h3>"
            + (
                f'<p class="tk-map-finding-meaning">{escape(msg.MAP_FINDING_MEANING[kind])}</p>'
                if kind in msg.MAP_FINDING_MEANING
                else ""
            )
            + "<ul>"
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
    if before is None or not sm.baseline_is_comparable(len(before.persons)):
        return None
    return diff_maps(before, current)


# --- counts only (the facilitator page: no passphrase, nothing personal) -----------------------------
def count_rows_html(rows: list[tuple[str, str, int]]) -> str:
    """How many persons, places, lines and findings: from the stored counts (no names)."""
    counts = {category: count for category, _label, count in rows}
    head = msg.MAP_SUMMARY_COUNTS.format(
        persons=counts.get("persons", 0),
        places=counts.get("places", 0),
        links=counts.get("links", 0),
    )
    items = "".join(
        f'<li class="tk-map-finding-count tk-map-finding-{kind}">'
        f"{escape(msg.MAP_FINDING_LABELS[kind])}：{counts.get(f'finding:{kind}', 0)}</li>"
        for kind in FINDING_KINDS
    )
    return (
        f'<div class="tk-map-findings-list"><p class="tk-map-counts">{escape(head)}</p>'
        f"<ul>{items}</ul></div>"
    )


def change_rows_html(rows: list[tuple[str, str, int]]) -> str:
    """前回の会議からの変化, as counts (``change:…`` rows; none without a comparable baseline)."""
    title = f"<h3>{escape(msg.MAP_CHANGES_TITLE)}</h3>"
    changes = [(label, count) for category, label, count in rows if category.startswith("change:")]
    if not changes:
        return title + f"<p>{escape(msg.MAP_CHANGES_NO_BASE)}</p>"
    if not any(count for _label, count in changes):
        return title + f"<p>{escape(msg.MAP_CHANGES_NONE)}</p>"
    items = "".join(f"<li>{escape(label)}：{count}</li>" for label, count in changes)
    return title + f"<ul>{items}</ul>"
