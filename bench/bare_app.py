"""The baseline for webhook benchmarks: a bare Flask endpoint answering empty TwiML.

Served by the same gunicorn settings as Mianhua, it shows what the server and
framework cost on their own, so our figures can be read against it.
"""

from __future__ import annotations

from flask import Flask, Response

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/sms/inbound")
    @app.post("/voice/inbound")
    @app.post("/voice/step")
    def empty() -> Response:
        return Response(EMPTY_TWIML, mimetype="application/xml")

    return app
