"""The scripted caller against a tiny two-level IVR, proving it follows Twilio's rules."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from tests.support.twiml_caller import ScriptedCall, flask_post, http_post

AUTH_TOKEN = "caller-test-token"
PUBLIC_BASE_URL = "https://mianhua.example"
BLOCKED = "+8613800000099"
SAY = '<Say language="cmn-CN" voice="Polly.Zhiyu">{}</Say>'


def twiml(*verbs: str) -> Response:
    return Response(f"<Response>{''.join(verbs)}</Response>", mimetype="text/xml")


def make_app() -> Flask:
    """Main menu -> 1 order (finishOnKey), 2 lookup (numDigits=4, actionOnEmptyResult), ..."""
    app = Flask(__name__)
    app.config["seen"] = []

    @app.before_request
    def verify_signature() -> None:
        # Public URL + path + raw query: request.url is the internal URL, and
        # request.full_path ends in "?" even when there is no query.
        query = request.query_string.decode()
        url = PUBLIC_BASE_URL + request.path + (f"?{query}" if query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        app.config["seen"].append((request.path, dict(request.form), signature))
        if not RequestValidator(AUTH_TOKEN).validate(url, request.form, signature):
            abort(403)

    @app.post("/voice/inbound")
    def inbound() -> Response:
        if request.form["From"] == BLOCKED:
            return twiml('<Reject reason="busy"/>')
        return twiml(
            '<Gather numDigits="1" action="/voice/menu">',
            SAY.format('<prosody rate="slow">欢迎致电棉花团购。订货请按1，查询请按2。</prosody>'),
            "</Gather>",
            SAY.format("没有收到按键。"),
            "<Redirect>/voice/inbound</Redirect>",
        )

    @app.post("/voice/menu")
    def menu() -> Response:
        choice = request.form.get("Digits")
        if choice == "1":  # relative action: resolves against /voice/menu
            return twiml(
                '<Gather action="order?step=1">',
                SAY.format("请输入商品编号，按井号键结束。"),
                "</Gather>",
                SAY.format("再见。"),
                "<Hangup/>",
            )
        if choice == "2":
            return twiml(
                '<Gather numDigits="4" actionOnEmptyResult="true" action="/voice/lookup">',
                SAY.format("请输入取货码后四位。"),
                "</Gather>",
                SAY.format("这句不会被听到。"),
            )
        if choice == "0":
            return twiml(SAY.format("正在为您转接。"), "<Dial>+862155550000</Dial>")
        if choice == "8":
            return twiml()
        if choice == "9":
            return twiml(SAY.format("再见。"), "<Hangup/>", SAY.format("不可达。"))
        if choice == "7":
            return Response("not twiml", mimetype="text/plain")
        return twiml(SAY.format("无效选择。"), '<Redirect method="POST">inbound</Redirect>')

    @app.post("/voice/order")
    def order() -> Response:
        assert request.args["step"] == "1"
        return twiml(SAY.format(f"您选择了商品{request.form['Digits']}。"), "<Hangup/>")

    @app.post("/voice/lookup")
    def lookup() -> Response:
        if "Digits" not in request.form:
            return twiml(SAY.format("没有输入。"), "<Redirect>/voice/inbound</Redirect>")
        return twiml(SAY.format(f"取货码{request.form['Digits']}。"), "<Hangup/>")

    @app.post("/voice/status")
    def status() -> Response:
        return Response("", status=204)

    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


def dial_in(app: Flask, **kwargs: object) -> ScriptedCall:
    options: dict = {"auth_token": AUTH_TOKEN, "base_url": PUBLIC_BASE_URL, **kwargs}
    return ScriptedCall(flask_post(app.test_client()), **options).start()


def test_start_hears_the_menu_with_language_voice_and_plain_text(app: Flask) -> None:
    call = dial_in(app)

    assert call.last_said == "欢迎致电棉花团购。订货请按1，查询请按2。"  # SSML dropped
    assert (call.spoken[0].language, call.spoken[0].voice) == ("cmn-CN", "Polly.Zhiyu")
    assert call.gather == {"numDigits": "1", "action": "/voice/menu"}
    assert call.posted[0].params["CallStatus"] == "ringing"
    assert call.posted[0].params["Direction"] == "inbound"
    assert call.posted[0].params["CallSid"] == call.call_sid and call.call_sid.startswith("CA")


def test_press_submits_at_num_digits(app: Flask) -> None:
    call = dial_in(app)

    call.press("1")

    assert call.posted[-1].url == f"{PUBLIC_BASE_URL}/voice/menu"
    assert call.posted[-1].params["Digits"] == "1"
    assert call.posted[-1].params["CallStatus"] == "in-progress"
    assert call.said_since_last_input() == ["请输入商品编号，按井号键结束。"]
    assert call.gather is not None and "numDigits" not in call.gather


def test_finish_on_key_submits_digits_without_the_key(app: Flask) -> None:
    call = dial_in(app)
    call.press("1")

    call.press("12")  # still typing
    assert call.gather is not None and len(call.posted) == 2
    call.press("3#")

    assert call.posted[-1].url == f"{PUBLIC_BASE_URL}/voice/order?step=1"  # relative action
    assert call.posted[-1].params["Digits"] == "123"
    assert call.said_since_last_input() == ["您选择了商品123。"]
    assert call.ended and call.end_reason == "hangup"


def test_only_the_finish_key_counts_as_empty_and_falls_through(app: Flask) -> None:
    call = dial_in(app)
    call.press("1")

    call.press("#")

    assert len(call.posted) == 2  # /voice/order never requested
    assert call.said_since_last_input() == ["再见。"]
    assert call.ended and call.end_reason == "hangup"


def test_silence_runs_the_verb_after_gather(app: Flask) -> None:
    call = dial_in(app)

    call.wait()

    assert call.said_since_last_input() == [
        "没有收到按键。",
        "欢迎致电棉花团购。订货请按1，查询请按2。",
    ]
    assert [p.url for p in call.posted] == [f"{PUBLIC_BASE_URL}/voice/inbound"] * 2  # Redirect
    assert "Digits" not in call.posted[-1].params
    assert call.gather is not None and not call.ended


def test_silence_after_some_digits_submits_them(app: Flask) -> None:
    call = dial_in(app)
    call.press("1")
    call.press("45")

    call.wait()

    assert call.posted[-1].params["Digits"] == "45"
    assert call.last_said == "您选择了商品45。"


def test_action_on_empty_result_posts_without_digits(app: Flask) -> None:
    call = dial_in(app)
    call.press("2")

    call.wait()

    assert call.posted[-2].url == f"{PUBLIC_BASE_URL}/voice/lookup"
    assert "Digits" not in call.posted[-2].params
    assert "这句不会被听到。" not in call.said
    assert call.said_since_last_input()[0] == "没有输入。"
    assert call.gather == {"numDigits": "1", "action": "/voice/menu"}  # redirected to the top


def test_num_digits_four(app: Flask) -> None:
    call = dial_in(app)
    call.press("2")

    call.press("0427")

    assert call.last_said == "取货码0427。" and call.ended


def test_keys_after_submission_are_refused(app: Flask) -> None:
    call = dial_in(app)
    with pytest.raises(AssertionError, match="after the <Gather> submitted"):
        call.press("12")


def test_redirect_with_relative_url(app: Flask) -> None:
    call = dial_in(app)

    call.press("5")

    assert call.said_since_last_input()[0] == "无效选择。"
    assert call.posted[-1].url == f"{PUBLIC_BASE_URL}/voice/inbound"
    assert call.gather is not None


def test_dial_records_the_number_and_ends(app: Flask) -> None:
    call = dial_in(app)

    call.press("0")

    assert call.dialed == ["+862155550000"]
    assert call.ended and call.end_reason == "dialed"


def test_reject_refuses_without_answering(app: Flask) -> None:
    call = dial_in(app, from_=BLOCKED, status_callback="/voice/status")

    assert call.rejected and call.ended and not call.answered
    assert call.said == []
    assert call.posted[-1].params["CallStatus"] == "busy"  # status callback


def test_hangup_verb_ends_the_call_and_later_verbs_are_unreachable(app: Flask) -> None:
    call = dial_in(app)

    call.press("9")

    assert call.ended and call.end_reason == "hangup"
    assert "不可达。" not in call.said


def test_empty_response_hangs_up(app: Flask) -> None:
    call = dial_in(app)

    call.press("8")

    assert call.ended and call.end_reason == "empty response"


def test_caller_hangup_posts_only_the_status_callback(app: Flask) -> None:
    call = dial_in(app, status_callback="/voice/status")

    call.hangup()

    assert call.ended and call.end_reason == "caller hung up"
    assert call.posted[-1].url == f"{PUBLIC_BASE_URL}/voice/status"
    assert call.posted[-1].params["CallStatus"] == "completed"
    assert len(call.posted) == 2
    with pytest.raises(AssertionError, match="call ended"):
        call.press("1")


def test_signature_header_is_present_and_valid(app: Flask) -> None:
    call = dial_in(app)
    call.press("1")

    for path, form, signature in app.config["seen"]:
        assert signature
        url = PUBLIC_BASE_URL + path
        assert RequestValidator(AUTH_TOKEN).validate(url, form, signature)
    assert call.posted[0].headers["X-Twilio-Signature"] == app.config["seen"][0][2]


def test_wrong_token_is_refused_by_the_app(app: Flask) -> None:
    with pytest.raises(AssertionError, match="answered 403"):
        dial_in(app, auth_token="not-the-token")


def test_non_2xx_fails_with_the_transcript(app: Flask) -> None:
    with pytest.raises(AssertionError, match="answered 404") as raised:
        dial_in(app, start_url="/voice/missing")
    assert "call so far" in str(raised.value)


def test_unparseable_answer_fails(app: Flask) -> None:
    call = dial_in(app)
    with pytest.raises(AssertionError, match="unparseable TwiML"):
        call.press("7")
    assert call.errors and call.ended


def test_transcript_reads_like_the_call(app: Flask) -> None:
    call = dial_in(app)
    call.press("1")
    call.press("6#")

    transcript = call.transcript()

    assert "caller presses 1" in transcript
    assert "Say (cmn-CN, Polly.Zhiyu): 您选择了商品6。" in transcript
    assert transcript.endswith("call ended: hangup")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_over_real_http_with_the_public_url_mapped(live_server: str) -> None:
    call = ScriptedCall(
        http_post(live_server), auth_token=AUTH_TOKEN, base_url=PUBLIC_BASE_URL
    ).start()

    call.press("2")
    call.press("1234")

    assert call.last_said == "取货码1234。"
