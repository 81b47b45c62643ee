"""The map's key (地区の合言葉): derived from a passphrase, held by one kernel while it is open.

The facilitator types the district's passphrase on the map page. scrypt turns it into a
256-bit key (parameters and salt stored; the passphrase and the key never are), and every
personal field of the map is sealed with AES-GCM under that key, bound to where it belongs
(``node:<district>:<id>:<type>`` …) so a blob cannot be moved to another row. A stored
*check value* — a known text sealed under the key — tells a wrong passphrase from a right
one. The key lives in this process only, attached to one store connection, until
:func:`lock` or the kernel ends; another kernel (another page) must be given the passphrase
itself. Forgetting the passphrase cannot be undone: nobody, not the office either, can open
the map again (print the handout).

    setup(conn, "みどりの丘の合言葉")   # once: the first passphrase (moves an old plain map)
    unlock(conn, "みどりの丘の合言葉")  # each time the map page opens
    blob = seal(conn, b"...", "node:d01:7:person"); open_sealed(conn, blob, "node:d01:7:person")
"""

from __future__ import annotations

import os
import sqlite3
import unicodedata
import weakref
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kit import messages as msg
from kit.errors import KitError, ValidationError
from kit.store import supportmap as store
from kit.store import transaction

KDF = "scrypt"
# scrypt cost: N=2**16, r=8, p=1 uses 64 MiB and derives in about 0.25 s on the reference
# laptop (2 cores; see README) — slow for someone guessing, quick for the facilitator.
SCRYPT_N = 2**16
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_VERSION = b"\x01"
CHECK_TEXT = b"tasukeai-kit map key check v1"
CHECK_AAD = "check"
PASSPHRASE_MIN_CHARS = 8
PASSPHRASE_MAX_CHARS = 200
# a stored keyring is read from a file anyone may have edited: refuse absurd costs
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16


class MapLockedError(KitError):
    """The map is sealed and this page has not been given the passphrase (or it changed)."""


@dataclass
class _Key:
    aead: AESGCM
    generation: int


_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# --- passphrase → key -----------------------------------------------------------------------------
def normalize_passphrase(value: object) -> str:
    """NFKC (全角/半角 the same), outer spaces dropped; refuses what cannot be a passphrase."""
    if not isinstance(value, str):
        raise ValidationError(msg.MAP_PASS_EMPTY)
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise ValidationError(msg.MAP_PASS_EMPTY)
    if len(text) > PASSPHRASE_MAX_CHARS:
        raise ValidationError(msg.MAP_PASS_TOO_LONG.format(limit=PASSPHRASE_MAX_CHARS))
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValidationError(msg.MAP_PASS_CONTROL)
    return text


def check_new_passphrase(value: object, confirm: object) -> str:
    text = normalize_passphrase(value)
    if len(text) < PASSPHRASE_MIN_CHARS:
        raise ValidationError(msg.MAP_PASS_TOO_SHORT.format(limit=PASSPHRASE_MIN_CHARS))
    if not isinstance(confirm, str) or normalize_passphrase(confirm or " ") != text:
        raise ValidationError(msg.MAP_PASS_MISMATCH)
    return text


