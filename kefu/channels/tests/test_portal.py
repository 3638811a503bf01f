"""The customer portal and the public web form: sign-in by emailed link, own cases only
(404 for anyone else's), no internal notes, uploads validated, confirm and reopen."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.choices import CaseStatus, MessageKind
from kefu.cases.models import Attachment, Case, CaseMessage
from kefu.channels.models import WebSubmission
from kefu.channels.tests import corpus
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _signed_in(customer, mailoutbox, django_capture_on_commit_callbacks) -> Client:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/", {"email": customer.primary_email})
    assert response.status_code == 200
    found = re.search(r"http://\S+/portal/login/\S+/", mailoutbox[-1].body)
    assert found is not None
    link = found.group(0)
    assert client.get(link.split("8000", 1)[-1] if "8000" in link else link).status_code == 302
    return client


@pytest.fixture
def portal(org, mailoutbox, django_capture_on_commit_callbacks):
    def sign_in(customer):
        return _signed_in(customer, mailoutbox, django_capture_on_commit_callbacks)

    return sign_in


def test_sign_in_link_for_a_known_address_only_and_the_same_answer_for_both(
    org, client, mailoutbox, django_capture_on_commit_callbacks
):
    customer = make_customer(org)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/portal/", {"email": customer.primary_email})
        unknown = client.post("/portal/", {"email": "nobody@example.cn"})
    # No probing for addresses: the same page either way.
    assert 'data-testid="link-sent"' in known.content.decode()
    assert 'data-testid="link-sent"' in unknown.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [customer.primary_email]
    assert "Sign in" in mailoutbox[0].subject or "登录" in mailoutbox[0].subject
    assert client.get("/portal/login/forged-token/").status_code == 400
    assert client.get("/portal/cases/").status_code == 302  # not signed in


def test_a_customer_submits_with_an_attachment_and_follows_the_public_timeline(org, portal):
    customer = make_customer(org)
    client = portal(customer)
    response = client.post(
        "/portal/cases/new/",
        {
            "subject": "发票开错了",
            "body": "抬头应为某某公司。",
            "files": SimpleUploadedFile("发票.png", corpus.PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(customer=customer)
    assert case.channel == "web" and Attachment.objects.get(case=case).original_name == "发票.png"
    agent = Actor.staff(org.admin)  # a portal case waits in the site-less intake
    case_actions.add_message(case.pk, actor=agent, kind=MessageKind.NOTE, body="内部：客户很急")
    case_actions.add_message(case.pk, actor=agent, kind=MessageKind.OUTBOUND, body="已为您重开发票")
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "已为您重开发票" in page and "抬头应为某某公司" in page
    assert "内部：客户很急" not in page
    client.post(f"/portal/cases/{case.number}/reply/", {"body": "收到，谢谢"})
    assert CaseMessage.objects.filter(case=case, kind=MessageKind.INBOUND).count() == 2


def test_uploads_are_validated_and_nothing_is_written_when_refused(org, portal):
    client = portal(make_customer(org))
    response = client.post(
        "/portal/cases/new/",
        {"subject": "病毒", "body": "看附件", "files": SimpleUploadedFile("a.exe", b"MZ" * 50)},
    )
    assert response.status_code == 422 and Case.objects.count() == 0


def test_another_customers_case_is_a_404_by_number(org, portal):
    alice, bob = make_customer(org, "甲"), make_customer(org, "乙")
    bobs = case_actions.open_case(
        actor=Actor.staff(org.agent), kind="inquiry", channel="phone", subject="乙的事",
        customer=bob,
    )  # fmt: skip
    client = portal(alice)
    for path in ("", "reply/", "confirm/", "reopen/"):
        url = f"/portal/cases/{bobs.number}/{path}"
        response = client.post(url, {"body": "x", "reason": "x"}) if path else client.get(url)
        assert response.status_code == 404, url
    assert client.get("/portal/cases/ZX-2099-000001/").status_code == 404
    assert "乙的事" not in client.get("/portal/cases/").content.decode()


def test_confirm_a_resolution_and_reopen_within_the_window(org, portal, settings):
    customer = make_customer(org)
    staff = Actor.staff(org.agent)
    case = case_actions.open_case(
        actor=staff, kind="inquiry", channel="web", subject="咨询", customer=customer
    )
    client = portal(customer)
    assert client.post(f"/portal/cases/{case.number}/confirm/").status_code == 422  # not resolved
    case_actions.accept_case(case.pk, actor=staff)
    case_actions.resolve_case(case.pk, actor=staff, resolution="已答复")
    assert client.post(f"/portal/cases/{case.number}/confirm/").status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    client.post(f"/portal/cases/{case.number}/reopen/", {"reason": "问题又出现了"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    settings.KEFU_PORTAL_REOPEN_DAYS = 0
    case_actions.resolve_case(case.pk, actor=staff, resolution="再次答复")
    assert client.post(f"/portal/cases/{case.number}/reopen/", {"reason": "x"}).status_code == 422


@pytest.mark.parametrize("with_mailbox", [True, False])
def test_the_public_form_confirms_by_email_then_opens_one_case(
    org, client, mailoutbox, django_capture_on_commit_callbacks, settings, with_mailbox
):
    from kefu.channels.models import InboundEmail, Mailbox

    if with_mailbox:  # the confirmed request goes through the email ingest path
        Mailbox.objects.create(name="客服", address="support@kefu.test", team=org.team)
    settings.KEFU_WEBFORM_PER_HOUR = 2
    form = {
        "name": "刘女士",
        "email": "liu@example.cn",
        "subject": "营业时间",
        "body": "周日营业吗？",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/portal/contact/", form).status_code == 200
    assert Case.objects.count() == 0 and len(mailoutbox) == 1
    found = re.search(r"/portal/contact/confirm/\S+/", mailoutbox[0].body)
    assert found is not None
    link = found.group(0)
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200  # twice: still one case
    case = Case.objects.get()
    assert case.channel == "web" and case.customer.primary_email == "liu@example.cn"
    assert CaseMessage.objects.get(case=case).body == "周日营业吗？"
    if with_mailbox:
        assert case.team == org.team
        assert InboundEmail.objects.get(case=case).source == "web"
        assert case.customer.name == "刘女士"
    # The honeypot stores nothing; the rate limit answers 429.
    assert client.post("/portal/contact/", {**form, "website": "http://spam"}).status_code == 200
    assert WebSubmission.objects.count() == 1
    assert client.post("/portal/contact/", form).status_code == 200
    assert client.post("/portal/contact/", form).status_code == 429


def test_a_case_id_is_not_a_way_in_either(org, portal):
    alice, bob = make_customer(org, "甲"), make_customer(org, "乙")
    bobs = case_actions.open_case(
        actor=Actor.staff(org.agent), kind="inquiry", channel="phone", subject="乙的事",
        customer=bob,
    )  # fmt: skip
    client = portal(alice)
    assert client.get(f"/portal/cases/{bobs.pk}/").status_code == 404


def test_files_of_the_public_conversation_only_and_only_ones_own(org, portal, settings, tmp_path):
    import io

    settings.MEDIA_ROOT = tmp_path
    alice, bob = make_customer(org, "甲"), make_customer(org, "乙")
    staff = Actor.staff(org.admin)
    case = case_actions.open_case(
        actor=staff, kind="inquiry", channel="web", subject="发票", customer=alice
    )
    reply = case_actions.add_message(case.pk, actor=staff, kind=MessageKind.OUTBOUND, body="见附件")
    note = case_actions.add_message(case.pk, actor=staff, kind=MessageKind.NOTE, body="内部")

    def attach(message, name):
        return case_actions.add_attachment(
            case.pk, actor=staff, name=name, stream=io.BytesIO(corpus.PNG),
            size=len(corpus.PNG), message=message,
        )  # fmt: skip

    public, internal = attach(reply, "发票.png"), attach(note, "内部.png")
    client = portal(alice)
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "发票.png" in page and "内部.png" not in page
    ok = client.get(f"/portal/cases/{case.number}/files/{public.pk}/")
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == corpus.PNG
    assert client.get(f"/portal/cases/{case.number}/files/{internal.pk}/").status_code == 404
    other = portal(bob)
    assert other.get(f"/portal/cases/{case.number}/files/{public.pk}/").status_code == 404


def test_a_decision_chain_contact_sees_the_organisations_cases(org, portal):
    from kefu.customers.actions import create_customer
    from kefu.customers.models import Customer, DecisionRole

    staff = Actor.staff(org.agent)
    company = create_customer(actor=staff, name="某某科技有限公司", kind="organisation")
    role = DecisionRole.objects.create(code="ceo-test", name="总经理", rank=1)
    boss, clerk = make_customer(org, "赵总"), make_customer(org, "钱员工")
    Customer.objects.filter(pk=boss.pk).update(organisation=company, decision_role=role)
    Customer.objects.filter(pk=clerk.pk).update(organisation=company)
    clerks = case_actions.open_case(
        actor=staff, kind="inquiry", channel="phone", subject="员工的工单", customer=clerk
    )
    assert portal(boss).get(f"/portal/cases/{clerks.number}/").status_code == 200
    boss_case = case_actions.open_case(
        actor=staff, kind="inquiry", channel="phone", subject="老板的工单", customer=boss
    )
    # A contact without a decision-chain role sees only their own.
    assert portal(clerk).get(f"/portal/cases/{boss_case.number}/").status_code == 404


def test_the_post_case_survey_waits_on_the_portal(org, portal):
    from kefu.customers.actions import record_consent
    from kefu.surveys.actions import invite
    from kefu.surveys.models import Survey
    from kefu.surveys.shipped import ensure_shipped

    ensure_shipped()
    customer = make_customer(org)
    record_consent(
        actor=Actor.staff(org.agent), customer_id=customer.pk, purpose="survey", granted=True,
        method="phone",
    )  # fmt: skip
    case = case_actions.open_case(
        actor=Actor.staff(org.agent), kind="inquiry", channel="web", subject="咨询",
        customer=customer,
    )  # fmt: skip
    invitation, why = invite(
        actor=Actor.system("test"), survey=Survey.objects.get(code="customer-care"),
        customer=customer, trigger="manual", case=case,
    )  # fmt: skip
    assert invitation is not None, why
    client = portal(customer)
    assert f"/s/{invitation.token}/" in client.get(f"/portal/cases/{case.number}/").content.decode()
    assert 'data-testid="portal-survey"' in client.get("/portal/cases/").content.decode()


def test_an_optional_password_signs_in_too(org, portal):
    customer = make_customer(org)
    client = portal(customer)
    assert client.post("/portal/password/", {"password": "short"}).status_code == 422
    assert client.post("/portal/password/", {"password": "长城长城长城长城"}).status_code == 302
    fresh = Client()
    wrong = fresh.post("/portal/", {"email": customer.primary_email, "password": "nope-nope"})
    assert wrong.status_code == 401
    assert fresh.get("/portal/cases/").status_code == 302
    right = fresh.post(
        "/portal/", {"email": customer.primary_email, "password": "长城长城长城长城"}
    )
    assert right.status_code == 302 and fresh.get("/portal/cases/").status_code == 200
    stranger = Client().post("/portal/", {"email": "x@example.cn", "password": "长城长城长城长城"})
    assert stranger.status_code == 401


def test_setting_the_portal_password_is_on_the_customers_record_without_it(org, portal):
    from kefu.channels import actions
    from kefu.channels.models import PortalPassword
    from kefu.core.errors import PermissionDenied
    from kefu.customers.models import CustomerEvent

    customer = make_customer(org)
    client = portal(customer)
    assert client.post("/portal/password/", {"password": "short"}).status_code == 422
    assert client.post("/portal/password/", {"password": "长城长城长城长城"}).status_code == 302
    actions.set_portal_password(customer.pk, "黄河黄河黄河黄河", actor=Actor.staff(org.agent))
    with pytest.raises(PermissionDenied):
        actions.set_portal_password(customer.pk, "冒名冒名冒名冒名", actor=Actor.customer(0))

    events = list(
        CustomerEvent.objects.filter(customer=customer, type="portal_password_set").order_by("id")
    )
    assert [(e.actor_kind, e.actor_customer_id, e.actor_user) for e in events] == [
        ("customer", customer.pk, None),
        ("staff", None, org.agent),
    ]
    assert [e.data for e in events] == [{"first": True}, {"first": False}]
    stored = PortalPassword.objects.get(customer=customer).password
    for event in events:
        assert "长城" not in str(event.data) and stored not in str(event.data)


def test_every_control_on_the_portal_and_the_form_is_labelled(org, portal, client):
    from kefu.web.tests.test_accessibility import unlabelled

    customer = make_customer(org)
    staff = Actor.staff(org.admin)
    case = case_actions.open_case(
        actor=staff, kind="inquiry", channel="web", subject="咨询", customer=customer
    )
    case_actions.accept_case(case.pk, actor=staff)
    case_actions.resolve_case(case.pk, actor=staff, resolution="已答复")
    for url in ("/portal/", "/portal/contact/"):
        assert unlabelled(client.get(url).content.decode()) == [], url
    signed_in = portal(customer)
    for url in ("/portal/cases/", "/portal/cases/new/", f"/portal/cases/{case.number}/",
                "/portal/password/"):  # fmt: skip
        page = signed_in.get(url)
        assert page.status_code == 200 and unlabelled(page.content.decode()) == [], url
    client.force_login(org.admin)
    assert unlabelled(client.get("/channels/mailboxes/").content.decode()) == []
