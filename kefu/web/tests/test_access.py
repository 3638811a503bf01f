"""Every page × every role: allowed, forbidden (403 with the reason) or hidden (404)."""

from __future__ import annotations

import re

import pytest

from tests.factories import Org, make_case

ROLES = ["agent", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def _user(org: Org, role: str):
    return getattr(org, role)


@pytest.fixture
def case(org):
    return make_case(org)


PAGES = {
    # name: (url builder, {role: expected status})
    "queue_mine": (lambda c: "/queues/mine/", dict.fromkeys(ROLES, 200)),
    "queue_unaccepted": (lambda c: "/queues/unaccepted/", dict.fromkeys(ROLES, 200)),
    "queue_escalated": (lambda c: "/queues/escalated/", dict.fromkeys(ROLES, 200)),
    "queue_complaints": (lambda c: "/queues/complaints/", dict.fromkeys(ROLES, 200)),
    "queue_return_visits": (lambda c: "/queues/return_visits/", dict.fromkeys(ROLES, 200)),
    "queue_team": (
        lambda c: "/queues/team/",
        {**dict.fromkeys(ROLES, 200), "site_manager": 403, "admin": 403},
    ),
    "queue_all": (
        lambda c: "/queues/all/",
        {**dict.fromkeys(ROLES, 403), "supervisor": 200, "site_manager": 200, "admin": 200},
    ),
    "case": (
        lambda c: f"/cases/{c.number}/",
        {**dict.fromkeys(ROLES, 200), "backoffice": 404, "other_agent": 404},
    ),
    "new_case": (lambda c: "/cases/new/", {**dict.fromkeys(ROLES, 200), "backoffice": 403}),
    # Back office sees only the customers of cases that reached its team (issue 5: scope).
    "customer": (
        lambda c: f"/customers/{c.customer_id}/",
        {**dict.fromkeys(ROLES, 200), "backoffice": 404},
    ),
    "customer_search": (lambda c: "/customers/search/?q=张", dict.fromkeys(ROLES, 200)),
    "customer_pick": (
        lambda c: f"/customers/{c.customer_id}/pick/",
        {**dict.fromkeys(ROLES, 200), "backoffice": 404},
    ),
    "board": (
        lambda c: "/board/",
        {**dict.fromkeys(ROLES, 403), "supervisor": 200, "site_manager": 200, "admin": 200},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_by_role(org, case, as_user, page, role):
    url_for, expected = PAGES[page]
    client = as_user(_user(org, role))

    response = client.get(url_for(case))

    assert response.status_code == expected[role], (page, role)


@pytest.mark.parametrize("page", list(PAGES))
def test_signed_out_visitors_are_sent_to_sign_in(client, case, page):
    url = PAGES[page][0](case)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_403_page_says_why(org, as_user):
    response = as_user(org.agent).get("/board/")

    assert response.status_code == 403
    assert "班组看板只对班长、网点负责人和管理员开放。" in response.content.decode()


def test_the_404_page_does_not_reveal_whether_a_case_exists(org, case, as_user):
    client = as_user(org.other_agent)

    hidden = client.get(f"/cases/{case.number}/")
    missing = client.get("/cases/TS-2099-999999/")

    assert hidden.status_code == missing.status_code == 404
    assert _without_csrf(hidden.content) == _without_csrf(missing.content)
    assert case.subject not in hidden.content.decode()


def test_backoffice_is_told_why_it_cannot_open_cases(org, as_user):
    response = as_user(org.backoffice).get("/cases/new/")

    assert response.status_code == 403
    assert "后台人员不登记客户来电或来访" in response.content.decode()


def test_the_500_page_stands_alone_in_both_languages():
    from django.template import loader

    html = loader.get_template("500.html").render()

    assert "服务器出错了" in html and "Something went wrong" in html


def test_switching_language_after_a_failed_post_goes_back_to_the_page(org, as_user):
    case = make_case(org)
    client = as_user(org.agent)
    failed = client.post(f"/cases/{case.number}/do/assign/", {"assign-version": 1})
    assert failed.status_code == 422
    assert 'name="next"' not in failed.content.decode().split('class="langswitch"')[1][:400]

    response = client.post(
        "/i18n/setlang/", {"language": "en"}, headers={"referer": f"/cases/{case.number}/"}
    )

    assert response["Location"] == f"/cases/{case.number}/"