def derive_key(
    passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    """scrypt(passphrase, salt) → 32 bytes."""
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        raise KitError(msg.MAP_KEYRING_DAMAGED)
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _seal_with(aead: AESGCM, data: bytes, aad: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return SEAL_VERSION + nonce + aead.encrypt(nonce, data, aad.encode("utf-8"))


def _open_with(aead: AESGCM, blob: bytes, aad: str) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != SEAL_VERSION:
        raise InvalidTag()
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    return aead.decrypt(nonce, body, aad.encode("utf-8"))


def _new_keyring(passphrase: str) -> tuple[dict, AESGCM]:
    salt = os.urandom(SALT_BYTES)
    aead = AESGCM(derive_key(passphrase, salt))
    fields = dict(
        kdf=KDF,
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        check_value=_seal_with(aead, CHECK_TEXT, CHECK_AAD),
    )
    return fields, aead


# --- state of a database and of this connection ----------------------------------------------------
def has_passphrase(conn: sqlite3.Connection) -> bool:
    """True once the district has set its passphrase (the map is sealed)."""
    return store.get_keyring(conn) is not None


def needs_migration(conn: sqlite3.Connection) -> bool:
    """True while an older database still holds its map in plain text."""
    return store.legacy_has_rows(conn)


def is_unlocked(conn: sqlite3.Connection) -> bool:
    return _KEYS.get(conn) is not None


def lock(conn: sqlite3.Connection) -> None:
    """Forget the key in this kernel (the page shows the passphrase screen again)."""
    _KEYS.pop(conn, None)


def _remember(conn: sqlite3.Connection, aead: AESGCM, generation: int) -> None:
    try:
        _KEYS[conn] = _Key(aead, generation)
    except TypeError as exc:  # a plain sqlite3 connection, not one of kit.store's
        raise KitError(msg.MAP_NOT_A_STORE) from exc


_FIRST_KEY_STEPS: list = []


def on_first_key(step) -> None:
    """Register ``step(conn) -> bool``, run inside :func:`setup` once the key is held (the
    package registers :func:`kit.supportmap.migrate.move_plain_map`, which needs the model)."""
    if step not in _FIRST_KEY_STEPS:
        _FIRST_KEY_STEPS.append(step)


def setup(conn: sqlite3.Connection, passphrase: object, confirm: object | None = None) -> None:
    """Set the district's first passphrase and keep its key on ``conn``.

    An older database's plain map is moved into the sealed tables in the same step and the
    plain copy is wiped from the file (nothing is lost: :mod:`kit.supportmap.migrate`).
    """
    text = check_new_passphrase(passphrase, passphrase if confirm is None else confirm)
    fields, aead = _new_keyring(text)
    with transaction(conn):
        if store.get_keyring(conn) is not None:
            raise ValidationError(msg.MAP_PASS_ALREADY_SET)
        store.insert_keyring(conn, **fields)
        _remember(conn, aead, 1)
        try:
            if not _FIRST_KEY_STEPS:
                raise RuntimeError("kit.supportmap.migrate has not registered the move")
            moved = any([step(conn) for step in _FIRST_KEY_STEPS])
        except BaseException:
            lock(conn)
            raise
    if moved:
        from kit.store.db import vacuum

        vacuum(conn)  # the old plain pages out of the file and the WAL


def unlock(conn: sqlite3.Connection, passphrase: object) -> None:
    """Check the passphrase against the stored check value and keep the key on ``conn``."""
    keyring = store.get_keyring(conn)
    if keyring is None:
        raise ValidationError(msg.MAP_PASS_NOT_SET)
    text = normalize_passphrase(passphrase)
    if keyring.kdf != KDF:
        raise KitError(msg.MAP_KEYRING_DAMAGED)
    aead = AESGCM(derive_key(text, keyring.salt, keyring.n, keyring.r, keyring.p))
    try:
        if _open_with(aead, keyring.check_value, CHECK_AAD) != CHECK_TEXT:
            raise InvalidTag()
    except InvalidTag:
        raise ValidationError(msg.MAP_PASS_WRONG) from None
    _remember(conn, aead, keyring.generation)


def change_passphrase(
    conn: sqlite3.Connection, old: object, new: object, confirm: object | None = None
) -> int:
    """Re-seal every blob under a key from the new passphrase (one transaction); return how
    many blobs were re-sealed. The old passphrase must be right; ``conn`` keeps the new key."""
    text = check_new_passphrase(new, new if confirm is None else confirm)
    unlock(conn, old)
    old_key = _KEYS[conn]
    fields, aead = _new_keyring(text)
    with transaction(conn):
        if store.keyring_generation(conn) != old_key.generation:
            lock(conn)
            raise MapLockedError(msg.MAP_PASS_CHANGED_ELSEWHERE)
        rows = store.all_sealed(conn)
        for table, row, blob in rows:
            aad = aad_of_row(table, row)
            try:
                data = _open_with(old_key.aead, blob, aad)
            except InvalidTag:
                raise KitError(msg.MAP_SEALED_DAMAGED) from None
            store.reseal(conn, table, row, _seal_with(aead, data, aad))
        generation = store.replace_keyring(conn, **fields)
    _remember(conn, aead, generation)
    from kit.store.db import vacuum

    vacuum(conn)  # the blobs under the old key out of the file
    return len(rows)


def forget_passphrase(conn: sqlite3.Connection) -> None:
    """Remove the keyring (only when nothing sealed is left: ``tasukeai map purge``)."""
    store.delete_keyring(conn)
    lock(conn)


# --- sealing ----------------------------------------------------------------------------------------
def _key(conn: sqlite3.Connection) -> _Key:
    key = _KEYS.get(conn)
    if key is None:
        raise MapLockedError(msg.MAP_LOCKED)
    if store.keyring_generation(conn) != key.generation:
        lock(conn)
        raise MapLockedError(msg.MAP_PASS_CHANGED_ELSEWHERE)
    return key


def require_unlocked(conn: sqlite3.Connection) -> None:
    """Raise :class:`MapLockedError` unless this connection holds the current key."""
    _key(conn)


def seal(conn: sqlite3.Connection, data: bytes, aad: str) -> bytes:
    return _seal_with(_key(conn).aead, data, aad)


def open_sealed(conn: sqlite3.Connection, blob: bytes, aad: str) -> bytes:
    key = _KEYS.get(conn)
    if key is None:
        raise MapLockedError(msg.MAP_LOCKED)
    try:
        return _open_with(key.aead, blob, aad)
    except InvalidTag:
        if store.keyring_generation(conn) != key.generation:
            lock(conn)
            raise MapLockedError(msg.MAP_PASS_CHANGED_ELSEWHERE) from None
        raise KitError(msg.MAP_SEALED_DAMAGED) from None


# --- what each blob is bound to ---------------------------------------------------------------------
def node_aad(district_id: str, node_id: int, node_type: str) -> str:
    return f"node:{district_id}:{int(node_id)}:{node_type}"


def link_aad(district_id: str, link_id: int, source_id: int, target_id: int) -> str:
    return f"link:{district_id}:{int(link_id)}:{int(source_id)}:{int(target_id)}"


def history_aad(district_id: str) -> str:
    return f"undo:{district_id}"


def image_aad(district_id: str) -> str:
    return f"image:{district_id}"


def aad_of_row(table: str, row: dict) -> str:
    if table in ("map_items", "map_baseline_items"):
        node_id = row.get("id", row.get("node_id"))
        return node_aad(row["district_id"], node_id, row["node_type"])
    if table in ("map_lines", "map_baseline_lines"):
        link_id = row.get("id", row.get("link_id"))
        return link_aad(row["district_id"], link_id, row["source_id"], row["target_id"])
    if table == "map_history":
        return history_aad(row["district_id"])
    if table == "map_images":
        return image_aad(row["district_id"])
    raise KeyError(table)
