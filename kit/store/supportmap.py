"""SQL for the mutual-aid map (支え合いマップ): sealed rows, baselines, undo, image, counts, key.

Every personal field is one opaque ``sealed`` blob here (AES-GCM, made and opened by
:mod:`kit.supportmap.vault`); this module never sees a name, a note or a position, only
ids, the node type, timestamps and the counts that may leave the district. Deleting a
node removes its row, its lines, its undo steps and its content in every baseline
(``forget_node``); the connection's ``secure_delete`` zeroes the freed bytes.

The old plain tables (``map_nodes``, ``map_links``, ``map_snapshots``, ``map_undo``,
``map_backgrounds``) are read here only to move their rows into the sealed tables once
the district sets its passphrase (:mod:`kit.supportmap.migrate`), then dropped.
Callers group writes with :func:`kit.store.transaction`; these functions do not commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kit.store import now, transaction


# --- what the model works with, once opened -------------------------------------------------------
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
class MapBackground:
    district_id: str
    mime: str
    image: bytes
    width: int
    height: int
    uploaded_at: str


# --- what is stored ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Keyring:
    """How the map key is derived (scrypt parameters, salt) and the check value it must open."""

    kdf: str
    salt: bytes
    n: int
    r: int
    p: int
    check_value: bytes
    generation: int
    created_at: str
    changed_at: str


@dataclass(frozen=True)
class SealedItem:
    id: int
    district_id: str
    node_type: str
    sealed: bytes
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class SealedLine:
    id: int
    district_id: str
    source_id: int
    target_id: int
    sealed: bytes
    created_at: str


@dataclass(frozen=True)
class Baseline:
    """The map at the start of a meeting: a header (with the plain counts) and sealed rows."""

    id: int
    district_id: str
    meeting_id: int | None
    taken_at: str
    counts_json: str | None


@dataclass(frozen=True)
class BaselineItem:
    node_id: int
    node_type: str
    sealed: bytes | None  # None: the person was deleted for good (only "someone" remains)


@dataclass(frozen=True)
class BaselineLine:
    link_id: int
    source_id: int
    target_id: int
    sealed: bytes


@dataclass(frozen=True)
class HistoryEntry:
    """One undo step (sealed: what to do and its description); ``refs`` lists node ids."""

    id: int
    district_id: str
    refs: str
    sealed: bytes
    created_at: str


@dataclass(frozen=True)
class SealedImage:
    district_id: str
    sealed: bytes
    uploaded_at: str


def _blob(value) -> bytes:
    return bytes(value) if value is not None else b""


def _item(row: sqlite3.Row) -> SealedItem:
    d = dict(row)
    d["sealed"] = _blob(d["sealed"])
    return SealedItem(**d)


def _line(row: sqlite3.Row) -> SealedLine:
    d = dict(row)
    d["sealed"] = _blob(d["sealed"])
    return SealedLine(**d)


# --- key ----------------------------------------------------------------------------------------
def get_keyring(conn: sqlite3.Connection) -> Keyring | None:
    row = conn.execute(
        "SELECT kdf, salt, n, r, p, check_value, generation, created_at, changed_at"
        " FROM map_keyring WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["salt"], d["check_value"] = _blob(d["salt"]), _blob(d["check_value"])
    return Keyring(**d)


def keyring_generation(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT generation FROM map_keyring WHERE id = 1").fetchone()
    return None if row is None else int(row[0])


def insert_keyring(
    conn: sqlite3.Connection, *, kdf: str, salt: bytes, n: int, r: int, p: int, check_value: bytes
) -> None:
    """The first passphrase of this database (raises ``sqlite3.IntegrityError`` if one exists)."""
    stamp = now()
    conn.execute(
        "INSERT INTO map_keyring (id, kdf, salt, n, r, p, check_value, generation, created_at,"
        " changed_at) VALUES (1, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        (kdf, sqlite3.Binary(salt), n, r, p, sqlite3.Binary(check_value), stamp, stamp),
    )


def replace_keyring(
    conn: sqlite3.Connection, *, kdf: str, salt: bytes, n: int, r: int, p: int, check_value: bytes
) -> int:
    """A new passphrase: new salt and check value, the generation moves on (returned)."""
    conn.execute(
        "UPDATE map_keyring SET kdf = ?, salt = ?, n = ?, r = ?, p = ?, check_value = ?,"
        " generation = generation + 1, changed_at = ? WHERE id = 1",
        (kdf, sqlite3.Binary(salt), n, r, p, sqlite3.Binary(check_value), now()),
    )
    return keyring_generation(conn) or 0


def delete_keyring(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM map_keyring")


# --- nodes (人・世帯, 場所・資源) ------------------------------------------------------------------
def insert_item(
    conn: sqlite3.Connection,
    *,
    district_id: str,
    node_type: str,
    seal: Callable[[int], bytes],
    item_id: int | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
) -> SealedItem:
    """Insert a node; ``seal(id)`` makes its sealed content (bound to the new id)."""
    stamp = now()
    cur = conn.execute(
        "INSERT INTO map_items (id, district_id, node_type, sealed, created_at, updated_at)"
        " VALUES (?, ?, ?, x'', ?, ?)",
        (item_id, district_id, node_type, created_at or stamp, updated_at or stamp),
    )
    new_id = int(cur.lastrowid)
    conn.execute(
        "UPDATE map_items SET sealed = ? WHERE id = ?", (sqlite3.Binary(seal(new_id)), new_id)
    )
    return get_item(conn, new_id)  # type: ignore[return-value]


def get_item(conn: sqlite3.Connection, item_id: int) -> SealedItem | None:
    row = conn.execute("SELECT * FROM map_items WHERE id = ?", (item_id,)).fetchone()
    return None if row is None else _item(row)


def list_items(conn: sqlite3.Connection, district_id: str) -> list[SealedItem]:
    rows = conn.execute("SELECT * FROM map_items WHERE district_id = ? ORDER BY id", (district_id,))
    return [_item(r) for r in rows]


def count_items(conn: sqlite3.Connection, district_id: str) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM map_items WHERE district_id = ?", (district_id,)
    ).fetchone()[0]


def update_item(conn: sqlite3.Connection, item_id: int, sealed: bytes) -> None:
    conn.execute(
        "UPDATE map_items SET sealed = ?, updated_at = ? WHERE id = ?",
        (sqlite3.Binary(sealed), now(), item_id),
    )


def forget_node(conn: sqlite3.Connection, node_id: int) -> None:
    """Delete a node for good: its row, its lines, its undo steps, and its content and lines
    in every baseline (the baseline keeps only that *someone* was there, for the counts)."""
    conn.execute("DELETE FROM map_lines WHERE source_id = ? OR target_id = ?", (node_id, node_id))
    conn.execute("DELETE FROM map_items WHERE id = ?", (node_id,))
    conn.execute("UPDATE map_baseline_items SET sealed = NULL WHERE node_id = ?", (node_id,))
    conn.execute(
        "DELETE FROM map_baseline_lines WHERE source_id = ? OR target_id = ?", (node_id, node_id)
    )
    conn.execute("DELETE FROM map_history WHERE refs LIKE ?", (f"%,{int(node_id)},%",))


def items_not_updated_since(conn: sqlite3.Connection, stamp: str) -> list[SealedItem]:
    rows = conn.execute("SELECT * FROM map_items WHERE updated_at < ? ORDER BY id", (stamp,))
    return [_item(r) for r in rows]


# --- lines --------------------------------------------------------------------------------------
def insert_line(
    conn: sqlite3.Connection,
    *,
    district_id: str,
    source_id: int,
    target_id: int,
    seal: Callable[[int], bytes],
    line_id: int | None = None,
    created_at: str | None = None,
) -> SealedLine:
    cur = conn.execute(
        "INSERT INTO map_lines (id, district_id, source_id, target_id, sealed, created_at)"
        " VALUES (?, ?, ?, ?, x'', ?)",
        (line_id, district_id, source_id, target_id, created_at or now()),
    )
    new_id = int(cur.lastrowid)
    conn.execute(
        "UPDATE map_lines SET sealed = ? WHERE id = ?", (sqlite3.Binary(seal(new_id)), new_id)
    )
    return get_line(conn, new_id)  # type: ignore[return-value]


def get_line(conn: sqlite3.Connection, line_id: int) -> SealedLine | None:
    row = conn.execute("SELECT * FROM map_lines WHERE id = ?", (line_id,)).fetchone()
    return None if row is None else _line(row)


def list_lines(conn: sqlite3.Connection, district_id: str) -> list[SealedLine]:
    rows = conn.execute("SELECT * FROM map_lines WHERE district_id = ? ORDER BY id", (district_id,))
    return [_line(r) for r in rows]


def lines_of_node(conn: sqlite3.Connection, node_id: int) -> list[SealedLine]:
    rows = conn.execute(
        "SELECT * FROM map_lines WHERE source_id = ? OR target_id = ? ORDER BY id",
        (node_id, node_id),
    )
    return [_line(r) for r in rows]


def lines_between(conn: sqlite3.Connection, source_id: int, target_id: int) -> list[SealedLine]:
    rows = conn.execute(
        "SELECT * FROM map_lines WHERE source_id = ? AND target_id = ? ORDER BY id",
        (source_id, target_id),
    )
    return [_line(r) for r in rows]


def update_line(conn: sqlite3.Connection, line_id: int, sealed: bytes) -> None:
    conn.execute("UPDATE map_lines SET sealed = ? WHERE id = ?", (sqlite3.Binary(sealed), line_id))


def delete_line(conn: sqlite3.Connection, line_id: int) -> None:
    conn.execute("DELETE FROM map_lines WHERE id = ?", (line_id,))


# --- baselines (the map at the start of a meeting) -----------------------------------------------
def _baseline(row: sqlite3.Row) -> Baseline:
    return Baseline(**dict(row))


def take_baseline(conn: sqlite3.Connection, district_id: str, meeting_id: int | None) -> Baseline:
    """Copy the district's sealed map as it stands (no key needed: the blobs are copied as
    they are), with the plain counts of that moment; the undo list starts afresh."""
    counts = get_counts(conn, district_id, 0)
    cur = conn.execute(
        "INSERT INTO map_baselines (district_id, meeting_id, taken_at, counts_json)"
        " VALUES (?, ?, ?, ?)",
        (district_id, meeting_id, now(), counts),
    )
    baseline_id = int(cur.lastrowid)
    conn.execute(
        "INSERT INTO map_baseline_items (baseline_id, node_id, node_type, sealed)"
        " SELECT ?, id, node_type, sealed FROM map_items WHERE district_id = ?",
        (baseline_id, district_id),
    )
    conn.execute(
        "INSERT INTO map_baseline_lines (baseline_id, link_id, source_id, target_id, sealed)"
        " SELECT ?, id, source_id, target_id, sealed FROM map_lines WHERE district_id = ?",
        (baseline_id, district_id),
    )
    clear_history(conn, district_id)
    return get_baseline(conn, baseline_id)  # type: ignore[return-value]


def ensure_baseline(conn: sqlite3.Connection, district_id: str, meeting_id: int) -> Baseline | None:
    """The meeting's baseline, taken now if it has none (inside the caller's transaction).

    While an old database still holds its map in plain text there is nothing sealed to copy:
    the baseline is then taken when that map moves (the first passphrase, same map).
    """
    existing = baseline_of_meeting(conn, meeting_id)
    if existing is not None:
        return existing
    if legacy_has_rows(conn):
        return None
    return take_baseline(conn, district_id, meeting_id)


def insert_baseline_header(
    conn: sqlite3.Connection,
    district_id: str,
    meeting_id: int | None,
    taken_at: str,
    counts_json: str | None,
) -> int:
    """An empty baseline to be filled row by row (moving an old plain snapshot)."""
    cur = conn.execute(
        "INSERT INTO map_baselines (district_id, meeting_id, taken_at, counts_json)"
        " VALUES (?, ?, ?, ?)",
        (district_id, meeting_id, taken_at, counts_json),
    )
    return int(cur.lastrowid)


def insert_baseline_item(
    conn: sqlite3.Connection, baseline_id: int, node_id: int, node_type: str, sealed: bytes | None
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO map_baseline_items (baseline_id, node_id, node_type, sealed)"
        " VALUES (?, ?, ?, ?)",
        (baseline_id, node_id, node_type, None if sealed is None else sqlite3.Binary(sealed)),
    )


def insert_baseline_line(
    conn: sqlite3.Connection,
    baseline_id: int,
    link_id: int,
    source_id: int,
    target_id: int,
    sealed: bytes,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO map_baseline_lines (baseline_id, link_id, source_id, target_id,"
        " sealed) VALUES (?, ?, ?, ?, ?)",
        (baseline_id, link_id, source_id, target_id, sqlite3.Binary(sealed)),
    )


def get_baseline(conn: sqlite3.Connection, baseline_id: int) -> Baseline | None:
    row = conn.execute("SELECT * FROM map_baselines WHERE id = ?", (baseline_id,)).fetchone()
    return None if row is None else _baseline(row)


def baseline_of_meeting(conn: sqlite3.Connection, meeting_id: int) -> Baseline | None:
    row = conn.execute(
        "SELECT * FROM map_baselines WHERE meeting_id = ? ORDER BY id LIMIT 1", (meeting_id,)
    ).fetchone()
    return None if row is None else _baseline(row)


def list_baselines(conn: sqlite3.Connection, district_id: str) -> list[Baseline]:
    rows = conn.execute(
        "SELECT * FROM map_baselines WHERE district_id = ? ORDER BY id", (district_id,)
    )
    return [_baseline(r) for r in rows]


def baseline_items(conn: sqlite3.Connection, baseline_id: int) -> list[BaselineItem]:
    rows = conn.execute(
        "SELECT node_id, node_type, sealed FROM map_baseline_items WHERE baseline_id = ?"
        " ORDER BY node_id",
        (baseline_id,),
    )
    return [
        BaselineItem(
            r["node_id"], r["node_type"], None if r["sealed"] is None else bytes(r["sealed"])
        )
        for r in rows
    ]


def baseline_lines(conn: sqlite3.Connection, baseline_id: int) -> list[BaselineLine]:
    rows = conn.execute(
        "SELECT link_id, source_id, target_id, sealed FROM map_baseline_lines"
        " WHERE baseline_id = ? ORDER BY link_id",
        (baseline_id,),
    )
    return [
        BaselineLine(r["link_id"], r["source_id"], r["target_id"], bytes(r["sealed"])) for r in rows
    ]


def clear_baseline_contents(conn: sqlite3.Connection, baseline_id: int) -> None:
    """Remove a baseline's rows (what it showed), keeping its header and counts."""
    conn.execute("DELETE FROM map_baseline_items WHERE baseline_id = ?", (baseline_id,))
    conn.execute("DELETE FROM map_baseline_lines WHERE baseline_id = ?", (baseline_id,))


