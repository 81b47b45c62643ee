"""The mutual-aid map (支え合いマップ) of a district: persons, places, links — checked and stored.

A person (or household) carries concern flags from a fixed vocabulary (一人暮らし, 見守りが必要,
…) and a pseudonym (「Aさん」 or initials) by default; a place is a resource such as a サロン
or 子ども食堂; a link runs from the helper to the helped (訪問, 見守り, …). Every edit is
validated first, written in one transaction together with its undo record, and committed at
once, so a reload or a restarted server loses nothing.

    person = add_person(conn, "d01", 40, 30, flags=["alone", "needs_watch"])
    helper = add_person(conn, "d01", 45, 32)
    add_link(conn, helper.id, person.id, kind="watch")
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from dataclasses import asdict, dataclass
from typing import Any

from kit import messages as msg
from kit.errors import NotFoundError, ValidationError
from kit.ids import checked_ids
from kit.store import meetings as meeting_store
from kit.store import savepoint, transaction
from kit.store import supportmap as store
from kit.store.supportmap import MapBackground, MapLink, MapNode, MapSnapshot
from kit.text import clean_text

__all__ = [
    "MapBackground",
    "MapData",
    "MapLink",
    "MapNode",
    "MapSnapshot",
]

# --- the map's coordinate system: x 0–160 (left → right), y 0–100 (bottom → top) -------------
MAP_WIDTH = 160.0
MAP_HEIGHT = 100.0
MAP_GRID = 10.0  # one square of the drawn grid (ます目)

LABEL_MAX_CHARS = 20
NOTE_MAX_CHARS = 300
AREA_MAX_CHARS = 20
OPENING_MAX_CHARS = 40
BACKGROUND_MAX_BYTES = 10 * 1024 * 1024
UNDO_KEEP = 200


@dataclass(frozen=True)
class Term:
    """One entry of a fixed vocabulary: a stable ``id`` (stored) and its Japanese ``label``."""

    id: str
    label: str


# 気にかかること (concern flags) and roles of the people who help (支える側).
CONCERN_FLAG_IDS = (
    "alone",
    "elderly_only",
    "needs_watch",
    "dementia",
    "disability",
    "hikikomori",
    "single_parent",
    "care_needed",
    "outing_hard",
)
ROLE_FLAG_IDS = ("sewayaki", "minsei", "shop_staff")
FLAGS: tuple[Term, ...] = tuple(
    Term(i, msg.MAP_FLAG_LABELS[i]) for i in CONCERN_FLAG_IDS + ROLE_FLAG_IDS
)
PLACE_KINDS: tuple[Term, ...] = tuple(Term(k, v) for k, v in msg.MAP_PLACE_KIND_LABELS.items())
LINK_KINDS: tuple[Term, ...] = tuple(Term(k, v) for k, v in msg.MAP_LINK_KIND_LABELS.items())
# Links that are help given by one person to another (counted for key persons).
SUPPORT_LINK_KINDS = frozenset({"visit", "watch", "errands", "chat", "emergency", "escort"})
WATCH_LINK_KIND = "watch"
NEEDS_WATCH_FLAG = "needs_watch"
STRENGTHS: tuple[Term, ...] = tuple(Term(k, v) for k, v in msg.MAP_STRENGTH_LABELS.items())

FLAG_LABELS = {t.id: t.label for t in FLAGS}
PLACE_KIND_LABELS = {t.id: t.label for t in PLACE_KINDS}
LINK_KIND_LABELS = {t.id: t.label for t in LINK_KINDS}
STRENGTH_LABELS = {t.id: t.label for t in STRENGTHS}


@dataclass(frozen=True)
class MapData:
    """The active nodes and links of a map (or of a snapshot): what analysis and charts read."""

    nodes: tuple[MapNode, ...]
    links: tuple[MapLink, ...]

    @property
    def persons(self) -> tuple[MapNode, ...]:
        return tuple(n for n in self.nodes if n.node_type == "person")

    @property
    def places(self) -> tuple[MapNode, ...]:
        return tuple(n for n in self.nodes if n.node_type == "place")

    def node(self, node_id: int) -> MapNode | None:
        return self._by_id().get(node_id)

    def _by_id(self) -> dict[int, MapNode]:
        cache = self.__dict__.get("_node_index")
        if cache is None:
            cache = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_node_index", cache)
        return cache


# --- reading ------------------------------------------------------------------------------------
def load_map(conn: sqlite3.Connection, district_id: str) -> MapData:
    """The district's map as it stands now (deleted nodes and links left out)."""
    nodes = tuple(store.list_nodes(conn, district_id))
    alive = {n.id for n in nodes}
    links = tuple(
        link
        for link in store.list_links(conn, district_id)
        if link.source_id in alive and link.target_id in alive
    )
    return MapData(nodes, links)


