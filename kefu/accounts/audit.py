"""The configuration's event record: every action that changes a setting, a template, a
mailbox, a tier, a survey definition or a role calls record_configuration_event inside its
own transaction, so configuration changes are as traceable as case changes."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from kefu.accounts.actors import Actor
from kefu.accounts.models import ConfigurationEvent
from kefu.core import clock


def record_configuration_event(
    obj: Model, action: str, *, actor: Actor, **data: Any
) -> ConfigurationEvent:
    """Append one entry about `obj` (call inside the writing transaction). `data` is stored
    as JSON (dates and decimals as text), e.g. before=…, after=… of the changed fields."""
    meta = obj._meta
    return ConfigurationEvent.objects.create(
        at=clock.now(),
        app_label=meta.app_label,
        model=meta.model_name or "",
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        action=action,
        data=_jsonable(data),
        **actor.as_record(),
    )


def changed_fields(obj: Model, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """{"before": {...}, "after": {...}} of the fields whose value differs from `before`."""
    old = {f: before.get(f) for f in fields if before.get(f) != getattr(obj, f)}
    return {"before": old, "after": {f: getattr(obj, f) for f in old}}


def configuration_history(obj: Model) -> list[ConfigurationEvent]:
    """The entries about one object, oldest first."""
    meta = obj._meta
    return list(
        ConfigurationEvent.objects.filter(
            app_label=meta.app_label, model=meta.model_name, object_id=str(obj.pk)
        ).select_related("actor_user")
    )


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
