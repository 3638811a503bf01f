"""Reads of the crm app."""

from __future__ import annotations

from kefu.crm.models import CrmSettings, ValueTier

DEFAULT_CUTS = {
    "recency_cuts": [30, 90, 180, 365],
    "frequency_cuts": [2, 4, 8, 16],
    "monetary_cuts": [500, 2000, 8000, 30000],
}


def crm_settings() -> CrmSettings:
    """The configured parameters (the row migrations ship), or the defaults unsaved."""
    found = CrmSettings.objects.filter(pk=1).first()
    return found if found is not None else CrmSettings(pk=1, **DEFAULT_CUTS)


def active_tiers() -> list[ValueTier]:
    """Active value tiers, best first."""
    return list(ValueTier.objects.filter(active=True).order_by("rank", "id"))


def tier_names() -> dict[str, str]:
    return {t.code: t.name for t in ValueTier.objects.all()}
