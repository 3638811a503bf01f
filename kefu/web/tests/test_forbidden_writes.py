"""A forbidden POST changes nothing: every write endpoint × every role that may not use it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.cases.models import Attachment, Case, CaseEvent, CaseMessage
from kefu.customers.models import Customer
from tests.factories import advance, make_case

CASE_POSTS = {
    "accept": lambda c: (f"/cases/{c.number}/do/accept/", {"accept-version": c.version}),
    "assign": lambda c: (f"/cases/{c.number}/do/assign/", {"assign-version": c.version}),
    "contact": lambda c: (f"/cases/{c.number}/do/contact/", {"contact-version": c.version}),
    "resolve": lambda c: (
        f"/cases/{c.number}/do/resolve/",
        {"resolve-version": c.version, "resolve-stance": "ours", "resolve-resolution": "x"},
    ),
    "escalate": lambda c: (f"/cases/{c.number}/do/escalate/", {"escalate-version": c.version}),
    "transfer": lambda c: (f"/cases/{c.number}/do/transfer/", {"transfer-version": c.version}),
    "change_kind": lambda c: (
        f"/cases/{c.number}/do/change_kind/",
        {"change_kind-version": c.version, "change_kind-kind": "inquiry"},
    ),
    "message": lambda c: (
        f"/cases/{c.number}/messages/",
        {"msg-kind": "outbound", "msg-body": "越权回复"},
    ),
    "call": lambda c: (
        f"/cases/{c.number}/calls/",
        {"call-direction": "outbound", "call-minutes": 1, "call-seconds": 0, "call-body": "x"},
    ),
    "visit": lambda c: (f"/cases/{c.number}/visits/", {"visit-body": "x"}),
    "attachment": lambda c: (
        f"/cases/{c.number}/attachments/",
        {"file-file": SimpleUploadedFile("a.txt", b"hello")},
    ),
}


def _snapshot(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.handler_id,
        fresh.kind_id,
        fresh.team_id,
        fresh.escalation_level,
        CaseEvent.objects.filter(case=case).count(),
        CaseMessage.objects.filter(case=case).count(),
        Attachment.objects.filter(case=case).count(),
    )


@pytest.mark.parametrize("role", ["backoffice", "other_agent"])
@pytest.mark.parametrize("endpoint", list(CASE_POSTS))
def test_case_writes_by_users_who_cannot_see_the_case(
    org, as_user, settings, tmp_path, role, endpoint
):
    settings.MEDIA_ROOT = tmp_path
    case = advance(org, make_case(org), "in_progress")
    before = _snapshot(case)
    url, data = CASE_POSTS[endpoint](case)

    response = as_user(getattr(org, role)).post(url, data)

    assert response.status_code == 404
    assert _snapshot(case) == before


@pytest.mark.parametrize("role", ["agent", "backoffice", "other_agent"])
def test_board_reassign_by_roles_without_a_board(org, as_user, role):
    case = advance(org, make_case(org), "assigned")
    before = _snapshot(case)

    response = as_user(getattr(org, role)).post(
        "/board/assign/", {"team": org.team.pk, "cases": [case.pk], "handler": org.teammate.pk}
    )

    assert response.status_code == 403
    assert _snapshot(case) == before


def test_intake_by_back_office(org, as_user):
    client = as_user(org.backoffice)
    customers = Customer.objects.count()

    new_case = client.post(
        "/cases/new/", {"kind": "inquiry", "channel": "phone", "priority": 2, "subject": "x"}
    )
    new_customer = client.post(
        "/customers/new/", {"newcustomer-name": "赵六", "newcustomer-phone": "13600001111"}
    )

    assert (new_case.status_code, new_customer.status_code) == (403, 403)
    assert Case.objects.count() == 0
    assert Customer.objects.count() == customers
