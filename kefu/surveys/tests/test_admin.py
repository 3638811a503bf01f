"""The admin shows the surveys' objects but changes none of them: every write goes through
the actions, which validate, keep the running totals and record the change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client

from kefu.surveys.models import IndexGroup, Survey
from tests.factories import Org

pytestmark = pytest.mark.usefixtures("shipped")


def test_every_survey_object_is_read_only_in_the_admin(org: Org) -> None:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    client = Client()
    client.force_login(org.admin)
    registered = [m for m in admin.site._registry if m._meta.app_label == "surveys"]
    assert {m.__name__ for m in registered} >= {"Survey", "SurveyVersion", "IndexGroup"}
    for model in registered:
        base = f"/admin/surveys/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        assert client.get(f"{base}add/").status_code == 403, base

    survey = Survey.objects.get(code="customer-care")
    changed = client.post(
        f"/admin/surveys/survey/{survey.pk}/change/", {"code": survey.code, "expiry_days": 1}
    )
    deleted = client.post(f"/admin/surveys/survey/{survey.pk}/delete/", {"post": "yes"})
    care = IndexGroup.objects.get(key="care")
    reweighted = client.post(
        f"/admin/surveys/indexgroup/{care.pk}/change/",
        {"key": "care", "name_zh": care.name_zh, "name_en": care.name_en, "weight": "0.9"},
    )
    assert (changed.status_code, deleted.status_code, reweighted.status_code) == (403, 403, 403)
    survey.refresh_from_db()
    assert survey.expiry_days == 14
    assert IndexGroup.objects.get(key="care").weight == Decimal("0.150")
