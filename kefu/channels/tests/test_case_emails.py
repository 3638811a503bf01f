"""Staff read a case's original emails (sanitised HTML) and how its replies were delivered."""

import pytest

from kefu.channels import actions
from kefu.channels.tests import corpus

pytestmark = pytest.mark.django_db


def test_the_case_page_links_to_the_original_emails_scoped_and_masked(org, mailbox, client):
    from kefu.cases.models import Case

    result = actions.ingest_email(mailbox.pk, corpus.html_only())
    assert result.case_id is not None
    number = Case.objects.get(pk=result.case_id).number
    client.force_login(org.agent)
    assert 'data-testid="case-emails-link"' in client.get(f"/cases/{number}/").content.decode()
    page = client.get(f"/channels/cases/{number}/emails/").content.decode()
    assert "<b>会员积分</b>" in page and "<script" not in page.split("email-html")[1][:500]
    assert "zhao@example.cn" not in page  # an agent sees the address masked
    client.force_login(org.supervisor)
    assert "zhao@example.cn" in client.get(f"/channels/cases/{number}/emails/").content.decode()
    client.force_login(org.other_agent)  # another site's team: not theirs to see
    assert client.get(f"/channels/cases/{number}/emails/").status_code == 404
