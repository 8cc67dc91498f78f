"""A phone line into the real app: scripted callers ring the community's number."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.builders import World
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.support.twilio_signing import signed
from tests.support.twiml_caller import ScriptedCall, flask_post

COMMUNITY_PHONE = "+8631188886666"
STAFF_PHONE = "+8613800000000"

Dial = Callable[..., ScriptedCall]


@pytest.fixture
def world(app_world: World) -> World:
    """The IVR tests' community lives in the app's own database."""
    return app_world


@pytest.fixture
def dial(app) -> Dial:  # type: ignore[no-untyped-def]
    """Ring the community from `from_`; the call is started and waits at the first menu."""

    def ring(from_: str, **options: object) -> ScriptedCall:
        call = ScriptedCall(
            flask_post(app.test_client()),
            from_=from_,
            to=COMMUNITY_PHONE,
            auth_token=TWILIO_TOKEN,
            base_url=PUBLIC_BASE_URL,
            status_callback="/voice/status",
            **options,  # type: ignore[arg-type]
        )
        return call.start()

    return ring


def signed_post(client, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    """POST as Twilio would: signed over the public URL and every field."""
    return client.post(path, data=params, headers=signed(path, params))
