import pytest
from django.test import Client

from kefu.accounts.models import User


@pytest.fixture
def as_user(client: Client):
    """Sign a user in on the test client (Chinese UI) and return the client."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        client.cookies["django_language"] = "zh-hans"
        return client

    return sign_in
