"""SQL for the mutual-aid map (支え合いマップ): nodes, links, snapshots, undo, background image.

The map belongs to a district and carries over between its meetings. Rows are never
removed on delete (``deleted = 1``), so undo can bring them back and snapshots stay readable.
Callers group writes with :func:`kit.store.transaction`; these functions do not commit.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from kit.store import now


@dataclass(frozen=True)
class MapNode:
    """A person/household (``node_type='person'``) or a place/resource (``'place'``)."""

    id: int
    district_id: str
    node_type: str
    label: str
    kind: str
    flags: tuple[str, ...]
    note: str
    opening_days: str
    area: str
    x: float
    y: float
    deleted: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class MapLink:
    """A line from the helper (``source_id``) to the helped (``target_id``)."""

    id: int
    district_id: str
    source_id: int
    target_id: int
    kind: str
    strength: str
    deleted: bool
    created_at: str


@dataclass(frozen=True)
class MapSnapshot:
    id: int
    district_id: str
    meeting_id: int | None
    taken_at: str
    snapshot_json: str


@dataclass(frozen=True)
class UndoEntry:
    id: int
    district_id: str
    description: str
    undo: dict
    created_at: str


@dataclass(frozen=True)
class MapBackground:
    district_id: str
    mime: str
    image: bytes
    width: int
    height: int
    uploaded_at: str


NODE_FIELDS = ("label", "kind", "flags", "note", "opening_days", "area", "x", "y")


def _node(row: sqlite3.Row) -> MapNode:
    d = dict(row)
    try:
        flags = json.loads(d.pop("flags_json"))
    except (TypeError, ValueError):
        flags = []
    d["flags"] = tuple(str(f) for f in flags) if isinstance(flags, list) else ()
    d["deleted"] = bool(d["deleted"])
    return MapNode(**d)


def _link(row: sqlite3.Row) -> MapLink:
    d = dict(row)
    d["deleted"] = bool(d["deleted"])
    return MapLink(**d)


# --- nodes ------------------------------------------------------------------------------------
def insert_node(
    conn: sqlite3.Connection,
    *,
    district_id: str,
    node_type: str,
    label: str,
    x: float,
    y: float,
    kind: str = "",
    flags: tuple[str, ...] = (),
    note: str = "",
    opening_days: str = "",
    area: str = "",
) -> MapNode:
    stamp = now()
    cur = conn.execute(
        "INSERT INTO map_nodes (district_id, node_type, label, kind, flags_json, note, opening_days,"
        " area, x, y, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            district_id,
            node_type,
            label,
            kind,
            json.dumps(list(flags), ensure_ascii=False),
            note,
            opening_days,
            area,
            float(x),
            float(y),
            stamp,
            stamp,
        ),
    )
    return get_node(conn, cur.lastrowid)


def get_node(conn: sqlite3.Connection, node_id: int) -> MapNode | None:
    row = conn.execute("SELECT * FROM map_nodes WHERE id = ?", (node_id,)).fetchone()
    return None if row is None else _node(row)


def update_node(conn: sqlite3.Connection, node_id: int, **fields) -> None:
    """Set the given fields (names from ``NODE_FIELDS``) of one node."""
    columns, values = [], []
    for name, value in fields.items():
        if name not in NODE_FIELDS:
            raise KeyError(name)
        if name == "flags":
            columns.append("flags_json = ?")
            values.append(json.dumps(list(value), ensure_ascii=False))
        else:
            columns.append(f"{name} = ?")
            values.append(value)
    if not columns:
        return
    columns.append("updated_at = ?")
    values.append(now())
    conn.execute(f"UPDATE map_nodes SET {', '.join(columns)} WHERE id = ?", (*values, node_id))


def set_node_deleted(conn: sqlite3.Connection, node_id: int, deleted: bool) -> None:
    conn.execute(
        "UPDATE map_nodes SET deleted = ?, updated_at = ? WHERE id = ?",
        (int(deleted), now(), node_id),
    )


def list_nodes(
    conn: sqlite3.Connection, district_id: str, *, include_deleted: bool = False
) -> list[MapNode]:
    sql = "SELECT * FROM map_nodes WHERE district_id = ?"
    if not include_deleted:
        sql += " AND deleted = 0"
    return [_node(r) for r in conn.execute(sql + " ORDER BY id", (district_id,))]


def node_labels(conn: sqlite3.Connection, district_id: str) -> list[str]:
    """Labels of every node ever placed in the district (for suggesting a free pseudonym)."""
    rows = conn.execute(
        "SELECT label FROM map_nodes WHERE district_id = ? AND deleted = 0", (district_id,)
    )
    return [r["label"] for r in rows]


def count_places_of_kind(conn: sqlite3.Connection, district_id: str, kind: str) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM map_nodes WHERE district_id = ? AND node_type = 'place' AND kind = ?",
        (district_id, kind),
    ).fetchone()[0]


# --- links ------------------------------------------------------------------------------------
def insert_link(
    conn: sqlite3.Connection,
    *,
    district_id: str,
    source_id: int,
    target_id: int,
    kind: str,
    strength: str,
) -> MapLink:
    cur = conn.execute(
        "INSERT INTO map_links (district_id, source_id, target_id, kind, strength, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (district_id, source_id, target_id, kind, strength, now()),
    )
    return get_link(conn, cur.lastrowid)


def get_link(conn: sqlite3.Connection, link_id: int) -> MapLink | None:
    row = conn.execute("SELECT * FROM map_links WHERE id = ?", (link_id,)).fetchone()
    return None if row is None else _link(row)


def find_active_link(
    conn: sqlite3.Connection, source_id: int, target_id: int, kind: str, *, exclude_id: int = 0
) -> MapLink | None:
    row = conn.execute(
        "SELECT * FROM map_links WHERE source_id = ? AND target_id = ? AND kind = ?"
        " AND deleted = 0 AND id <> ?",
        (source_id, target_id, kind, exclude_id),
    ).fetchone()
    return None if row is None else _link(row)


def update_link(conn: sqlite3.Connection, link_id: int, *, kind: str, strength: str) -> None:
    conn.execute(
        "UPDATE map_links SET kind = ?, strength = ? WHERE id = ?", (kind, strength, link_id)
    )


def set_link_deleted(conn: sqlite3.Connection, link_id: int, deleted: bool) -> None:
    conn.execute("UPDATE map_links SET deleted = ? WHERE id = ?", (int(deleted), link_id))


def active_links_of_node(conn: sqlite3.Connection, node_id: int) -> list[MapLink]:
    rows = conn.execute(
        "SELECT * FROM map_links WHERE deleted = 0 AND (source_id = ? OR target_id = ?) ORDER BY id",
        (node_id, node_id),
    )
    return [_link(r) for r in rows]


def list_links(
    conn: sqlite3.Connection, district_id: str, *, include_deleted: bool = False
) -> list[MapLink]:
    sql = "SELECT * FROM map_links WHERE district_id = ?"
    if not include_deleted:
        sql += " AND deleted = 0"
    return [_link(r) for r in conn.execute(sql + " ORDER BY id", (district_id,))]


# --- snapshots --------------------------------------------------------------------------------
def insert_snapshot(
    conn: sqlite3.Connection, district_id: str, meeting_id: int | None, snapshot_json: str
) -> MapSnapshot:
    cur = conn.execute(
        "INSERT INTO map_snapshots (district_id, meeting_id, taken_at, snapshot_json)"
        " VALUES (?, ?, ?, ?)",
        (district_id, meeting_id, now(), snapshot_json),
    )
    row = conn.execute("SELECT * FROM map_snapshots WHERE id = ?", (cur.lastrowid,)).fetchone()
    return MapSnapshot(**dict(row))


def snapshot_of_meeting(conn: sqlite3.Connection, meeting_id: int) -> MapSnapshot | None:
    row = conn.execute(
        "SELECT * FROM map_snapshots WHERE meeting_id = ? ORDER BY id LIMIT 1", (meeting_id,)
    ).fetchone()
    return None if row is None else MapSnapshot(**dict(row))


def list_snapshots(conn: sqlite3.Connection, district_id: str) -> list[MapSnapshot]:
    rows = conn.execute(
        "SELECT * FROM map_snapshots WHERE district_id = ? ORDER BY id", (district_id,)
    )
    return [MapSnapshot(**dict(r)) for r in rows]


# --- undo -------------------------------------------------------------------------------------
def push_undo(
    conn: sqlite3.Connection, district_id: str, description: str, undo: dict, *, keep: int = 200
) -> None:
    conn.execute(
        "INSERT INTO map_undo (district_id, description, undo_json, created_at) VALUES (?, ?, ?, ?)",
        (district_id, description, json.dumps(undo, ensure_ascii=False), now()),
    )
    conn.execute(
        "DELETE FROM map_undo WHERE district_id = ? AND id NOT IN"
        " (SELECT id FROM map_undo WHERE district_id = ? ORDER BY id DESC LIMIT ?)",
        (district_id, district_id, keep),
    )


def last_undo(conn: sqlite3.Connection, district_id: str) -> UndoEntry | None:
    row = conn.execute(
        "SELECT * FROM map_undo WHERE district_id = ? ORDER BY id DESC LIMIT 1", (district_id,)
    ).fetchone()
    if row is None:
        return None
    d = dict(row)
    try:
        d["undo"] = json.loads(d.pop("undo_json"))
    except ValueError:
        d["undo"] = {}
    return UndoEntry(**d)


def delete_undo(conn: sqlite3.Connection, undo_id: int) -> None:
    conn.execute("DELETE FROM map_undo WHERE id = ?", (undo_id,))


def clear_undo(conn: sqlite3.Connection, district_id: str) -> None:
    conn.execute("DELETE FROM map_undo WHERE district_id = ?", (district_id,))


# --- background image -------------------------------------------------------------------------
def put_background(
    conn: sqlite3.Connection, district_id: str, mime: str, image: bytes, width: int, height: int
) -> None:
    conn.execute(
        "INSERT INTO map_backgrounds (district_id, mime, image, width, height, uploaded_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(district_id) DO UPDATE SET mime = excluded.mime,"
        " image = excluded.image, width = excluded.width, height = excluded.height,"
        " uploaded_at = excluded.uploaded_at",
        (district_id, mime, sqlite3.Binary(image), width, height, now()),
    )


def get_background(conn: sqlite3.Connection, district_id: str) -> MapBackground | None:
    row = conn.execute(
        "SELECT * FROM map_backgrounds WHERE district_id = ?", (district_id,)
    ).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["image"] = bytes(d["image"])
    return MapBackground(**d)


def background_stamp(conn: sqlite3.Connection, district_id: str) -> str | None:
    """When the background was uploaded (cheap check whether it changed)."""
    row = conn.execute(
        "SELECT uploaded_at FROM map_backgrounds WHERE district_id = ?", (district_id,)
    ).fetchone()
    return None if row is None else row["uploaded_at"]


def delete_background(conn: sqlite3.Connection, district_id: str) -> None:
    conn.execute("DELETE FROM map_backgrounds WHERE district_id = ?", (district_id,))
