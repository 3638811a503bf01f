"""Calendar writes: administrators only, validated, versioned; the preview follows them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kefu.accounts.actors import Actor
from kefu.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from kefu.sla import actions, selectors
from kefu.sla.actions import ClosureInput, ExtraWorkdayInput, WeeklyPeriod
from kefu.sla.models import BusinessCalendar, Closure, ExtraWorkday, WorkingPeriod

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

MORNING = WeeklyPeriod(0, dt.time(9), dt.time(12))
AFTERNOON = WeeklyPeriod(0, dt.time(13, 30), dt.time(18))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_calendar(org, **kwargs) -> BusinessCalendar:
    defaults = {"code": "hall", "name": "营业厅", "periods": [MORNING, AFTERNOON]}
    return actions.create_calendar(actor=Actor.staff(org.admin), **{**defaults, **kwargs})


def test_an_administrator_creates_a_calendar_with_its_periods(org):
    calendar = make_calendar(org, region="cn ")
    assert (calendar.code, calendar.name, calendar.region, calendar.version) == (
        "hall",
        "营业厅",
        "CN",
        1,
    )
    assert list(calendar.periods.values_list("weekday", "start", "end")) == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(13, 30), dt.time(18)),
    ]


@pytest.mark.parametrize("who", ["supervisor", "site_manager", "agent"])
def test_only_administrators_may_create_calendars(org, who):
    before = BusinessCalendar.objects.count()
    with pytest.raises(PermissionDenied):
        actions.create_calendar(
            actor=Actor.staff(getattr(org, who)), code="x", name="x", periods=[MORNING]
        )
    with pytest.raises(PermissionDenied):
        actions.create_calendar(actor=Actor.system("test"), code="x", name="x")
    assert BusinessCalendar.objects.count() == before


def test_overlapping_or_backwards_periods_are_refused_and_nothing_is_written(org):
    before = (BusinessCalendar.objects.count(), WorkingPeriod.objects.count())
    with pytest.raises(ValidationFailed) as overlap:
        make_calendar(org, periods=[MORNING, WeeklyPeriod(0, dt.time(11), dt.time(14))])
    assert overlap.value.fields == {"periods.0": "09:00-12:00 overlaps 11:00-14:00"}
    with pytest.raises(ValidationFailed) as backwards:
        make_calendar(org, periods=[WeeklyPeriod(2, dt.time(18), dt.time(9))])
    assert backwards.value.fields == {"periods.2": "18:00-09:00: start must be before end"}
    assert (BusinessCalendar.objects.count(), WorkingPeriod.objects.count()) == before


def test_periods_may_touch_and_may_run_to_midnight(org):
    calendar = make_calendar(
        org,
        periods=[
            WeeklyPeriod(5, dt.time(8), dt.time(12)),
            WeeklyPeriod(5, dt.time(12), dt.time(0)),
        ],
    )
    spec = selectors.to_spec(calendar)
    assert [tuple(p) for p in spec.week[5]] == [
        (dt.time(8), dt.time(12)),
        (dt.time(12), dt.time(0)),
    ]


def test_unknown_time_zones_and_regions_are_refused(org):
    with pytest.raises(ValidationFailed) as bad:
        make_calendar(org, time_zone="Mars/Olympus", region="XX")
    assert bad.value.fields == {
        "time_zone": "unknown time zone 'Mars/Olympus'",
        "region": "unknown holiday region 'XX' (CN, a country code such as DE, or DE-BY)",
    }
    assert not BusinessCalendar.objects.filter(code="hall").exists()


def test_a_second_calendar_with_the_same_code_conflicts(org):
    make_calendar(org)
    with pytest.raises(Conflict):
        make_calendar(org, name="另一个")
    assert BusinessCalendar.objects.filter(code="hall").count() == 1


def test_updating_bumps_the_version_only_when_something_changes(org):
    admin = Actor.staff(org.admin)
    calendar = make_calendar(org)
    same = actions.update_calendar(
        calendar, actor=admin, name="营业厅", periods=[AFTERNOON, MORNING]
    )
    assert same.version == 1
    changed = actions.update_calendar(
        calendar, actor=admin, time_zone="Europe/Berlin", periods=[MORNING], expected_version=1
    )
    assert (changed.version, changed.time_zone) == (2, "Europe/Berlin")
    assert list(changed.periods.values_list("start", flat=True)) == [dt.time(9)]
    with pytest.raises(StaleVersion):
        actions.update_calendar(calendar, actor=admin, name="旧版本", expected_version=1)
    assert BusinessCalendar.objects.get(pk=calendar.pk).name == "营业厅"


def test_a_supervisor_may_not_change_a_calendar(org):
    calendar = selectors.default_calendar()
    with pytest.raises(PermissionDenied):
        actions.update_calendar(calendar, actor=Actor.staff(org.supervisor), periods=[])
    assert selectors.default_calendar().periods.count() == 10


def test_closures_take_whole_days_or_an_interval_never_both(org):
    calendar = make_calendar(org)
    admin = Actor.staff(org.admin)
    with pytest.raises(ValidationFailed):
        actions.add_closure(
            calendar,
            ClosureInput(dt.date(2025, 1, 1), dt.date(2025, 1, 1), at(2025, 1, 1), at(2025, 1, 2)),
            actor=admin,
        )
    with pytest.raises(ValidationFailed):
        actions.add_closure(
            calendar, ClosureInput(dt.date(2025, 1, 2), dt.date(2025, 1, 1)), actor=admin
        )
    with pytest.raises(ValidationFailed):
        actions.add_closure(
            calendar, ClosureInput(starts_at=at(2025, 1, 2), ends_at=at(2025, 1, 1)), actor=admin
        )
    assert Closure.objects.filter(calendar=calendar).count() == 0
    assert BusinessCalendar.objects.get(pk=calendar.pk).version == 1


def test_set_closures_and_extra_workdays_replace_them_once(org):
    admin = Actor.staff(org.admin)
    calendar = make_calendar(org)
    closures = [
        ClosureInput(dt.date(2025, 2, 3), dt.date(2025, 2, 4), reason="盘点"),
        ClosureInput(starts_at=at(2025, 3, 3, 10), ends_at=at(2025, 3, 3, 11), reason="停电"),
    ]
    actions.set_closures(calendar, closures, actor=admin)
    actions.set_closures(calendar, closures, actor=admin)
    actions.set_extra_workdays(
        calendar, [ExtraWorkdayInput(dt.date(2025, 3, 8), "加班")], actor=admin
    )
    actions.set_extra_workdays(
        calendar, [ExtraWorkdayInput(dt.date(2025, 3, 8), "加班")], actor=admin
    )
    assert BusinessCalendar.objects.get(pk=calendar.pk).version == 3
    assert Closure.objects.filter(calendar=calendar).count() == 2
    assert list(ExtraWorkday.objects.filter(calendar=calendar).values_list("day", "reason")) == [
        (dt.date(2025, 3, 8), "加班")
    ]
    actions.set_closures(calendar, [], actor=admin)
    assert Closure.objects.filter(calendar=calendar).count() == 0
    assert BusinessCalendar.objects.get(pk=calendar.pk).version == 4


def test_a_closure_on_the_default_calendar_moves_the_preview(org):
    # Given the National Day question answers Thursday 9 October 14:20
    calendar = selectors.default_calendar()
    assert selectors.preview_due(calendar, at(2025, 9, 30, 17, 50), 4).due == at(
        2025, 10, 9, 14, 20
    )

    # When the centre closes on 9 October
    actions.add_closure(
        calendar,
        ClosureInput(dt.date(2025, 10, 9), dt.date(2025, 10, 9), reason="系统升级"),
        actor=Actor.staff(org.admin),
    )

    # Then the same case is due a day later
    preview = selectors.preview_due(selectors.default_calendar(), at(2025, 9, 30, 17, 50), 4)
    assert preview.due == at(2025, 10, 10, 14, 20)
    assert [(d.day, d.note) for d in preview.days if d.note == "系统升级"] == [
        (dt.date(2025, 10, 9), "系统升级")
    ]


def test_an_extra_workday_on_the_default_calendar_counts(org):
    calendar = selectors.default_calendar()
    actions.add_extra_workday(
        calendar, dt.date(2025, 10, 8), actor=Actor.staff(org.admin), reason="值班"
    )
    with pytest.raises(Conflict):
        actions.add_extra_workday(calendar, dt.date(2025, 10, 8), actor=Actor.staff(org.admin))
    preview = selectors.preview_due(selectors.default_calendar(), at(2025, 9, 30, 17, 50), 4)
    assert preview.due == at(2025, 10, 8, 14, 20)
