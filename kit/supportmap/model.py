"""The mutual-aid map (支え合いマップ) of a district: persons, places, links — checked and stored.

A person (or household) carries concern flags from a fixed vocabulary (一人暮らし, 見守りが必要,
…) and a pseudonym (「Aさん」 or initials) by default; a place is a resource such as a サロン
or 子ども食堂; a link runs from the helper to the helped (訪問, 見守り, …). Every edit is
validated first, written in one transaction together with its undo record and the map's
new counts, and committed at once, so a reload or a restarted server loses nothing.

Everything personal is sealed at rest (:mod:`kit.supportmap.vault`): reading or editing
needs the district's passphrase on this connection (``vault.unlock``), else
:class:`~kit.supportmap.vault.MapLockedError`. Deleting a person is for good: their row,
lines, undo steps and their content in every baseline go (only the counts stay).

    vault.unlock(conn, "地区の合言葉")
    person = add_person(conn, "d01", 40, 30, flags=["alone", "needs_watch"])
    helper = add_person(conn, "d01", 45, 32)
    add_link(conn, helper.id, person.id, kind="watch")
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kit import messages as msg
from kit.errors import KitError, NotFoundError, ValidationError
from kit.ids import checked_ids
from kit.store import meetings as meeting_store
from kit.store import savepoint, transaction
from kit.store import supportmap as store
from kit.store.db import checkpoint
from kit.store.supportmap import Baseline, MapBackground, MapLink, MapNode
from kit.supportmap import vault
from kit.text import clean_text

__all__ = [
    "Baseline",
    "MapBackground",
    "MapData",
    "MapLink",
    "MapNode",
]

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


# --- sealed content ---------------------------------------------------------------------------------
def _node_from(conn: sqlite3.Connection, item: store.SealedItem) -> MapNode:
    raw = vault.open_sealed(
        conn, item.sealed, vault.node_aad(item.district_id, item.id, item.node_type)
    )
    try:
        d = json.loads(raw)
        return MapNode(
            id=item.id,
            district_id=item.district_id,
            node_type=item.node_type,
            label=str(d["label"]),
            kind=str(d.get("kind", "")),
            flags=tuple(str(f) for f in d.get("flags", ())),
            note=str(d.get("note", "")),
            opening_days=str(d.get("opening_days", "")),
            area=str(d.get("area", "")),
            x=float(d["x"]),
            y=float(d["y"]),
            deleted=False,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise KitError(msg.MAP_SEALED_DAMAGED) from exc


NODE_FIELDS = ("label", "kind", "flags", "note", "opening_days", "area", "x", "y")


def _node_content(fields: dict[str, Any]) -> bytes:
    content = {name: fields.get(name, "") for name in NODE_FIELDS}
    content["flags"] = list(fields.get("flags", ()))
    return json.dumps(content, ensure_ascii=False).encode("utf-8")


def _seal_node(conn, district_id: str, node_id: int, node_type: str, fields: dict) -> bytes:
    return vault.seal(conn, _node_content(fields), vault.node_aad(district_id, node_id, node_type))


def _fields_of(node: MapNode) -> dict[str, Any]:
    return {name: getattr(node, name) for name in NODE_FIELDS}


def _link_from(conn: sqlite3.Connection, line: store.SealedLine) -> MapLink:
    raw = vault.open_sealed(
        conn,
        line.sealed,
        vault.link_aad(line.district_id, line.id, line.source_id, line.target_id),
    )
    try:
        d = json.loads(raw)
        return MapLink(
            line.id,
            line.district_id,
            line.source_id,
            line.target_id,
            str(d["kind"]),
            str(d["strength"]),
            False,
            line.created_at,
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise KitError(msg.MAP_SEALED_DAMAGED) from exc


def _seal_link(conn, district_id, link_id, source_id, target_id, kind, strength) -> bytes:
    content = json.dumps({"kind": kind, "strength": strength}).encode("utf-8")
    return vault.seal(conn, content, vault.link_aad(district_id, link_id, source_id, target_id))


# --- reading ------------------------------------------------------------------------------------
def load_map(conn: sqlite3.Connection, district_id: str) -> MapData:
    """The district's map as it stands now (needs the passphrase on ``conn``)."""
    vault.require_unlocked(conn)
    nodes = tuple(_node_from(conn, item) for item in store.list_items(conn, district_id))
    links = tuple(_link_from(conn, line) for line in store.list_lines(conn, district_id))
    return MapData(nodes, links)


