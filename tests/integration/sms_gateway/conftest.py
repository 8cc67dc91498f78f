from __future__ import annotations

import pytest

from tests.support.phone import Sms


@pytest.fixture
def sms(app, app_world) -> Sms:  # type: ignore[no-untyped-def]
    return Sms(app.test_client(), app_world.core)
