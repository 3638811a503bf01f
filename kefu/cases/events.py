"""Writers for the append-only service record."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction

from kefu.accounts.actors import Actor
from kefu.cases.models import Case, CaseEvent
from kefu.cases.signals import case_event_committed, is_wanted
from kefu.core import clock
from kefu.core.bulk import JsonText, append_rows, insert_rows

_PLAIN = frozenset({str, int, float, bool})


def _jsonable(value: Any) -> Any:
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_text(data: dict[str, Any]) -> JsonText:
    """An event's data encoded as _jsonable would make it, in one pass of the C encoder."""
    return JsonText(json.dumps(data, default=_json_default))


def record_event(
    case: Case,
    event_type: str,
    *,
    actor: Actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> CaseEvent:
    data: dict[str, Any] = {k: _jsonable(v) for k, v in extra.items()}
    if before is not None:
        data["before"] = {k: _jsonable(v) for k, v in before.items()}
    if after is not None:
        data["after"] = {k: _jsonable(v) for k, v in after.items()}
    event = CaseEvent.objects.create(
        case=case, type=event_type, at=clock.now(), data=data, **actor.as_record()
    )
    _publish_on_commit([event])
    return event


def _publish_on_commit(events: list[CaseEvent]) -> None:
    events = [e for e in events if is_wanted(e.type)]
    if not events:
        return

    def publish() -> None:
        for event in events:
            case_event_committed.send(sender=CaseEvent, event=event)

    transaction.on_commit(publish, robust=True)


def changes(case: Case, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) for the fields whose value actually changes."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in fields.items():
        attname = case._meta.get_field(name).attname  # type: ignore[union-attr]
        old = getattr(case, attname)
        new = value.pk if hasattr(value, "pk") else value
        if old != new:
            before[name], after[name] = old, new
    return before, after


def record_events(rows: list[tuple[int, str, dict[str, Any]]], *, actor: Actor) -> list[CaseEvent]:
    """Many events in one insert: (case id, type, data) each, all at the same moment."""
    at = clock.now()
    events = CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case_id, type=event_type, at=at, data=_jsonable(data), **actor.as_record()
        )
        for case_id, event_type, data in rows
    )
    _publish_on_commit(events)
    return events


def record_events_by(rows: list[tuple[int, str, Actor, dict[str, Any]]]) -> int:
    """Many events of several actors in one insert, in order: (case id, type, actor, data)
    each, all at the same moment (a sweep's breaches and the escalations they cause).
    Plain rows, no model instances unless someone listens for committed events."""
    at = clock.now()
    wanted = any(is_wanted(row[1]) for row in rows)
    encode = _jsonable if wanted else _json_text  # listeners get the data as Python values
    values = []
    for case_id, event_type, actor, data in rows:
        who = actor.as_record()
        user = who["actor_user"]
        values.append(
            (
                case_id,
                event_type,
                at,
                who["actor_kind"],
                user.pk if user is not None else None,
                who["actor_customer_id"],
                who["actor_source"],
                encode(data),
            )
        )
    if not wanted:
        append_rows(CaseEvent, _EVENT_FIELDS, values)  # nobody needs their ids
        return len(values)
    ids = insert_rows(CaseEvent, _EVENT_FIELDS, values)
    published = [(pk, row) for pk, row in zip(ids, values, strict=True) if is_wanted(row[1])]
    names = [CaseEvent._meta.get_field(f).attname for f in _EVENT_FIELDS]  # type: ignore[union-attr]
    _publish_on_commit(
        [CaseEvent(pk=pk, **dict(zip(names, row, strict=True))) for pk, row in published]
    )
    return len(ids)


_EVENT_FIELDS = [
    "case",
    "type",
    "at",
    "actor_kind",
    "actor_user",
    "actor_customer_id",
    "actor_source",
    "data",
]
