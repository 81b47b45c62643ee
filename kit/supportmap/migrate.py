"""Moving an older district database's plain-text map into the sealed tables, without loss.

Before issue 13 the map lay in plain tables (``map_nodes``, ``map_links``, ``map_snapshots``,
``map_backgrounds``, ``map_undo``). The first time the facilitator sets the district's
passphrase (:func:`kit.supportmap.vault.setup`), :func:`move_plain_map` seals every live
person, place and line under their old ids, every meeting's snapshot (a person deleted
earlier appears there only as 「（削除された人）」), the background image and the counts each
meeting handed over, then drops the plain tables; ``vault.setup`` then VACUUMs the file so
the plain pages are gone from it and from the WAL. The undo list does not move.

Until then the hand-over still works: :func:`legacy_office_counts` counts the plain map.
"""

from __future__ import annotations

import json
import sqlite3

from kit.errors import ValidationError
from kit.store import meetings as meeting_store
from kit.store import supportmap as store
from kit.supportmap import model as sm
from kit.supportmap import vault


class _Legacy:
    """The plain map of an old database, read once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.nodes = store.legacy_nodes(conn)
        self.links = store.legacy_links(conn)
        self.snapshots = store.legacy_snapshots(conn)
        self.backgrounds = store.legacy_backgrounds(conn)
        self.deleted = {n.id for n in self.nodes if n.deleted}

    def current(self, district_id: str) -> sm.MapData:
        nodes = tuple(n for n in self.nodes if n.district_id == district_id and not n.deleted)
        alive = {n.id for n in nodes}
        links = tuple(
            link
            for link in self.links
            if link.district_id == district_id
            and not link.deleted
            and link.source_id in alive
            and link.target_id in alive
        )
        return sm.MapData(nodes, links)

    def snapshot_of(self, meeting_id: int) -> sm.MapData | None:
        for _district, meeting, _taken, text in self.snapshots:
            if meeting == meeting_id:
                return snapshot_from_json(text)
        return None

    def districts(self) -> list[str]:
        found = {n.district_id for n in self.nodes}
        found |= {s[0] for s in self.snapshots}
        found |= {b.district_id for b in self.backgrounds}
        return sorted(found)


def snapshot_from_json(text: str) -> sm.MapData:
    """An old snapshot's map (a damaged one reads as an empty map)."""
    try:
        raw = json.loads(text)
        nodes = tuple(sm.MapNode(**{**n, "flags": tuple(n.get("flags", ()))}) for n in raw["nodes"])
        links = tuple(sm.MapLink(**link) for link in raw["links"])
    except (TypeError, ValueError, KeyError, ValidationError):
        return sm.MapData((), ())
    return sm.MapData(nodes, links)


def _meeting_counts(conn, legacy: _Legacy, meeting) -> list[tuple[str, str, int]]:
    """What the old kit handed over for ``meeting``: the map at its end (now, or the next
    meeting's snapshot) and the changes since its own snapshot."""
    from kit.supportmap.privacy import map_office_counts

    end = None
    for later in meeting_store.list_meetings(conn, meeting.district_id):
        if (later.held_on, later.id) > (meeting.held_on, meeting.id):
            end = legacy.snapshot_of(later.id)
            if end is not None:
                break
    if end is None:
        end = legacy.current(meeting.district_id)
    return map_office_counts(end, before=legacy.snapshot_of(meeting.id))


def legacy_office_counts(
    conn: sqlite3.Connection, district_id: str, meeting_id: int | None
) -> list[tuple[str, str, int]]:
    """:func:`kit.supportmap.privacy.office_counts` of a map not yet moved (plain tables)."""
    from kit.supportmap.privacy import map_office_counts

    legacy = _Legacy(conn)
    if meeting_id is None:
        return map_office_counts(legacy.current(district_id))
    return _meeting_counts(conn, legacy, meeting_store.get_meeting(conn, meeting_id))


