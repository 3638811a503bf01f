import pytest


@pytest.fixture(scope="session", autouse=True)
def _current_model() -> None:
    """The tests read the model of the corpus as it is in the tree: retrained here if the
    corpus changed since the cached one (the worker's periodic job in production)."""
    from kefu.assist.train import refresh_model, reset

    refresh_model()
    reset()
