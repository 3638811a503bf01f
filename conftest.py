import pytest

from tests.factories import Org, make_org


@pytest.fixture
def org(db) -> Org:
    return make_org()


@pytest.fixture(autouse=True)
def _fresh_sla_rules():
    """Each test starts with no cached SLA rules (ids are reused after a rollback) and an empty
    cache (rate limits: on Redis the cache outlives the test process)."""
    from django.core.cache import cache

    from kefu.sla.targets import clear_caches

    clear_caches()
    cache.clear()
    yield
    clear_caches()
