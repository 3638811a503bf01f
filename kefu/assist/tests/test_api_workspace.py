"""The workspace's assist over the API: stored analyses, checked replies, suggestions, the
service cycle, templates and articles; answers checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from kefu.accounts.actors import Actor
from kefu.api.tests.conftest import Api, error_of
from kefu.assist import actions
from kefu.cases.models import CaseEvent, CaseMessage
from tests.factories import advance, make_case

ANGRY = "我是记者，你们再不解决，我就曝光！太气人了！"


@pytest.fixture
def api(org) -> Api:
    return Api(org.agent)


def test_stored_analyses_of_a_case(api, org):
    case = make_case(org, description=ANGRY)
    actions.analyze_case(case.pk)

    response = api.get(f"/assist/cases/{case.pk}/analyses")

    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert (item["source"], item["message"], item["difficult_type"]) == (
        "case",
        None,
        "influential",
    )
    assert api.checked == 1


def test_a_hidden_case_is_404(org):
    case = make_case(org, by=org.agent)

    response = Api(org.other_agent).get(f"/assist/cases/{case.pk}/analyses")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_reply_with_a_forbidden_phrase_is_409_until_confirmed(api, org):
    case = advance(org, make_case(org), "assigned")
    url = f"/assist/cases/{case.pk}/replies"

    refused = api.post(url, {"body": "公司的规定就是这样的。"})
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "assist_confirmation_required"
    assert error["fields"] == {"body": "规定就是这样"}
    assert not CaseMessage.objects.filter(case=case).exists()

    sent = api.post(url, {"body": "公司的规定就是这样的。", "confirm_override": True})
    assert sent.status_code == 201
    body = sent.json()
    assert [f["category"] for f in body["overridden"]] == ["company_rules"]
    event = CaseEvent.objects.get(case=case, type="assist_override")
    assert event.data["message"] == body["message"]


def test_an_empty_reply_is_422(api, org):
    case = advance(org, make_case(org), "assigned")

    response = api.post(f"/assist/cases/{case.pk}/replies", {"body": "   "})

    assert response.status_code == 422
    assert not CaseMessage.objects.filter(case=case).exists()


def test_a_suggested_kind_is_accepted_and_a_bad_field_is_422(api, org):
    case = make_case(org, kind="inquiry", description=ANGRY)

    ok = api.post(
        f"/assist/cases/{case.pk}/suggestions/kind",
        {"suggested": "complaint", "chosen": "complaint"},
    )
    bad = api.post(f"/assist/cases/{case.pk}/suggestions/mood", {"suggested": "x", "chosen": "x"})

    assert ok.status_code == 200 and ok.json()["verdict"] == "accepted"
    case.refresh_from_db()
    assert case.kind.code == "complaint"
    assert bad.status_code == 422


def test_the_service_cycle_over_the_api(api, org):
    case = advance(org, make_case(org), "assigned")

    marked = api.post(f"/assist/cases/{case.pk}/service-cycle/diagnose", {"done": True})
    unknown = api.post(f"/assist/cases/{case.pk}/service-cycle/dance", {"done": True})

    assert [s["done"] for s in marked.json()] == [False, True, False, False, False, False]
    assert unknown.status_code == 422 and "step" in error_of(unknown)["fields"]


def test_templates_and_articles(api, org):
    case = advance(org, make_case(org), "assigned")
    system = Actor.system("test")
    category = actions.save_category(actor=system, code="bill", name_zh="账单", name_en="Bills")
    article = actions.save_article(
        actor=system, category=category, title_zh="話費退款", body_zh="三个工作日内退回。"
    )

    filled = api.get(f"/assist/cases/{case.pk}/templates").json()
    found = api.get("/assist/articles", {"q": "话费退款"}).json()
    one = api.get(f"/assist/articles/{article.pk}")
    missing = api.get("/assist/articles/999999")

    assert any(case.number in t["text"] for t in filled)
    assert [a["id"] for a in found] == [article.pk]
    assert one.status_code == 200 and missing.status_code == 404
