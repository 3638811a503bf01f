from __future__ import annotations

from django.test import Client

from kefu.cases.models import Case, CaseEvent
from tests.factories import Org, make_case


def test_admin_shows_cases_read_only(org: Org) -> None:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    case = make_case(org)
    client = Client()
    client.force_login(org.admin)
    assert client.get("/admin/cases/case/").status_code == 200
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert case.subject in page.content.decode()
    assert client.get("/admin/cases/case/add/").status_code == 403
    deleted = client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    event = CaseEvent.objects.get(case=case)
    posted = client.post(f"/admin/cases/caseevent/{event.pk}/change/", {"type": "closed"})
    assert posted.status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
    assert CaseEvent.objects.get(pk=event.pk).type == "created"
    assert client.get("/admin/cases/casekind/").status_code == 200