@checked_ids
def get_node(conn: sqlite3.Connection, node_id: int) -> MapNode:
    node = store.get_node(conn, node_id)
    if node is None:
        raise NotFoundError(msg.MAP_NODE_NOT_FOUND)
    return node


@checked_ids
def get_link(conn: sqlite3.Connection, link_id: int) -> MapLink:
    link = store.get_link(conn, link_id)
    if link is None:
        raise NotFoundError(msg.MAP_LINK_NOT_FOUND)
    return link


@checked_ids
def links_of(conn: sqlite3.Connection, node_id: int) -> list[MapLink]:
    """Active links from or to one node."""
    return store.active_links_of_node(conn, node_id)


def flag_label(flag_id: str) -> str:
    return FLAG_LABELS.get(flag_id, flag_id)


def is_concern(flag_id: str) -> bool:
    return flag_id in CONCERN_FLAG_IDS


# --- checking input ---------------------------------------------------------------------------
def _text(value: Any, *, max_chars: int, too_long: str, empty: str | None, multiline=False) -> str:
    if isinstance(value, str) and ("<" in value or ">" in value):
        raise ValidationError(msg.MAP_TEXT_HTML)
    text = clean_text(
        value,
        max_chars=max_chars,
        empty_message=empty,
        too_long_message=too_long,
        control_message=msg.TEXT_CONTROL_CHARS,
        multiline=multiline,
    )
    return text


def check_label(value: Any) -> str:
    return _text(
        value, max_chars=LABEL_MAX_CHARS, too_long=msg.MAP_LABEL_TOO_LONG, empty=msg.MAP_LABEL_EMPTY
    )


def check_note(value: Any) -> str:
    return _text(
        value, max_chars=NOTE_MAX_CHARS, too_long=msg.MAP_NOTE_TOO_LONG, empty=None, multiline=True
    )


def check_area(value: Any) -> str:
    return _text(value, max_chars=AREA_MAX_CHARS, too_long=msg.MAP_AREA_TOO_LONG, empty=None)


def check_opening_days(value: Any) -> str:
    return _text(value, max_chars=OPENING_MAX_CHARS, too_long=msg.MAP_OPENING_TOO_LONG, empty=None)


def check_flags(values: Any) -> tuple[str, ...]:
    """Flags in vocabulary order, without repeats; an unknown flag is refused."""
    if values is None:
        return ()
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValidationError(msg.MAP_FLAG_UNKNOWN)
    chosen = set()
    for value in values:
        if not isinstance(value, str) or value not in FLAG_LABELS:
            raise ValidationError(msg.MAP_FLAG_UNKNOWN)
        chosen.add(value)
    return tuple(t.id for t in FLAGS if t.id in chosen)


def check_place_kind(value: Any) -> str:
    if not isinstance(value, str) or value not in PLACE_KIND_LABELS:
        raise ValidationError(msg.MAP_PLACE_KIND_UNKNOWN)
    return value


