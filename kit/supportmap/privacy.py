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

from kit import messages as msg
from kit.supportmap import model as sm
from kit.supportmap.analysis import FINDING_KINDS, analyse_map, diff_maps

OTHER = "other"


def _vocab_rows(prefix: str, values, labels: dict[str, str]) -> list[tuple[str, str, int]]:
    counts = Counter(v if v in labels else OTHER for v in values)
    rows = [(f"{prefix}:{key}", label, counts.get(key, 0)) for key, label in labels.items()]
    if counts.get(OTHER):
        rows.append((f"{prefix}:{OTHER}", msg.MAP_OFFICE_OTHER, counts[OTHER]))
    return rows


def office_counts(
    conn: sqlite3.Connection, district_id: str, meeting_id: int | None = None
) -> list[tuple[str, str, int]]:
    """The district's map for the office's result file: ``(category, label, count)`` rows.

    Categories are fixed (``persons``, ``flag:alone``, ``link:watch``, ``place:salon``,
    ``finding:isolated`` …) and labels come from the vocabulary, never from what was typed.
    With ``meeting_id``, also ``change:new_link`` etc. since the start of that meeting.
    Read-only, so it may run inside the hand-over's transaction.
    """
    before = sm.baseline(conn, meeting_id) if meeting_id is not None else None
    return map_office_counts(sm.load_map(conn, district_id), before=before)


def map_office_counts(
    data: sm.MapData, *, before: sm.MapData | None = None
) -> list[tuple[str, str, int]]:
    """:func:`office_counts` of a map held in memory (e.g. a snapshot); ``before`` adds the
    ``change:…`` rows (skipped when ``before`` has nobody on it)."""
    analysis = analyse_map(data)
    persons, places = data.persons, data.places
    rows = [
        ("persons", msg.MAP_OFFICE_PERSONS, len(persons)),
        ("places", msg.MAP_OFFICE_PLACES, len(places)),
        ("links", msg.MAP_OFFICE_LINKS, len(data.links)),
        (
            "persons_with_concern",
            msg.MAP_OFFICE_CONCERNED,
            sum(1 for p in persons if any(f in sm.CONCERN_FLAG_IDS for f in p.flags)),
        ),
    ]
    rows += _vocab_rows("flag", (f for p in persons for f in p.flags), sm.FLAG_LABELS)
    rows += _vocab_rows("link", (link.kind for link in data.links), sm.LINK_KIND_LABELS)
    rows += _vocab_rows("strength", (link.strength for link in data.links), sm.STRENGTH_LABELS)
    rows += _vocab_rows("place", (q.kind for q in places), sm.PLACE_KIND_LABELS)
    rows += [
        (f"finding:{kind}", msg.MAP_FINDING_LABELS[kind], len(analysis.of_kind(kind)))
        for kind in FINDING_KINDS
    ]
    if before is not None and before.persons:
        diff = diff_maps(before, data)
        rows += [
            (f"change:{kind}", label, len(diff.of_kind(kind)))
            for kind, label in msg.MAP_OFFICE_CHANGES.items()
        ]
    return rows


def office_counts_dict(
    conn: sqlite3.Connection, district_id: str, meeting_id: int | None = None
) -> dict[str, int]:
    """:func:`office_counts` as ``{category: count}``."""
    return {
        category: count for category, _label, count in office_counts(conn, district_id, meeting_id)
    }
