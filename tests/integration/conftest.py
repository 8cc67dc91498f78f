"""The integration tier: the real app on real PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from core.accounts import passwords


@pytest.fixture(scope="package", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Argon2 at its lowest cost for the console's logins in this tier: production's
    64 MiB and three passes are the point against a stolen table, and only CPU in a test
    that logs in. The unit tier keeps the real cost: its login guard measures timing."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        passwords._dummy_hash.cache_clear()
        yield
    passwords._dummy_hash.cache_clear()