def check_link_kind(value: Any) -> str:
    if not isinstance(value, str) or value not in LINK_KIND_LABELS:
        raise ValidationError(msg.MAP_LINK_KIND_UNKNOWN)
    return value


def check_strength(value: Any) -> str:
    if not isinstance(value, str) or value not in STRENGTH_LABELS:
        raise ValidationError(msg.MAP_STRENGTH_UNKNOWN)
    return value


def check_position(x: Any, y: Any) -> tuple[float, float]:
    """A point inside the map (0–MAP_WIDTH, 0–MAP_HEIGHT), rounded to 0.1."""
    values = []
    for value in (x, y):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(msg.MAP_POSITION_INVALID)
        if not math.isfinite(value):
            raise ValidationError(msg.MAP_POSITION_INVALID)
        values.append(round(float(value), 1))
    px, py = values
    if not (0 <= px <= MAP_WIDTH and 0 <= py <= MAP_HEIGHT):
        raise ValidationError(msg.MAP_POSITION_OUTSIDE.format(width=MAP_WIDTH, height=MAP_HEIGHT))
    return px, py


def _district(conn: sqlite3.Connection, district_id: Any) -> str:
    if not isinstance(district_id, str) or not district_id:
        raise ValidationError(msg.MAP_NO_DISTRICT)
    return meeting_store.get_district(conn, district_id).id


# --- default labels (仮名) ------------------------------------------------------------------------
def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (like spreadsheet columns)."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def suggest_label(conn: sqlite3.Connection, district_id: str) -> str:
    """The first pseudonym 「Aさん」「Bさん」… not yet used on the district's map."""
    used = set(store.node_labels(conn, district_id))
    index = 0
    while True:
        label = msg.MAP_PSEUDONYM.format(letters=_letters(index))
        if label not in used:
            return label
        index += 1


def suggest_place_name(conn: sqlite3.Connection, district_id: str, kind: str) -> str:
    number = store.count_places_of_kind(conn, district_id, kind) + 1
    return msg.MAP_PLACE_DEFAULT_NAME.format(kind=PLACE_KIND_LABELS[kind], number=number)


# --- editing ------------------------------------------------------------------------------------
def add_person(
    conn: sqlite3.Connection,
    district_id: str,
    x: float,
    y: float,
    *,
    label: str | None = None,
    flags: Any = (),
    note: str = "",
    area: str = "",
    record_undo: bool = True,
) -> MapNode:
    """Place a person or household (人・世帯) at (x, y); label defaults to 「Aさん」…."""
    district_id = _district(conn, district_id)
    x, y = check_position(x, y)
    flags = check_flags(flags)
    note, area = check_note(note), check_area(area)
    with transaction(conn):
        label = suggest_label(conn, district_id) if label is None else check_label(label)
        return _insert_node(
            conn, district_id, record_undo, node_type="person", label=label, x=x, y=y,
            flags=flags, note=note, area=area,
        )  # fmt: skip


def add_place(
    conn: sqlite3.Connection,
    district_id: str,
    x: float,
    y: float,
    *,
    kind: str = "salon",
    label: str | None = None,
    opening_days: str = "",
    note: str = "",
    area: str = "",
    record_undo: bool = True,
) -> MapNode:
    """Place a place or resource (場所・資源: サロン, 子ども食堂, 商店 …) at (x, y)."""
    district_id = _district(conn, district_id)
    x, y = check_position(x, y)
    kind = check_place_kind(kind)
    opening_days, note, area = check_opening_days(opening_days), check_note(note), check_area(area)
    with transaction(conn):
        label = suggest_place_name(conn, district_id, kind) if label is None else check_label(label)
        return _insert_node(
            conn, district_id, record_undo, node_type="place", label=label, x=x, y=y,
            kind=kind, note=note, opening_days=opening_days, area=area,
        )  # fmt: skip


