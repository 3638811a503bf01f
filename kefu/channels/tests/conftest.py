import pytest

from kefu.channels.models import Mailbox


@pytest.fixture
def mailbox(org) -> Mailbox:
    return Mailbox.objects.create(
        name="客服邮箱", address="support@kefu.test", team=org.team, default_kind="inquiry"
    )


@pytest.fixture(autouse=True)
def _no_kind_inference(settings):
    """Most tests do not need the assist model (its first load trains it)."""
    settings.KEFU_EMAIL_INFER_KIND = False
