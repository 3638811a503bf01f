"""Staff pages: designer, preview, sending, dashboard with charts, exports, peer figures."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from kefu.surveys import definition as qdef
from kefu.surveys.models import Invitation, PeerFigure, Survey, SurveyVersion
from kefu.surveys.shipped import CSAT
from kefu.surveys.tests.conftest import consenting_customer
from kefu.surveys.tests.test_scores import answer_all
from tests.factories import Org

pytestmark = pytest.mark.usefixtures("shipped")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_shows_scores_index_formula_drivers_and_peers(org: Org) -> None:
    answer_all(org)
    client = signed_in(org.supervisor)
    client.post(
        "/surveys/peers/",
        {
            "metric": "csat",
            "peer": "同业A",
            "period_start": "2020-01-01",
            "period_end": "2099-12-31",
            "value": "82",
        },
    )
    assert PeerFigure.objects.count() == 1
    page = client.get("/surveys/results/?cut=kind")
    html = page.content.decode()
    assert page.status_code == 200
    assert "50.0%" in html  # CSAT
    assert "-25.0" in html  # NPS
    assert "0.7 × 50.0 + 0.15 × 60.0" in html  # the formula beside the index
    assert "Pearson r" in html and "同业A" in html
    assert html.count("<svg") >= 5
    assert "等待" in html  # keywords of the open answers


def test_the_dashboard_reads_in_english_without_codes_or_chinese_marks(org: Org) -> None:
    answer_all(org)
    client = signed_in(org.supervisor)
    client.post(
        "/surveys/peers/",
        {
            "metric": "index",
            "peer": "Industry",
            "period_start": "2020-01-01",
            "period_end": "2099-12-31",
            "value": "70",
        },
    )
    client.cookies["django_language"] = "en"
    html = client.get("/surveys/results/?cut=team").content.decode()
    assert "Weighted index — " in html and "INDEX" not in html
    assert "<td>Not assigned</td>" in html  # answers about no team (manual sends)
    definition = Survey.objects.get(code="post-case-csat").versions.get().definition
    english, chinese = qdef.labels(definition, "en"), qdef.labels(definition, "zh-hans")
    assert english["aspects.attitude"] == "Please rate each of these: Attitude"
    assert chinese["aspects.attitude"] == "请为以下方面打分：服务态度"
    peers = client.get("/surveys/peers/").content.decode()
    assert "<td>Weighted index</td>" in peers and "Perceived service quality" in peers


def test_exports(org: Org) -> None:
    answer_all(org)
    client = signed_in(org.supervisor)
    exported: Any = client.get("/surveys/results/export.csv")
    csv_body = b"".join(exported.streaming_content).decode()
    lines = csv_body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("response,survey,version")
    assert len(lines) == 5
    xlsx = client.get("/surveys/results/export.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:2] == ["responses", "scores"]
    assert book["responses"].max_row == 5


def test_the_designer_saves_a_draft_then_publishes_a_new_version(org: Org) -> None:
    survey = Survey.objects.get(code="post-case-csat")
    client = signed_in(org.site_manager)
    broken = client.post(
        f"/surveys/{survey.pk}/",
        {"definition": '{"sections": [{"questions": [{"key": "x", "type": "slider"}]}]}'},
    )
    assert broken.status_code == 422 and "sections.0.questions.0.type" in broken.content.decode()
    edited = json.loads(json.dumps(CSAT))
    edited["sections"][1]["questions"][0]["text"]["zh"] = "您对这次服务满意吗？"
    done = client.post(f"/surveys/{survey.pk}/", {"definition": json.dumps(edited), "publish": "1"})
    assert done.status_code == 302
    versions = SurveyVersion.objects.filter(survey=survey).order_by("number")
    assert [(v.number, v.published_at is not None) for v in versions] == [(1, True), (2, True)]
    preview = client.get(f"/surveys/{survey.pk}/preview/")
    assert "您对这次服务满意吗？" in preview.content.decode()
    assert "survey-submit" not in preview.content.decode()
    old = client.get(f"/surveys/{survey.pk}/preview/?version=1")
    assert "总体来说，您对本次服务满意吗？" in old.content.decode()


def test_agents_may_read_but_not_design_or_send(org: Org) -> None:
    survey = Survey.objects.get(code="customer-care")
    customer = consenting_customer(org)
    client = signed_in(org.agent)
    assert client.get("/surveys/").status_code == 200
    assert client.get("/surveys/results/").status_code == 200
    assert client.post(f"/surveys/{survey.pk}/send/", {"customer": customer.pk}).status_code == 403
    assert not Invitation.objects.exists()
    client.post(f"/surveys/{survey.pk}/", {"definition": json.dumps(CSAT)})
    assert SurveyVersion.objects.filter(survey=survey).count() == 1
    assert Client().get("/surveys/results/").status_code == 302  # sign in first


def test_a_supervisor_sends_a_survey_to_a_customer(org: Org) -> None:
    survey = Survey.objects.get(code="customer-care")
    customer = consenting_customer(org)
    client = signed_in(org.supervisor)
    assert client.post(f"/surveys/{survey.pk}/send/", {"customer": customer.pk}).status_code == 302
    assert Invitation.objects.filter(customer=customer, survey=survey).count() == 1


def test_the_designer_form_adds_a_question_with_skip_logic_to_a_draft(org: Org) -> None:
    survey = Survey.objects.get(code="customer-care")
    client = signed_in(org.supervisor)
    form = {
        "section": "open",
        "key": "channel_pref",
        "type": "single",
        "text_zh": "您更喜欢哪种联系方式？",
        "text_en": "How would you like us to contact you?",
        "required": "1",
        "options": "phone|电话|Phone\nwechat|微信|WeChat",
        "show_if_question": "overall",
        "show_if_values": "1,2",
    }
    assert client.post(f"/surveys/{survey.pk}/questions/", form).status_code == 302
    draft = SurveyVersion.objects.get(survey=survey, published_at__isnull=True)
    added = draft.definition["sections"][-1]["questions"][-1]
    assert added["options"][1] == {"value": "wechat", "zh": "微信", "en": "WeChat"}
    assert added["show_if"] == {"question": "overall", "values": ["1", "2"]}
    # A broken question is refused and the draft keeps what it had.
    bad = client.post(f"/surveys/{survey.pk}/questions/", {**form, "key": "x2", "options": "a|甲"})
    assert bad.status_code == 302
    draft.refresh_from_db()
    assert not any(q["key"] == "x2" for s in draft.definition["sections"] for q in s["questions"])
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "题目未加入" in page


def test_the_survey_list_speaks_the_readers_language(org: Org) -> None:
    """Titles and what a survey is sent on (the kinds by name, not by code) in English."""
    Survey.objects.filter(code="customer-care").update(
        title_en="Customer-care survey", closed_kinds=["complaint"]
    )
    client = signed_in(org.supervisor)
    chinese = client.get("/surveys/").content.decode()
    assert "结案：投诉" in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/surveys/").content.decode()
    assert "On close: Complaint" in english and "complaint<" not in english
    assert ">Customer-care survey</a>" in english
    results = client.get("/surveys/results/").content.decode()
    assert ">Customer-care survey</option>" in results
