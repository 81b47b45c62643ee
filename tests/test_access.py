"""The facilitator key (進行役の鍵)."""

from kit.meeting import access


def test_key_is_made_once_and_kept(conn):
    first = access.ensure_facilitator_key(conn)
    assert access.ensure_facilitator_key(conn) == first
    assert access.key_is_valid(conn, first)


def test_key_given_at_start_replaces_stored_one(conn):
    access.ensure_facilitator_key(conn)
    access.ensure_facilitator_key(conn, "chosen-key")
    assert access.key_is_valid(conn, "chosen-key")


def test_wrong_or_missing_keys_are_refused(conn):
    assert not access.key_is_valid(conn, "anything")  # no key stored yet
    access.ensure_facilitator_key(conn, "k1")
    for given in (None, "", "k2", "k1 ", "K1"):
        assert not access.key_is_valid(conn, given)


def test_key_from_query_string():
    assert access.key_from_query("key=abc&x=1") == "abc"
    assert access.key_from_query("") is None
    assert access.key_from_query(None) is None
    assert access.key_from_query("k=abc") is None
