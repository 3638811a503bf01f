"""Human-readable case numbers per kind and year: TS-2026-000123."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from kefu.cases.models import CaseNumberSequence


def next_case_number(prefix: str, year: int) -> str:
    """Issue the next number; unique under concurrency (the counter row is updated in place).

    Must run inside the transaction that creates the case, so a rollback returns nothing
    to the sequence but also leaves no number used twice.
    """
    updated = CaseNumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, year=year, last=1)
        except IntegrityError:
            CaseNumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    last = CaseNumberSequence.objects.get(prefix=prefix, year=year).last
    return f"{prefix}-{year}-{last:06d}"
