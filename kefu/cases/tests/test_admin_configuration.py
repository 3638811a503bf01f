"""Case kinds and cause categories edited in the admin save through the case actions: on the
configuration record with before, after and the administrator; non-administrators refused;
nothing deleted (cases refer to both)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.accounts.models import ConfigurationEvent, User
from kefu.cases import actions
from kefu.cases.models import CaseKind, CauseCategory
from kefu.core.errors import PermissionDenied, ValidationFailed
from tests.factories import Org, make_case

pytestmark = pytest.mark.django_db


def _client(user: User, *, superuser: bool = True) -> Client:
    user.is_staff, user.is_superuser = True, superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def _events(obj: Model) -> list[ConfigurationEvent]:
    return list(
        ConfigurationEvent.objects.filter(
            app_label=obj._meta.app_label, model=obj._meta.model_name, object_id=str(obj.pk)
        )
    )


def _kind_form(kind: CaseKind, **changes: Any) -> dict[str, Any]:
    form = {
        "name_zh": kind.name_zh,
        "name_en": kind.name_en,
        "number_prefix": kind.number_prefix,
        "workflow": kind.workflow,
        "is_complaint": "on" if kind.is_complaint else "",
        "active": "on" if kind.active else "",
        "sort_order": kind.sort_order,
    }
    form |= changes
    return {k: v for k, v in form.items() if v != ""}


def test_a_case_kind_changed_in_the_admin_is_recorded(org: Org) -> None:
    client = _client(org.admin)
    kind = CaseKind.objects.get(code="praise")
    url = f"/admin/cases/casekind/{kind.pk}/change/"
    response = client.post(url, _kind_form(kind, name_en="Compliment", active=""))
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name_en, kind.active, kind.code) == ("Compliment", False, "praise")
    [event] = _events(kind)
    assert (event.action, event.actor_user) == ("changed", org.admin)
    assert event.data == {
        "before": {"name_en": "Praise", "active": True},
        "after": {"name_en": "Compliment", "active": False},
    }
    assert client.post(f"/admin/cases/casekind/{kind.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    assert CaseKind.objects.filter(pk=kind.pk).exists()


def test_a_kind_with_cases_keeps_its_workflow(org: Org) -> None:
    client = _client(org.admin)
    case = make_case(org)
    kind = case.kind
    url = f"/admin/cases/casekind/{kind.pk}/change/"
    other = "standard" if kind.workflow == "complaint" else "complaint"
    refused = client.post(url, _kind_form(kind, workflow=other))
    assert refused.status_code == 200
    assert "fixed while cases of this kind exist" in refused.content.decode()
    kind.refresh_from_db()
    assert kind.workflow != other and _events(kind) == []


def test_the_kind_list_columns_save_through_the_action_too(org: Org) -> None:
    client = _client(org.admin)
    kinds = list(CaseKind.objects.all())
    form: dict[str, Any] = {
        "form-TOTAL_FORMS": len(kinds),
        "form-INITIAL_FORMS": len(kinds),
        "_save": "Save",
    }
    for i, kind in enumerate(kinds):
        form[f"form-{i}-id"] = kind.pk
        form[f"form-{i}-name_zh"] = kind.name_zh
        form[f"form-{i}-name_en"] = kind.name_en.upper() if kind.code == "inquiry" else kind.name_en
    assert client.post("/admin/cases/casekind/", form).status_code == 302
    inquiry = CaseKind.objects.get(code="inquiry")
    [event] = _events(inquiry)
    assert event.data == {"before": {"name_en": "Inquiry"}, "after": {"name_en": "INQUIRY"}}
    assert ConfigurationEvent.objects.filter(model="casekind").count() == 1


def test_a_cause_category_added_in_the_admin_is_recorded_as_created(org: Org) -> None:
    client = _client(org.admin)
    response = client.post(
        "/admin/cases/causecategory/add/",
        {"code": "network", "name_zh": "网络故障", "name_en": "Network fault", "sort_order": 7,
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    cause = CauseCategory.objects.get(code="network")
    [event] = _events(cause)
    assert (event.action, event.actor_user) == ("created", org.admin)
    assert event.data["after"]["name_zh"] == "网络故障"
    assert event.data["after"]["is_work_quality"] is False


def test_a_non_administrator_is_refused(org: Org) -> None:
    client = _client(org.supervisor, superuser=False)
    org.supervisor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_causecategory", "change_causecategory"])
    )
    cause = CauseCategory.objects.get(code="billing")
    url = f"/admin/cases/causecategory/{cause.pk}/change/"
    assert client.get(url).status_code == 200  # Django lets them see it (read only)
    response = client.post(url, {"name_zh": "改名", "name_en": "x", "sort_order": 1})
    assert response.status_code == 403
    cause.refresh_from_db()
    assert cause.name_zh == "计费与账单" and _events(cause) == []
    with pytest.raises(PermissionDenied):
        actions.save_cause_category(
            actor=Actor.staff(org.supervisor), values={"name_zh": "改名"}, category_id=cause.pk
        )
    praise = CaseKind.objects.get(code="praise")
    with pytest.raises(ValidationFailed) as refused:
        actions.save_case_kind(
            actor=Actor.system("setup"), values={"workflow": "nope"}, kind_id=praise.pk
        )
    assert "workflow" in refused.value.fields
