"""Districts (地区): picked from the ones known, or typed in for the first meeting on a laptop.

A district typed in the setup form (or added with ``tasukeai district add``) gets an id
made from its name, written the way names are compared (width, case and spaces ignored):
the same name typed on two laptops is the same district when the office compiles their
result files. The office may give its own ids instead (``--id d07``).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3

from kit import messages as msg
from kit.errors import ValidationError
from kit.store import meetings as store
from kit.store import transaction
from kit.store.meetings import District
from kit.text import clean_text, name_key

DISTRICT_NAME_MAX_CHARS = 30
CITY_MAX_CHARS = 30
DISTRICT_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def district_id_for(name: str) -> str:
    """The id a typed district name gets: ``n-`` and 10 hex digits of its normalised name."""
    return "n-" + hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()[:10]


def clean_district_name(name: object) -> str:
    return clean_text(
        name,
        max_chars=DISTRICT_NAME_MAX_CHARS,
        empty_message=msg.DISTRICT_NAME_EMPTY,
        too_long_message=msg.DISTRICT_NAME_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )


def find_by_name(conn: sqlite3.Connection, name: str) -> District | None:
    """The district whose name reads the same as ``name`` (width, case, spaces ignored)."""
    key = name_key(name)
    for district in store.list_districts(conn):
        if name_key(district.name) == key:
            return district
    return None


def ensure_district(
    conn: sqlite3.Connection, name: object, *, district_id: str | None = None, city: object = ""
) -> tuple[District, bool]:
    """The district called ``name``, added if it is new; returns it and whether it was added."""
    name = clean_district_name(name)
    city = clean_text(
        city or "",
        max_chars=CITY_MAX_CHARS,
        empty_message=None,
        too_long_message=msg.DISTRICT_CITY_TOO_LONG,
        control_message=msg.TEXT_CONTROL_CHARS,
    )
    if district_id is not None:
        district_id = str(district_id).strip()
        if not DISTRICT_ID.match(district_id):
            raise ValidationError(msg.DISTRICT_ID_INVALID)
    with transaction(conn):
        return add_or_find(conn, name, district_id=district_id, city=city)


def add_or_find(
    conn: sqlite3.Connection, name: str, *, district_id: str | None = None, city: str = ""
) -> tuple[District, bool]:
    """:func:`ensure_district`'s work, inside the caller's transaction (values cleaned)."""
    existing = find_by_name(conn, name)
    if existing is not None:
        if district_id is not None and existing.id != district_id:
            raise ValidationError(
                msg.DISTRICT_NAME_TAKEN.format(name=existing.name, id=existing.id)
            )
        return existing, False
    new_id = district_id or district_id_for(name)
    taken = store.find_district(conn, new_id)
    if taken is not None:
        raise ValidationError(msg.DISTRICT_ID_TAKEN.format(id=new_id, name=taken.name))
    return store.insert_district(conn, new_id, name, city), True


def list_districts(conn: sqlite3.Connection) -> list[District]:
    return store.list_districts(conn)
