"""Satisfaction surveys: designer, distribution, answering, scores and the closed loop."""

import datetime as dt
from typing import Any

from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TRIGGERING_EVENTS = frozenset({"closed", "return_visit_recorded"})
# Events replayed from history (the demo loader) send no surveys now.
MAX_EVENT_AGE = dt.timedelta(days=1)


def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    """Only enqueue: the task decides which surveys the event sends."""
    if event.type in TRIGGERING_EVENTS and event.at >= timezone.now() - MAX_EVENT_AGE:
        from kefu.surveys.tasks import distribute_for_case_event_task

        distribute_for_case_event_task(event.pk)


class SurveysConfig(AppConfig):
    name = "kefu.surveys"
    label = "surveys"
    verbose_name = _("满意度调查")

    def ready(self) -> None:
        from kefu.cases.signals import listen

        listen(on_case_event, types=TRIGGERING_EVENTS, dispatch_uid="surveys.on_case_event")
