from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

TIER_SERVICE_EVENTS = frozenset({"created", "accepted"})


def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    """Only enqueue: the task decides what the customer's tier changes on the case."""
    if event.type in TIER_SERVICE_EVENTS and event.actor_source != "crm.tier_service":
        from kefu.crm.tasks import tier_service_task

        tier_service_task(event.case_id, event.type)


class CrmConfig(AppConfig):
    name = "kefu.crm"
    label = "crm"
    verbose_name = _("客户关系")

    def ready(self) -> None:
        from kefu.cases.signals import listen
        from kefu.crm.models import ValueTier
        from kefu.sla import policy_keys

        policy_keys.register(
            "tier", lambda: [(t.code, t.label) for t in ValueTier.objects.order_by("rank", "id")]
        )
        listen(on_case_event, types=TIER_SERVICE_EVENTS, dispatch_uid="crm.tier_service")
