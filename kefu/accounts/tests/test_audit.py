import datetime as dt

import pytest
from django.db import transaction

from kefu.accounts.actors import Actor
from kefu.accounts.audit import changed_fields, configuration_history, record_configuration_event
from kefu.accounts.models import ConfigurationEvent, Site
from kefu.core.models import AppendOnlyError

pytestmark = pytest.mark.django_db


def test_a_change_is_recorded_with_who_and_what_and_cannot_be_edited(django_user_model):
    admin = django_user_model.objects.create(username="boss", display_name="王经理")
    site = Site.objects.create(code="hq", name="总部营业厅", kind="service_hall")
    before = {"name": site.name}
    site.name = "总部旗舰厅"
    with transaction.atomic():
        record_configuration_event(
            site, "changed", actor=Actor.staff(admin), **changed_fields(site, before, ["name"])
        )
        record_configuration_event(
            site, "checked", actor=Actor.system("nightly"), on=dt.date(2026, 1, 2)
        )

    first, second = configuration_history(site)
    assert (first.action, first.actor_user, first.object_label) == ("changed", admin, "总部旗舰厅")
    assert first.data == {"before": {"name": "总部营业厅"}, "after": {"name": "总部旗舰厅"}}
    assert second.actor_source == "nightly" and second.data == {"on": "2026-01-02"}
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        ConfigurationEvent.objects.filter(pk=first.pk).update(action="x")
