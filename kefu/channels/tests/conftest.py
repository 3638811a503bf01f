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


def _dovecot(tls: bool = False):
    import shutil
    import tempfile
    from pathlib import Path

    from kefu.channels.tests.servers import dovecot, dovecot_available

    if not dovecot_available():
        pytest.fail("Dovecot is not installed: run `make system-deps` (dovecot-imapd)")
    # Not under pytest's private tmp: Dovecot's mail user must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))
    root.chmod(0o755)
    try:
        with dovecot(root, tls=tls) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_server():
    yield from _dovecot()


@pytest.fixture
def imaps_server(monkeypatch):
    for server in _dovecot(tls=True):
        monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)  # trust the test's own CA
        yield server


@pytest.fixture
def imap_mailbox(imap_server, org) -> Mailbox:
    return Mailbox.objects.create(
        name="客服邮箱",
        address="support@kefu.test",
        team=org.team,
        imap_host="127.0.0.1",
        imap_port=imap_server.port,
        imap_security="none",
        imap_username=imap_server.user,
        imap_password=imap_server.password,
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_inline():
    """Run huey tasks inline also when the suite runs on Redis (the receivers enqueue)."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved
