"""Contact channels: email in and out, and the customer portal."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    from kefu.channels.actions import on_case_event

    on_case_event(event)


class ChannelsConfig(AppConfig):
    name = "kefu.channels"
    label = "channels"
    verbose_name = _("接触渠道")

    def ready(self) -> None:
        from kefu.cases.signals import listen

        listen(_on_case_event, types=("message_added",), dispatch_uid="channels.email_out")
