"""Secrets Kefu must use but never show (a mailbox's IMAP password), encrypted at rest.

The key is derived from KEFU_SECRET_KEY: a database dump alone does not reveal them. Changing
the secret key makes the stored ones unreadable; they are then read as empty (and logged), so
an administrator enters them again.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

log = logging.getLogger(__name__)
PREFIX = "fernet:"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"kefu.core.encryption:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + _fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored or ""  # empty, or written before encryption (re-encrypted on save)
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        log.error("a stored secret cannot be decrypted (was KEFU_SECRET_KEY changed?)")
        return ""


class EncryptedTextField(models.TextField):
    """Plain text in Python, Fernet ciphertext in the database."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or str(value).startswith(PREFIX):
            return value
        return encrypt(str(value))