def _insert_node(
    conn: sqlite3.Connection, district_id: str, record_undo: bool, **fields
) -> MapNode:
    """Insert a checked node (inside the caller's transaction) and record how to undo it."""
    node = store.insert_node(conn, district_id=district_id, **fields)
    if record_undo:
        _push(
            conn,
            district_id,
            msg.MAP_DID_ADD_NODE.format(label=node.label),
            op="delete_node",
            node=node.id,
        )
    return node


_UNCHANGED: Any = object()


@checked_ids
def update_node(
    conn: sqlite3.Connection,
    node_id: int,
    *,
    label: Any = _UNCHANGED,
    flags: Any = _UNCHANGED,
    note: Any = _UNCHANGED,
    area: Any = _UNCHANGED,
    kind: Any = _UNCHANGED,
    opening_days: Any = _UNCHANGED,
    record_undo: bool = True,
) -> MapNode:
    """Change a node's label, flags, note, area (and a place's kind/opening days)."""
    node = _active_node(conn, node_id)
    changes: dict[str, Any] = {}
    if label is not _UNCHANGED:
        changes["label"] = check_label(label)
    if flags is not _UNCHANGED:
        flags = check_flags(flags)
        if flags and node.node_type == "place":
            raise ValidationError(msg.MAP_FLAGS_ON_PLACE)
        changes["flags"] = flags
    if note is not _UNCHANGED:
        changes["note"] = check_note(note)
    if area is not _UNCHANGED:
        changes["area"] = check_area(area)
    if kind is not _UNCHANGED and node.node_type == "place":
        changes["kind"] = check_place_kind(kind)
    if opening_days is not _UNCHANGED and node.node_type == "place":
        changes["opening_days"] = check_opening_days(opening_days)
    changes = {k: v for k, v in changes.items() if getattr(node, k) != v}
    if not changes:
        return node
    before = {k: list(getattr(node, k)) if k == "flags" else getattr(node, k) for k in changes}
    with transaction(conn):
        store.update_node(conn, node.id, **changes)
        if record_undo:
            _push(
                conn,
                node.district_id,
                msg.MAP_DID_EDIT_NODE.format(label=changes.get("label", node.label)),
                op="restore_node",
                node=node.id,
                fields=before,
            )
    return get_node(conn, node.id)


@checked_ids
def move_node(
    conn: sqlite3.Connection, node_id: int, x: float, y: float, *, record_undo: bool = True
) -> MapNode:
    """Move a person or place to (x, y) on the map."""
    node = _active_node(conn, node_id)
    x, y = check_position(x, y)
    with transaction(conn):
        store.update_node(conn, node.id, x=x, y=y)
        if record_undo:
            _push(
                conn,
                node.district_id,
                msg.MAP_DID_MOVE_NODE.format(label=node.label),
                op="restore_node",
                node=node.id,
                fields={"x": node.x, "y": node.y},
            )
    return get_node(conn, node.id)


@checked_ids
def delete_node(conn: sqlite3.Connection, node_id: int, *, record_undo: bool = True) -> MapNode:
    """Remove a person or place and its links from the map (undo brings both back)."""
    node = _active_node(conn, node_id)
    with transaction(conn):
        links = store.active_links_of_node(conn, node.id)
        for link in links:
            store.set_link_deleted(conn, link.id, True)
        store.set_node_deleted(conn, node.id, True)
        if record_undo:
            _push(
                conn,
                node.district_id,
                msg.MAP_DID_DELETE_NODE.format(label=node.label),
                op="undelete_node",
                node=node.id,
                links=[link.id for link in links],
            )
    return node


