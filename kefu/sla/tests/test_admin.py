"""The calendar admin pages: administrators only, saved through the actions, the preview."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kefu.sla import selectors
from kefu.sla.models import BusinessCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, org):
    org.admin.is_staff = True
    org.admin.save(update_fields=["is_staff"])
    client.force_login(org.admin)
    return client


def _preview_url(calendar: BusinessCalendar) -> str:
    return reverse("admin:sla_businesscalendar_preview", args=[calendar.pk])


def test_the_preview_answers_the_national_day_question_by_default(admin_client):
    calendar = selectors.default_calendar()
    response = admin_client.get(_preview_url(calendar))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.due == dt.datetime(2025, 10, 9, 14, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    html = response.content.decode()
    assert '<strong data-testid="due">2025-10-09 14:20' in html
    assert "法定节假日" in html
    # Durations and holiday names in words, not Python's "4:00:00" or chinese-calendar's
    # English names.
    assert '<strong data-testid="target">4 小时</strong>' in html
    assert "日历时间 8 天 20 小时 30 分钟" in html
    assert "<td>国庆节</td>" in html and "<td>中秋节</td>" in html and "National Day" not in html


def test_the_preview_takes_a_start_and_a_target(admin_client):
    calendar = selectors.default_calendar()
    response = admin_client.get(_preview_url(calendar), {"start": "2025-09-26T17:50", "hours": "4"})
    assert response.status_code == 200
    assert '<strong data-testid="due">2025-09-28 14:20' in response.content.decode()
    assert "调休上班" in response.content.decode()


def test_the_preview_shows_times_in_the_calendars_zone(admin_client, org):
    berlin = BusinessCalendar.objects.create(
        code="berlin",
        name="Berlin",
        time_zone="Europe/Berlin",
        region="DE",
        updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    berlin.periods.create(weekday=4, start=dt.time(9), end=dt.time(17))
    berlin.periods.create(weekday=0, start=dt.time(9), end=dt.time(17))
    response = admin_client.get(_preview_url(berlin), {"start": "2025-10-02T16:00", "hours": "2"})
    # Thursday has no hours, Friday 3 October is German Unity Day: Monday 6 October 11:00.
    assert '<strong data-testid="due">2025-10-06 11:00' in response.content.decode()


@pytest.mark.parametrize("who", ["supervisor", "site_manager", "agent"])
def test_other_roles_cannot_see_calendars(client, org, who):
    user = getattr(org, who)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    calendar = selectors.default_calendar()
    assert client.get(_preview_url(calendar)).status_code == 403
    changelist = client.get(reverse("admin:sla_businesscalendar_changelist"))
    assert changelist.status_code == 403


def _change_form(calendar: BusinessCalendar, periods: list[tuple[int, str, str]]) -> dict:
    data = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "region": calendar.region,
        "makeup_weekday": str(calendar.makeup_weekday),
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": "0",
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "0",
        "closures-0-first_day": "2025-10-09",
        "closures-0-last_day": "2025-10-09",
        "closures-0-reason": "系统升级",
        "extra_workdays-TOTAL_FORMS": "0",
        "extra_workdays-INITIAL_FORMS": "0",
    }
    for i, (weekday, start, end) in enumerate(periods):
        data |= {
            f"periods-{i}-weekday": str(weekday),
            f"periods-{i}-start": start,
            f"periods-{i}-end": end,
        }
    return data


def test_saving_in_the_admin_goes_through_the_actions(admin_client):
    # Given a calendar without periods, saved in the admin with two periods and a closure
    calendar = BusinessCalendar.objects.create(
        code="hall", name="营业厅", updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    data = _change_form(calendar, [(1, "09:00", "12:00"), (1, "13:00", "17:00")])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    calendar.refresh_from_db()
    # Then the periods and the closure are written and the version moved once per change
    assert list(calendar.periods.values_list("weekday", "start", "end")) == [
        (1, dt.time(9), dt.time(12)),
        (1, dt.time(13), dt.time(17)),
    ]
    assert list(calendar.closures.values_list("first_day", "reason")) == [
        (dt.date(2025, 10, 9), "系统升级")
    ]
    assert calendar.version == 3


def test_adding_a_calendar_in_the_admin_creates_it_through_the_action(admin_client):
    data = _change_form(
        BusinessCalendar(name="热线", time_zone="Asia/Shanghai", region="cn"),
        [(day, "08:00", "20:00") for day in range(7)],
    )
    response = admin_client.post(
        reverse("admin:sla_businesscalendar_add"), {**data, "code": "hotline"}
    )
    assert response.status_code == 302
    calendar = selectors.get_calendar("hotline")
    assert (calendar.name, calendar.region, calendar.periods.count()) == ("热线", "CN", 7)
    preview = selectors.preview_due(calendar, dt.datetime(2025, 10, 1, 19, 30), 1)
    # Open every day 08:00-20:00, but 1-8 October are holidays and 9 October is closed:
    # the hour runs 08:00-09:00 on Friday 10 October.
    assert preview.due == dt.datetime(2025, 10, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_overlapping_periods_are_refused_in_the_admin(admin_client):
    calendar = selectors.default_calendar()
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    data = _change_form(calendar, [(1, "09:00", "12:00"), (1, "11:00", "17:00")])
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "09:00-12:00 overlaps 11:00-17:00" in response.content.decode()
    assert selectors.default_calendar().periods.count() == 10
    assert selectors.default_calendar().version == 1
