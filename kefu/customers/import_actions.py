"""Writes of an import: the job, and each batch of rows in its own transaction.

Customers are recognised by external id, then phone, then email (in the database or earlier
in the same file); a recognised customer only gets the blanks filled, so importing the same
file again changes nothing. Consumption rows are recognised by their external id (or, without
one, by their content).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.functions import Lower

from kefu.accounts.actors import Actor
from kefu.accounts.roles import is_supervising
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.core.tasks import enqueue_on_commit
from kefu.customers.actions import record_customer_event
from kefu.customers.choices import CustomerEventType, ImportKind, ImportState
from kefu.customers.importing import Row, UnreadableFile, count_rows, detect_encoding, is_xlsx
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

BATCH = 2000
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
        while batch := list(itertools.islice(rows, BATCH)):
            with transaction.atomic():
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
    return _finish(job, ImportState.DONE, "", actor)


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
            Customer.objects.filter(external_id__in=ext)
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        if ext
        else {}
    )
    by_phone = (
        dict(CustomerPhone.objects.filter(number__in=phones).values_list("number", "customer_id"))
        if phones
        else {}
    )
    by_email = (
        dict(
            CustomerEmail.objects.annotate(low=Lower("address"))
            .filter(low__in=emails)
            .values_list("low", "customer_id")
        )
        if emails
        else {}
    )
    return by_ext, by_phone, by_email


def _insert(model: type[Model], objs: list[Any], *, want_ids: bool = False) -> list[Any]:
    """Insert many new rows: on PostgreSQL with COPY (ids drawn from the table's sequence
    first when the caller needs them), elsewhere with bulk_create."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=BATCH)  # type: ignore[attr-defined]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if want_ids or not f.primary_key]
    with connection.cursor() as cursor:
        if want_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        table = connection.ops.quote_name(meta.db_table)
        attnames = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row([values[a] for a in attnames])
    for obj in objs:
        obj._state.adding = False
    return objs


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
        .filter(kind=CustomerKind.ORGANISATION, external_id__in=refs)
        .values_list("external_id", "pk")
    )
    for name, pk in Customer.objects.filter(
        kind=CustomerKind.ORGANISATION, name__in=refs - set(found)
    ).values_list("name", "pk"):
        found.setdefault(name, pk)
    return found


def _customers_part(rows: list[Row], roles: dict[str, int], counts: dict[str, int]) -> None:
    by_ext, by_phone, by_email = _existing(rows)
    orgs = _organisations({r.values["organisation"] for r in rows if r.values["organisation"]})
    now = clock.now()
    new: list[tuple[Row, Customer]] = []
    seen: dict[str, Customer] = {}  # keys of customers new in this batch
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
        keys = [
            k
            for k in (
                f"x:{v['external_id']}" if v["external_id"] else "",
                f"p:{v['phone']}" if v["phone"] else "",
                f"e:{v['email'].lower()}" if v["email"] else "",
            )
            if k
        ]
        existing_id = (
            by_ext.get(v["external_id"])
            or by_phone.get(v["phone"])
            or by_email.get(v["email"].lower())
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
        twin = next((seen[k] for k in keys if k in seen), None)
        if twin is not None:
            counts["unchanged"] += 1  # the same customer twice in the file
            continue
        customer = Customer(
            kind=v["kind"],
            name=v["name"],
            organisation_id=org_id,
            decision_role_id=role_id,
            primary_phone=v["phone"],
            primary_email=v["email"],
            external_id=v["external_id"],
            id_number=v["id_number"],
            birthday=v["birthday"],
            preferred_channel=v["preferred_channel"],
            preferred_language=v["preferred_language"],
            created_at=now,
        )
        for k in keys:
            seen[k] = customer
        new.append((row, customer))
    if updates:
        counts.update(_fill_blanks(updates, counts))
    if not new:
        return
    created = _insert(Customer, [c for _, c in new], want_ids=True)
    if any(c.pk is None for c in created):  # a backend without RETURNING
        raise RuntimeError(f"bulk insert returned no ids ({len(created)} rows)")
    _insert(
        CustomerPhone,
        [CustomerPhone(customer=c, number=c.primary_phone) for c in created if c.primary_phone],
    )
    _insert(
        CustomerEmail,
        [CustomerEmail(customer=c, address=c.primary_email) for c in created if c.primary_email],
    )
    _insert(
        CustomerTag,
        [CustomerTag(customer=c, tag=t) for (row, c) in new for t in row.values["tags"]],
    )
    counts["created"] += len(created)


def _fill_blanks(updates: dict[int, dict[str, Any]], counts: dict[str, int]) -> dict[str, int]:
    """A recognised customer only gets its blank fields filled (never overwritten)."""
    changed: list[Customer] = []
    fields: set[str] = set()
    for customer in Customer.objects.filter(pk__in=list(updates)):
        touched = False
        for name, value in updates[customer.pk].items():
            if not getattr(customer, name):
                if name == "external_id" and Customer.objects.filter(external_id=value).exists():
                    continue
                setattr(customer, name, value)
                fields.add(name)
                touched = True
        if touched:
            changed.append(customer)
    if changed:
        Customer.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)
    counts["updated"] += len(changed)
    counts["unchanged"] += len(updates) - len(changed)
    return counts


# --- consumption -----------------------------------------------------------------------------


def _consumption_batch(batch: list[Row]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    good = [r for r in batch if not r.errors]
    refs = {r.values["customer"] for r in good if r.values["customer"]}
    by_ext = (
        dict(
            Customer.objects.filter(external_id__in=refs)
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        if refs
        else {}
    )
    _, by_phone, by_email = _existing(
        [Row(r.number, {"phone": r.values["phone"], "email": r.values["email"]}) for r in good]
    )
    ids = [r.values["external_id"] for r in good]
    known = dict(
        ConsumptionRecord.objects.filter(external_id__in=ids)
        .exclude(external_id="")
        .values_list("external_id", "customer_id")
    )
    fresh: list[ConsumptionRecord] = []
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
            ConsumptionRecord(
                customer_id=customer_id,
                kind=v["kind"],
                occurred_on=v["occurred_on"],
                product=v["product"],
                quantity=v["quantity"],
                amount=v["amount"],
                channel=v["channel"],
                external_id=ext,
            )
        )
    _insert(ConsumptionRecord, fresh)
    counts["created"] += len(fresh)
    return counts
