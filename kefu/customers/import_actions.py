"""Writes of an import: the job, and each batch of rows in its own transaction.

Customers are recognised by external id, then phone, then email (in the database or earlier
in the same file); a recognised customer only gets the blanks filled, so importing the same
file again changes nothing. Consumption rows are recognised by their external id (or, without
one, by their content).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models.functions import Lower

from kefu.accounts.actors import Actor
from kefu.accounts.roles import is_supervising
from kefu.core import clock
from kefu.core.bulk import any_of, append_rows, copy_rows, next_ids, update_rows
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.core.memory import without_cyclic_gc
from kefu.core.tasks import enqueue_on_commit
from kefu.customers.actions import record_customer_event
from kefu.customers.choices import CustomerEventType, ImportKind, ImportState
from kefu.customers.importing import (
    Row,
    UnreadableFile,
    count_rows,
    detect_encoding,
    is_xlsx,
    read_ahead,
)
from kefu.customers.importing import iter_rows as read_rows
from kefu.customers.models import (
    ConsumptionRecord,
    Customer,
    CustomerEmail,
    CustomerKind,
    CustomerPhone,
    CustomerTag,
    DecisionRole,
    ImportJob,
    ImportRowError,
)
from kefu.customers.text_search import settle_search_indexes

BATCH = 10_000  # rows per transaction (and per progress step)
EXPORTED_ID = re.compile(r"KEFU-(\d{1,18})")
MAX_STORED_ERRORS = 50_000
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
PROFILE_BLANKS = ("birthday", "id_number", "preferred_channel", "preferred_language")


def _ensure_may_import(actor: Actor) -> None:
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers import customer data")


def create_import_job(*, actor: Actor, kind: str, upload: UploadedFile) -> ImportJob:
    """Store an uploaded CSV or XLSX file as an import job, waiting for a look and a start."""
    _ensure_may_import(actor)
    if kind not in ImportKind.values:
        raise ValidationFailed(
            "unknown import kind", fields={"kind": f"one of {ImportKind.values}"}
        )
    name = (upload.name or "").strip()
    if not name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
        raise ValidationFailed("CSV or XLSX files only", fields={"file": "a .csv or .xlsx file"})
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed("file too large", fields={"file": "at most 512 MB"})
    job = ImportJob(
        kind=kind,
        original_name=name[:255],
        created_by=actor.user if actor.is_staff else None,
        created_at=clock.now(),
    )
    job.file.save(Path(name).name, upload, save=False)
    path = Path(job.file.path)
    job.encoding = "" if is_xlsx(name) else detect_encoding(path)
    job.total_rows = count_rows(path, name)
    job.save()
    return job


def create_import_job_from_path(*, actor: Actor, kind: str, path: Path) -> ImportJob:
    """The command line's way in: the same job for a file on disk."""
    from django.core.files import File

    with path.open("rb") as fh:
        upload = UploadedFile(File(fh), name=path.name, size=path.stat().st_size)
        upload.file = fh
        return create_import_job(actor=actor, kind=kind, upload=upload)


@transaction.atomic
def start_import(*, actor: Actor, job_id: int) -> ImportJob:
    """Queue the import for the worker (once)."""
    _ensure_may_import(actor)
    job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFound("import not found")
    if job.state != ImportState.UPLOADED:
        raise Conflict(f"this import is already {job.state}")
    job.state = ImportState.QUEUED
    job.save(update_fields=["state"])
    from kefu.customers.tasks import run_import_task

    enqueue_on_commit(run_import_task, job.pk)
    return job


