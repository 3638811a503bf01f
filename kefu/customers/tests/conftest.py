import pytest


@pytest.fixture
def tasks_inline():
    """Run huey tasks inline also when the suite runs on Redis (actions enqueue on commit)."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved
