"""Queues: which cases each shows, filters, Chinese search, sorting, paging, HTMX refresh."""

from __future__ import annotations

import datetime as dt
import re

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.models import Case
from tests.factories import advance, make_case, make_customer


def _numbers(html: str) -> list[str]:
    return re.findall(r'<td class="mono"><a href="/cases/([^/]+)/">', html)


def test_complaints_stand_out_and_sort_first(org, as_user):
    inquiry = make_case(org, kind="inquiry", subject="咨询套餐")
    complaint = make_case(org, kind="complaint", subject="投诉扣费")

    html = as_user(org.agent).get("/queues/team/").content.decode()

    assert _numbers(html) == [complaint.number, inquiry.number]
    assert 'class="is-complaint"' in html


def test_each_queue_shows_its_cases(org, as_user):
    new = make_case(org, kind="inquiry")
    mine = advance(org, make_case(org), "assigned")
    escalated = advance(org, make_case(org, kind="repair_request"), "accepted")
    actions.escalate_case(escalated.pk, actor=Actor.staff(org.agent))
    closed = advance(org, make_case(org), "closed")
    client = as_user(org.agent)

    def queue(slug: str) -> set[str]:
        return set(_numbers(client.get(f"/queues/{slug}/").content.decode()))

    assert queue("mine") == {mine.number}
    assert queue("unaccepted") == {new.number}
    assert queue("escalated") == {escalated.number}
    assert queue("complaints") == {mine.number}
    assert queue("return_visits") == {closed.number}
    assert queue("team") == {new.number, mine.number, escalated.number}


def test_queue_counts_are_shown_per_queue(org, as_user):
    make_case(org)
    make_case(org, kind="inquiry")

    html = as_user(org.agent).get("/queues/mine/").content.decode()

    counts = dict(
        re.findall(r'data-queue="(\w+)"><span>[^<]+</span><span class="count[^"]*">(\d+)', html)
    )
    assert counts == {
        "mine": "0",
        "team": "2",
        "unaccepted": "2",
        "escalated": "0",
        "complaints": "1",
        "overdue": "0",
        "return_visits": "0",
    }


def test_chinese_full_text_search_finds_words_in_messages(org, as_user):
    hit = make_case(org, subject="宽带故障")
    make_case(org, subject="话费问题", description="多扣了钱")
    actions.add_message(hit.pk, actor=Actor.staff(org.agent), kind="note", body="光猫需要更换")

    html = as_user(org.agent).get("/queues/team/", {"q": "光猫"}).content.decode()

    assert _numbers(html) == [hit.number]
    assert "按相关度排序" in html


def test_filters_by_status_kind_channel_and_customer(org, as_user):
    customer = make_customer(org, name="王五")
    walk_in = make_case(org, kind="inquiry", channel="walk_in", customer=customer)
    make_case(org, kind="inquiry", channel="phone", customer=customer)
    accepted = advance(org, make_case(org, kind="complaint"), "accepted")
    client = as_user(org.agent)

    by_channel = client.get("/queues/team/", {"channel": "walk_in"}).content.decode()
    by_status = client.get("/queues/team/", {"status": "accepted"}).content.decode()
    by_kind = client.get("/queues/team/", {"kind": "complaint"}).content.decode()
    by_customer = client.get("/queues/team/", {"customer": customer.pk}).content.decode()

    assert _numbers(by_channel) == [walk_in.number]
    assert _numbers(by_status) == [accepted.number]
    assert _numbers(by_kind) == [accepted.number]
    assert len(_numbers(by_customer)) == 2
    assert "王五" in by_customer


