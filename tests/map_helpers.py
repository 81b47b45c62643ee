"""The map is sealed at rest: tests open it with a test passphrase, derived once per session.

``unlock_fast(conn)`` gives a fresh store the test passphrase's keyring and key without
paying scrypt again (the salt is fixed for tests only); ``vault.unlock(conn, TEST_PASSPHRASE)``
works on it too, the slow way.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kit.store import supportmap as map_store
from kit.store import transaction
from kit.supportmap import vault

TEST_PASSPHRASE = "テスト用の合言葉です"
_CACHE: dict = {}


def _keyring() -> tuple[dict, AESGCM]:
    if not _CACHE:
        salt = b"tasukeai-test-salt"[: vault.SALT_BYTES]
        aead = AESGCM(vault.derive_key(TEST_PASSPHRASE, salt))
        _CACHE["fields"] = dict(
            kdf=vault.KDF,
            salt=salt,
            n=vault.SCRYPT_N,
            r=vault.SCRYPT_R,
            p=vault.SCRYPT_P,
            check_value=vault._seal_with(aead, vault.CHECK_TEXT, vault.CHECK_AAD),
        )
        _CACHE["aead"] = aead
    return _CACHE["fields"], _CACHE["aead"]


def unlock_fast(conn) -> None:
    """Set (if none) the test passphrase on ``conn``'s database and hold its key."""
    fields, aead = _keyring()
    with transaction(conn):
        if map_store.get_keyring(conn) is None:
            map_store.insert_keyring(conn, **fields)
        generation = map_store.keyring_generation(conn)
    vault._remember(conn, aead, generation)