def baselines_taken_before(conn: sqlite3.Connection, stamp: str) -> list[Baseline]:
    """Baselines older than ``stamp`` that still hold rows."""
    rows = conn.execute(
        "SELECT * FROM map_baselines b WHERE taken_at < ? AND (EXISTS (SELECT 1 FROM"
        " map_baseline_items i WHERE i.baseline_id = b.id) OR EXISTS (SELECT 1 FROM"
        " map_baseline_lines l WHERE l.baseline_id = b.id)) ORDER BY id",
        (stamp,),
    )
    return [_baseline(r) for r in rows]


# --- undo (元に戻す) ---------------------------------------------------------------------------
def push_history(
    conn: sqlite3.Connection,
    district_id: str,
    node_ids: list[int],
    sealed: bytes,
    *,
    keep: int = 200,
) -> None:
    refs = "," + "".join(f"{int(i)}," for i in sorted(set(node_ids)))
    conn.execute(
        "INSERT INTO map_history (district_id, refs, sealed, created_at) VALUES (?, ?, ?, ?)",
        (district_id, refs, sqlite3.Binary(sealed), now()),
    )
    conn.execute(
        "DELETE FROM map_history WHERE district_id = ? AND id NOT IN"
        " (SELECT id FROM map_history WHERE district_id = ? ORDER BY id DESC LIMIT ?)",
        (district_id, district_id, keep),
    )


