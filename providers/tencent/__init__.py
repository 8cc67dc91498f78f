"""Tencent Cloud SMS (API 2021-01-11): the sender, its client, what its codes mean, and
its callback URLs (replies, status reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount Tencent's push URLs."""
    from providers.tencent.web import bp

    app.register_blueprint(bp)
