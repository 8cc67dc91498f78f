"""The voice stand-ins answer the official SDKs as Aliyun and Tencent document: signatures
checked, a call's id and our id handed back, the per-callee limit, unknown templates."""

from __future__ import annotations

import pytest
from alibabacloud_dyvmsapi20170525 import models as aliyun
from alibabacloud_tea_openapi.exceptions import ClientException
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.vms.v20200902 import models as tencent

from providers.aliyun.client import make_aliyun_voice_client, no_retries
from providers.tencent.client import make_tencent_voice_client
from tests.support.fake_aliyun_vms import FakeAliyunVms
from tests.support.fake_tencent_vms import FakeTencentVms


@pytest.fixture
def fake_aliyun():
    with FakeAliyunVms(
        access_key_id="ak", access_key_secret="sk", templates={"TTS_1": "${a}"}
    ) as f:
        yield f


@pytest.fixture
def fake_tencent():
    with FakeTencentVms(
        secret_id="id", secret_key="key", voice_sdk_app_id="1400", templates={"11": "{1}"}
    ) as fake:
        yield fake


def aliyun_call(fake: FakeAliyunVms, callee: str, *, secret: str = "sk", code: str = "TTS_1"):  # type: ignore[no-untyped-def]
    client = make_aliyun_voice_client("ak", secret, endpoint=fake.endpoint, timeout_s=3)
    request = aliyun.SingleCallByTtsRequest(
        called_number=callee, tts_code=code, tts_param='{"a": "明早取梨"}', out_id="42"
    )
    return client.single_call_by_tts_with_options(request, no_retries(3)).body


def tencent_call(fake: FakeTencentVms, callee: str, *, key: str = "key", app: str = "1400"):  # type: ignore[no-untyped-def]
    client = make_tencent_voice_client("id", key, endpoint=fake.endpoint, timeout_s=3)
    request = tencent.SendTtsVoiceRequest()
    request.TemplateId, request.TemplateParamSet = "11", ["明早取梨"]
    request.CalledNumber, request.VoiceSdkAppid, request.SessionContext = callee, app, "42"
    return client.SendTtsVoice(request)


def test_aliyun_places_a_call_then_holds_the_same_callee_for_a_minute(fake_aliyun):  # type: ignore[no-untyped-def]
    body = aliyun_call(fake_aliyun, "031188886601")
    assert body.code == "OK" and "^" in body.call_id
    [call] = fake_aliyun.calls_to("031188886601")
    assert (call.out_id, call.params) == ("42", {"a": "明早取梨"})
    assert aliyun_call(fake_aliyun, "031188886601").code == "isv.BUSINESS_LIMIT_CONTROL"
    assert aliyun_call(fake_aliyun, "12345").code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert aliyun_call(fake_aliyun, "13800000001", code="TTS_9").code == "isv.TTS_TEMPLATE_ILLEGAL"
    report = fake_aliyun.report(call.call_id)
    assert report["status_code"] == "200000" and report["out_id"] == "42"


def test_aliyun_refuses_a_bad_signature_as_the_sdk_raises_it(fake_aliyun):  # type: ignore[no-untyped-def]
    with pytest.raises(ClientException) as refused:
        aliyun_call(fake_aliyun, "031188886601", secret="wrong")
    assert refused.value.code == "SignatureDoesNotMatch"
    fake_aliyun.queue("Throttling.User")
    with pytest.raises(ClientException) as throttled:
        aliyun_call(fake_aliyun, "031188886601")
    assert throttled.value.code == "Throttling.User"
    assert fake_aliyun.calls == []


def test_tencent_places_a_call_and_refuses_what_tencent_refuses(fake_tencent):  # type: ignore[no-untyped-def]
    answer = tencent_call(fake_tencent, "+8631188886601")
    assert answer.SendStatus.CallId and answer.SendStatus.SessionContext == "42"
    for callee, kwargs, code in [
        ("+8631188886601", {}, "LimitExceeded.DeliveryFrequencyLimit"),
        ("+86123", {}, "InvalidParameterValue.CalledNumberVerifyFail"),
        ("+8613800000001", {"app": "9"}, "UnauthorizedOperation.VoiceSdkAppidVerifyFail"),
        ("+8613800000001", {"key": "wrong"}, "AuthFailure.SignatureFailure"),
    ]:
        with pytest.raises(TencentCloudSDKException) as refused:
            tencent_call(fake_tencent, callee, **kwargs)
        assert refused.value.code == code
    [call] = fake_tencent.calls
    assert fake_tencent.callback(call.call_id)["voiceprompt_callback"]["result"] == "0"