@checked_ids
def add_link(
    conn: sqlite3.Connection,
    source_id: int,
    target_id: int,
    *,
    kind: str,
    strength: str = "strong",
    record_undo: bool = True,
) -> MapLink:
    """Draw a line from the helper (``source_id``) to the helped (``target_id``)."""
    kind, strength = check_link_kind(kind), check_strength(strength)
    source, target = get_node(conn, source_id), get_node(conn, target_id)
    if source.id == target.id:
        raise ValidationError(msg.MAP_LINK_SELF)
    for node in (source, target):
        if node.deleted:
            raise ValidationError(msg.MAP_NODE_DELETED.format(label=node.label))
    if source.district_id != target.district_id:
        raise ValidationError(msg.MAP_LINK_OTHER_DISTRICT)
    with transaction(conn):
        if store.find_active_link(conn, source.id, target.id, kind):
            raise ValidationError(
                msg.MAP_LINK_DUPLICATE.format(
                    source=source.label, target=target.label, kind=LINK_KIND_LABELS[kind]
                )
            )
        link = store.insert_link(
            conn,
            district_id=source.district_id,
            source_id=source.id,
            target_id=target.id,
            kind=kind,
            strength=strength,
        )
        if record_undo:
            _push(
                conn,
                source.district_id,
                msg.MAP_DID_ADD_LINK.format(
                    source=source.label, target=target.label, kind=LINK_KIND_LABELS[kind]
                ),
                op="delete_link",
                link=link.id,
            )
    return link


@checked_ids
def update_link(
    conn: sqlite3.Connection,
    link_id: int,
    *,
    kind: str | None = None,
    strength: str | None = None,
    record_undo: bool = True,
) -> MapLink:
    """Change a line's kind or strength."""
    link = _active_link(conn, link_id)
    new_kind = link.kind if kind is None else check_link_kind(kind)
    new_strength = link.strength if strength is None else check_strength(strength)
    if (new_kind, new_strength) == (link.kind, link.strength):
        return link
    source, target = get_node(conn, link.source_id), get_node(conn, link.target_id)
    with transaction(conn):
        if new_kind != link.kind and store.find_active_link(
            conn, link.source_id, link.target_id, new_kind, exclude_id=link.id
        ):
            raise ValidationError(
                msg.MAP_LINK_DUPLICATE.format(
                    source=source.label, target=target.label, kind=LINK_KIND_LABELS[new_kind]
                )
            )
        store.update_link(conn, link.id, kind=new_kind, strength=new_strength)
        if record_undo:
            _push(
                conn,
                link.district_id,
                msg.MAP_DID_EDIT_LINK.format(source=source.label, target=target.label),
                op="restore_link",
                link=link.id,
                kind=link.kind,
                strength=link.strength,
            )
    return get_link(conn, link.id)


@checked_ids
def delete_link(conn: sqlite3.Connection, link_id: int, *, record_undo: bool = True) -> MapLink:
    """Remove one line (undo brings it back)."""
    link = _active_link(conn, link_id)
    source, target = get_node(conn, link.source_id), get_node(conn, link.target_id)
    with transaction(conn):
        store.set_link_deleted(conn, link.id, True)
        if record_undo:
            _push(
                conn,
                link.district_id,
                msg.MAP_DID_DELETE_LINK.format(
                    source=source.label,
                    target=target.label,
                    kind=LINK_KIND_LABELS.get(link.kind, ""),
                ),
                op="undelete_link",
                link=link.id,
            )
    return link


def _active_node(conn: sqlite3.Connection, node_id: int) -> MapNode:
    node = get_node(conn, node_id)
    if node.deleted:
        raise NotFoundError(msg.MAP_NODE_NOT_FOUND)
    return node


def _active_link(conn: sqlite3.Connection, link_id: int) -> MapLink:
    link = get_link(conn, link_id)
    if link.deleted:
        raise NotFoundError(msg.MAP_LINK_NOT_FOUND)
    return link


# --- undo (元に戻す) ---------------------------------------------------------------------------------
def _push(conn: sqlite3.Connection, district_id: str, description: str, **undo: Any) -> None:
    store.push_undo(conn, district_id, description, undo, keep=UNDO_KEEP)


def undo_description(conn: sqlite3.Connection, district_id: str) -> str | None:
    """What「元に戻す」would undo next, or None."""
    entry = store.last_undo(conn, district_id)
    return None if entry is None else entry.description


