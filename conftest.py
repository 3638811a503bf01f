import pytest

from tests.factories import Org, make_org


@pytest.fixture
def org(db) -> Org:
    return make_org()
