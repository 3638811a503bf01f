"""`python -m bench`: (re)create the benchmark database, generate the reference workload,
measure every registered figure and write docs/benchmarks.md.

    python -m bench                     # KEFU_BENCH_CASES cases (default 100,000)
    python -m bench --cases 1000000     # the target scale
    python -m bench --skip-generate     # measure the existing database again
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from . import database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = 100_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cases",
        type=int,
        default=int(os.environ.get("KEFU_BENCH_CASES") or DEFAULT_CASES),
        help="scale: cases to generate (default KEFU_BENCH_CASES or 100,000)",
    )
    parser.add_argument(
        "--skip-generate", action="store_true", help="measure the existing benchmark database"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "benchmarks.md", help="report file"
    )
    parser.add_argument(
        "--api-requests", type=int, default=400, help="API creations per mode (default 400)"
    )
    parser.add_argument("--repeat", type=int, default=200, help="samples per read figure")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--only", nargs="*", help="measure only these figures (keys)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = database.database_url()
    started = dt.datetime.now(dt.UTC)
    if not args.skip_generate:
        print(f"(re)creating the benchmark database: {url}", flush=True)
        database.recreate(url)
    database.configure_environment(url)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from kefu.cases.models import Case

    from . import report
    from .generate import generate
    from .machine import Machine
    from .measure import Context, run_all

    machine = Machine.describe()
    call_command("migrate", interactive=False, verbosity=0)
    run = report.Run(started=started, machine=machine, database=_safe(url), cases=0)
    if not args.skip_generate:
        print(f"generating {args.cases:,} cases …", flush=True)
        result = generate(args.cases, progress=not args.no_progress)
        run.customers, run.events, run.messages = result.customers, result.events, result.messages
        run.generation_seconds = result.seconds
        print(f"  generated in {result.seconds / 60:.1f} min", flush=True)
    run.cases = Case.objects.count()
    ctx = Context(
        cases=run.cases,
        database_url=url,
        api_requests=args.api_requests,
        workers=args.workers,
        repeat=args.repeat,
    )
    sections = run_all(ctx, args.only)
    run.load_at_end = Machine.describe().load
    report.write(args.output, run, sections)
    print(report.summary(sections))
    print(f"wrote {args.output}")
    return 0


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url


if __name__ == "__main__":
    sys.exit(main())