def undo(conn: sqlite3.Connection, district_id: str) -> str:
    """Undo the district's last map edit; return its description.

    An edit that can no longer be undone (its person was removed meanwhile) is dropped from
    the list and reported, so the next 「元に戻す」 goes on with the one before.
    """
    impossible = False
    with transaction(conn):
        entry = store.last_undo(conn, district_id)
        if entry is None:
            raise ValidationError(msg.MAP_NOTHING_TO_UNDO)
        try:
            with savepoint(conn, "map_undo_step"):
                _apply_undo(conn, entry.undo)
        except (ValidationError, NotFoundError, KeyError, TypeError, ValueError):
            impossible = True
        store.delete_undo(conn, entry.id)
    if impossible:
        raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
    return entry.description


def _apply_undo(conn: sqlite3.Connection, undo: dict) -> None:
    """Apply one inverse edit; raise before writing anything if it no longer fits the map."""
    op = undo["op"]
    if op == "delete_node":
        node = _active_node(conn, undo["node"])
        for link in store.active_links_of_node(conn, node.id):
            store.set_link_deleted(conn, link.id, True)
        store.set_node_deleted(conn, node.id, True)
    elif op == "restore_node":
        node = _active_node(conn, undo["node"])
        fields = {k: v for k, v in undo["fields"].items() if k in store.NODE_FIELDS}
        store.update_node(conn, node.id, **fields)
    elif op == "undelete_node":
        node = get_node(conn, undo["node"])
        store.set_node_deleted(conn, node.id, False)
        for link_id in undo.get("links", []):
            try:
                _undelete_link(conn, link_id)
            except (ValidationError, NotFoundError):
                continue  # its other end is gone for good: bring back the rest
    elif op == "delete_link":
        store.set_link_deleted(conn, _active_link(conn, undo["link"]).id, True)
    elif op == "undelete_link":
        _undelete_link(conn, undo["link"])
    elif op == "restore_link":
        link = _active_link(conn, undo["link"])
        if store.find_active_link(
            conn, link.source_id, link.target_id, undo["kind"], exclude_id=link.id
        ):
            raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
        store.update_link(conn, link.id, kind=undo["kind"], strength=undo["strength"])
    else:
        raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)


def _undelete_link(conn: sqlite3.Connection, link_id: int) -> None:
    link = get_link(conn, link_id)
    for node_id in (link.source_id, link.target_id):
        if get_node(conn, node_id).deleted:
            raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
    if store.find_active_link(conn, link.source_id, link.target_id, link.kind, exclude_id=link.id):
        raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
    store.set_link_deleted(conn, link.id, False)


def clear_undo(conn: sqlite3.Connection, district_id: str) -> None:
    with transaction(conn):
        store.clear_undo(conn, district_id)


# --- snapshots (per meeting) --------------------------------------------------------------------
SNAPSHOT_VERSION = 1


def map_to_json(data: MapData) -> str:
    """A snapshot of a map as JSON (kept in the meeting database, never sent to the office)."""
    nodes = []
    for node in data.nodes:
        d = asdict(node)
        d["flags"] = list(node.flags)
        nodes.append(d)
    return json.dumps(
        {
            "version": SNAPSHOT_VERSION,
            "nodes": nodes,
            "links": [asdict(link) for link in data.links],
        },
        ensure_ascii=False,
    )


