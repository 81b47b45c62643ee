"""The facilitator key (stored as a hash only), sessions, one-time links, join-code limits."""

import sqlite3

import pytest

from kit.meeting import access
from kit.store import meetings as store


def test_key_is_made_once_kept_and_never_stored_in_plain(conn, db_path):
    first = access.ensure_facilitator_key(conn)
    assert first and access.key_is_valid(conn, first)
    assert access.ensure_facilitator_key(conn) is None  # kept, but cannot be shown again
    assert access.key_is_valid(conn, first)
    raw = db_path.read_bytes() + (db_path.parent / (db_path.name + "-wal")).read_bytes()
    assert first.encode() not in raw
    assert store.get_setting(conn, access.FACILITATOR_KEY_SETTING) is None


def test_a_plain_key_of_an_older_kit_is_hashed_and_deleted(conn):
    store.set_setting(conn, access.FACILITATOR_KEY_SETTING, "old-plain-key")
    assert access.ensure_facilitator_key(conn) == "old-plain-key"
    assert store.get_setting(conn, access.FACILITATOR_KEY_SETTING) is None
    assert access.key_is_valid(conn, "old-plain-key")


def test_a_given_key_replaces_the_stored_one(conn):
    access.ensure_facilitator_key(conn)
    access.ensure_facilitator_key(conn, "chosen-key")
    assert access.key_is_valid(conn, "chosen-key")


def test_wrong_keys_are_refused(conn):
    assert not access.key_is_valid(conn, "anything")  # no key stored yet
    access.ensure_facilitator_key(conn, "k1")
    for given in (None, "", "k2", "k1 ", "K1", "x" * 10_000, 5):
        assert not access.key_is_valid(conn, given)


def test_key_from_query_string():
    assert access.key_from_query("key=abc&x=1") == "abc"
    assert access.key_from_query("") is None
    assert access.key_from_query(None) is None
    assert access.key_from_query("k=abc") is None


def test_sessions_and_rotation(conn):
    access.ensure_facilitator_key(conn, "k1")
    token = access.new_session(conn)
    assert access.session_is_valid(conn, token)
    assert not access.session_is_valid(conn, token + "x")
    assert not access.session_is_valid(conn, None)
    assert not access.session_is_valid(conn, token, at=1e12)  # expired
    new_key = access.rotate_facilitator_key(conn)
    assert not access.session_is_valid(conn, token)
    assert not access.key_is_valid(conn, "k1") and access.key_is_valid(conn, new_key)


def test_one_time_links_work_once(conn):
    once = access.new_once_token(conn)
    assert not access.session_is_valid(conn, once)  # a link is not a session
    assert access.take_once_token(conn, once)
    assert not access.take_once_token(conn, once)
    assert not access.take_once_token(conn, "made-up")


def test_kernel_of_a_keyed_page_needs_a_live_session(conn):
    token = access.new_session(conn)
    access.bind_kernel(
        conn, "k-1", access.PAGE_FACILITATOR, "dev", access.secret_hash(token), "::1"
    )
    access.bind_kernel(conn, "k-2", access.PAGE_MEMBER, "dev", None, "10.0.0.2")
    access.bind_kernel(conn, "k-3", access.PAGE_FACILITATOR, "dev", "not-a-session", "::1")
    assert access.kernel_is_facilitator(conn, "k-1")
    assert not access.kernel_is_facilitator(conn, "k-2")
    assert not access.kernel_is_facilitator(conn, "k-3")
    assert not access.kernel_is_facilitator(conn, None)
    assert access.page_kernel(conn, "k-2").client_address == "10.0.0.2"
    access.rotate_facilitator_key(conn)
    assert not access.kernel_is_facilitator(conn, "k-1")


def test_join_codes_are_long_enough(conn, district, plan):
    code = access.new_join_code(conn)
    assert len(code) >= 6 and set(code) <= set(access.JOIN_CODE_ALPHABET)


def test_wrong_codes_make_a_scope_wait_longer_each_time(conn):
    scopes = ("page:1", "addr:10.0.0.2")
    t = 1000.0
    for _ in range(access.JOIN_FAILURES_BEFORE_WAIT - 1):
        access.record_wrong_code(conn, scopes, at=t)
    access.refuse_if_blocked(conn, scopes, at=t)  # four wrong: no wait yet
    access.record_wrong_code(conn, scopes, at=t)
    with pytest.raises(access.RateLimited) as info:
        access.refuse_if_blocked(conn, ["addr:10.0.0.2"], at=t + 1)
    assert "30 秒" in info.value.message or "秒" in info.value.message
    access.refuse_if_blocked(conn, ["addr:10.0.0.3"], at=t + 1)  # another address is not held
    access.refuse_if_blocked(conn, scopes, at=t + 31)
    for _ in range(access.JOIN_FAILURES_BEFORE_WAIT):
        access.record_wrong_code(conn, scopes, at=t + 31)
    with pytest.raises(access.RateLimited):
        access.refuse_if_blocked(conn, scopes, at=t + 31 + 45)  # the second wait is 60 s
    access.refuse_if_blocked(conn, scopes, at=t + 31 + 61)


def test_attempts_are_shared_through_the_store(db_path):
    from kit.store import open_store

    one, two = open_store(db_path), open_store(db_path)
    for _ in range(access.JOIN_FAILURES_BEFORE_WAIT):
        access.record_wrong_code(one, ["addr:10.0.0.9"], at=50.0)
    with pytest.raises(access.RateLimited):
        access.refuse_if_blocked(two, ["addr:10.0.0.9"], at=51.0)
    one.close(), two.close()
    assert isinstance(one, sqlite3.Connection)
