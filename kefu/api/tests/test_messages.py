"""Messages (inbound, outbound, note, call, visit) and attachments, validated, atomic."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.actors import Actor
from kefu.api.tests.conftest import error_of
from kefu.cases import actions
from kefu.cases.models import Attachment, CaseEvent, CaseMessage
from tests.factories import advance, make_case

# The smallest valid PNG: signature, IHDR, IDAT, IEND.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("kind", ["inbound", "outbound", "note", "visit"])
def test_adding_each_kind_of_message(org, api, kind):
    case = advance(org, make_case(org), "assigned")
    client = api(org.agent)

    response = client.post(f"/cases/{case.pk}/messages", {"kind": kind, "body": "客户说明了情况"})

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["body"]) == (kind, "客户说明了情况")
    assert body["author"] == {"kind": "staff", "id": org.agent.pk, "name": "张坐席"}
    assert (body["visited_at"] is not None) is (kind == "visit")
    listed = client.get(f"/cases/{case.pk}/messages").json()
    assert [m["id"] for m in listed["items"]] == [body["id"]]
    event = CaseEvent.objects.filter(case=case, type="message_added").latest("id")
    assert (event.type, event.data["kind"]) == ("message_added", kind)


def test_a_call_record_carries_direction_and_duration(org, api):
    case = advance(org, make_case(org), "assigned")

    response = api(org.agent).post(
        f"/cases/{case.pk}/messages",
        {
            "kind": "call",
            "body": "回拨客户，说明退费进度",
            "call_direction": "outbound",
            "call_duration_seconds": 185,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["call_direction"], body["call_duration_seconds"]) == ("outbound", 185)
    event = CaseEvent.objects.filter(case=case, type="message_added").latest("id")
    assert (event.data["direction"], event.data["duration_seconds"]) == ("outbound", 185)
    case.refresh_from_db()
    assert case.first_contact_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "call", "body": "通话"}, "call_direction"),
        ({"kind": "call", "body": "通话", "call_direction": "inbound"}, "call_duration_seconds"),
        (
            {
                "kind": "call",
                "body": "通话",
                "call_direction": "sideways",
                "call_duration_seconds": 3,
            },
            "call_direction",
        ),
        (
            {
                "kind": "call",
                "body": "通话",
                "call_direction": "inbound",
                "call_duration_seconds": -1,
            },
            "call_duration_seconds",
        ),
        ({"kind": "fax", "body": "传真"}, "kind"),
        ({"kind": "note", "body": "  "}, "body"),
        ({"kind": "note"}, "body"),
    ],
)
def test_an_invalid_message_is_422_and_nothing_is_stored(org, api, body, field):
    case = advance(org, make_case(org), "assigned")
    events = CaseEvent.objects.filter(case=case).count()

    response = api(org.agent).post(f"/cases/{case.pk}/messages", body)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert CaseMessage.objects.count() == 0
    assert CaseEvent.objects.filter(case=case).count() == events


def test_an_inbound_message_brings_a_waiting_case_back(org, api):
    case = advance(org, make_case(org), "awaiting_customer")

    api(org.agent).post(f"/cases/{case.pk}/messages", {"kind": "inbound", "body": "账单已发送"})

    detail = api(org.agent).get(f"/cases/{case.pk}").json()
    assert detail["status"] == "in_progress"


def test_uploading_an_attachment_stores_the_file_and_records_it(org, api, media):
    case = advance(org, make_case(org), "assigned")
    client = api(org.agent)
    note = client.post(f"/cases/{case.pk}/messages", {"kind": "note", "body": "见截图"}).json()

    response = client.upload(
        f"/cases/{case.pk}/attachments",
        {
            "file": SimpleUploadedFile("账单截图.png", PNG, content_type="image/png"),
            "message_id": str(note["id"]),
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["content_type"], body["size"]) == (
        "账单截图.png",
        "image/png",
        len(PNG),
    )
    assert body["message_id"] == note["id"]
    assert body["uploaded_by"]["id"] == org.agent.pk
    assert len(stored_files(media)) == 1
    assert stored_files(media)[0].read_bytes() == PNG
    messages = client.get(f"/cases/{case.pk}/messages").json()["items"]
    assert [a["id"] for a in messages[0]["attachments"]] == [body["id"]]
    listed = client.get(f"/cases/{case.pk}/attachments").json()
    assert listed["count"] == 1
    assert CaseEvent.objects.filter(case=case, type="attachment_added").count() == 1


def test_an_oversize_attachment_is_422_and_nothing_is_stored(org, api, media, settings):
    settings.KEFU_MAX_ATTACHMENT_BYTES = 100
    case = advance(org, make_case(org), "assigned")
    before = CaseEvent.objects.filter(case=case).count()

    response = api(org.agent).upload(
        f"/cases/{case.pk}/attachments",
        {
            "file": SimpleUploadedFile("big.txt", b"x" * 101, content_type="text/plain"),
        },
    )

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"file": "at most 100 bytes"}
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []
    assert CaseEvent.objects.filter(case=case).count() == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("photo.png", b"%PDF-1.4 this is not a png"),
        ("report.pdf", b"just some text, not a pdf"),
        ("empty.txt", b""),
    ],
)
def test_a_wrong_or_empty_file_is_422_and_nothing_is_stored(org, api, media, name, content):
    case = advance(org, make_case(org), "assigned")

    response = api(org.agent).upload(
        f"/cases/{case.pk}/attachments",
        {
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
    )

    assert response.status_code == 422
    assert "file" in error_of(response)["fields"]
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_an_upload_without_a_file_is_422(org, api, media):
    case = make_case(org)

    response = api(org.agent).upload(f"/cases/{case.pk}/attachments", {"note": "nothing"})

    assert response.status_code == 422
    assert "file" in error_of(response)["fields"]
    assert Attachment.objects.count() == 0


def test_an_attachment_for_another_cases_message_is_422(org, api, media):
    case, other = make_case(org), make_case(org)
    client = api(org.agent)
    note = client.post(f"/cases/{other.pk}/messages", {"kind": "note", "body": "别的"}).json()

    response = client.upload(
        f"/cases/{case.pk}/attachments",
        {
            "file": SimpleUploadedFile("a.txt", io.BytesIO(b"hello").read()),
            "message_id": str(note["id"]),
        },
    )

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"message_id": "unknown id"}
    assert stored_files(media) == []


def test_replying_on_a_closed_case_is_409(org, api):
    case = advance(org, make_case(org), "closed")

    response = api(org.agent).post(
        f"/cases/{case.pk}/messages", {"kind": "outbound", "body": "您好"}
    )

    assert response.status_code == 409
    assert CaseMessage.objects.count() == 0


def test_an_outbound_reply_through_the_api_is_checked_like_the_composers(org, api):
    case = advance(org, make_case(org), "assigned")
    client = api(org.agent)
    reply = {"kind": "outbound", "body": "公司的规定就是这样的，我也没办法。"}

    first = client.post(f"/cases/{case.pk}/messages", reply)
    assert first.status_code == 409
    assert first.json()["error"]["code"] == "assist_confirmation_required"
    assert not CaseMessage.objects.filter(case=case).exists()

    confirmed = client.post(f"/cases/{case.pk}/messages", {**reply, "confirm_override": True})
    assert confirmed.status_code == 201
    override = CaseEvent.objects.get(case=case, type="assist_override")
    assert override.data["message"] == confirmed.json()["id"]


def test_messages_and_events_from_the_customer_and_the_system_name_their_actor(org, api):
    # Given a case waiting for its customer, who then writes in (e.g. through a channel)
    case = advance(org, make_case(org), "awaiting_customer")
    actions.add_message(
        case.pk, actor=Actor.customer(case.customer_id), kind="inbound", body="账单已发您邮箱"
    )
    client = api(org.agent)

    # When the agent reads the conversation and the timeline
    messages = client.get(f"/cases/{case.pk}/messages").json()["items"]
    events = client.get(f"/cases/{case.pk}/events").json()["items"]

    # Then the message is the customer's, and the automatic resume is the system's
    assert messages[-1]["author"] == {"kind": "customer", "id": case.customer_id, "name": "张三"}
    added = next(e for e in events if e["type"] == "message_added")
    assert added["actor"] == {"kind": "customer", "id": case.customer_id, "name": "张三"}
    resumed = [e for e in events if e["type"] == "resumed"][-1]
    assert resumed["actor"] == {"kind": "system", "id": None, "name": "customer_replied"}
    assert resumed["after"] == {"status": "in_progress"}
