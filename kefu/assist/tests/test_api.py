"""POST /api/v1/assist/analyze, answers checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from kefu.api.tests.conftest import Api, error_of


@pytest.fixture
def client(org) -> Api:
    return Api(org.agent)


def test_an_agent_draft_is_checked(client):
    response = client.post(
        "/assist/analyze", {"text": "这种问题我们见得多了，您稍等。", "role": "agent"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "agent"
    (finding,) = body["forbidden"]
    assert (finding["category"], finding["start"], finding["end"], finding["phrase"]) == (
        "seen_it_often",
        6,
        10,
        "见得多了",
    )
    assert finding["suggestion"] == "这类问题我们有成熟的处理办法，请您放心，我现在就为您处理。"
    assert finding["source"] == "lexicon"
    assert client.checked == 1


def test_a_near_miss_comes_back_clean(client):
    body = client.post(
        "/assist/analyze", {"text": "根据公司规定，您可以享受7天无理由退货", "role": "agent"}
    ).json()

    assert (body["forbidden"], body["behaviour"], body["etiquette"]) == ([], [], [])


def test_an_email_draft_gets_etiquette(client):
    body = client.post(
        "/assist/analyze",
        {
            "text": "附件是您的账单明细。",
            "role": "agent",
            "channel": "email",
            "subject": "",
            "attachments": [],
        },
    ).json()

    assert [e["code"] for e in body["etiquette"]] == [
        "subject_missing",
        "salutation_missing",
        "closing_missing",
        "attachment_missing",
    ]


def test_a_customer_message_is_classified(client):
    body = client.post(
        "/assist/analyze",
        {"text": "我是电视台记者，你们乱扣费的事我要曝光！", "role": "customer"},
    ).json()

    assert body["kind"]["label"] == "complaint"
    assert body["complaint_cause"]["label"] == "billing"
    assert body["difficult_type"]["label"] == "influential"
    assert body["forbidden"] is None


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"text": "", "role": "agent"}, {"text"}),
        ({"text": "   ", "role": "customer"}, {"text"}),
        ({"text": "您好", "role": "robot"}, {"role"}),
        ({"text": "您好"}, {"role"}),
        ({"text": "您好", "role": "agent", "channel": "fax"}, {"channel"}),
    ],
)
def test_bad_input_is_a_422_with_the_error_envelope(client, payload, fields):
    response = client.post("/assist/analyze", payload)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == fields


def test_without_a_token_the_analyzer_is_closed(org):
    response = Api(None).post("/assist/analyze", {"text": "您好", "role": "agent"})

    assert response.status_code == 401


def test_a_paraphrase_found_by_the_model_says_so(client):
    body = client.post(
        "/assist/analyze", {"text": "退款这事我们这边不处理，你找财务部门吧。", "role": "agent"}
    ).json()

    assert [(f["category"], f["source"]) for f in body["forbidden"]] == [
        ("not_our_business", "model")
    ]
