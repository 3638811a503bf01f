"""Agent assist in the workspace: checked replies and the override event, stored analyses,
suggestions confirmed by the agent, playbooks, the service cycle, templates and articles."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.assist import actions, checks, selectors
from kefu.assist.content import TEMPLATES
from kefu.assist.models import CycleStep, SuggestionVerdict, TextAnalysis
from kefu.cases import actions as case_actions
from kefu.cases.models import Case, CaseEvent, CaseMessage
from tests.factories import advance, make_case

JOURNALIST = (
    "我是《都市晚报》的记者，你们的宽带三天都修不好，太气人了！"
    "今天不给我解决，我就在报纸上曝光你们。"
)


@pytest.fixture
def as_user(client: Client):
    def sign_in(user):
        client.force_login(user)
        client.cookies["django_language"] = "zh-hans"
        return client

    return sign_in


@pytest.fixture
def tasks_inline():
    """Run huey tasks inline also when the suite runs on Redis (the receiver enqueues)."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved


def _send(client, case, body, **extra):
    data = {"msg-kind": "outbound", "msg-body": body, **extra}
    return client.post(f"/cases/{case.number}/assist/send/", data)


# -- the composer -------------------------------------------------------------------------------


def test_the_draft_check_underlines_a_forbidden_phrase_with_advice_and_a_rewrite(org, as_user):
    case = advance(org, make_case(org), "assigned")

    response = as_user(org.agent).post(
        f"/cases/{case.number}/assist/check/",
        {"msg-kind": "outbound", "msg-body": "您好，公司的规定就是这样的，请理解。"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-category="company_rules"' in page
    assert '<mark class="assist-hit" data-finding="0">规定就是这样</mark>' in page
    assert "不过我可以为您" in page  # the suggested wording
    assert 'data-replace-start="3"' in page  # the clause "公司的规定就是这样的"
    assert 'name="msg-confirm_override"' in page


def test_near_misses_and_notes_are_not_flagged(org, as_user):
    case = advance(org, make_case(org), "assigned")
    client = as_user(org.agent)
    url = f"/cases/{case.number}/assist/check/"

    informs = client.post(
        url, {"msg-kind": "outbound", "msg-body": "根据公司规定，您可以享受7天无理由退货。"}
    )
    note = client.post(url, {"msg-kind": "note", "msg-body": "公司的规定就是这样的"})

    assert 'data-testid="assist-ok"' in informs.content.decode()
    assert "assist-finding" not in note.content.decode()


def test_a_reply_with_a_forbidden_phrase_needs_confirmation_and_nothing_is_stored(org, as_user):
    case = advance(org, make_case(org), "assigned")

    response = _send(as_user(org.agent), case, "这种问题我们见得多了，您等着吧。")

    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-category="seen_it_often"' in page
    assert 'data-testid="assist-confirm"' in page
    assert not CaseMessage.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, type="assist_override").exists()


def test_a_confirmed_override_is_recorded_with_the_message(org, as_user):
    case = advance(org, make_case(org), "assigned")

    response = _send(
        as_user(org.agent), case, "公司的规定就是这样的。", **{"msg-confirm_override": "on"}
    )

    assert response.status_code == 302
    message = CaseMessage.objects.get(case=case)
    event = CaseEvent.objects.get(case=case, type="assist_override")
    assert event.actor_user == org.agent
    assert event.data["message"] == message.pk
    assert [(f["group"], f["category"]) for f in event.data["findings"]] == [
        ("forbidden", "company_rules")
    ]
    page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="assist-overridden"' in page and "拿规定压人" in page


def test_a_clean_reply_is_sent_without_an_override(org, as_user):
    case = advance(org, make_case(org), "assigned")

    response = _send(as_user(org.agent), case, "您好，已为您核实，多扣的50元今天内退回。")

    assert response.status_code == 302
    assert CaseMessage.objects.filter(case=case, kind="outbound").count() == 1
    assert not CaseEvent.objects.filter(case=case, type="assist_override").exists()


def test_the_block_policy_refuses_even_a_confirmed_reply(org, as_user, monkeypatch):
    case = advance(org, make_case(org), "assigned")
    monkeypatch.setattr(
        checks, "config", dataclasses.replace(checks.config, assist_send_policy="block")
    )

    response = _send(
        as_user(org.agent), case, "我不知道，不清楚。", **{"msg-confirm_override": "on"}
    )

    assert response.status_code == 422
    assert 'data-testid="assist-blocked"' in response.content.decode()
    assert not CaseMessage.objects.filter(case=case).exists()


def test_each_site_sets_its_own_policy_over_the_installation_default(org, as_user):
    blocking = advance(org, make_case(org), "assigned")  # at org.site
    org.site.reply_check_policy = "block"
    org.site.save(update_fields=["reply_check_policy"])
    confirming = make_case(org, by=org.other_agent)  # at the other site
    assert confirming.site is not None and confirming.site != org.site
    confirming.site.reply_check_policy = "confirm"
    confirming.site.save(update_fields=["reply_check_policy"])
    confirmed = {"msg-confirm_override": "on"}

    refused = _send(as_user(org.agent), blocking, "我不知道，不清楚。", **confirmed)
    sent = _send(as_user(org.other_agent), confirming, "我不知道，不清楚。", **confirmed)

    assert refused.status_code == 422
    assert 'data-testid="assist-blocked"' in refused.content.decode()
    assert not CaseMessage.objects.filter(case=blocking).exists()
    assert sent.status_code == 302
    assert CaseEvent.objects.filter(case=confirming, type="assist_override").exists()


def test_notes_are_not_checked(org):
    case = advance(org, make_case(org), "assigned")

    sent = actions.send_reply(
        case.pk, actor=Actor.staff(org.agent), kind="note", body="公司的规定就是这样的"
    )

    assert sent.overridden == []
    assert not CaseEvent.objects.filter(case=case, type="assist_override").exists()


def test_an_agent_who_cannot_see_the_case_gets_nothing(org, as_user):
    case = make_case(org, by=org.agent)

    response = as_user(org.other_agent).post(
        f"/cases/{case.number}/assist/check/", {"msg-kind": "outbound", "msg-body": "你好"}
    )

    assert response.status_code == 404


def test_shipped_templates_pass_the_reply_checks():
    for title, _language, _kind, body in TEMPLATES:
        check = checks.check_reply(
            body.format(customer_name="张先生", case_number="TS1", handler="王", due_date="明天")
        )
        assert check.findings == [], title


# -- stored analyses, badges and playbooks ------------------------------------------------------


def test_a_new_case_and_each_customer_message_are_analysed_and_stored(
    org, django_capture_on_commit_callbacks, tasks_inline
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org, subject="宽带三天修不好", description=JOURNALIST)
    with django_capture_on_commit_callbacks(execute=True):
        inbound = case_actions.add_message(
            case.pk,
            actor=Actor.staff(org.agent),
            kind="inbound",
            body="你们到底什么时候来修？气死我了！",
        )
        case_actions.add_message(
            case.pk, actor=Actor.staff(org.agent), kind="outbound", body="马上安排师傅。"
        )

    rows = {a.source: a for a in TextAnalysis.objects.filter(case=case)}
    assert set(rows) == {"case", "message"}
    assert rows["case"].difficult_type == "influential"
    assert rows["case"].kind == "complaint"
    assert rows["message"].message_id == inbound.pk
    assert rows["message"].emotion == "angry"
    assert rows["case"].model_version and rows["case"].lexicon_version


def test_the_case_page_shows_badges_the_playbook_and_the_suggestion(org, as_user):
    case = make_case(org, kind="inquiry", subject="宽带三天修不好", description=JOURNALIST)
    actions.analyze_case(case.pk)

    page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()

    assert 'data-testid="assist-badges" data-emotion="angry" data-difficult="influential"' in page
    assert 'data-testid="assist-playbook" data-type="influential"' in page
    assert "无法满足要求时立即上报" in page
    assert 'data-testid="suggest-kind" data-suggested="complaint"' in page


def test_accepting_the_suggested_kind_changes_it_through_the_case_action(org, as_user):
    case = make_case(org, kind="inquiry", subject="宽带三天修不好", description=JOURNALIST)
    actions.analyze_case(case.pk)

    response = as_user(org.agent).post(
        f"/cases/{case.number}/assist/decide/kind/",
        {"suggested": "complaint", "chosen": "complaint", "version": case.version},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.kind.code == "complaint"
    assert CaseEvent.objects.filter(case=case, type="kind_changed").count() == 1
    verdict = SuggestionVerdict.objects.get(case=case)
    assert (verdict.field, verdict.verdict, verdict.decided_by) == ("kind", "accepted", org.agent)
    assert "suggest-kind" not in as_user(org.agent).get(f"/cases/{case.number}/").content.decode()


def test_a_corrected_cause_is_kept_and_starts_the_close_form(org, as_user):
    case = make_case(org, subject="话费多扣了50元", description="这个月话费莫名多扣了50元，请退还")
    actions.analyze_case(case.pk)
    case = advance(org, case, "resolved")

    client = as_user(org.supervisor)
    client.post(
        f"/cases/{case.number}/assist/decide/cause/",
        {"suggested": "billing", "chosen": ["", "delivery"]},
    )

    verdict = SuggestionVerdict.objects.get(case=case, field="cause")
    assert (verdict.chosen, verdict.verdict) == ("delivery", "corrected")
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert '<option value="delivery" selected>' in page


def test_reanalysis_follows_a_new_model_version(org):
    case = make_case(org, description=JOURNALIST)
    analysis = actions.analyze_case(case.pk)
    assert analysis is not None
    TextAnalysis.objects.filter(pk=analysis.pk).update(model_version="old")

    assert actions.reanalyze_stale() == 1
    assert actions.reanalyze_stale() == 0
    analysis.refresh_from_db()
    assert analysis.model_version != "old"


# -- the service cycle ------------------------------------------------------------------------


def test_the_service_cycle_is_a_checklist_recorded_on_complaints(org, as_user):
    case = advance(org, make_case(org), "assigned")
    client = as_user(org.agent)

    client.post(f"/cases/{case.number}/assist/cycle/set_tone/", {"done": "1"})
    client.post(f"/cases/{case.number}/assist/cycle/diagnose/", {"done": "1"})
    client.post(f"/cases/{case.number}/assist/cycle/diagnose/", {"done": "0"})

    rows = {r.info.code: r.done for r in selectors.cycle_rows(case)}
    assert rows == {
        "set_tone": True,
        "diagnose": False,
        "seek_solution": False,
        "agree": False,
        "summarise": False,
        "follow_up": False,
    }
    assert CycleStep.objects.filter(case=case).count() == 3
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="service-cycle"' in page and "1/6" in page
    swapped = client.post(
        f"/cases/{case.number}/assist/cycle/agree/", {"done": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert swapped.startswith('<section class="card" id="service-cycle"') and "2/6" in swapped


def test_inquiries_have_no_service_cycle(org, as_user):
    case = make_case(org, kind="inquiry")

    page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()

    assert 'data-testid="service-cycle"' not in page


# -- templates and the knowledge base ---------------------------------------------------------


def test_templates_fill_in_the_case(org, as_user):
    case = advance(org, make_case(org), "assigned")

    rendered = selectors.templates_for_case(org.agent, case, language="zh-hans")

    titles = [r.template.title for r in rendered]
    assert "投诉致歉与处理方案" in titles and "报修上门预约" not in titles
    text = next(r.text for r in rendered if r.template.title == "受理确认")
    assert case.number in text and case.customer.name in text and "{" not in text


@pytest.fixture
def articles(org):
    system = Actor.system("test")
    billing = actions.save_category(actor=system, code="billing", name_zh="账单", name_en="Bills")
    refund = actions.save_article(
        actor=system,
        category=billing,
        title_zh="话费多扣如何退款",
        body_zh="核实扣费记录后，多扣的话费三个工作日内原路退回。",
        title_en="Refunding an overcharge",
        body_en="Overcharges are refunded within three working days.",
        public=True,
    )
    router = actions.save_article(
        actor=system,
        category=billing,
        title_zh="光猫指示灯说明",
        body_zh="LOS 灯红色表示光纤信号中断，请报修。",
    )
    return {"refund": refund, "router": router}


def test_knowledge_search_in_simplified_traditional_and_english(org, articles):
    assert selectors.search_articles("退款") == [articles["refund"]]
    assert selectors.search_articles("話費 退款") == [articles["refund"]]
    assert selectors.search_articles("refunded") == [articles["refund"]]
    assert selectors.search_articles("光纤") == [articles["router"]]
    assert selectors.search_articles("保险理赔") == []


def test_the_case_page_suggests_articles_from_the_case_text(org, as_user, articles):
    case = make_case(org, subject="话费多扣了50元", description="要求退还多扣的话费")

    page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()

    assert f'href="/kb/{articles["refund"].pk}/"' in page
    assert f'href="/kb/{articles["router"].pk}/"' not in page


def test_public_articles_are_readable_without_signing_in(client, articles):
    public = client.get(f"/help/{articles['refund'].pk}/")
    internal = client.get(f"/help/{articles['router'].pk}/")

    assert public.status_code == 200 and "话费多扣如何退款" in public.content.decode()
    assert internal.status_code == 404
    listing = client.get("/help/?q=退款").content.decode()
    assert "话费多扣如何退款" in listing and "光猫指示灯说明" not in listing
    assert "光猫指示灯说明" not in client.get("/help/?q=光纤").content.decode()
    # The help centre is part of the customer service centre: the same header as the portal,
    # with the way to contact us and the language switch.
    for page in (listing, public.content.decode()):
        assert 'href="/portal/contact/"' in page and 'name="language"' in page


def test_only_supervisors_maintain_articles(org, articles):
    from kefu.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.save_article(
            actor=Actor.staff(org.agent),
            category=articles["refund"].category,
            title_zh="x",
            body_zh="y",
        )
    assert Case.objects.count() == 0


def test_the_case_page_reads_assist_in_a_fixed_number_of_queries(org, as_user, articles):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure(n: int) -> int:
        case = advance(org, make_case(org, description=JOURNALIST), "assigned")
        actions.analyze_case(case.pk)
        for i in range(n):
            m = case_actions.add_message(
                case.pk,
                actor=Actor.staff(org.agent),
                kind="inbound",
                body=f"第{i}次催了，太气人了！",
            )
            actions.analyze_message(m.pk)
        actions.mark_cycle_step(case.pk, actor=Actor.staff(org.agent), step="set_tone")
        client = as_user(org.supervisor)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/cases/{case.number}/").content.decode()
        assert page.count('data-testid="assist-badges"') == n + 1
        return len(queries.captured_queries)

    measure(1)  # the articles' search tokens are read once per process
    assert measure(2) == measure(12)


def test_the_agents_corrections_become_training_rows(org, tmp_path):
    case = make_case(org, kind="inquiry", subject="宽带三天修不好", description=JOURNALIST)
    actions.analyze_case(case.pk)
    dismissed = make_case(org, kind="inquiry", subject="查询积分")
    actions.analyze_case(dismissed.pk)
    actor = Actor.staff(org.agent)
    actions.decide_kind(case.pk, actor=actor, suggested="complaint", chosen="repair_request")
    actions.decide_kind(dismissed.pk, actor=actor, suggested="inquiry", chosen="")

    assert actions.export_corrections(tmp_path) == 1

    import json

    (row,) = [json.loads(line) for line in (tmp_path / actions.CORRECTIONS_FILE).open()]
    assert (row["id"], row["kind"], row["cause"]) == (
        f"site-case-{case.pk}",
        "repair_request",
        None,
    )
    assert row["text"].startswith("宽带三天修不好\n我是《都市晚报》的记者")
    assert {"emotion", "urgency", "needs", "difficult"} <= set(row)


def test_emotion_over_time_for_analytics(org):
    import datetime as dt

    from kefu.core import clock

    day = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
    with clock.frozen_at(day):
        angry = make_case(org, description=JOURNALIST)
    with clock.frozen_at(day + dt.timedelta(days=1)):
        calm = make_case(org, subject="咨询", description="请问宽带怎么办理迁移？")
    actions.analyze_case(angry.pk)
    actions.analyze_case(calm.pk)

    chart = selectors.emotion_by_day(day - dt.timedelta(days=1), day + dt.timedelta(days=3))

    assert chart == {dt.date(2026, 11, 2): {"angry": 1}, dt.date(2026, 11, 3): {"neutral": 1}}


# -- maintaining templates and articles in the workspace -----------------------------------------


def test_supervisors_write_templates_and_a_flagged_one_is_refused(org, as_user):
    from kefu.assist.models import ReplyTemplate

    agent_try = as_user(org.agent).get("/templates/new/")
    assert agent_try.status_code == 403
    client = as_user(org.supervisor)
    data = {"title": "改约", "language": "zh-hans", "kind": "", "sort_order": 1, "active": "on"}

    bad = client.post(
        "/templates/new/", {**data, "body": "{customer_name}，公司的规定就是这样的。"}
    )
    good = client.post("/templates/new/", {**data, "body": "{customer_name}您好，已为您改约。"})

    assert bad.status_code == 422 and "规定就是这样" in bad.content.decode()
    assert good.status_code == 302
    assert list(ReplyTemplate.objects.filter(title="改约").values_list("body", flat=True)) == [
        "{customer_name}您好，已为您改约。"
    ]
    assert "改约" in client.get("/templates/").content.decode()


def test_supervisors_write_articles_that_search_finds(org, as_user):
    from kefu.assist.models import ArticleCategory

    category = ArticleCategory.objects.get(code="billing")
    client = as_user(org.supervisor)

    response = client.post(
        "/kb/new/",
        {
            "category": category.pk,
            "title_zh": "發票怎麼開",
            "body_zh": "在营业厅或网上营业厅申请电子发票。",
            "kinds": ["inquiry"],
            "published": "on",
        },
    )

    assert response.status_code == 302
    page = as_user(org.agent).get("/kb/?q=发票").content.decode()
    assert "發票怎麼開" in page
    assert as_user(org.agent).post("/kb/new/", {}).status_code == 403


def test_each_service_cycle_step_is_on_the_service_record(org, as_user):
    case = advance(org, make_case(org), "in_progress")
    actor = Actor.staff(org.agent)

    actions.mark_cycle_step(case.pk, actor=actor, step="set_tone")
    actions.mark_cycle_step(case.pk, actor=actor, step="set_tone", done=False)

    from kefu.cases.models import CaseEvent

    steps = list(
        CaseEvent.objects.filter(case=case, type="service_cycle_step")
        .order_by("id")
        .values_list("data", "actor_user")
    )
    assert steps == [
        ({"step": "set_tone", "done": True}, org.agent.pk),
        ({"step": "set_tone", "done": False}, org.agent.pk),
    ]
    page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()
    assert "服务循环：1. 奠定基调 已完成" in page
    assert "服务循环：1. 奠定基调 改为未完成" in page