def run_import(job_id: int, *, progress: Callable[[int], None] | None = None) -> ImportJob:
    """Import the job's rows in batches, each committed with the job's progress."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound("import not found")
        if job.state in (ImportState.DONE, ImportState.RUNNING, ImportState.FAILED):
            return job
        job.state, job.started_at = ImportState.RUNNING, clock.now()
        job.save(update_fields=["state", "started_at"])
    actor = Actor.system(f"import:{job.pk}")
    path = Path(job.file.path)
    write = _customers_batch if job.kind == ImportKind.CUSTOMERS else _consumption_batch
    stored_errors = 0
    try:
        rows = read_rows(path, job.original_name, job.kind, job.encoding)
        for batch in read_ahead(rows, BATCH):
            with without_cyclic_gc(), transaction.atomic():
                _commit_without_waiting_for_the_disk()
                counts = write(batch)
                bad = [r for r in batch if r.errors]
                room = max(0, MAX_STORED_ERRORS - stored_errors)
                errors = [
                    ImportRowError(job=job, row=r.number, field=f, problem=p, value=v)
                    for r in bad
                    for f, p, v in r.errors
                ][:room]
                ImportRowError.objects.bulk_create(errors)
                stored_errors += len(errors)
                job.processed_rows = batch[-1].number - 1
                job.created_count += counts["created"]
                job.updated_count += counts["updated"]
                job.unchanged_count += counts["unchanged"]
                job.error_rows += len(bad)
                job.save(
                    update_fields=[
                        "processed_rows",
                        "created_count",
                        "updated_count",
                        "unchanged_count",
                        "error_rows",
                    ]
                )
            if progress is not None:
                progress(job.processed_rows)
    except UnreadableFile as exc:
        return _finish(job, ImportState.FAILED, str(exc), actor)
    if job.kind == ImportKind.CUSTOMERS:
        settle_search_indexes()
    return _finish(job, ImportState.DONE, "", actor)


def _commit_without_waiting_for_the_disk() -> None:
    """PostgreSQL: a batch's commit does not wait for its WAL to reach the disk. A crash can
    lose only the last fraction of a second of committed batches, with their progress; the
    job, run again, recognises every row already stored and imports the rest."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")


def _finish(job: ImportJob, state: str, message: str, actor: Actor) -> ImportJob:
    with transaction.atomic():
        job.state, job.finished_at, job.message = state, clock.now(), message[:500]
        if state == ImportState.DONE:
            job.total_rows = job.processed_rows
        job.save(update_fields=["state", "finished_at", "message", "total_rows"])
        record_customer_event(
            None,
            CustomerEventType.IMPORTED,
            actor=actor,
            job=job.pk,
            kind=job.kind,
            state=state,
            created=job.created_count,
            updated=job.updated_count,
            unchanged=job.unchanged_count,
            error_rows=job.error_rows,
        )
    return job


# --- customers -------------------------------------------------------------------------------


