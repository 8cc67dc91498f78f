"""The webhook's community lookup: found numbers remembered, new ones found at once."""

from __future__ import annotations

from sqlalchemy import event

from core.community.services import CommunityDirectory, create_community


def test_found_numbers_are_remembered_and_new_communities_found_at_once(world):
    directory = CommunityDirectory(world.core)
    statements: list[str] = []
    event.listen(world.core.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    assert directory.id_for("+8631188886666") == world.community_id
    asked = len(statements)
    assert directory.id_for("+8631188886666") == world.community_id
    assert len(statements) == asked  # the second time, no query

    assert directory.id_for("+8631100000000") is None
    other = create_community(world.core, name="新村", phone="+8631100000000")
    assert directory.id_for("+8631100000000") == other


def test_remembered_numbers_are_asked_again_after_a_while(world):
    directory = CommunityDirectory(world.core, ttl_seconds=0)
    assert directory.id_for("+8631188886666") == world.community_id
    assert directory.id_for("+8631188886666") == world.community_id
