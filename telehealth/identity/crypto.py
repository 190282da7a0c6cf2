"""Secrets we must use again (TOTP seeds, identity provider client secrets), encrypted at rest
with a Fernet key derived from SECRET_KEY, and one-way hashes for everything else."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from telehealth.accounts.auth import token_hash


def _fernet() -> Fernet:
    key = hashlib.sha256(b"telehealth-identity-v1:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    """Encrypt a secret for storage."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    """Decrypt a stored secret (raises ValueError when SECRET_KEY changed)."""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise ValueError("stored secret cannot be decrypted with this SECRET_KEY") from None


# SHA-256 hex digest of a high-entropy secret (tokens, client secrets, recovery codes): the same
# stored form as session tokens and share links.
digest = token_hash