def map_from_json(text: str) -> MapData:
    try:
        raw = json.loads(text)
        nodes = tuple(MapNode(**{**n, "flags": tuple(n.get("flags", ()))}) for n in raw["nodes"])
        links = tuple(MapLink(**link) for link in raw["links"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ValidationError(msg.MAP_SNAPSHOT_DAMAGED) from exc
    return MapData(nodes, links)


@checked_ids
def take_snapshot(
    conn: sqlite3.Connection, district_id: str, meeting_id: int | None
) -> MapSnapshot:
    """Store the district's map as it stands now, tagged with a meeting."""
    with transaction(conn):
        return store.insert_snapshot(
            conn, district_id, meeting_id, map_to_json(load_map(conn, district_id))
        )


@checked_ids
def ensure_baseline(conn: sqlite3.Connection, meeting_id: int) -> MapSnapshot:
    """The map as it stood when this meeting began: taken once, on the meeting's first map use.

    It is what 「前回の会議からの変化」 compares with. Taking it also starts a fresh undo list,
    so 「元に戻す」 never reaches back into an earlier meeting.
    """
    meeting = meeting_store.get_meeting(conn, meeting_id)
    with transaction(conn):
        existing = store.snapshot_of_meeting(conn, meeting.id)
        if existing is not None:
            return existing
        snapshot = store.insert_snapshot(
            conn, meeting.district_id, meeting.id, map_to_json(load_map(conn, meeting.district_id))
        )
        store.clear_undo(conn, meeting.district_id)
    return snapshot


@checked_ids
def baseline(conn: sqlite3.Connection, meeting_id: int) -> MapData | None:
    """The map at the start of ``meeting_id`` (None when none was taken)."""
    snapshot = store.snapshot_of_meeting(conn, meeting_id)
    return None if snapshot is None else map_from_json(snapshot.snapshot_json)


def list_snapshots(conn: sqlite3.Connection, district_id: str) -> list[MapSnapshot]:
    return store.list_snapshots(conn, district_id)


# --- background image (下絵) -------------------------------------------------------------------------
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def image_size(data: bytes) -> tuple[str, int, int]:
    """(mime, width, height) of PNG or JPEG bytes, read from the header by its magic bytes."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValidationError(msg.MAP_IMAGE_NOT_IMAGE)
    data = bytes(data)
    if data.startswith(PNG_MAGIC):
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValidationError(msg.MAP_IMAGE_DAMAGED)
        width, height = struct.unpack(">II", data[16:24])
        mime = "image/png"
    elif data.startswith(JPEG_MAGIC):
        width, height = _jpeg_size(data)
        mime = "image/jpeg"
    else:
        raise ValidationError(msg.MAP_IMAGE_NOT_IMAGE)
    if not (0 < width <= 20000 and 0 < height <= 20000):
        raise ValidationError(msg.MAP_IMAGE_DAMAGED)
    return mime, width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            raise ValidationError(msg.MAP_IMAGE_DAMAGED)
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if length < 2:
            raise ValidationError(msg.MAP_IMAGE_DAMAGED)
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if index + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise ValidationError(msg.MAP_IMAGE_DAMAGED)


def set_background(
    conn: sqlite3.Connection,
    district_id: str,
    data: bytes,
    *,
    max_bytes: int = BACKGROUND_MAX_BYTES,
) -> MapBackground:
    """Store a scanned residential map (PNG/JPEG, checked by magic bytes and size) as 下絵."""
    district_id = _district(conn, district_id)
    size = len(data) if isinstance(data, bytes | bytearray | memoryview) else 0
    if size == 0:
        raise ValidationError(msg.MAP_IMAGE_EMPTY)
    if size > max_bytes:
        raise ValidationError(
            msg.MAP_IMAGE_TOO_BIG.format(
                size_mb=size / 1024 / 1024, limit_mb=max_bytes // 1024 // 1024
            )
        )
    mime, width, height = image_size(data)
    with transaction(conn):
        store.put_background(conn, district_id, mime, bytes(data), width, height)
    return store.get_background(conn, district_id)  # type: ignore[return-value]


def get_background(conn: sqlite3.Connection, district_id: str) -> MapBackground | None:
    return store.get_background(conn, district_id)


def remove_background(conn: sqlite3.Connection, district_id: str) -> None:
    with transaction(conn):
        store.delete_background(conn, district_id)