def last_history(conn: sqlite3.Connection, district_id: str) -> HistoryEntry | None:
    row = conn.execute(
        "SELECT * FROM map_history WHERE district_id = ? ORDER BY id DESC LIMIT 1", (district_id,)
    ).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["sealed"] = _blob(d["sealed"])
    return HistoryEntry(**d)


def delete_history(conn: sqlite3.Connection, entry_id: int) -> None:
    conn.execute("DELETE FROM map_history WHERE id = ?", (entry_id,))


def clear_history(conn: sqlite3.Connection, district_id: str) -> None:
    conn.execute("DELETE FROM map_history WHERE district_id = ?", (district_id,))


def count_history_before(conn: sqlite3.Connection, stamp: str) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM map_history WHERE created_at < ?", (stamp,)
    ).fetchone()[0]


def delete_history_before(conn: sqlite3.Connection, stamp: str) -> int:
    return conn.execute("DELETE FROM map_history WHERE created_at < ?", (stamp,)).rowcount


# --- background image (下絵) ------------------------------------------------------------------------
def put_image(conn: sqlite3.Connection, district_id: str, sealed: bytes) -> None:
    conn.execute(
        "INSERT INTO map_images (district_id, sealed, uploaded_at) VALUES (?, ?, ?)"
        " ON CONFLICT(district_id) DO UPDATE SET sealed = excluded.sealed,"
        " uploaded_at = excluded.uploaded_at",
        (district_id, sqlite3.Binary(sealed), now()),
    )


