"""What of a 支え合いマップ may leave the district: counts by category, nothing else.

The map is personal data about vulnerable neighbours. The council office (市社協事務局)
receives only counts keyed by the fixed vocabulary (flag, link kind, place kind, finding
kind) — never names, notes, areas, opening days or positions, all of which are free text
or could identify a household. Unknown stored values are counted as ``"other"`` so no
free text can slip through a key either. The counts are computed when the map is saved
(with the key) and kept as plain numbers; what leaves is read from them, never decrypted.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

from kit import messages as msg
from kit.store import meetings as meeting_store
from kit.store import supportmap as map_store
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
    Without ``meeting_id``: the map as it is now. With it: the map at the end of that meeting
    (now, or the next meeting's baseline once that began) and the ``change:…`` rows since the
    meeting's own baseline.

    Nothing is opened here: the counts are plain numbers stored at every save of the map
    (:func:`refresh_counts`, which has the key), so the hand-over and the facilitator page
    need no passphrase and nothing sealed ever leaves. Read-only, so it may run inside the
    hand-over's transaction.
    """
    if meeting_id is None:
        return _current(conn, district_id)
    meeting = meeting_store.get_meeting(conn, meeting_id)
    stored = map_store.get_counts(conn, meeting.district_id, meeting.id)
    if stored is not None:
        return _rows(stored)
    own = map_store.baseline_of_meeting(conn, meeting.id)
    if own is not None:
        # no edit since this meeting's baseline while it was the latest: its end = its start
        rows = _rows(own.counts_json) if own.counts_json else map_office_counts(EMPTY_MAP)
        if sm.baseline_is_comparable(_persons(rows)):
            rows += [(f"change:{kind}", label, 0) for kind, label in msg.MAP_OFFICE_CHANGES.items()]
        return rows
    later = _later_baseline(conn, meeting)
    if later is not None and later.counts_json:
        return _rows(later.counts_json)
    if map_store.legacy_has_rows(conn):
        from kit.supportmap.migrate import legacy_office_counts

        return legacy_office_counts(conn, meeting.district_id, meeting.id)
    return _current(conn, meeting.district_id)


EMPTY_MAP = sm.MapData((), ())


def _current(conn: sqlite3.Connection, district_id: str) -> list[tuple[str, str, int]]:
    stored = map_store.get_counts(conn, district_id, 0)
    if stored is not None:
        return _rows(stored)
    if map_store.legacy_has_rows(conn):
        from kit.supportmap.migrate import legacy_office_counts

        return legacy_office_counts(conn, district_id, None)
    return map_office_counts(EMPTY_MAP)


def _later_baseline(conn: sqlite3.Connection, meeting) -> map_store.Baseline | None:
    for later in meeting_store.list_meetings(conn, meeting.district_id):
        if (later.held_on, later.id) > (meeting.held_on, meeting.id):
            taken = map_store.baseline_of_meeting(conn, later.id)
            if taken is not None:
                return taken
    return None


def _rows(text: str | None) -> list[tuple[str, str, int]]:
    """Stored ``[[category, count], …]`` with today's labels from the vocabulary."""
    try:
        raw = json.loads(text or "[]")
        return [(str(row[0]), category_label(str(row[0])), int(row[-1])) for row in raw]
    except (TypeError, ValueError, IndexError, KeyError):
        return map_office_counts(EMPTY_MAP)


_FIXED_LABELS = {
    "persons": "MAP_OFFICE_PERSONS",
    "places": "MAP_OFFICE_PLACES",
    "links": "MAP_OFFICE_LINKS",
    "persons_with_concern": "MAP_OFFICE_CONCERNED",
}


def category_label(category: str) -> str:
    """The Japanese label of a count's category, from the vocabulary (never stored text)."""
    if category in _FIXED_LABELS:
        return getattr(msg, _FIXED_LABELS[category])
    prefix, _, key = category.partition(":")
    labels = {
        "flag": sm.FLAG_LABELS,
        "link": sm.LINK_KIND_LABELS,
        "strength": sm.STRENGTH_LABELS,
        "place": sm.PLACE_KIND_LABELS,
        "finding": msg.MAP_FINDING_LABELS,
        "change": msg.MAP_OFFICE_CHANGES,
    }.get(prefix)
    if labels is None:
        raise KeyError(category)
    return labels.get(key, msg.MAP_OFFICE_OTHER)


def _persons(rows: list[tuple[str, str, int]]) -> int:
    return next((n for c, _label, n in rows if c == "persons"), 0)


def counts_json(rows: list[tuple[str, str, int]]) -> str:
    """The rows as stored: ``[[category, count], …]`` (labels are added when read)."""
    return json.dumps([[category, count] for category, _label, count in rows])


def refresh_counts(conn: sqlite3.Connection, district_id: str) -> None:
    """Store the counts of the district's map now, and of the meeting whose end it is (the
    latest meeting with a baseline): called inside every map write, with the key."""
    current = sm.load_map(conn, district_id)
    map_store.put_counts(conn, district_id, 0, counts_json(map_office_counts(current)))
    meetings = meeting_store.list_meetings(conn, district_id)  # by (held_on, id)
    for meeting in reversed(meetings):
        taken = map_store.baseline_of_meeting(conn, meeting.id)
        if taken is None:
            continue
        before = sm.baseline_map(conn, taken)
        rows = map_office_counts(current, before=before)
        map_store.put_counts(conn, district_id, meeting.id, counts_json(rows))
        break  # earlier meetings ended when a later one took its baseline: their counts stay


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
    if before is not None and sm.baseline_is_comparable(len(before.persons)):
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
