"""Aliyun SMS (dysmsapi 2017-05-25): the sender, its client, what its codes mean, and its
push URLs (SmsUp replies, SmsReport receipts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount Aliyun's push URLs."""
    from providers.aliyun.web import bp

    app.register_blueprint(bp)
