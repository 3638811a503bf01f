"""Background jobs for customers: thin wrappers that call the actions."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from kefu.customers import import_actions


@db_task(retries=0)
def run_import_task(job_id: int) -> int:
    return import_actions.run_import(job_id).processed_rows
