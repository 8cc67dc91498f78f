"""社区设置 Community settings: who sends the committee's texts and places its calls.

Admins choose the SMS provider and the voice provider (or the service's default); the
page says what each mainland provider has filed for the community, so nobody switches
to Aliyun or Tencent before its signature and templates are there.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from core.community.providers import providers_of, set_providers
from core.community.services import CommunityError
from core.community.updates import PROVIDERS
from staff.console import actor, bp, core, text


@bp.route("/settings", methods=["GET", "POST"])
def community_settings() -> Any:
    problem = None
    if request.method == "POST":
        sms = request.form.get("sms_provider", "")
        voice = request.form.get("voice_provider", "")
        try:
            set_providers(core(), actor=actor(), sms_provider=sms, voice_provider=voice)
        except CommunityError:
            problem = text("staff.community_settings.bad_provider")
        else:
            flash(text("staff.community_settings.saved"))
            return redirect(url_for("staff.community_settings"))
    view = providers_of(core(), actor=actor())
    return render_template(
        "staff/community_settings.html", view=view, providers=PROVIDERS, problem=problem
    ), (422 if problem else 200)
