"""The phone simulator (`/simulator`): text and call Mianhua from the browser.

Development and test only: in production it is never registered, so the path is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from core.settings import DEV_AUTH_TOKEN

if TYPE_CHECKING:
    from bootstrap import Mianhua


def init_simulator(app: Flask, mianhua: Mianhua) -> None:
    """Mount the simulator on `app`, whose root is `mianhua` (the app is being built)."""
    settings = mianhua.settings
    if settings.is_production:
        return
    if not settings.twilio_auth_token:
        # Without a token every webhook answers 403; in development the simulator signs
        # with this one, and a real Twilio account's token replaces it when configured.
        mianhua.settings = settings.with_overrides(twilio_auth_token=DEV_AUTH_TOKEN)
    from simulator.views import bp

    app.register_blueprint(bp)
