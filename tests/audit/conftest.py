import pytest
from argon2 import PasswordHasher

from dialogue.accounts import operations


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch):
    """The cheapest Argon2id: these tests sign in often and test the trail, not the hash."""
    monkeypatch.setattr(operations, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
