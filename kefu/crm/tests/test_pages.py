"""The customer 360 page, the graded list, the churn list, imports and exports in the
workspace: masking for every role, reveal recorded, scope refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.core import clock
from kefu.crm.actions import assess_churn, recompute_grades, record_need, set_tier_manually
from kefu.crm.models import CrmSettings, ValueTier
from kefu.customers.actions import (
    add_contact,
    create_customer,
    record_consent,
    record_consumption,
    update_profile,
)
from kefu.customers.import_actions import create_import_job, run_import
from kefu.customers.models import CustomerEvent, CustomerKind, ImportJob
from tests.factories import Org, make_case

NUMBER = "13812341234"


@pytest.fixture
def as_user(client: Client):
    def sign_in(user) -> Client:
        client.force_login(user)
        client.cookies["django_language"] = "zh-hans"
        return client

    return sign_in


@pytest.fixture
def graded(org: Org):
    customer = create_customer(
        actor=Actor.staff(org.agent),
        name="张三",
        phone=NUMBER,
        email="zhangsan@example.cn",
    )
    update_profile(
        actor=Actor.staff(org.supervisor),
        customer_id=customer.pk,
        id_number="110101198005040011",
        account_manager_id=org.site_manager.pk,
    )
    today = clock.today()
    for days_ago, amount in ((150, 9000), (120, 8000), (100, 9000)):
        record_consumption(
            actor=Actor.system("test"),
            customer_id=customer.pk,
            occurred_on=today - dt.timedelta(days=days_ago),
            product="企业专线",
            amount=amount,
        )
    record_consent(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        purpose="survey",
        granted=True,
        method="phone",
    )
    make_case(org, customer=customer)
    record_need(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        category="price",
        title="希望续约优惠",
        importance=4,
        urgency=3,
        feasibility=3,
        days_to_fulfil=30,
    )
    set_tier_manually(
        actor=Actor.staff(org.supervisor), customer_id=customer.pk, tier="vip", reason="合同客户"
    )
    CrmSettings.objects.filter(pk=1).update(churn_threshold=30)
    recompute_grades(actor=Actor.system("rfm"))
    assess_churn(actor=Actor.system("churn"))
    return customer


def test_an_agent_sees_the_masked_number_a_manager_the_number(org: Org, graded, as_user) -> None:
    url = reverse("web:customer", args=[graded.pk])
    page = as_user(org.agent).get(url).content.decode()
    assert "138****1234" in page and "+8613812341234" not in page
    assert "110***********0011" in page and "z***@example.cn" in page
    page = as_user(org.site_manager).get(url).content.decode()
    assert "+8613812341234" in page and "138****1234" not in page
    for section in ("rfm", "churn", "needs", "consents", "spend-chart", "tier-history"):
        assert f'data-testid="{section}"' in page
    assert "希望续约优惠" in page and "优先级 = 20" in page
    assert "近90天消费 ¥0" in page  # the churn reason in words
    history = page[page.index('data-testid="tier-history"') :]
    assert "<td>普通 → VIP</td>" in history and "standard" not in history  # tier names


def test_reveal_is_an_action_with_a_reason_recorded(org: Org, graded, as_user) -> None:
    client = as_user(org.agent)
    url = reverse("web:customer_reveal", args=[graded.pk])
    refused = client.post(url, {"field": "phone", "reason": ""})
    assert refused.status_code == 422
    assert not CustomerEvent.objects.filter(type="revealed").exists()
    shown = client.post(url, {"field": "phone", "reason": "客户来电要求回拨"})
    assert "+8613812341234" in shown.content.decode()
    event = CustomerEvent.objects.get(type="revealed")
    assert (event.actor_user, event.data["reason"]) == (org.agent, "客户来电要求回拨")


def test_the_graded_list_and_the_churn_list(org: Org, graded, as_user) -> None:
    client = as_user(org.site_manager)
    page = client.get(reverse("web:crm_customers")).content.decode()
    assert "张三" in page and "R=" in page and "总分" in page
    client.cookies["django_language"] = "en"
    english = client.get(reverse("web:crm_customers")).content.decode()
    assert "days ago; F=" in english and "；" not in english
    del client.cookies["django_language"]
    churn = client.get(reverse("web:crm_churn")).content.decode()
    assert "张三" in churn and "近90天消费" in churn
    assert as_user(org.agent).get(reverse("web:crm_customers")).status_code == 403


def test_an_export_reads_in_chinese_and_imports_again_unchanged(
    org: Org, graded, as_user, settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = as_user(org.site_manager)
    url = reverse("web:crm_export_customers")
    people = b"".join(client.get(url).streaming_content)
    orders = b"".join(client.get(url + "?what=consumption").streaming_content)
    row = next(r for r in people.decode("utf-8-sig").splitlines() if "张三" in r).split(",")
    graded.refresh_from_db()
    tier = ValueTier.objects.get(code=graded.tier)
    assert (row[2], row[-1]) == ("个人", tier.name) != ("person", tier.code)  # by name
    assert ",订单" in orders.decode("utf-8-sig") and ",order" not in orders.decode("utf-8-sig")
    for kind, body in (("customers", people), ("consumption", orders)):
        job = create_import_job(
            actor=Actor.staff(org.site_manager),
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.csv", body),
        )
        job = run_import(job.pk)
        assert (job.state, job.error_rows, job.created_count) == ("done", 0, 0), kind
        assert job.unchanged_count == job.processed_rows > 0


def test_an_excel_export_keeps_long_numbers_as_text_and_imports_again(
    org: Org, graded, as_user, settings, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    url = reverse("web:crm_export_customers")
    for who, phone, id_number in (
        (org.site_manager, "+8613812341234", "110101198005040011"),
        (org.supervisor, "138****1234", "110***********0011"),
    ):
        response = as_user(who).get(url, {"format": "xlsx"})
        assert response["Content-Disposition"].endswith('filename="customers.xlsx"')
        path = tmp_path / f"{who.username}.xlsx"
        path.write_bytes(b"".join(response.streaming_content))
        rows = list(load_workbook(path, read_only=True).worksheets[0].values)
        row = next(r for r in rows if "张三" in r)
        assert (row[5], row[7]) == (phone, id_number)  # text, every digit
    orders = as_user(org.site_manager).get(url, {"format": "xlsx", "what": "consumption"})
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"".join(orders.streaming_content))
    rows = list(load_workbook(path, read_only=True).worksheets[0].values)
    assert rows[0][6] == "金额" and all(isinstance(r[6], int | float) for r in rows[1:])
    job = create_import_job(
        actor=Actor.staff(org.site_manager),
        kind="consumption",
        upload=SimpleUploadedFile("orders.xlsx", path.read_bytes()),
    )
    job = run_import(job.pk)
    assert (job.state, job.error_rows, job.created_count) == ("done", 0, 0)
    assert job.unchanged_count == len(rows) - 1
    exports = CustomerEvent.objects.filter(type="exported").order_by("id")
    assert [e.data["masked"] for e in exports] == [False, True, False]


def test_the_graded_list_finds_a_customer_by_name_phone_or_number(
    org: Org, graded, as_user
) -> None:
    other = create_customer(actor=Actor.staff(org.agent), name="李四", phone="13900007777")
    record_consumption(
        actor=Actor.system("t"),
        customer_id=other.pk,
        occurred_on=clock.today(),
        product="宽带",
        amount=100,
    )
    recompute_grades(actor=Actor.system("rfm"))
    client = as_user(org.site_manager)
    url = reverse("web:crm_customers")
    for text in ("张三", "138 1234 1234", "1234"):
        page = client.get(url, {"q": text}).content.decode()
        assert "张三" in page and "李四" not in page, text
    assert "李四" in client.get(url, {"q": "7777"}).content.decode()


def test_back_office_outside_the_customers_scope_is_refused(org: Org, graded, as_user) -> None:
    url = reverse("web:customer", args=[graded.pk])
    assert as_user(org.backoffice).get(url).status_code == 404
    case = graded.cases.get()
    case_actions.accept_case(case.pk, actor=Actor.staff(org.agent))
    case_actions.assign_case(case.pk, actor=Actor.staff(org.agent), handler=org.backoffice)
    page = as_user(org.backoffice).get(url)
    assert page.status_code == 200 and "138****1234" in page.content.decode()


def test_back_office_sees_an_organisations_contacts_linked_only_where_it_may_open_them(
    org: Org, as_user
) -> None:
    agent = Actor.staff(org.agent)
    company = create_customer(actor=agent, name="华北电力", kind=CustomerKind.ORGANISATION)
    boss = add_contact(
        actor=agent, organisation_id=company.pk, name="钱总", role_code="decision_maker"
    )
    clerk = add_contact(actor=agent, organisation_id=company.pk, name="孙会计")
    case = make_case(org, customer=company)
    case_actions.accept_case(case.pk, actor=agent)
    case_actions.assign_case(case.pk, actor=agent, handler=org.backoffice)
    url = reverse("web:customer", args=[company.pk])
    page = as_user(org.backoffice).get(url).content.decode()
    assert "钱总" in page and "孙会计" in page
    for person in (boss, clerk):  # outside its scope: named, not linked (the link was a 404)
        assert reverse("web:customer", args=[person.pk]) not in page
        assert (
            as_user(org.backoffice).get(reverse("web:customer", args=[person.pk])).status_code
            == 404
        )
    front = as_user(org.agent).get(url).content.decode()
    assert all(reverse("web:customer", args=[p.pk]) in front for p in (boss, clerk))


def test_exports_are_masked_unless_the_role_may_export(org: Org, graded, as_user) -> None:
    url = reverse("web:crm_export_customers")
    masked = b"".join(as_user(org.supervisor).get(url).streaming_content).decode()
    assert "138****1234" in masked and "+8613812341234" not in masked
    full = b"".join(as_user(org.site_manager).get(url).streaming_content).decode()
    assert "+8613812341234" in full
    assert as_user(org.agent).get(url).status_code == 403
    exports = CustomerEvent.objects.filter(type="exported").order_by("id")
    assert [e.data["masked"] for e in exports] == [True, False]


def test_import_upload_preview_start_report(
    org: Org, as_user, settings, tmp_path: Path, django_capture_on_commit_callbacks, tasks_inline
) -> None:
    settings.MEDIA_ROOT = tmp_path
    company = create_customer(
        actor=Actor.staff(org.agent), name="华北电力", kind=CustomerKind.ORGANISATION
    )
    add_contact(
        actor=Actor.staff(org.agent),
        organisation_id=company.pk,
        name="钱总",
        role_code="decision_maker",
    )
    client = as_user(org.supervisor)
    content = "姓名,类型,手机,标签\n李四,person,13900001111,老客户;大客户\n坏行,,12,\n".encode(
        "gbk"
    )
    response = client.post(
        reverse("web:crm_imports"),
        {"kind": "customers", "file": SimpleUploadedFile("客户.csv", content)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    preview = client.get(reverse("web:crm_import", args=[job.pk])).content.decode()
    assert 'data-testid="import-preview"' in preview
    # Laid out as the file is, each value as the import understood it, in the reader's words.
    assert '<th scope="col">姓名</th><th scope="col">类型</th><th scope="col">手机</th>' in preview
    assert "<td>2</td><td>李四</td><td>个人</td><td>+8613900001111</td><td>大客户、老客户</td>" in (
        preview
    )
    assert "手机: 不是有效的电话号码 (12)" in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:crm_import_start", args=[job.pk]))
    url = reverse("web:crm_import", args=[job.pk])
    report = client.get(url).content.decode()
    row = "<td>3</td><td>手机</td><td>不是有效的电话号码</td>"
    assert 'data-testid="import-report"' in report and row in report
    csv_report = b"".join(client.get(url + "?report=csv").streaming_content).decode("utf-8-sig")
    assert csv_report.splitlines() == ["行号,字段,问题,值", "3,手机,不是有效的电话号码,12"]
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "<td>3</td><td>Mobile</td><td>not a valid phone number</td>" in english
    job.refresh_from_db()
    assert (job.state, job.created_count, job.error_rows) == ("done", 1, 1)
    org_page = client.get(reverse("web:customer", args=[company.pk])).content.decode()
    assert 'data-testid="decision-chain"' in org_page and "钱总" in org_page


def test_the_case_page_shows_the_tier_entitlements_and_manager(org: Org, as_user) -> None:
    customer = create_customer(actor=Actor.staff(org.agent), name="贵宾", phone="13700000009")
    set_tier_manually(
        actor=Actor.staff(org.supervisor), customer_id=customer.pk, tier="vip", reason="合同客户"
    )
    update_profile(
        actor=Actor.staff(org.supervisor),
        customer_id=customer.pk,
        account_manager_id=org.site_manager.pk,
    )
    case = make_case(org, customer=customer)
    page = as_user(org.agent).get(reverse("web:case", args=[case.number])).content.decode()
    assert 'data-testid="customer-entitlements"' in page and "专属客户经理" in page
    assert "李站长" in page


ROLES = ["agent", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]
UNMASKED = {"supervisor", "site_manager", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_masking_for_every_role_on_the_page_and_in_exports(
    org: Org, graded, as_user, role: str
) -> None:
    user = getattr(org, role)
    page = as_user(user).get(reverse("web:customer", args=[graded.pk]))
    if role == "backoffice":
        assert page.status_code == 404  # outside its customers
    else:
        html = page.content.decode()
        shown = "+8613812341234" in html
        assert shown is (role in UNMASKED)
        assert ("138****1234" in html) is (role not in UNMASKED)
        assert ("110101198005040011" in html) is (role in UNMASKED)
    export = as_user(user).get(reverse("web:crm_export_customers"))
    if role not in UNMASKED:
        assert export.status_code == 403
        return
    body = b"".join(export.streaming_content).decode()
    assert ("+8613812341234" in body) is (role in {"site_manager", "admin"})


def test_a_file_that_cannot_be_imported_says_why_in_the_readers_language(
    org: Org, as_user, settings, tmp_path: Path, django_capture_on_commit_callbacks, tasks_inline
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = as_user(org.supervisor)
    client.post(
        reverse("web:crm_imports"),
        {
            "kind": "consumption",
            "file": SimpleUploadedFile("消费.csv", "客户编号,产品\nC1,宽带\n".encode()),
        },
    )
    job = ImportJob.objects.get()
    url = reverse("web:crm_import", args=[job.pk])
    assert "缺少必需的列：日期、金额" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:crm_import_start", args=[job.pk]))
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", "missing columns: occurred_on, amount")
    assert "缺少必需的列：日期、金额" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "missing columns: Date, Amount" in english


def test_a_sample_file_to_try_the_import(org: Org, as_user) -> None:
    response = as_user(org.supervisor).get(reverse("web:crm_import_sample") + "?rows=1000")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body[:2] == b"PK"  # an xlsx (zip)
    assert as_user(org.agent).get(reverse("web:crm_import_sample")).status_code == 403


def test_the_small_forms_record_consent_phone_and_role(org: Org, as_user) -> None:
    company = create_customer(
        actor=Actor.staff(org.agent), name="华北电力", kind=CustomerKind.ORGANISATION
    )
    contact = add_contact(actor=Actor.staff(org.agent), organisation_id=company.pk, name="钱总")
    client = as_user(org.agent)

    def update(what: str, **data: str):
        return client.post(reverse("web:customer_update", args=[contact.pk, what]), data)

    assert (
        'data-testid="role-form"'
        in client.get(reverse("web:customer", args=[contact.pk])).content.decode()
    )
    update("consent", purpose="survey", granted="1", method="phone")
    update("phone", value="13900002222")
    update("email", value="qian@example.cn")
    update("role", role="decision_maker")
    contact.refresh_from_db()
    assert contact.consents.get(purpose="survey").granted
    assert contact.primary_phone == "+8613900002222" and contact.primary_email == "qian@example.cn"
    assert contact.decision_role is not None and contact.decision_role.code == "decision_maker"
    update("phone", value="12")
    assert contact.phones.count() == 1
    assert (
        as_user(org.backoffice)
        .post(reverse("web:customer_update", args=[contact.pk, "phone"]), {"value": "13900003333"})
        .status_code
        == 404
    )


def test_the_profile_tags_address_and_account_manager_are_edited_on_the_page(
    org: Org, as_user
) -> None:
    customer = create_customer(actor=Actor.staff(org.agent), name="周女士", phone="13900004444")
    agent = as_user(org.agent)
    supervisor = Client()
    supervisor.force_login(org.supervisor)
    url = reverse("web:customer", args=[customer.pk])

    def update(client: Client, what: str, **data: str):
        return client.post(reverse("web:customer_update", args=[customer.pk, what]), data)

    page = agent.get(url).content.decode()
    assert 'data-testid="profile-form"' in page
    assert 'data-testid="manager-form"' not in page  # agents do not assign managers
    update(
        agent,
        "profile",
        birthday="1985-06-01",
        preferred_channel="wechat",
        preferred_language="zh-hans",
    )
    update(agent, "tags", tags="老客户，宽带、 VIP关注")
    update(agent, "address", region="北京市朝阳区", line="建国路88号", postcode="100022")
    assert update(agent, "manager", account_manager=str(org.agent.pk)).status_code == 403
    assert 'data-testid="manager-form"' in supervisor.get(url).content.decode()
    update(
        supervisor, "manager", account_manager=str(org.teammate.pk), dedicated_team=str(org.team.pk)
    )

    customer.refresh_from_db()
    assert customer.birthday == dt.date(1985, 6, 1)
    assert (customer.preferred_channel, customer.preferred_language) == ("wechat", "zh-hans")
    assert sorted(customer.tags.values_list("tag", flat=True)) == ["VIP关注", "宽带", "老客户"]
    assert customer.addresses.get().line == "建国路88号"
    assert (customer.account_manager_id, customer.dedicated_team_id) == (
        org.teammate.pk,
        org.team.pk,
    )
    assert CustomerEvent.objects.filter(customer=customer, type="updated").count() >= 4
    # A date that is not one changes nothing and says so.
    update(agent, "profile", birthday="1985-13-01")
    customer.refresh_from_db()
    assert customer.birthday == dt.date(1985, 6, 1)
