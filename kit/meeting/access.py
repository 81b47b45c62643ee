"""Who may do what: the facilitator key and the join code.

Checks happen in the kernel (Python), never in the browser: a crafted widget message can
fire any callback, so hidden or disabled widgets are not access control. A page that is
refused builds no facilitator widgets at all, so there is nothing to fire.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from urllib.parse import parse_qs

from kit.store import meetings as store

FACILITATOR_KEY_SETTING = "facilitator_key"
# Join codes avoid letters and digits that look alike on a projector (0/O, 1/I/L).
JOIN_CODE_ALPHABET = "23456789"
JOIN_CODE_LENGTH = 4


def new_facilitator_key() -> str:
    return secrets.token_urlsafe(12)


def ensure_facilitator_key(conn: sqlite3.Connection, preferred: str = "") -> str:
    """Return the facilitator key of this database, storing ``preferred`` or a new one.

    A key given at server start replaces the stored one; otherwise the first key made is
    kept, so the facilitator's bookmark keeps working after a restart.
    """
    if preferred:
        store.set_setting(conn, FACILITATOR_KEY_SETTING, preferred)
        return preferred
    return store.set_setting_if_absent(conn, FACILITATOR_KEY_SETTING, new_facilitator_key())


def key_is_valid(conn: sqlite3.Connection, given: str | None) -> bool:
    stored = store.get_setting(conn, FACILITATOR_KEY_SETTING)
    if not stored or not given:
        return False
    return hmac.compare_digest(stored.encode(), given.encode())


def key_from_query(query_string: str | None) -> str | None:
    """The ``key`` parameter of a page URL's query string (``?key=…``)."""
    values = parse_qs(query_string or "").get("key")
    return values[0] if values else None


def new_join_code(conn: sqlite3.Connection) -> str:
    """A short numeric join code no other meeting in this database uses."""
    for length in range(JOIN_CODE_LENGTH, JOIN_CODE_LENGTH + 4):
        for _ in range(50):
            code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))
            if not store.join_code_taken(conn, code):
                return code
    raise RuntimeError("no free join code")  # 8**7 codes: only reachable with a broken store
