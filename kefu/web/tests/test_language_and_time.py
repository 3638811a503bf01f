"""Chinese by default, English on request; the choice is remembered; times in the user's zone."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from kefu.cases.models import Case
from kefu.core import clock
from tests.factories import make_case


def test_the_browser_language_picks_the_default(org):
    client = Client()
    client.force_login(org.agent)

    chinese = client.get("/queues/mine/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    english = client.get("/queues/mine/", headers={"accept-language": "en-US,en;q=0.9"})

    assert "我的工单" in chinese.content.decode()
    assert "My cases" in english.content.decode()
    assert '<html lang="zh-Hans">' in chinese.content.decode()


def test_switching_language_is_remembered(org):
    client = Client()
    client.force_login(org.agent)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/queues/mine/"})
    later = client.get("/queues/team/", headers={"accept-language": "zh-CN"})

    assert response.status_code == 302
    assert "My team" in later.content.decode()
    assert "工作队列" not in later.content.decode()


def test_every_string_on_the_main_pages_is_translated(org, as_user):
    case = make_case(org)
    client = as_user(org.agent)
    client.cookies["django_language"] = "en"

    for url in ("/queues/team/", f"/cases/{case.number}/", "/cases/new/"):
        html = client.get(url).content.decode()
        # Only user data (the case, people and org names) and the logo may still be Chinese.
        html = html.replace('<span class="brand-mark" aria-hidden="true">客</span>', "")
        for text in (
            case.subject,
            case.description,
            case.customer.name,
            org.team.name,
            org.site.name,
            org.agent.label,
            org.front.name,
            org.billing.name,
            org.supervisor.label,
            org.site_manager.label,
            org.other_site.name,
            "中文",
            "投诉处理组",
            "计费核查组",
            "热线组",
        ):
            html = html.replace(text, "")
        leftover = [ch for ch in html if "\u4e00" <= ch <= "\u9fff"]
        assert leftover == [], (url, "".join(leftover)[:80])


def test_times_are_shown_in_the_users_time_zone(org, as_user):
    moment = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    with clock.frozen_at(moment):
        case = make_case(org)
    org.agent.time_zone = "Europe/London"
    org.agent.save()

    london = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()
    shanghai = as_user(org.supervisor).get(f"/cases/{case.number}/").content.decode()

    assert "2026-03-02 01:30" in london and "Europe/London" in london
    assert "2026-03-02 09:30" in shanghai and "Asia/Shanghai" in shanghai
    assert Case.objects.get(pk=case.pk).created_at == moment


def test_the_language_choice_outlives_the_browser_session(org):
    client = Client()
    client.force_login(org.agent)

    response = client.post("/language/", {"language": "en", "next": "/queues/mine/"})

    assert response.status_code == 302
    assert response["Location"] == "/queues/mine/"
    cookie = response.cookies["django_language"]
    assert (cookie.value, cookie["max-age"]) == ("en", 365 * 24 * 3600)
    assert "My cases" in client.get("/queues/mine/").content.decode()


def test_a_case_age_reads_as_a_duration_in_chinese(org):
    """Django's own Chinese says 1月 (January) for "1 month"; a case's age says 1 个月."""
    with clock.frozen_at(dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)):
        case = make_case(org)
    client = Client()
    client.force_login(org.agent)
    with clock.frozen_at(dt.datetime(2026, 2, 22, 14, 0, tzinfo=dt.UTC)):
        page = client.get(f"/cases/{case.number}/").content.decode().replace("\xa0", " ")
    assert "<dd>1 个月，2 周</dd>" in page
    assert "1 月" not in page
