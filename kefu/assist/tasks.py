"""Worker jobs for agent assist."""

from __future__ import annotations

from huey.contrib.djhuey import task

from kefu.assist.train import train_and_save


@task()
def retrain_model_task() -> str:
    """Retrain on the shipped corpus plus the site's labelled messages (idempotent: the
    same corpus gives the same model). Web processes pick the new model up by themselves."""
    return train_and_save().fingerprint