def move_plain_map(conn: sqlite3.Connection) -> bool:
    """Seal the old plain map (inside the caller's transaction, key on ``conn``); return True
    when there was one. The plain tables are dropped either way."""
    if not store.legacy_has_rows(conn):
        store.drop_legacy_tables(conn)
        return False
    vault.require_unlocked(conn)
    legacy = _Legacy(conn)
    for district_id in legacy.districts():
        _move_district(conn, legacy, district_id)
    store.drop_legacy_tables(conn)
    # meetings under way whose baseline waited for the move (same map as when they began)
    for meeting in meeting_store.list_meetings(conn):
        if meeting.phase in sm.IN_PROGRESS_PHASES:
            store.ensure_baseline(conn, meeting.district_id, meeting.id)
    return True


def _move_snapshot(conn, legacy: _Legacy, district_id, meeting_id, taken_at, text) -> None:
    from kit.supportmap.privacy import counts_json, map_office_counts

    data = snapshot_from_json(text)
    baseline_id = store.insert_baseline_header(
        conn, district_id, meeting_id, taken_at, counts_json(map_office_counts(data))
    )
    for node in data.nodes:
        if node.id in legacy.deleted:
            store.insert_baseline_item(conn, baseline_id, node.id, node.node_type, None)
            continue
        fields = {name: getattr(node, name) for name in sm.NODE_FIELDS}
        sealed = sm._seal_node(conn, district_id, node.id, node.node_type, fields)
        store.insert_baseline_item(conn, baseline_id, node.id, node.node_type, sealed)
    for link in data.links:
        if link.source_id in legacy.deleted or link.target_id in legacy.deleted:
            continue
        sealed = sm._seal_link(
            conn, district_id, link.id, link.source_id, link.target_id, link.kind, link.strength
        )
        store.insert_baseline_line(
            conn, baseline_id, link.id, link.source_id, link.target_id, sealed
        )


def _move_district(conn: sqlite3.Connection, legacy: _Legacy, district_id: str) -> None:
    from kit.supportmap.privacy import counts_json, map_office_counts

    meeting_store.get_district(conn, district_id)  # the rows must belong to a district
    current = legacy.current(district_id)
    meetings = meeting_store.list_meetings(conn, district_id)
    with_snapshot = [m for m in meetings if legacy.snapshot_of(m.id) is not None]
    sets = {m.id: _meeting_counts(conn, legacy, m) for m in with_snapshot}
    for node in current.nodes:
        fields = {name: getattr(node, name) for name in sm.NODE_FIELDS}
        store.insert_item(
            conn,
            district_id=district_id,
            node_type=node.node_type,
            seal=lambda new_id, node=node, fields=fields: sm._seal_node(
                conn, district_id, new_id, node.node_type, fields
            ),
            item_id=node.id,
            created_at=node.created_at,
            updated_at=node.updated_at,
        )
    for link in current.links:
        store.insert_line(
            conn,
            district_id=district_id,
            source_id=link.source_id,
            target_id=link.target_id,
            seal=lambda new_id, link=link: sm._seal_link(
                conn,
                district_id,
                new_id,
                link.source_id,
                link.target_id,
                link.kind,
                link.strength,
            ),  # fmt: skip
            line_id=link.id,
            created_at=link.created_at,
        )
    for snap_district, meeting_id, taken_at, text in legacy.snapshots:
        if snap_district == district_id:
            _move_snapshot(conn, legacy, district_id, meeting_id, taken_at, text)
    for background in legacy.backgrounds:
        if background.district_id == district_id:
            store.put_image(
                conn,
                district_id,
                sm._seal_background(
                    conn,
                    district_id,
                    background.mime,
                    background.width,
                    background.height,
                    background.image,
                ),
            )
    store.put_counts(conn, district_id, 0, counts_json(map_office_counts(current)))
    for meeting_id, rows in sets.items():
        store.put_counts(conn, district_id, meeting_id, counts_json(rows))