def _existing(rows: Iterable[Row]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    ext, phones, emails = set(), set(), set()
    for r in rows:
        v = r.values
        if v.get("external_id"):
            ext.add(v["external_id"])
        if v.get("phone"):
            phones.add(v["phone"])
        if v.get("email"):
            emails.add(v["email"].lower())
    by_ext = (
        dict(
            Customer.objects.filter(external_id__in=any_of(sorted(ext), "text"))
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        if ext
        else {}
    )
    by_phone = (
        dict(
            CustomerPhone.objects.filter(number__in=any_of(sorted(phones), "text")).values_list(
                "number", "customer_id"
            )
        )
        if phones
        else {}
    )
    by_email = (
        dict(
            CustomerEmail.objects.annotate(low=Lower("address"))
            .filter(low__in=any_of(sorted(emails), "text"))
            .values_list("low", "customer_id")
        )
        if emails
        else {}
    )
    return by_ext, by_phone, by_email


def _insert_customers(rows: list[dict[str, Any]]) -> list[int]:
    """New customers from plain field values; their ids, in order. PostgreSQL: ids drawn
    from the sequence, rows streamed with COPY; elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        created = Customer.objects.bulk_create([Customer(**row) for row in rows], batch_size=2000)
        if any(c.pk is None for c in created):  # a backend without RETURNING
            raise RuntimeError(f"bulk insert returned no ids ({len(created)} rows)")
        return [c.pk for c in created]
    meta = Customer._meta
    ids = next_ids(meta.db_table, "id", len(rows))
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    defaults = [(f.attname, f.get_default()) for f in fields]
    copy_rows(
        meta.db_table,
        ["id", *(str(f.column) for f in fields)],
        (
            [pk, *[row.get(name, default) for name, default in defaults]]
            for pk, row in zip(ids, rows, strict=True)
        ),
    )
    return ids


def _customers_batch(batch: list[Row]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    good = [r for r in batch if not r.errors]
    # Organisations first: their contacts in the same batch refer to them.
    good.sort(key=lambda r: r.values["kind"] != CustomerKind.ORGANISATION)
    roles = {
        **{r.code: r.pk for r in DecisionRole.objects.filter(active=True)},
        **{r.name: r.pk for r in DecisionRole.objects.filter(active=True)},
    }
    for organisations_pass in (True, False):
        part = [
            r for r in good if (r.values["kind"] == CustomerKind.ORGANISATION) == organisations_pass
        ]
        if part:
            _customers_part(part, roles, counts)
    return counts


def _organisations(refs: set[str]) -> dict[str, int]:
    if not refs:
        return {}
    found = dict(
        Customer.objects.exclude(external_id="")
        .filter(kind=CustomerKind.ORGANISATION, external_id__in=sorted(refs))
        .values_list("external_id", "pk")
    )
    for name, pk in Customer.objects.filter(
        kind=CustomerKind.ORGANISATION, name__in=sorted(refs - set(found))
    ).values_list("name", "pk"):
        found.setdefault(name, pk)
    return found


def _customers_part(rows: list[Row], roles: dict[str, int], counts: dict[str, int]) -> None:
    by_ext, by_phone, by_email = _existing(rows)
    orgs = _organisations({r.values["organisation"] for r in rows if r.values["organisation"]})
    now = clock.now()
    new: list[tuple[Row, dict[str, Any]]] = []
    seen: set[str] = set()  # keys of customers new in this batch
    updates: dict[int, dict[str, Any]] = {}
    for row in rows:
        v = row.values
        org_id = None
        if v["organisation"]:
            org_id = orgs.get(v["organisation"])
            if org_id is None:
                row.error("organisation", "unknown organisation", v["organisation"])
                continue
        role_id = None
        if v["role"]:
            role_id = roles.get(v["role"])
            if role_id is None:
                row.error("role", "unknown decision-chain role", v["role"])
                continue
            if org_id is None:
                row.error("role", "a decision-chain role needs an organisation", v["role"])
                continue
        email = v["email"].lower()
        existing_id = (
            by_ext.get(v["external_id"]) or by_phone.get(v["phone"]) or by_email.get(email)
        )
        if existing_id is not None:
            fill = {
                "birthday": v["birthday"],
                "id_number": v["id_number"],
                "preferred_channel": v["preferred_channel"],
                "preferred_language": v["preferred_language"],
                "external_id": v["external_id"],
                "organisation_id": org_id,
                "decision_role_id": role_id,
            }
            updates[existing_id] = {k: x for k, x in fill.items() if x}
            continue
        keys = [
            k
            for k in (
                f"x:{v['external_id']}" if v["external_id"] else "",
                f"p:{v['phone']}" if v["phone"] else "",
                f"e:{email}" if email else "",
            )
            if k
        ]
        if any(k in seen for k in keys):
            counts["unchanged"] += 1  # the same customer twice in the file
            continue
        seen.update(keys)
        new.append(
            (
                row,
                {
                    "kind": v["kind"],
                    "name": v["name"],
                    "organisation_id": org_id,
                    "decision_role_id": role_id,
                    "primary_phone": v["phone"],
                    "primary_email": v["email"],
                    "external_id": v["external_id"],
                    "id_number": v["id_number"],
                    "birthday": v["birthday"],
                    "preferred_channel": v["preferred_channel"],
                    "preferred_language": v["preferred_language"],
                    "created_at": now,
                },
            )
        )
    if updates:
        _fill_blanks(updates, counts)
    if not new:
        return
    ids = _insert_customers([fields for _, fields in new])
    rows_and_ids = list(zip(new, ids, strict=True))
    append_rows(
        CustomerPhone,
        ["customer", "number", "label"],
        [(pk, f["primary_phone"], "") for (_, f), pk in rows_and_ids if f["primary_phone"]],
    )
    append_rows(
        CustomerEmail,
        ["customer", "address", "label"],
        [(pk, f["primary_email"], "") for (_, f), pk in rows_and_ids if f["primary_email"]],
    )
    append_rows(
        CustomerTag,
        ["customer", "tag"],
        [(pk, tag) for (row, _), pk in rows_and_ids for tag in row.values["tags"]],
    )
    counts["created"] += len(ids)


def _fill_blanks(updates: dict[int, dict[str, Any]], counts: dict[str, int]) -> None:
    """A recognised customer only gets its blank fields filled (never overwritten). The
    customers are locked while read, and each is written with its own current values for
    the fields another customer of the batch has filled."""
    names = sorted({name for fill in updates.values() for name in fill})
    current = {
        row[0]: dict(zip(names, row[1:], strict=True))
        for row in Customer.objects.select_for_update()
        .filter(pk__in=any_of(sorted(updates), "bigint"))
        .order_by("pk")
        .values_list("pk", *names)
    }
    wanted_ids = {
        fill["external_id"]
        for pk, fill in updates.items()
        if "external_id" in fill and not current.get(pk, {}).get("external_id")
    }
    taken = (
        set(
            Customer.objects.filter(external_id__in=any_of(sorted(wanted_ids), "text")).values_list(
                "external_id", flat=True
            )
        )
        if wanted_ids
        else set()
    )
    filled: dict[int, dict[str, Any]] = {}
    for pk, fill in updates.items():
        have = current.get(pk)
        if have is None:
            continue
        blanks = {
            name: value
            for name, value in fill.items()
            if not have[name] and not (name == "external_id" and value in taken)
        }
        if name_clash := blanks.get("external_id"):
            taken.add(name_clash)  # one customer per external id, in this batch too
        if blanks:
            filled[pk] = {**have, **blanks}
    fields = sorted({name for pk in filled for name in updates[pk]})
    update_rows(
        Customer,
        [
            Customer(pk=pk, **{name: values[name] for name in fields})
            for pk, values in filled.items()
        ],
        fields,
    )
    counts["updated"] += len(filled)
    counts["unchanged"] += len(updates) - len(filled)


# --- consumption -----------------------------------------------------------------------------

_CONSUMPTION_FIELDS = [
    "customer",
    "kind",
    "occurred_on",
    "product",
    "quantity",
    "amount",
    "channel",
    "external_id",
]


def _exported_without_a_number(ids: list[str]) -> dict[str, int]:
    """Records entered in Kefu with no order number go out in exports as KEFU-<id>
    (kefu.customers.exporting): such a row coming back is that record, not a new one."""
    wanted = {int(m.group(1)): ext for ext in ids if (m := EXPORTED_ID.fullmatch(ext))}
    if not wanted:
        return {}
    return {
        wanted[pk]: customer_id
        for pk, customer_id in ConsumptionRecord.objects.filter(
            pk__in=any_of(sorted(wanted), "bigint"), external_id=""
        ).values_list("pk", "customer_id")
    }


def _consumption_batch(batch: list[Row]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    good = [r for r in batch if not r.errors]
    refs = {r.values["customer"] for r in good if r.values["customer"]}
    by_ext = (
        dict(
            Customer.objects.filter(external_id__in=any_of(sorted(refs), "text"))
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        if refs
        else {}
    )
    unresolved = [r for r in good if r.values["customer"] not in by_ext]
    _, by_phone, by_email = _existing(
        Row(r.number, {"phone": r.values["phone"], "email": r.values["email"]}) for r in unresolved
    )
    ids = sorted({r.values["external_id"] for r in good})
    known = dict(
        ConsumptionRecord.objects.filter(external_id__in=any_of(ids, "text"))
        .exclude(external_id="")
        .values_list("external_id", "customer_id")
    )
    known.update(_exported_without_a_number(ids))
    fresh: list[tuple[Any, ...]] = []
    taken: set[str] = set()
    for row in good:
        v = row.values
        customer_id = (
            by_ext.get(v["customer"])
            or by_phone.get(v["phone"])
            or by_email.get(v["email"].lower())
        )
        if customer_id is None:
            row.error("customer", "no such customer", v["customer"] or v["phone"] or v["email"])
            continue
        ext = v["external_id"]
        if ext in known or ext in taken:
            if known.get(ext, customer_id) != customer_id:
                row.error("external_id", "already imported for another customer", ext)
            else:
                counts["unchanged"] += 1
            continue
        taken.add(ext)
        fresh.append(
            (
                customer_id,
                v["kind"],
                v["occurred_on"],
                v["product"],
                v["quantity"],
                v["amount"],
                v["channel"],
                ext,
            )
        )
    append_rows(ConsumptionRecord, _CONSUMPTION_FIELDS, fresh)
    counts["created"] += len(fresh)
    return counts
