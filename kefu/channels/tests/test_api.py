"""The raw-MIME intake (an MTA pipe posts here) and mailbox health, for admins only."""

import pytest
from django.test import Client

from kefu.accounts.actions import issue_api_token
from kefu.cases.models import Case
from kefu.channels.tests import corpus

pytestmark = pytest.mark.django_db


def _client(user):
    _token, raw = issue_api_token(username=user.username, password="kefu-test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_an_mta_posts_raw_mime_and_a_case_is_made_once(org, mailbox):
    client = _client(org.admin)
    url = f"/api/v1/channels/mailboxes/{mailbox.pk}/raw"
    first = client.post(url, corpus.gbk_plain(), content_type="message/rfc822")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "new_case"
    again = client.post(url, corpus.gbk_plain(), content_type="message/rfc822")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert Case.objects.count() == 1
    broken = client.post(url, corpus.malformed(), content_type="message/rfc822")
    assert broken.status_code == 201 and broken.json()["status"] == "quarantined"
    health = client.get("/api/v1/channels/mailboxes").json()
    assert health[0]["quarantined"] == 1 and health[0]["address"] == "support@kefu.test"


def test_only_admins_and_only_with_a_token(org, mailbox):
    url = f"/api/v1/channels/mailboxes/{mailbox.pk}/raw"
    assert Client().post(url, b"x", content_type="message/rfc822").status_code == 401
    agent = _client(org.agent).post(url, corpus.gbk_plain(), content_type="message/rfc822")
    assert agent.status_code == 403 and agent.json()["error"]["code"]
    admin = _client(org.admin)
    assert (
        admin.post(
            "/api/v1/channels/mailboxes/999999/raw", b"x", content_type="text/plain"
        ).status_code
        == 404
    )
    assert admin.post(url, b"  ", content_type="message/rfc822").status_code == 422
    assert Case.objects.count() == 0


def test_the_admin_page_shows_health_and_retries(org, mailbox, client):
    from kefu.channels import actions
    from kefu.channels.models import Mailbox

    result = actions.ingest_email(mailbox.pk, corpus.gbk_plain().replace(b"support", b"x"))
    Mailbox.objects.filter(pk=mailbox.pk).update(default_kind="no-such-kind")
    broken = actions.ingest_email(mailbox.pk, corpus.big5_qp())
    assert broken.status == "quarantined" and result.status == "new_case"
    client.force_login(org.agent)
    assert client.get("/channels/mailboxes/").status_code == 403
    client.force_login(org.admin)
    page = client.get("/channels/mailboxes/")
    assert page.status_code == 200 and "support@kefu.test" in page.content.decode()
    assert 'data-testid="mailboxes-link"' in page.content.decode()
    # Why it is in quarantine, in the reader's language (stored as the store wrote it).
    assert "无法保存：" in page.content.decode()
    client.cookies["django_language"] = "en"
    assert "could not store: " in client.get("/channels/mailboxes/").content.decode()
    Mailbox.objects.filter(pk=mailbox.pk).update(default_kind="inquiry")
    response = client.post("/channels/mailboxes/", {"inbound": broken.inbound_id})
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_the_admin_keeps_the_imap_password_write_only(org, mailbox, client):
    from kefu.channels.models import Mailbox

    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="s3cret-imap")
    type(org.admin).objects.filter(pk=org.admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(org.admin)
    url = f"/admin/channels/mailbox/{mailbox.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "s3cret-imap" not in page.content.decode()
    form = {
        "name": "客服邮箱", "address": "support@kefu.test", "active": "on", "imap_host": "",
        "imap_port": "993", "imap_security": "ssl", "imap_username": "", "imap_password": "",
        "imap_folder": "INBOX", "default_kind": "inquiry", "team": org.team.pk,
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "s3cret-imap"
