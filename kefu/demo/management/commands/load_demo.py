"""`python -m kefu load_demo`: the Chinese demo data, loaded once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kefu.config import config
from kefu.demo import content
from kefu.demo.loader import (
    DEFAULT_CASES,
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DemoConflict,
    load_demo,
    loaded_dataset,
)


class Command(BaseCommand):
    help = "Load the Chinese demo data (sites, staff, customers, 90 days of cases) once."
    # Loading data needs no URL or template checks (importing every URLconf costs seconds);
    # `migrate`, which always runs first, has checked the project.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo accounts share a published password: never in a production database.
        if not (config.demo or settings.DEBUG or settings.TESTING):
            raise CommandError("load_demo runs only with KEFU_DEMO=1 (or KEFU_DEBUG=1)")
        if options["cases"] < 0 or options["customers"] < 1:
            raise CommandError("--cases must be >= 0 and --customers >= 1")
        existing = loaded_dataset()
        if existing is not None:
            self.stdout.write(
                f"Demo data already loaded ({existing.cases} cases, "
                f"{timezone.localtime(existing.loaded_at):%Y-%m-%d %H:%M}); nothing to do."
            )
            return
        self.stdout.write(
            f"Loading demo data: {options['customers']} customers, {options['cases']} cases…"
        )
        try:
            dataset = load_demo(
                cases=options["cases"],
                customers=options["customers"],
                seed=options["seed"],
                progress=not options["no_progress"],
            )
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        assert dataset is not None
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {dataset.customers} customers and {dataset.cases} cases "
                f"in {dataset.seconds:.0f} s."
            )
        )
        self.stdout.write(
            "Demo logins (password "
            + content.DEMO_PASSWORD
            + "): "
            + ", ".join(content.DEMO_LOGINS)
        )