def get_image(conn: sqlite3.Connection, district_id: str) -> SealedImage | None:
    row = conn.execute("SELECT * FROM map_images WHERE district_id = ?", (district_id,)).fetchone()
    if row is None:
        return None
    return SealedImage(row["district_id"], bytes(row["sealed"]), row["uploaded_at"])


def image_stamp(conn: sqlite3.Connection, district_id: str) -> str | None:
    """When the background was uploaded (cheap check whether it changed)."""
    row = conn.execute(
        "SELECT uploaded_at FROM map_images WHERE district_id = ?", (district_id,)
    ).fetchone()
    return None if row is None else row["uploaded_at"]


def delete_image(conn: sqlite3.Connection, district_id: str) -> None:
    conn.execute("DELETE FROM map_images WHERE district_id = ?", (district_id,))


def images_uploaded_before(conn: sqlite3.Connection, stamp: str) -> list[str]:
    rows = conn.execute("SELECT district_id FROM map_images WHERE uploaded_at < ?", (stamp,))
    return [r["district_id"] for r in rows]


# --- every sealed blob (changing the passphrase re-seals them all) --------------------------------
SEALED_TABLES = {
    "map_items": ("id",),
    "map_lines": ("id",),
    "map_baseline_items": ("baseline_id", "node_id"),
    "map_baseline_lines": ("baseline_id", "link_id"),
    "map_history": ("id",),
    "map_images": ("district_id",),
}


