"""ensure_shipped puts each shipped row it creates on the configuration record (the system's
setup as the actor) and records nothing when the rows are already there."""

from __future__ import annotations

import pytest

from kefu.accounts.models import ConfigurationEvent
from kefu.surveys.models import IndexGroup, Survey, SurveyVersion
from kefu.surveys.shipped import INDEX_GROUPS, SURVEYS, ensure_shipped

pytestmark = pytest.mark.django_db


def test_shipped_rows_created_are_recorded_once() -> None:
    # The migration loaded them; start from an emptied database as a flush leaves it.
    SurveyVersion.objects.all().delete()
    Survey.objects.all().delete()
    IndexGroup.objects.all().delete()
    assert not ConfigurationEvent.objects.filter(app_label="surveys").exists()

    ensure_shipped()

    events = list(ConfigurationEvent.objects.filter(app_label="surveys"))
    assert len(events) == len(INDEX_GROUPS) + 2 * len(SURVEYS)
    assert {(e.action, e.actor_kind, e.actor_source) for e in events} == {
        ("created", "system", "setup")
    }
    csat = Survey.objects.get(code="post-case-csat")
    [survey_event] = [e for e in events if e.model == "survey" and e.object_id == str(csat.pk)]
    assert survey_event.data["after"]["code"] == "post-case-csat"
    version = csat.versions.get()
    [version_event] = [
        e for e in events if e.model == "surveyversion" and e.object_id == str(version.pk)
    ]
    assert version_event.data["survey"] == "post-case-csat"
    assert "csat" in version_event.data["questions"]
    group = IndexGroup.objects.get(key="care")
    [group_event] = [e for e in events if e.model == "indexgroup" and e.object_id == str(group.pk)]
    assert group_event.data["after"]["weight"] == "0.150"

    ensure_shipped()
    assert ConfigurationEvent.objects.filter(app_label="surveys").count() == len(events)


def test_nothing_is_recorded_when_the_shipped_rows_are_there() -> None:
    ensure_shipped()  # the migration created them
    assert not ConfigurationEvent.objects.filter(app_label="surveys").exists()
