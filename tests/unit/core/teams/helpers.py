"""Shared by the teams' tests: a staff login acting in the world's community."""

from __future__ import annotations

from core.accounts.acting import Actor
from core.accounts.services import create_staff_user


def staff_actor(world, username: str = "xiaoli", role: str = "staff") -> Actor:  # type: ignore[no-untyped-def]
    user = create_staff_user(
        world.core, username, "staff-password", role, community_ids=[world.community_id]
    )
    return Actor(user, username, world.community_id)
