"""The webhook's signature check stops at the first match, and judges as the library does."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from providers.twilio.signature import signed_by_twilio

TOKEN = "12345678901234567890123456789012"
FORM = MultiDict([("MessageSid", "SM" + "1" * 32), ("From", "+8613800138001"),
                  ("To", "+8631188886666"), ("Body", "订1号 两份")])  # fmt: skip
URL = "https://mianhua.example.cn/sms/inbound"
WITH_PORT = "https://mianhua.example.cn:443/sms/inbound"


@pytest.mark.parametrize("signed_url", [URL, WITH_PORT])
@pytest.mark.parametrize("called_url", [URL, WITH_PORT])
def test_a_signature_of_either_form_of_the_url_passes(signed_url, called_url):
    validator = RequestValidator(TOKEN)
    signature = validator.compute_signature(signed_url, FORM)
    assert signed_by_twilio(validator, called_url, FORM, signature)
    assert validator.validate(called_url, FORM, signature)  # as the library judges it


@pytest.mark.parametrize(
    "tampered",
    [
        lambda form, url, sig: (MultiDict({**form, "Body": "订1号 二十份"}), url, sig),
        lambda form, url, sig: (form, url.replace("inbound", "status"), sig),
        lambda form, url, sig: (form, url, sig[:-2] + "AA"),
        lambda form, url, sig: (form, url, ""),
    ],
    ids=["body", "path", "signature", "no signature"],
)
def test_anything_changed_fails_as_the_library_says(tampered):
    validator = RequestValidator(TOKEN)
    form, url, signature = tampered(FORM, URL, validator.compute_signature(URL, FORM))
    assert not signed_by_twilio(validator, url, form, signature)
    assert not validator.validate(url, form, signature)


def test_a_json_body_is_left_to_the_library():
    validator = RequestValidator(TOKEN)
    body = '{"MessageSid": "SM1"}'
    url = f"{URL}?bodySHA256={validator.compute_hash(body)}"
    signature = validator.compute_signature(url, {})
    assert signed_by_twilio(validator, url, body, signature)  # type: ignore[arg-type]
    assert not signed_by_twilio(validator, url, body + " ", signature)  # type: ignore[arg-type]