def all_sealed(conn: sqlite3.Connection) -> list[tuple[str, dict, bytes]]:
    """(table, row fields needed to check it, sealed) for every sealed blob in the database."""
    found: list[tuple[str, dict, bytes]] = []
    for row in conn.execute("SELECT id, district_id, node_type, sealed FROM map_items"):
        found.append(("map_items", dict(row), bytes(row["sealed"])))
    for row in conn.execute("SELECT id, district_id, source_id, target_id, sealed FROM map_lines"):
        found.append(("map_lines", dict(row), bytes(row["sealed"])))
    for row in conn.execute(
        "SELECT i.baseline_id, i.node_id, i.node_type, i.sealed, b.district_id FROM"
        " map_baseline_items i JOIN map_baselines b ON b.id = i.baseline_id"
        " WHERE i.sealed IS NOT NULL"
    ):
        found.append(("map_baseline_items", dict(row), bytes(row["sealed"])))
    for row in conn.execute(
        "SELECT l.baseline_id, l.link_id, l.source_id, l.target_id, l.sealed, b.district_id FROM"
        " map_baseline_lines l JOIN map_baselines b ON b.id = l.baseline_id"
    ):
        found.append(("map_baseline_lines", dict(row), bytes(row["sealed"])))
    for row in conn.execute("SELECT id, district_id, sealed FROM map_history"):
        found.append(("map_history", dict(row), bytes(row["sealed"])))
    for row in conn.execute("SELECT district_id, sealed FROM map_images"):
        found.append(("map_images", dict(row), bytes(row["sealed"])))
    return found


def reseal(conn: sqlite3.Connection, table: str, fields: dict, sealed: bytes) -> None:
    """Replace one blob found by :func:`all_sealed` (same row, new key)."""
    keys = SEALED_TABLES[table]
    where = " AND ".join(f"{k} = ?" for k in keys)
    conn.execute(
        f"UPDATE {table} SET sealed = ? WHERE {where}",
        (sqlite3.Binary(sealed), *(fields[k] for k in keys)),
    )


# --- counts (plain, by category: what the office may see) ----------------------------------------
def put_counts(
    conn: sqlite3.Connection, district_id: str, meeting_id: int, counts_json: str
) -> None:
    """Store a count set: ``meeting_id`` 0 is the district's map now, else one meeting's."""
    conn.execute(
        "INSERT INTO map_count_sets (district_id, meeting_id, counts_json, computed_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT(district_id, meeting_id) DO UPDATE SET"
        " counts_json = excluded.counts_json, computed_at = excluded.computed_at",
        (district_id, meeting_id, counts_json, now()),
    )


def get_counts(conn: sqlite3.Connection, district_id: str, meeting_id: int) -> str | None:
    row = conn.execute(
        "SELECT counts_json FROM map_count_sets WHERE district_id = ? AND meeting_id = ?",
        (district_id, meeting_id),
    ).fetchone()
    return None if row is None else row["counts_json"]


