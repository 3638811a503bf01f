"""Mailboxes are configured through the action, from the admin too: the change is on the
configuration record, which says that the IMAP password changed but never what it is."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kefu.accounts.actors import Actor
from kefu.accounts.audit import configuration_history
from kefu.channels import actions
from kefu.channels.models import Mailbox
from kefu.core import encryption
from kefu.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _stored_password(mailbox: Mailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT imap_password FROM {Mailbox._meta.db_table} WHERE id = %s", [mailbox.pk]
        )
        return cursor.fetchone()[0]


def _form(org, **changes: str) -> dict:
    form = {
        "name": "客服邮箱", "address": "support@kefu.test", "active": "on",
        "imap_host": "imap.kefu.test", "imap_port": "993", "imap_security": "ssl",
        "imap_username": "support", "imap_password": "", "imap_folder": "INBOX",
        "default_kind": "inquiry", "team": org.team.pk,
    }  # fmt: skip
    return form | changes


@pytest.fixture
def admin_client(client: Client, org) -> Client:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(org.admin)
    return client


def test_creating_and_changing_a_mailbox_is_recorded_without_the_password(org):
    actor = Actor.staff(org.admin)
    data = actions.MailboxInput(name="客服邮箱", address="help@kefu.test", team=org.team)
    mailbox = actions.save_mailbox(data, actor=actor, password="初始密码-1")
    actions.save_mailbox(
        actions.MailboxInput(name="售后邮箱", address="help@kefu.test", team=org.team),
        actor=actor,
        password="新密码-2",
        mailbox_id=mailbox.pk,
    )
    actions.save_mailbox(
        actions.MailboxInput(name="售后邮箱", address="help@kefu.test", team=org.team),
        actor=actor,
        mailbox_id=mailbox.pk,
    )  # nothing changed: nothing recorded

    created, changed = configuration_history(mailbox)
    assert (created.action, created.actor_user) == ("created", org.admin)
    assert created.data["password_set"] is True
    assert created.data["after"]["address"] == "help@kefu.test"
    assert changed.data["password_changed"] is True
    assert changed.data["before"] == {"name": "客服邮箱"}
    assert changed.data["after"] == {"name": "售后邮箱"}
    for event in (created, changed):
        recorded = json.dumps(event.data, ensure_ascii=False)
        assert "密码-" not in recorded and "imap_password" not in recorded
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "新密码-2"


def test_only_administrators_configure_mailboxes(org):
    data = actions.MailboxInput(name="客服邮箱", address="help@kefu.test")
    for user in (org.supervisor, org.agent):
        with pytest.raises(PermissionDenied):
            actions.save_mailbox(data, actor=Actor.staff(user))
    with pytest.raises(PermissionDenied):
        actions.save_mailbox(data, actor=Actor.customer(1))
    with pytest.raises(ValidationFailed):
        bad = actions.MailboxInput(name="x", address="x@kefu.test", default_kind="no-such")
        actions.save_mailbox(bad, actor=Actor.staff(org.admin))
    assert not Mailbox.objects.exists()


def test_an_admin_post_changes_the_mailbox_through_the_action(org, mailbox, admin_client):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="旧的-secret")
    url = reverse("admin:channels_mailbox_change", args=[mailbox.pk])

    response = admin_client.post(url, _form(org, imap_password="新的-secret", imap_port="143"))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.imap_host, mailbox.imap_port, mailbox.imap_password) == (
        "imap.kefu.test",
        143,
        "新的-secret",
    )
    stored = _stored_password(mailbox)
    assert stored.startswith(encryption.PREFIX) and "secret" not in stored
    (event,) = configuration_history(mailbox)
    assert (event.action, event.actor_user) == ("changed", org.admin)
    assert event.data["password_changed"] is True
    assert event.data["after"]["imap_port"] == 143
    assert "secret" not in json.dumps(event.data, ensure_ascii=False)


def test_an_admin_post_without_a_password_keeps_it_and_says_so(org, mailbox, admin_client):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="保留-secret")
    url = reverse("admin:channels_mailbox_change", args=[mailbox.pk])

    assert admin_client.post(url, _form(org, name="售后邮箱")).status_code == 302

    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "保留-secret"
    (event,) = configuration_history(Mailbox.objects.get(pk=mailbox.pk))
    assert event.data["password_changed"] is False
    assert event.data["after"] == {"name": "售后邮箱", "imap_host": "imap.kefu.test",
                                   "imap_username": "support"}  # fmt: skip


def test_an_admin_adds_a_mailbox_and_cannot_delete_one(org, mailbox, admin_client):
    response = admin_client.post(
        reverse("admin:channels_mailbox_add"),
        _form(org, address="sales@kefu.test", imap_password="开箱-secret"),
    )
    assert response.status_code == 302
    added = Mailbox.objects.get(address="sales@kefu.test")
    assert _stored_password(added).startswith(encryption.PREFIX)
    (event,) = configuration_history(added)
    assert event.action == "created" and "secret" not in json.dumps(event.data)

    delete = reverse("admin:channels_mailbox_delete", args=[mailbox.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Mailbox.objects.filter(pk=mailbox.pk).exists()


def test_an_unknown_default_kind_is_a_form_error_not_a_crash(org, mailbox, admin_client):
    url = reverse("admin:channels_mailbox_change", args=[mailbox.pk])
    response = admin_client.post(url, _form(org, default_kind="no-such-kind"))
    assert response.status_code == 200
    assert Mailbox.objects.get(pk=mailbox.pk).default_kind == "inquiry"
