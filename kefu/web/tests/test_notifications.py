"""In-app notifications: the count in the top bar, the list, marking read — one's own only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kefu.cases import actions
from kefu.cases.models import CaseNotification
from kefu.core import clock
from tests.factories import make_case

SH = ZoneInfo("Asia/Shanghai")


def test_a_supervisor_sees_and_reads_time_standard_notices(org, as_user):
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        first, second = make_case(org), make_case(org)
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 10, 50, tzinfo=SH))
    client = as_user(org.supervisor)

    queue = client.get("/queues/team/").content.decode()
    assert 'data-testid="notifications-link">通知 <span class="count">2</span>' in queue
    page = client.get("/notifications/").content.decode()
    assert page.count('data-testid="notification"') == 2
    assert first.number in page and second.number in page

    one = CaseNotification.objects.get(case=first)
    assert client.post("/notifications/read/", {"id": one.pk}).status_code == 302
    assert CaseNotification.objects.get(pk=one.pk).read_at is not None
    assert CaseNotification.objects.get(case=second).read_at is None
    unread = client.get("/notifications/?unread=1").content.decode()
    assert unread.count('data-testid="notification"') == 1

    client.post("/notifications/read/")
    assert not CaseNotification.objects.filter(read_at__isnull=True).exists()


def test_nobody_reads_someone_elses_notices(org, as_user):
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        case = make_case(org)
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 10, 50, tzinfo=SH))
    note = CaseNotification.objects.get(case=case)
    client = as_user(org.agent)
    assert 'data-testid="notification"' not in client.get("/notifications/").content.decode()
    client.post("/notifications/read/", {"id": note.pk})
    assert CaseNotification.objects.get(pk=note.pk).read_at is None
    assert client.get("/notifications/read/").status_code == 405


def test_notices_and_the_timeline_name_the_time_standard_in_the_readers_language(
    org, as_user, mailoutbox
):
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        case = make_case(org)  # a complaint: one hour to assign
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 10, 50, tzinfo=SH))  # the warning
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 11, 5, tzinfo=SH))  # breach, escalation
    client = as_user(org.supervisor)

    page = client.get("/notifications/").content.decode()
    assert f"工单 {case.number} 已超时（派单时限）" in page
    timeline = client.get(f"/cases/{case.number}/").content.decode()
    assert "时限预警：派单时限" in timeline and "时限超时：派单时限" in timeline
    assert "派单时限超时" in timeline and "assign overdue" not in timeline
    assert "2026-03-04 11:00" in timeline  # when it was due

    client.cookies["django_language"] = "en"
    page = client.get("/notifications/").content.decode()
    assert f"Case {case.number} has breached its time limit (Time to assign)" in page
    timeline = client.get(f"/cases/{case.number}/").content.decode()
    assert "Time standard breached: Time to assign" in timeline
    assert "Time to assign overdue" in timeline

    org.supervisor.language, org.supervisor.email = "en", "wang@example.cn"
    org.supervisor.save()
    actions.deliver_due_notifications(now=dt.datetime(2026, 3, 4, 11, 6, tzinfo=SH))
    to_supervisor = [m for m in mailoutbox if m.to == ["wang@example.cn"]]
    assert any("has breached its time limit (Time to assign)" in m.subject for m in to_supervisor)


def test_notices_written_before_they_named_their_time_standard_get_it_back(org):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("kefu.cases.migrations.0014_notification_metric_backfill")
    case = make_case(org)
    old = CaseNotification.objects.create(
        recipient=org.agent,
        case=case,
        kind="sla_breach",
        text=f"工单 {case.number} 已超时（resolution）",
        created_at=clock.now(),
        deliver_after=clock.now(),
    )
    backfill.name_metrics(apps, None)
    old.refresh_from_db()
    assert old.metric == "resolution"