@checked_ids
def get_node(conn: sqlite3.Connection, node_id: int) -> MapNode:
    vault.require_unlocked(conn)
    item = store.get_item(conn, node_id)
    if item is None:
        raise NotFoundError(msg.MAP_NODE_NOT_FOUND)
    return _node_from(conn, item)


@checked_ids
def get_link(conn: sqlite3.Connection, link_id: int) -> MapLink:
    vault.require_unlocked(conn)
    line = store.get_line(conn, link_id)
    if line is None:
        raise NotFoundError(msg.MAP_LINK_NOT_FOUND)
    return _link_from(conn, line)


@checked_ids
def links_of(conn: sqlite3.Connection, node_id: int) -> list[MapLink]:
    """Lines from or to one node."""
    return [_link_from(conn, line) for line in store.lines_of_node(conn, node_id)]


def find_link(conn, source_id: int, target_id: int, kind: str, *, exclude_id: int = 0):
    for line in store.lines_between(conn, source_id, target_id):
        if line.id != exclude_id and _link_from(conn, line).kind == kind:
            return line
    return None


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
    used = {n.label for n in load_map(conn, district_id).nodes}
    index = 0
    while True:
        label = msg.MAP_PSEUDONYM.format(letters=_letters(index))
        if label not in used:
            return label
        index += 1


def suggest_place_name(conn: sqlite3.Connection, district_id: str, kind: str) -> str:
    places = load_map(conn, district_id).places
    number = sum(1 for q in places if q.kind == kind) + 1
    return msg.MAP_PLACE_DEFAULT_NAME.format(kind=PLACE_KIND_LABELS[kind], number=number)


# --- every write: the meeting's baseline first, the counts after ---------------------------------------
IN_PROGRESS_PHASES = ("issues", "map", "vote", "wrapup")


@contextmanager
def _writing(conn: sqlite3.Connection, district_id: str) -> Iterator[None]:
    """One edit of a district's map: a transaction that (1) checks this connection holds the
    current key, (2) takes the baseline of every meeting of the district that is under way and
    has none yet — the first edit of a meeting — and (3) stores the new counts at the end."""
    with transaction(conn):
        vault.require_unlocked(conn)
        for meeting in meeting_store.list_meetings(conn, district_id):
            if meeting.phase in IN_PROGRESS_PHASES and not store.baseline_of_meeting(
                conn, meeting.id
            ):
                _flush_counts(conn)
                store.ensure_baseline(conn, district_id, meeting.id)
        yield
        _counts_changed(conn, district_id)


_BULK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextmanager
def bulk_edit(conn: sqlite3.Connection) -> Iterator[None]:
    """Many edits in a row (the sample city): the counts are stored once, at the end."""
    outer = conn not in _BULK
    if outer:
        _BULK[conn] = set()
    try:
        yield
    finally:
        if outer:
            dirty = _BULK.pop(conn)
            if dirty:
                with transaction(conn):
                    for district_id in sorted(dirty):
                        _refresh_counts(conn, district_id)


def _counts_changed(conn: sqlite3.Connection, district_id: str) -> None:
    dirty = _BULK.get(conn)
    if dirty is not None:
        dirty.add(district_id)
    else:
        _refresh_counts(conn, district_id)


def _flush_counts(conn: sqlite3.Connection) -> None:
    dirty = _BULK.get(conn)
    while dirty:
        _refresh_counts(conn, dirty.pop())


_COUNTERS: list = []


