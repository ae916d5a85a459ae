"""Personal data at rest: AES-256-GCM encryption and an HMAC-SHA256 blind index, from one key.

The key comes from settings.FIELD_KEY (the environment in production, a generated file in the data
folder for the embedded default); two independent 32-byte subkeys are derived with HKDF-SHA256,
distinguished by their ``info``. Every function takes an optional explicit ``key`` (tests, key rotation).

Token format: "v1:" + urlsafe base64 of (12-byte random nonce || ciphertext || 16-byte GCM tag).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from collections.abc import Callable
from functools import partial

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["VERSION", "DecryptionError", "blind_index", "blind_indexer", "decrypt", "encrypt", "encrypter"]

VERSION = "v1:"
MIN_KEY_LENGTH = 32
_NONCE_BYTES = 12
# Changing any of these makes every stored token and index unreadable: they are part of the format.
_SALT = None
_INFO_ENCRYPTION = b"jinqiu field encryption"
_INFO_BLIND_INDEX = b"jinqiu blind index"
_CACHE_SIZE = 8

# Keyed on the key string itself, so override_settings(FIELD_KEY=...) never sees stale subkeys.
_derived: dict[str, tuple[bytes, bytes]] = {}
_lock = threading.Lock()


class DecryptionError(ValueError):
    """The token is malformed, was tampered with, or was encrypted under another key."""


def _derive(key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(key.encode("utf-8"))


def _keys(key: str | None) -> tuple[bytes, bytes]:
    if key is None:
        from django.conf import settings

        key = settings.FIELD_KEY
    if not isinstance(key, str) or len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"FIELD_KEY must be a string of at least {MIN_KEY_LENGTH} characters")
    found = _derived.get(key)
    if found is None:
        found = (_derive(key, _INFO_ENCRYPTION), _derive(key, _INFO_BLIND_INDEX))
        with _lock:
            if len(_derived) >= _CACHE_SIZE:
                _derived.clear()
            _derived[key] = found
    return found


def _seal(cipher: AESGCM, plaintext: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plaintext.encode("utf-8"), None)
    return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def encrypt(plaintext: str, key: str | None = None) -> str:
    """Encrypt with a fresh random nonce: the same plaintext never gives the same token twice."""
    return _seal(AESGCM(_keys(key)[0]), plaintext)


def encrypter(key: str | None = None) -> Callable[[str], str]:
    """`encrypt` for many values (a roster's 100,000 ID numbers): the key and the cipher are set up once."""
    cipher = AESGCM(_keys(key)[0])
    return partial(_seal, cipher)


def blind_indexer(key: str | None = None) -> Callable[[str], str]:
    """`blind_index` for many values: the keyed HMAC is set up once and copied for each value."""
    keyed = hmac.new(_keys(key)[1], digestmod=hashlib.sha256)

    def index(value: str) -> str:
        mac = keyed.copy()
        mac.update(value.encode("utf-8"))
        return mac.hexdigest()

    return index


def decrypt(token: str, key: str | None = None) -> str:
    """Reverse ``encrypt``. Raises ``DecryptionError`` on any malformed, tampered or foreign token."""
    aes_key = _keys(key)[0]
    if not isinstance(token, str) or not token.startswith(VERSION):
        raise DecryptionError("unknown token format")
    try:
        raw = base64.urlsafe_b64decode(token[len(VERSION) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise DecryptionError("token is not valid base64") from exc
    if len(raw) < _NONCE_BYTES + 16:
        raise DecryptionError("token is too short")
    try:
        plain = AESGCM(aes_key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except InvalidTag as exc:
        raise DecryptionError("cannot decrypt: wrong key or tampered value") from exc
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError as exc:  # pragma: no cover - authenticated data is always our UTF-8
        raise DecryptionError("decrypted value is not UTF-8") from exc


def blind_index(value: str, key: str | None = None) -> str:
    """Deterministic HMAC-SHA256 (64 hex chars) for equality lookups; normalise ``value`` first."""
    return hmac.new(_keys(key)[1], value.encode("utf-8"), hashlib.sha256).hexdigest()