def _handler_options(html: str) -> set[str]:
    select = re.search(r'<select name="handler"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def test_the_handler_filter_offers_the_people_an_agent_works_beside(org, as_user):
    mine = advance(org, make_case(org), "assigned")  # handled by org.agent
    client = as_user(org.agent)

    offered = _handler_options(client.get("/queues/team/").content.decode())
    assert {str(org.agent.pk), str(org.teammate.pk)} <= offered
    assert str(org.other_agent.pk) not in offered  # another team: not in the list

    # A link that names someone from elsewhere still filters, with that person selected.
    elsewhere = client.get("/queues/team/", {"handler": org.other_agent.pk}).content.decode()
    assert str(org.other_agent.pk) in _handler_options(elsewhere)
    assert _numbers(elsewhere) == []
    by_agent = client.get("/queues/team/", {"handler": org.agent.pk}).content.decode()
    assert _numbers(by_agent) == [mine.number]


def test_all_cases_reads_complaints_first_then_newest(org, as_user):
    old_complaint = make_case(org, kind="complaint", subject="旧投诉")
    old_inquiry = make_case(org, kind="inquiry", subject="旧咨询")
    new_complaint = make_case(org, kind="complaint", subject="新投诉")
    new_inquiry = make_case(org, kind="inquiry", subject="新咨询")
    for n, case in enumerate([old_complaint, old_inquiry, new_complaint, new_inquiry]):
        Case.objects.filter(pk=case.pk).update(created_at=case.created_at + dt.timedelta(minutes=n))
    client = as_user(org.supervisor)

    all_cases = client.get("/queues/all/").content.decode()
    team = client.get("/queues/team/").content.decode()

    assert _numbers(all_cases) == [
        new_complaint.number,
        old_complaint.number,
        new_inquiry.number,
        old_inquiry.number,
    ]
    assert '<option value="recent" selected>' in all_cases
    # A working queue stays first in, first out.
    assert _numbers(team) == [
        old_complaint.number,
        new_complaint.number,
        old_inquiry.number,
        new_inquiry.number,
    ]


def test_sorting_and_server_side_pages(org, as_user):
    cases = [make_case(org, kind="inquiry", subject=f"咨询{i}") for i in range(27)]
    client = as_user(org.agent)

    first = _numbers(client.get("/queues/team/", {"sort": "newest"}).content.decode())
    second = _numbers(client.get("/queues/team/", {"sort": "newest", "page": 2}).content.decode())

    expected = [c.number for c in reversed(cases)]
    assert first == expected[:25]
    assert second == expected[25:]


def test_htmx_refresh_returns_the_results_and_the_counts_only(org, as_user):
    make_case(org)

    response = as_user(org.agent).get("/queues/team/", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="queue-results"' in html and 'hx-trigger="every 30s"' in html
    assert 'id="queue-counts" class="queue-nav" hx-swap-oob="true"' in html


def test_an_empty_queue_says_so(org, as_user):
    html = as_user(org.agent).get("/queues/escalated/").content.decode()

    assert "没有升级中的工单。" in html


def test_time_limits_show_on_the_queue_and_the_case(org, as_user):
    case = make_case(org)
    client = as_user(org.agent)

    queue = client.get("/queues/team/").content.decode()
    page = client.get(f"/cases/{case.number}/").content.decode()

    assert 'class="timer t-ok"' in queue and "还剩" in queue
    assert 'id="timers-title"' in page and "派单时限" in page


def test_the_overdue_filter_keeps_overdue_cases_only(org, as_user):
    import datetime as dt

    from kefu.core import clock

    with clock.frozen_at(clock.now() - dt.timedelta(days=30)):
        late = make_case(org, subject="很久以前的投诉")
    make_case(org, subject="刚来的投诉")

    html = as_user(org.agent).get("/queues/team/", {"overdue": "on"}).content.decode()

    assert _numbers(html) == [late.number]
    assert "已超时" in html


def test_big_queues_show_a_capped_count(org, as_user, monkeypatch):
    from kefu.web.views import queue as queue_view

    monkeypatch.setattr(queue_view, "COUNT_CAP", 2)
    for i in range(4):
        make_case(org, kind="inquiry", subject=f"咨询{i}")
    html = as_user(org.agent).get("/queues/team/").content.decode()
    assert re.search(
        r'data-queue="unaccepted"><span>[^<]+</span><span class="count[^"]*">2\+<', html
    )
    assert queue_view.capped_count(Case.objects.all()) == 3


def test_the_overdue_queue_puts_the_most_overdue_first(org, as_user):
    from kefu.cases.models import CaseClock
    from kefu.core import clock

    with clock.frozen_at(clock.now() - dt.timedelta(days=30)):
        older = make_case(org, subject="早建的投诉")
    with clock.frozen_at(clock.now() - dt.timedelta(days=20)):
        later = make_case(org, subject="晚建的投诉")
    # Due times out of creation order (as after a pause, or a stricter standard).
    running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    running.filter(case=older).update(due_at=clock.now() - dt.timedelta(hours=1))
    running.filter(case=later).update(due_at=clock.now() - dt.timedelta(days=5))
    client = as_user(org.supervisor)

    overdue = client.get("/queues/overdue/").content.decode()
    by_age = client.get("/queues/overdue/", {"sort": "queue"}).content.decode()

    assert _numbers(overdue) == [later.number, older.number]
    assert 'value="due" selected' in overdue
    assert _numbers(by_age) == [older.number, later.number]