def on_map_change(counter) -> None:
    """Register ``counter(conn, district_id)``, called inside every map write after the change.

    The map's office counts need the analysis (a layer above this module), so the package
    registers :func:`kit.supportmap.privacy.refresh_counts` here when it is imported
    (``kit/supportmap/__init__.py``) — always before this module can be used.
    """
    if counter not in _COUNTERS:
        _COUNTERS.append(counter)


def _refresh_counts(conn: sqlite3.Connection, district_id: str) -> None:
    if not _COUNTERS:
        raise RuntimeError("kit.supportmap.privacy has not registered the map's counts")
    for counter in _COUNTERS:
        counter(conn, district_id)


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
    label = None if label is None else check_label(label)
    with _writing(conn, district_id):
        label = suggest_label(conn, district_id) if label is None else label
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
    label = None if label is None else check_label(label)
    with _writing(conn, district_id):
        label = suggest_place_name(conn, district_id, kind) if label is None else label
        return _insert_node(
            conn, district_id, record_undo, node_type="place", label=label, x=x, y=y,
            kind=kind, note=note, opening_days=opening_days, area=area,
        )  # fmt: skip


def _insert_node(
    conn: sqlite3.Connection, district_id: str, record_undo: bool, *, node_type: str, **fields
) -> MapNode:
    """Insert a checked node (inside the caller's transaction) and record how to undo it."""
    item = store.insert_item(
        conn,
        district_id=district_id,
        node_type=node_type,
        seal=lambda new_id: _seal_node(conn, district_id, new_id, node_type, fields),
    )
    node = _node_from(conn, item)
    if record_undo:
        _push(
            conn,
            district_id,
            msg.MAP_DID_ADD_NODE.format(label=node.label),
            [node.id],
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
    node = get_node(conn, node_id)
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
    with _writing(conn, node.district_id):
        node = get_node(conn, node.id)  # as it is inside the transaction
        before = {k: list(getattr(node, k)) if k == "flags" else getattr(node, k) for k in changes}
        _rewrite_node(conn, node, changes)
        if record_undo:
            _push(
                conn,
                node.district_id,
                msg.MAP_DID_EDIT_NODE.format(label=changes.get("label", node.label)),
                [node.id],
                op="restore_node",
                node=node.id,
                fields=before,
            )
    return get_node(conn, node.id)


def _rewrite_node(conn: sqlite3.Connection, node: MapNode, changes: dict[str, Any]) -> None:
    fields = {**_fields_of(node), **changes}
    store.update_item(
        conn, node.id, _seal_node(conn, node.district_id, node.id, node.node_type, fields)
    )


@checked_ids
def move_node(
    conn: sqlite3.Connection, node_id: int, x: float, y: float, *, record_undo: bool = True
) -> MapNode:
    """Move a person or place to (x, y) on the map."""
    node = get_node(conn, node_id)
    x, y = check_position(x, y)
    with _writing(conn, node.district_id):
        node = get_node(conn, node.id)
        _rewrite_node(conn, node, {"x": x, "y": y})
        if record_undo:
            _push(
                conn,
                node.district_id,
                msg.MAP_DID_MOVE_NODE.format(label=node.label),
                [node.id],
                op="restore_node",
                node=node.id,
                fields={"x": node.x, "y": node.y},
            )
    return get_node(conn, node.id)


@checked_ids
def delete_node(conn: sqlite3.Connection, node_id: int, *, record_undo: bool = True) -> MapNode:
    """Delete a person or place for good: the row, its lines, its undo steps and its content
    in every baseline of earlier meetings. Cannot be undone; the counts already made stay.

    ``record_undo`` is accepted for compatibility and ignored (nothing is kept to undo with).
    """
    node = get_node(conn, node_id)
    with _writing(conn, node.district_id):
        _forget(conn, get_node(conn, node.id))
    checkpoint(conn)  # the freed bytes out of the WAL too, when no other page is reading
    return node


def _forget(conn: sqlite3.Connection, node: MapNode) -> None:
    store.forget_node(conn, node.id)


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
    if source_id == target_id:
        get_node(conn, source_id)
        raise ValidationError(msg.MAP_LINK_SELF)
    source, target = get_node(conn, source_id), get_node(conn, target_id)
    if source.district_id != target.district_id:
        raise ValidationError(msg.MAP_LINK_OTHER_DISTRICT)
    with _writing(conn, source.district_id):
        for node in (source, target):
            if store.get_item(conn, node.id) is None:
                raise ValidationError(msg.MAP_NODE_DELETED.format(label=node.label))
        if find_link(conn, source.id, target.id, kind):
            raise ValidationError(
                msg.MAP_LINK_DUPLICATE.format(
                    source=source.label, target=target.label, kind=LINK_KIND_LABELS[kind]
                )
            )
        link = _insert_link(conn, source.district_id, source.id, target.id, kind, strength)
        if record_undo:
            _push(
                conn,
                source.district_id,
                msg.MAP_DID_ADD_LINK.format(
                    source=source.label, target=target.label, kind=LINK_KIND_LABELS[kind]
                ),
                [source.id, target.id],
                op="delete_link",
                link=link.id,
            )
    return link


def _insert_link(conn, district_id, source_id, target_id, kind, strength, *, link_id=None):
    line = store.insert_line(
        conn,
        district_id=district_id,
        source_id=source_id,
        target_id=target_id,
        seal=lambda new_id: _seal_link(
            conn, district_id, new_id, source_id, target_id, kind, strength
        ),
        line_id=link_id,
    )
    return _link_from(conn, line)


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
    link = get_link(conn, link_id)
    new_kind = link.kind if kind is None else check_link_kind(kind)
    new_strength = link.strength if strength is None else check_strength(strength)
    if (new_kind, new_strength) == (link.kind, link.strength):
        return link
    source, target = get_node(conn, link.source_id), get_node(conn, link.target_id)
    with _writing(conn, link.district_id):
        if new_kind != link.kind and find_link(
            conn, link.source_id, link.target_id, new_kind, exclude_id=link.id
        ):
            raise ValidationError(
                msg.MAP_LINK_DUPLICATE.format(
                    source=source.label, target=target.label, kind=LINK_KIND_LABELS[new_kind]
                )
            )
        _rewrite_link(conn, link, new_kind, new_strength)
        if record_undo:
            _push(
                conn,
                link.district_id,
                msg.MAP_DID_EDIT_LINK.format(source=source.label, target=target.label),
                [source.id, target.id],
                op="restore_link",
                link=link.id,
                kind=link.kind,
                strength=link.strength,
            )
    return get_link(conn, link.id)


def _rewrite_link(conn, link: MapLink, kind: str, strength: str) -> None:
    store.update_line(
        conn,
        link.id,
        _seal_link(conn, link.district_id, link.id, link.source_id, link.target_id, kind, strength),
    )


@checked_ids
def delete_link(conn: sqlite3.Connection, link_id: int, *, record_undo: bool = True) -> MapLink:
    """Remove one line (undo draws it again)."""
    link = get_link(conn, link_id)
    source, target = get_node(conn, link.source_id), get_node(conn, link.target_id)
    with _writing(conn, link.district_id):
        store.delete_line(conn, link.id)
        if record_undo:
            _push(
                conn,
                link.district_id,
                msg.MAP_DID_DELETE_LINK.format(
                    source=source.label,
                    target=target.label,
                    kind=LINK_KIND_LABELS.get(link.kind, ""),
                ),
                [source.id, target.id],
                op="reinsert_link",
                link=link.id,
                source=link.source_id,
                target=link.target_id,
                kind=link.kind,
                strength=link.strength,
            )
    return link


# --- undo (元に戻す) ---------------------------------------------------------------------------------
def _push(
    conn: sqlite3.Connection, district_id: str, description: str, node_ids: list[int], **undo: Any
) -> None:
    content = json.dumps({"description": description, "undo": undo}, ensure_ascii=False)
    sealed = vault.seal(conn, content.encode("utf-8"), vault.history_aad(district_id))
    store.push_history(conn, district_id, node_ids, sealed, keep=UNDO_KEEP)


def _open_history(conn: sqlite3.Connection, entry: store.HistoryEntry) -> tuple[str, dict]:
    try:
        raw = vault.open_sealed(conn, entry.sealed, vault.history_aad(entry.district_id))
        d = json.loads(raw)
        return str(d["description"]), dict(d["undo"])
    except (TypeError, ValueError, KeyError):
        return msg.MAP_UNDO_IMPOSSIBLE, {}
    except KitError as exc:
        if isinstance(exc, vault.MapLockedError):
            raise
        return msg.MAP_UNDO_IMPOSSIBLE, {}


def undo_description(conn: sqlite3.Connection, district_id: str) -> str | None:
    """What「元に戻す」would undo next, or None."""
    vault.require_unlocked(conn)
    entry = store.last_history(conn, district_id)
    return None if entry is None else _open_history(conn, entry)[0]


def undo(conn: sqlite3.Connection, district_id: str) -> str:
    """Undo the district's last map edit; return its description.

    An edit that can no longer be undone (its line's person was removed meanwhile) is dropped
    from the list and reported, so the next 「元に戻す」 goes on with the one before.
    """
    impossible = False
    with _writing(conn, district_id):
        entry = store.last_history(conn, district_id)
        if entry is None:
            raise ValidationError(msg.MAP_NOTHING_TO_UNDO)
        description, step = _open_history(conn, entry)
        try:
            with savepoint(conn, "map_undo_step"):
                _apply_undo(conn, step)
        except (ValidationError, NotFoundError, KeyError, TypeError, ValueError):
            impossible = True
        store.delete_history(conn, entry.id)
    if impossible:
        raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
    return description


def _apply_undo(conn: sqlite3.Connection, undo: dict) -> None:
    """Apply one inverse edit; raise before writing anything if it no longer fits the map."""
    op = undo["op"]
    if op == "delete_node":
        _forget(conn, get_node(conn, undo["node"]))
    elif op == "restore_node":
        node = get_node(conn, undo["node"])
        fields = {k: v for k, v in undo["fields"].items() if k in NODE_FIELDS}
        if "flags" in fields:
            fields["flags"] = tuple(fields["flags"])
        _rewrite_node(conn, node, fields)
    elif op == "delete_link":
        store.delete_line(conn, get_link(conn, undo["link"]).id)
    elif op == "reinsert_link":
        source, target = get_node(conn, undo["source"]), get_node(conn, undo["target"])
        kind, strength = check_link_kind(undo["kind"]), check_strength(undo["strength"])
        if store.get_line(conn, int(undo["link"])) is not None or find_link(
            conn, source.id, target.id, kind
        ):
            raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
        _insert_link(
            conn, source.district_id, source.id, target.id, kind, strength,
            link_id=int(undo["link"]),
        )  # fmt: skip
    elif op == "restore_link":
        link = get_link(conn, undo["link"])
        kind, strength = check_link_kind(undo["kind"]), check_strength(undo["strength"])
        if find_link(conn, link.source_id, link.target_id, kind, exclude_id=link.id):
            raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)
        _rewrite_link(conn, link, kind, strength)
    else:
        raise ValidationError(msg.MAP_UNDO_IMPOSSIBLE)


