from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "kefu.assist"
    label = "assist"
    verbose_name = _("坐席助手")

    def ready(self) -> None:
        from kefu.cases.signals import listen

        listen(
            on_case_event, types=("message_added", "created"), dispatch_uid="assist.on_case_event"
        )


def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    """A customer's text reached the case: analyse it in the worker."""
    from kefu.assist import tasks

    if event.type == "message_added" and (event.data or {}).get("kind") == "inbound":
        message_id = (event.data or {}).get("message")
        if message_id:
            tasks.analyze_message_task(message_id)
    elif event.type == "created":
        tasks.analyze_case_task(event.case_id)
