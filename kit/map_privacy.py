"""What of a 支え合いマップ may leave the district: counts by category, nothing else.

The map is personal data about vulnerable neighbours. The council office (市社協事務局)
receives only counts keyed by the fixed vocabulary (flag, link kind, place kind, finding
kind) — never names, notes, areas, opening days or positions, all of which are free text
or could identify a household. Unknown stored values are counted as ``"other"`` so no
free text can slip through a key either.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from kit import supportmap as sm
from kit.map_analysis import FINDING_KINDS, analyse_map, diff_maps

OFFICE_COUNTS_VERSION = 1


def _vocab_counts(values, vocabulary) -> dict[str, int]:
    counts = Counter(v if v in vocabulary else "other" for v in values)
    keys = [k for k in vocabulary if counts.get(k)] + (["other"] if counts.get("other") else [])
    return {k: counts[k] for k in keys}


def office_counts(
    conn: sqlite3.Connection, district_id: str, meeting_id: int | None = None
) -> dict:
    """Counts of the district's map for the office's result file (no names, notes, positions).

    With ``meeting_id``, also how many lines were added and how many people stopped being
    isolated since the start of that meeting.
    """
    data = sm.load_map(conn, district_id)
    analysis = analyse_map(data)
    persons, places = data.persons, data.places
    result = {
        "version": OFFICE_COUNTS_VERSION,
        "persons": len(persons),
        "places": len(places),
        "links": len(data.links),
        "persons_with_concern": sum(
            1 for p in persons if any(f in sm.CONCERN_FLAG_IDS for f in p.flags)
        ),
        "persons_by_flag": _vocab_counts(
            (f for p in persons for f in p.flags), list(sm.FLAG_LABELS)
        ),
        "links_by_kind": _vocab_counts(
            (link.kind for link in data.links), list(sm.LINK_KIND_LABELS)
        ),
        "links_by_strength": _vocab_counts(
            (link.strength for link in data.links), list(sm.STRENGTH_LABELS)
        ),
        "places_by_kind": _vocab_counts((q.kind for q in places), list(sm.PLACE_KIND_LABELS)),
        "findings": {kind: len(analysis.of_kind(kind)) for kind in FINDING_KINDS},
    }
    if meeting_id is not None:
        before = sm.baseline(conn, meeting_id)
        if before is not None and before.persons:
            diff = diff_maps(before, data)
            result["changes"] = {
                kind: len(diff.of_kind(kind))
                for kind in ("new_link", "removed_link", "not_isolated", "gap_filled")
            }
    return result


def office_count_labels() -> dict[str, dict[str, str]]:
    """Japanese labels for the keys of :func:`office_counts` (for the office's tables)."""
    from kit import messages as msg

    return {
        "persons_by_flag": dict(sm.FLAG_LABELS),
        "links_by_kind": dict(sm.LINK_KIND_LABELS),
        "links_by_strength": dict(sm.STRENGTH_LABELS),
        "places_by_kind": dict(sm.PLACE_KIND_LABELS),
        "findings": dict(msg.MAP_FINDING_LABELS),
    }
