"""Who may do what: the facilitator key, facilitator sessions, devices, join codes.

Checks happen on the server (the HTTP guard in ``kit.serving.guard`` and again in the
kernel), never in the browser: a crafted widget message can fire any callback, so hidden
or disabled widgets are not access control. A page that is refused builds no facilitator
widgets at all, so there is nothing to fire.

Only hashes are stored: the facilitator key as scrypt, session tokens, one-time links and
device secrets as SHA-256 (they are long random strings). A lost database gives none of
them away.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import sqlite3
import time
from collections.abc import Iterable
from urllib.parse import parse_qs

from kit import messages as msg
from kit.errors import AccessDenied
from kit.store import access as access_store
from kit.store import meetings as store
from kit.store import transaction
from kit.store.access import Attempts, PageKernel

FACILITATOR_KEY_SETTING = "facilitator_key"  # the plain key of kits before 0.2: migrated away
FACILITATOR_KEY_HASH_SETTING = "facilitator_key_hash"
# Join codes avoid letters and digits that look alike on a projector (0/O, 1/I/L).
JOIN_CODE_ALPHABET = "23456789"
JOIN_CODE_LENGTH = 6
"""8**6 = 262,144 codes: with the rate limit below, a tablet guessing at a laptop that holds
ten open meetings needs months; the QR code carries no code, so members type it once."""

SESSION_SECONDS = 16 * 3600  # a meeting day
ONCE_SECONDS = 10 * 60
JOIN_FAILURES_BEFORE_WAIT = 5
JOIN_WAIT_SECONDS = 30
JOIN_WAIT_MAX_SECONDS = 3600
JOIN_FORGET_SECONDS = 3600  # an hour without a wrong code: the count starts again

PAGE_MEMBER = "member"
PAGE_FACILITATOR = "facilitator"
PAGE_MAP = "map"
PAGE_OFFICE = "office"
KEYED_PAGES = (PAGE_FACILITATOR, PAGE_MAP, PAGE_OFFICE)


class RateLimited(AccessDenied):
    """Too many wrong join codes from this page or this address: wait, then try again."""


def is_loopback(address: str) -> bool:
    """A client on this laptop itself (127.0.0.0/8, ::1, or IPv4 loopback mapped to IPv6)."""
    try:
        ip = ipaddress.ip_address(str(address).split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


# --- secrets and their hashes ------------------------------------------------------------------
def new_secret() -> str:
    """A browser secret (session, one-time link, device): 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(("tasukeai\x1f" + secret).encode("utf-8")).hexdigest()


def device_hash(device_secret: str) -> str:
    """What the store knows of a device: the hash of the secret its browser keeps."""
    return secret_hash("device\x1f" + device_secret)