def clear_undo(conn: sqlite3.Connection, district_id: str) -> None:
    with transaction(conn):
        store.clear_history(conn, district_id)


# --- baselines (the map at the start of each meeting) ------------------------------------------------
def baseline_is_comparable(persons: int) -> bool:
    """THE rule for 「前回の会議からの変化」: a baseline with nobody on it compares with nothing
    (a district's first map would show every person as new). Used by the map page, the
    handout and the office's ``change:…`` counts alike."""
    return persons > 0


@checked_ids
def ensure_baseline(conn: sqlite3.Connection, meeting_id: int) -> Baseline | None:
    """The map as it stood when this meeting began: taken once (no passphrase needed — the
    sealed rows are copied as they are). The meeting takes it itself when it enters the map
    phase or at its first map edit; this is the same step, for the sample city and tests.
    Taking it also starts a fresh undo list, so 「元に戻す」 never reaches into an earlier meeting.
    """
    meeting = meeting_store.get_meeting(conn, meeting_id)
    with transaction(conn):
        _flush_counts(conn)
        return store.ensure_baseline(conn, meeting.district_id, meeting.id)


def baseline_map(conn: sqlite3.Connection, baseline: Baseline) -> MapData:
    """A baseline's map (needs the passphrase). A person deleted for good since is there only
    as 「（削除された人）」, with nothing else, so changes still count them as gone."""
    vault.require_unlocked(conn)
    nodes = []
    for item in store.baseline_items(conn, baseline.id):
        if item.sealed is None:
            nodes.append(_removed_node(baseline, item))
            continue
        sealed = store.SealedItem(
            item.node_id, baseline.district_id, item.node_type, item.sealed, "", ""
        )
        nodes.append(_node_from(conn, sealed))
    links = [
        _link_from(
            conn,
            store.SealedLine(
                line.link_id, baseline.district_id, line.source_id, line.target_id, line.sealed, ""
            ),
        )
        for line in store.baseline_lines(conn, baseline.id)
    ]
    return MapData(tuple(nodes), tuple(links))


