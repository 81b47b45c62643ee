"""Signed result files: each laptop signs what it hands to the office (Ed25519).

The key is made at the first start (``tasukeai serve``, or the first save) and kept beside
the district store: ``meetings.sqlite`` → ``meetings.sqlite.signing-key.pem`` (PKCS#8,
readable by its owner only). The manifest carries the public key (``public_key``, raw
32 bytes in base64) and ``signature`` over the canonical manifest without the signature —
which holds ``content_sha256`` and every CSV's SHA-256, so one signature covers the file.

The office pins each district's key at its first import (:mod:`kit.office.compile`) and
refuses a file of that district signed by another key, unless the clerk accepts the new
key on purpose (``tasukeai compile DIR --accept-new-key DISTRICT_ID``, or the office page's
「この地区の新しい鍵を受け入れる」 button) — e.g. after the district's laptop was replaced.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kit.resultfile.format import canonical_json

ALGORITHM = "Ed25519"
PUBLIC_KEY_FIELD = "public_key"
SIGNATURE_FIELD = "signature"
KEY_SUFFIX = ".signing-key.pem"

__all__ = [
    "Ed25519PrivateKey",
    "key_path_for",
    "load_or_create_signing_key",
    "public_key_text",
    "sign_manifest",
    "signing_key_from_seed",
    "verify_manifest",
]


def key_path_for(db_path: str | Path) -> Path:
    """Where the signing key of the district store ``db_path`` lives (beside it)."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def load_or_create_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """Read the laptop's signing key, making it (owner-only file) the first time."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return load_or_create_signing_key(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            with contextlib.suppress(OSError):
                os.fsync(handle.fileno())
        return key
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def signing_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """A fixed key from 32 bytes (the sample city signs with one, so its files never change)."""
    return Ed25519PrivateKey.from_private_bytes(seed[:32].ljust(32, b"\0"))


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _signed_bytes(manifest: Mapping[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in manifest.items() if k != SIGNATURE_FIELD})


def sign_manifest(manifest: Mapping[str, Any], key: Ed25519PrivateKey) -> str:
    """The ``signature`` of a manifest that already holds ``public_key`` and ``content_sha256``."""
    return base64.b64encode(key.sign(_signed_bytes(manifest))).decode("ascii")


def verify_manifest(manifest: Mapping[str, Any]) -> bool:
    """True when ``signature`` was made by ``public_key`` over this very manifest."""
    public, signature = manifest.get(PUBLIC_KEY_FIELD), manifest.get(SIGNATURE_FIELD)
    if not isinstance(public, str) or not isinstance(signature, str):
        return False
    if len(public) > 100 or len(signature) > 200:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public, validate=True))
        key.verify(base64.b64decode(signature, validate=True), _signed_bytes(manifest))
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True