def _key_hash(key: str, salt: bytes) -> str:
    digest = hashlib.scrypt(key.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


# --- the facilitator key -----------------------------------------------------------------------------
def new_facilitator_key() -> str:
    return secrets.token_urlsafe(16)


def set_facilitator_key(conn: sqlite3.Connection, key: str) -> None:
    """Store (the hash of) ``key`` as this database's facilitator key."""
    with transaction(conn):
        store.set_setting(
            conn, FACILITATOR_KEY_HASH_SETTING, _key_hash(key, secrets.token_bytes(16))
        )
        access_store.delete_setting(conn, FACILITATOR_KEY_SETTING)


def ensure_facilitator_key(conn: sqlite3.Connection, preferred: str = "") -> str | None:
    """Make sure the database has a facilitator key; return it when it is known now.

    ``preferred`` (``--key``) replaces the stored one. A database of an older kit that kept
    the key in plain text has it hashed here (the plain text is deleted). Otherwise the
    stored hash is kept and ``None`` returned: the key cannot be shown again, only
    replaced (``tasukeai key --rotate``). The first start makes a key and returns it.
    """
    if preferred:
        set_facilitator_key(conn, preferred)
        return preferred
    plain = store.get_setting(conn, FACILITATOR_KEY_SETTING)
    if store.get_setting(conn, FACILITATOR_KEY_HASH_SETTING):
        if plain is not None:
            with transaction(conn):
                access_store.delete_setting(conn, FACILITATOR_KEY_SETTING)
        return None
    key = plain or new_facilitator_key()
    set_facilitator_key(conn, key)
    return key


def rotate_facilitator_key(conn: sqlite3.Connection) -> str:
    """A new key; every facilitator session and one-time link of the old one ends."""
    key = new_facilitator_key()
    set_facilitator_key(conn, key)
    with transaction(conn):
        access_store.delete_sessions(conn)
    return key


def key_is_valid(conn: sqlite3.Connection, given: str | None) -> bool:
    stored = store.get_setting(conn, FACILITATOR_KEY_HASH_SETTING)
    if not stored or not given or not isinstance(given, str) or len(given) > 512:
        return False
    try:
        _scheme, salt, _digest = stored.split("$")
        expected = _key_hash(given, bytes.fromhex(salt))
    except ValueError:
        return False
    return hmac.compare_digest(stored.encode(), expected.encode())


def key_from_query(query_string: str | None) -> str | None:
    """The ``key`` parameter of a page URL's query string (``?key=…``)."""
    values = parse_qs(query_string or "").get("key")
    return values[0] if values else None


# --- facilitator sessions (HttpOnly cookie) and one-time links ----------------------------------------
def new_session(conn: sqlite3.Connection, *, at: float | None = None) -> str:
    """A facilitator session for one browser; the token goes into an HttpOnly cookie."""
    at = time.time() if at is None else at
    token = new_secret()
    with transaction(conn):
        access_store.delete_expired_sessions(conn, at)
        access_store.insert_session(conn, secret_hash(token), "session", at + SESSION_SECONDS)
    return token


def session_is_valid(
    conn: sqlite3.Connection, token: str | None, *, at: float | None = None
) -> bool:
    if not token or not isinstance(token, str) or len(token) > 200:
        return False
    return session_hash_is_valid(conn, secret_hash(token), at=at)


def session_hash_is_valid(
    conn: sqlite3.Connection, token_hash: str | None, *, at: float | None = None
) -> bool:
    if not token_hash:
        return False
    expiry = access_store.session_expiry(conn, token_hash, "session")
    return expiry is not None and expiry > (time.time() if at is None else at)


def new_once_token(conn: sqlite3.Connection, *, at: float | None = None) -> str:
    """A one-time link for the facilitator's own browser (``tasukeai serve`` opens it)."""
    at = time.time() if at is None else at
    token = new_secret()
    with transaction(conn):
        access_store.insert_session(conn, secret_hash(token), "once", at + ONCE_SECONDS)
    return token


def take_once_token(conn: sqlite3.Connection, token: str | None) -> bool:
    """Use up a one-time link: True the first time (within ten minutes), never again."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return False
    with transaction(conn):
        return access_store.take_once_token(conn, secret_hash(token), time.time())


# --- the page that opened a kernel ----------------------------------------------------------------------
def bind_kernel(
    conn: sqlite3.Connection,
    kernel_id: str,
    page: str,
    device: str,
    session_hash: str | None,
    client_address: str,
) -> None:
    """Record (in the server process) which browser a kernel was handed to."""
    access_store.insert_page_kernel(conn, kernel_id, page, device, session_hash, client_address)


def unbind_kernel(conn: sqlite3.Connection, kernel_id: str) -> None:
    access_store.delete_page_kernel(conn, kernel_id)


def forget_kernels(conn: sqlite3.Connection) -> None:
    access_store.delete_page_kernels(conn)


def page_kernel(conn: sqlite3.Connection, kernel_id: str | None) -> PageKernel | None:
    """Who opened kernel ``kernel_id`` (``None`` before the kernel is handed out)."""
    if not kernel_id:
        return None
    return access_store.get_page_kernel(conn, kernel_id)


def kernel_is_facilitator(conn: sqlite3.Connection, kernel_id: str | None) -> bool:
    """True when a keyed page's kernel was opened by a live facilitator session."""
    bound = page_kernel(conn, kernel_id)
    return (
        bound is not None
        and bound.page in KEYED_PAGES
        and session_hash_is_valid(conn, bound.session_hash)
    )


# --- join codes and their rate limit ---------------------------------------------------------------------
def new_join_code(conn: sqlite3.Connection) -> str:
    """A numeric join code no other meeting in this database uses."""
    for length in range(JOIN_CODE_LENGTH, JOIN_CODE_LENGTH + 4):
        for _ in range(50):
            code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))
            if not store.join_code_taken(conn, code):
                return code
    raise RuntimeError("no free join code")  # only reachable with a broken store


def _current(conn: sqlite3.Connection, scope: str, at: float) -> Attempts:
    found = access_store.get_attempts(conn, scope)
    if found is None or max(found.last_failure, found.blocked_until) + JOIN_FORGET_SECONDS < at:
        return Attempts(scope, 0, 0, 0.0, 0.0)
    return found


def refuse_if_blocked(
    conn: sqlite3.Connection, scopes: Iterable[str], *, at: float | None = None
) -> None:
    """Raise :class:`RateLimited` while any of ``scopes`` (page, address) must wait."""
    at = time.time() if at is None else at
    waits = [_current(conn, scope, at).blocked_until - at for scope in scopes if scope]
    wait = max(waits, default=0)
    if wait > 0:
        raise RateLimited(msg.JOIN_CODE_WAIT.format(seconds=int(wait) + 1))


def record_wrong_code(
    conn: sqlite3.Connection, scopes: Iterable[str], *, at: float | None = None
) -> None:
    """One more wrong code; every 5th in a row makes the scope wait 30 s, then 60 s, 120 s…"""
    at = time.time() if at is None else at
    with transaction(conn):
        for scope in scopes:
            if not scope:
                continue
            now_ = _current(conn, scope, at)
            failures, lockouts, until = now_.failures + 1, now_.lockouts, now_.blocked_until
            if failures >= JOIN_FAILURES_BEFORE_WAIT:
                wait = min(JOIN_WAIT_SECONDS * 2**lockouts, JOIN_WAIT_MAX_SECONDS)
                failures, lockouts, until = 0, lockouts + 1, at + wait
            access_store.put_attempts(conn, Attempts(scope, failures, lockouts, until, at))
