"""Import customers (with contacts) or consumption from a CSV or XLSX file, with a progress bar.

python -m kefu import_customers customers.xlsx
python -m kefu import_customers orders.csv --kind consumption
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kefu.accounts.actors import Actor
from kefu.core.errors import DomainError
from kefu.customers.import_actions import create_import_job_from_path, run_import


class Command(BaseCommand):
    help = "Import customers or consumption from a CSV (UTF-8/GBK) or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", choices=["customers", "consumption"], default="customers")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = Actor.system("import_customers")
        try:
            job = create_import_job_from_path(actor=actor, kind=options["kind"], path=path)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(
            total=job.total_rows, unit="row", desc=path.name, disable=options["no_progress"]
        ) as bar:
            done = 0

            def progress(processed: int) -> None:
                nonlocal done
                bar.update(processed - done)
                done = processed

            job = run_import(job.pk, progress=progress)
        self.stdout.write(
            f"import #{job.pk} {job.state}: {job.created_count} created, {job.updated_count}"
            f" updated, {job.unchanged_count} unchanged, {job.error_rows} rows with errors"
        )
        if job.message:
            self.stdout.write(job.message)
        for error in job.row_errors.order_by("row", "id")[:20]:
            self.stdout.write(f"  row {error.row} {error.field}: {error.problem} {error.value!r}")
