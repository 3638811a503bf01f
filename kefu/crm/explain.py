"""RFM grades in words: why a customer has the scores and the tier they have."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kefu.core.money import money
from kefu.crm.models import CrmSettings, CustomerValue, ValueTier


def rfm_reasons(
    value: CustomerValue, settings: CrmSettings, tiers: list[ValueTier], today: dt.date
) -> list[str]:
    window = settings.window_days
    out: list[str] = []
    if value.frequency and value.last_purchase_on is not None:
        days = (today - value.last_purchase_on).days
        recency = (
            ngettext(
                "R=%(r)s：最近一次消费在%(days)s天前", "R=%(r)s：最近一次消费在%(days)s天前", days
            )
            if days
            else _("R=%(r)s：今天有消费")
        )
        out.append(recency % {"r": value.r, "days": days})
        frequency = ngettext(
            "F=%(f)s：近%(window)s天消费%(n)s次",
            "F=%(f)s：近%(window)s天消费%(n)s次",
            value.frequency,
        )
        out.append(frequency % {"f": value.f, "window": window, "n": value.frequency})
        out.append(
            _("M=%(m)s：近%(window)s天消费 ¥%(amount)s")
            % {"m": value.m, "window": window, "amount": money(value.monetary)}
        )
    else:
        out.append(_("近%(window)s天没有消费：R、F、M 均为 1") % {"window": window})
    method = _("按全部客户的五分位评分") if settings.method == "quantile" else _("按设定的阈值评分")
    out.append(method)
    tier = next((t for t in tiers if t.code == value.tier), None)
    if tier is not None:
        out.append(
            _("总分 %(score)s ≥ %(tier)s 的门槛 %(floor)s")
            % {"score": value.score, "tier": tier.label, "floor": tier.min_score}
        )
    return out
