"""Write a sample customers (or consumption) file with some bad rows, to try the import.

python -m kefu customer_sample_file /tmp/customers.xlsx --rows 100000
python -m kefu import_customers /tmp/customers.xlsx
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.customers import samples


class Command(BaseCommand):
    help = "Write a sample .xlsx or .csv import file (about 1% bad rows by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--kind", choices=["customers", "consumption"], default="customers")
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--bad-share", type=float, default=0.01)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "customers":
            rows = samples.customer_rows(options["rows"], bad_share=options["bad_share"])
        else:
            rows = samples.consumption_rows(
                options["rows"], customers=options["customers"], bad_share=options["bad_share"]
            )
        path = samples.write(options["path"], rows)
        self.stdout.write(f"wrote {options['rows']} rows to {path}")
