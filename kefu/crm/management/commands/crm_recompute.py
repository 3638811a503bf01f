"""Regrade every customer by RFM and run the churn warning now (the nightly jobs, on demand).

python -m kefu crm_recompute
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.accounts.actors import Actor
from kefu.crm.actions import assess_churn, recompute_grades


class Command(BaseCommand):
    help = "Regrade customers by RFM and assess churn risk now."

    def handle(self, *args: Any, **options: Any) -> None:
        grades = recompute_grades(actor=Actor.system("rfm"), progress=self.stdout.write)
        self.stdout.write(f"graded {grades.graded}, {grades.tier_changes} tier changes")
        churn = assess_churn(actor=Actor.system("churn"))
        self.stdout.write(
            f"assessed {churn.assessed}, {churn.at_risk} at risk, "
            f"{churn.episodes_opened} new follow-ups"
        )