def counted_districts(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT DISTINCT district_id FROM map_count_sets ORDER BY district_id")
    return [r["district_id"] for r in rows]


# --- whole maps -----------------------------------------------------------------------------------
def map_district_ids(conn: sqlite3.Connection) -> list[str]:
    """Districts that have anything on their map (rows, baselines with rows, undo, image)."""
    rows = conn.execute(
        "SELECT district_id FROM map_items UNION SELECT district_id FROM map_images"
        " UNION SELECT district_id FROM map_history UNION SELECT b.district_id FROM"
        " map_baselines b JOIN map_baseline_items i ON i.baseline_id = b.id ORDER BY 1"
    )
    return [r[0] for r in rows]


def purge_district(conn: sqlite3.Connection, district_id: str) -> None:
    """Every personal row of one district's map, gone (count sets and baseline headers stay)."""
    conn.execute("DELETE FROM map_lines WHERE district_id = ?", (district_id,))
    conn.execute("DELETE FROM map_items WHERE district_id = ?", (district_id,))
    conn.execute("DELETE FROM map_history WHERE district_id = ?", (district_id,))
    conn.execute("DELETE FROM map_images WHERE district_id = ?", (district_id,))
    for baseline in list_baselines(conn, district_id):
        clear_baseline_contents(conn, baseline.id)


def backup_to(conn: sqlite3.Connection, path: str | Path) -> None:
    """A compact copy of the whole database (the map stays sealed in it): ``VACUUM INTO``."""
    conn.execute("VACUUM INTO ?", (str(path),))


# --- the old plain tables (before issue 13) -------------------------------------------------------
LEGACY_TABLES = ("map_undo", "map_snapshots", "map_backgrounds", "map_links", "map_nodes")


def legacy_tables(conn: sqlite3.Connection) -> list[str]:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in LEGACY_TABLES if t in names]


def legacy_has_rows(conn: sqlite3.Connection) -> bool:
    """True while an old database still holds its map in plain text (not yet moved)."""
    return any(
        conn.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
        for t in legacy_tables(conn)
        if t != "map_undo"
    )


def _legacy_flags(text: str) -> tuple[str, ...]:
    try:
        flags = json.loads(text)
    except (TypeError, ValueError):
        return ()
    return tuple(str(f) for f in flags) if isinstance(flags, list) else ()


def legacy_nodes(conn: sqlite3.Connection) -> list[MapNode]:
    """Every row of the old ``map_nodes`` (deleted ones too: ``deleted`` says which)."""
    if "map_nodes" not in legacy_tables(conn):
        return []
    nodes = []
    for row in conn.execute("SELECT * FROM map_nodes ORDER BY id"):
        d = dict(row)
        d["flags"] = _legacy_flags(d.pop("flags_json"))
        d["deleted"] = bool(d["deleted"])
        nodes.append(MapNode(**d))
    return nodes


def legacy_links(conn: sqlite3.Connection) -> list[MapLink]:
    if "map_links" not in legacy_tables(conn):
        return []
    links = []
    for row in conn.execute("SELECT * FROM map_links ORDER BY id"):
        d = dict(row)
        d["deleted"] = bool(d["deleted"])
        links.append(MapLink(**d))
    return links


def legacy_snapshots(conn: sqlite3.Connection) -> list[tuple[str, int | None, str, str]]:
    """(district_id, meeting_id, taken_at, snapshot_json) of every old snapshot, oldest first."""
    if "map_snapshots" not in legacy_tables(conn):
        return []
    rows = conn.execute(
        "SELECT district_id, meeting_id, taken_at, snapshot_json FROM map_snapshots ORDER BY id"
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def legacy_backgrounds(conn: sqlite3.Connection) -> list[MapBackground]:
    if "map_backgrounds" not in legacy_tables(conn):
        return []
    rows = conn.execute("SELECT * FROM map_backgrounds ORDER BY district_id")
    return [MapBackground(**{**dict(r), "image": bytes(r["image"])}) for r in rows]


def drop_legacy_tables(conn: sqlite3.Connection) -> None:
    for table in legacy_tables(conn):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def drop_empty_legacy_tables(conn: sqlite3.Connection) -> None:
    """A database with no old plain map rows loses the old tables at once (one write, once)."""
    if not legacy_tables(conn):
        return
    with transaction(conn):
        if legacy_tables(conn) and not legacy_has_rows(conn):
            drop_legacy_tables(conn)
