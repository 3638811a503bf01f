"""A mailbox's IMAP password is encrypted in the database and readable only by Kefu."""

from __future__ import annotations

import pytest
from django.db import connection

from kefu.channels.models import Mailbox
from kefu.core import encryption


def _stored(mailbox: Mailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT imap_password FROM {Mailbox._meta.db_table} WHERE id = %s", [mailbox.pk]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_password_is_encrypted_at_rest_and_read_back_in_plain():
    mailbox = Mailbox.objects.create(
        name="客服", address="a@kefu.test", imap_password="邮箱密码-42"
    )

    stored = _stored(mailbox)
    assert stored.startswith(encryption.PREFIX)
    # The token is base64: the secret's Chinese text cannot appear in it unless stored plain
    # (its digits alone could, by chance).
    assert "邮箱密码" not in stored
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "邮箱密码-42"


@pytest.mark.django_db
def test_a_password_stored_before_encryption_still_reads_and_is_encrypted_when_saved():
    mailbox = Mailbox.objects.create(name="客服", address="b@kefu.test")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Mailbox._meta.db_table} SET imap_password = %s WHERE id = %s",
            ["old-plain", mailbox.pk],
        )
    legacy = Mailbox.objects.get(pk=mailbox.pk)
    assert legacy.imap_password == "old-plain"
    legacy.save()
    assert _stored(legacy).startswith(encryption.PREFIX)


@pytest.mark.django_db
def test_with_another_secret_key_the_password_reads_as_empty(settings):
    mailbox = Mailbox.objects.create(name="客服", address="c@kefu.test", imap_password="pw")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == ""
