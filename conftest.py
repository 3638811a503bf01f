import pytest

from tests.factories import Org, make_org


@pytest.fixture
def org(db) -> Org:
    return make_org()


@pytest.fixture(autouse=True)
def _fresh_sla_rules():
    """Each test starts with no cached SLA rules (ids are reused after a rollback)."""
    from kefu.sla.targets import clear_caches

    clear_caches()
    yield
    clear_caches()