def _removed_node(baseline: Baseline, item: store.BaselineItem) -> MapNode:
    return MapNode(
        id=item.node_id,
        district_id=baseline.district_id,
        node_type=item.node_type,
        label=msg.MAP_REMOVED_NODE_LABEL,
        kind="",
        flags=(),
        note="",
        opening_days="",
        area="",
        x=0.0,
        y=0.0,
        deleted=True,
        created_at="",
        updated_at="",
    )


@checked_ids
def baseline(conn: sqlite3.Connection, meeting_id: int) -> MapData | None:
    """The map at the start of ``meeting_id`` (None when none was taken)."""
    taken = store.baseline_of_meeting(conn, meeting_id)
    return None if taken is None else baseline_map(conn, taken)


def list_baselines(conn: sqlite3.Connection, district_id: str) -> list[Baseline]:
    return store.list_baselines(conn, district_id)


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


def _seal_background(conn, district_id: str, mime: str, width: int, height: int, image: bytes):
    header = json.dumps({"mime": mime, "width": width, "height": height}).encode("utf-8")
    content = struct.pack(">I", len(header)) + header + image
    return vault.seal(conn, content, vault.image_aad(district_id))


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
    with _writing(conn, district_id):
        store.put_image(
            conn, district_id, _seal_background(conn, district_id, mime, width, height, bytes(data))
        )
    return get_background(conn, district_id)  # type: ignore[return-value]


def get_background(conn: sqlite3.Connection, district_id: str) -> MapBackground | None:
    vault.require_unlocked(conn)
    stored = store.get_image(conn, district_id)
    if stored is None:
        return None
    content = vault.open_sealed(conn, stored.sealed, vault.image_aad(district_id))
    try:
        (length,) = struct.unpack(">I", content[:4])
        header = json.loads(content[4 : 4 + length])
        image = content[4 + length :]
        return MapBackground(
            district_id,
            str(header["mime"]),
            image,
            int(header["width"]),
            int(header["height"]),
            stored.uploaded_at,
        )
    except (struct.error, TypeError, ValueError, KeyError) as exc:
        raise KitError(msg.MAP_SEALED_DAMAGED) from exc


def background_stamp(conn: sqlite3.Connection, district_id: str) -> str | None:
    """When the background was uploaded (cheap check whether it changed; nothing personal)."""
    return store.image_stamp(conn, district_id)


def remove_background(conn: sqlite3.Connection, district_id: str) -> None:
    with _writing(conn, district_id):
        store.delete_image(conn, district_id)
    checkpoint(conn)
