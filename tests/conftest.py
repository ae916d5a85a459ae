import pytest

from tests.browser import a11y, browser  # noqa: F401  (one Chromium per process for tests/e2e and tests/ui)
from tests.factories import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(client, world):
    """A logged-in test client for one persona of the world."""

    def login(persona: str):
        client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """PBKDF2 is slow on purpose; tests hash many passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
