"""Replies, notes, calls, visits and attachments from the case page; user text stays inert."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.cases.choices import MessageKind
from kefu.cases.models import Attachment, CaseMessage
from tests.factories import advance, make_case

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_reply_note_call_and_visit_are_recorded(org, as_user, settings, tmp_path):
    case = advance(org, make_case(org), "assigned")
    client = as_user(org.agent)
    url = f"/cases/{case.number}"

    client.post(f"{url}/messages/", {"msg-kind": "outbound", "msg-body": "您好，已为您核实。"})
    client.post(f"{url}/messages/", {"msg-kind": "note", "msg-body": "需计费部确认"})
    client.post(
        f"{url}/calls/",
        {"call-direction": "outbound", "call-minutes": 3, "call-seconds": 5, "call-body": "回电"},
    )
    client.post(
        f"{url}/visits/", {"visit-visited_at": "2026-11-20T10:30", "visit-body": "上门检修"}
    )

    rows = list(
        CaseMessage.objects.filter(case=case)
        .order_by("id")
        .values_list("kind", "body", "call_duration_seconds")
    )
    assert rows == [
        (MessageKind.OUTBOUND, "您好，已为您核实。", None),
        (MessageKind.NOTE, "需计费部确认", None),
        (MessageKind.CALL, "回电", 185),
        (MessageKind.VISIT, "上门检修", None),
    ]
    page = client.get(f"{url}/").content.decode()
    assert "您好，已为您核实。" in page
    assert "3 分 5 秒" in page


def test_an_empty_reply_is_refused_and_nothing_is_stored(org, as_user):
    case = make_case(org)

    response = as_user(org.agent).post(
        f"/cases/{case.number}/messages/", {"msg-kind": "outbound", "msg-body": "  "}
    )

    assert response.status_code == 422
    assert not CaseMessage.objects.filter(case=case).exists()


def test_replying_to_a_closed_case_is_refused(org, as_user):
    case = advance(org, make_case(org), "closed")

    response = as_user(org.agent).post(
        f"/cases/{case.number}/messages/", {"msg-kind": "outbound", "msg-body": "补充说明"}
    )

    assert response.status_code == 422
    assert "工单已结案，请先重开再回复客户。" in response.content.decode()
    assert not CaseMessage.objects.filter(case=case).exists()


def test_stored_script_renders_inert(org, as_user):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case = make_case(org, subject=evil, description=evil)
    client = as_user(org.agent)
    client.post(f"/cases/{case.number}/messages/", {"msg-kind": "note", "msg-body": evil})

    pages = [
        client.get(f"/cases/{case.number}/").content.decode(),
        client.get("/queues/team/").content.decode(),
        client.get(f"/customers/{case.customer_id}/").content.decode(),
    ]

    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_attachment_upload_and_download(org, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(org)
    client = as_user(org.agent)

    response = client.post(
        f"/cases/{case.number}/attachments/",
        {"file-file": SimpleUploadedFile("账单.png", PNG, content_type="image/png")},
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get(case=case)
    assert (attachment.original_name, attachment.size) == ("账单.png", len(PNG))
    download = client.get(f"/cases/{case.number}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    other = as_user(org.other_agent).get(f"/cases/{case.number}/attachments/{attachment.pk}/")
    assert other.status_code == 404


def test_htmx_upload_answers_with_a_redirect_or_the_reason(org, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(org)
    client = as_user(org.agent)
    url = f"/cases/{case.number}/attachments/"

    bad = client.post(
        url,
        {"file-file": SimpleUploadedFile("脚本.exe", b"MZ\x90\x00", content_type="x")},
        headers={"HX-Request": "true"},
    )
    good = client.post(
        url,
        {"file-file": SimpleUploadedFile("a.png", PNG)},
        headers={"HX-Request": "true"},
    )

    assert bad.status_code == 422
    assert bad.content.decode() == "不接受这种类型的文件。"
    assert good.status_code == 204
    assert good["HX-Refresh"] == "true"
    assert Attachment.objects.filter(case=case).count() == 1


def test_customer_phone_is_masked_unless_the_role_may_see_it(org, as_user):
    case = make_case(org)
    phone = case.customer.primary_phone  # +86139…
    national = phone[3:]
    masked = national[:3] + "****" + national[-4:]

    agent_page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()
    supervisor_page = as_user(org.supervisor).get(f"/cases/{case.number}/").content.decode()

    assert masked in agent_page and national not in agent_page
    assert phone in supervisor_page


def test_no_composer_url_sends_a_forbidden_phrase_unchecked(org, as_user):
    case = advance(org, make_case(org), "in_progress")
    client = as_user(org.agent)

    response = client.post(
        f"/cases/{case.number}/messages/",
        {"msg-kind": "outbound", "msg-body": "公司的规定就是这样的，我也没办法。"},
    )

    assert response.status_code == 422  # the check asks first, on every reply path
    assert not CaseMessage.objects.filter(case=case, kind="outbound").exists()
