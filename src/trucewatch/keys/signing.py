"""Ed25519 signatures over canonical JSON, and a keystore directory for private keys."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trucewatch.errors import InvalidInput, NotFound


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str, *, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise InvalidInput("not valid base64", field=field) from None


def load_public_key(text: str, *, field: str = "public_key") -> Ed25519PublicKey:
    raw = unb64(text, field=field)
    if len(raw) != 32:
        raise InvalidInput("an Ed25519 public key is 32 bytes", field=field)
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(key: Ed25519PrivateKey, body: bytes) -> str:
    return b64(key.sign(body))


def signature_valid(public_key_b64: str, body: bytes, signature_b64: str) -> bool:
    try:
        load_public_key(public_key_b64).verify(base64.b64decode(signature_b64, validate=True),
                                               body)
    except (InvalidSignature, InvalidInput, ValueError):
        return False
    return True


class Keystore:
    """Private keys as PEM files named by key id in one directory (mode 0700, files 0600)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def save(self, key: Ed25519PrivateKey) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        key_id = key_id_of(public_bytes(key))
        path = self.directory / f"{key_id}.pem"
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return key_id

    def load(self, key_id: str) -> Ed25519PrivateKey:
        path = self.directory / f"{key_id}.pem"
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise NotFound(f"no private key {key_id[:16]}… in {self.directory}",
                           field="key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput(f"{path} is not an Ed25519 key", field="key")
        return key

    def has(self, key_id: str) -> bool:
        return (self.directory / f"{key_id}.pem").exists()
