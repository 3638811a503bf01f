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
