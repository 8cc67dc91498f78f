"""The China stand-ins answer the official SDKs as Aliyun and Tencent document."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from alibabacloud_dysmsapi20170525 import models as aliyun
from alibabacloud_dysmsapi20170525.client import Client as AliyunClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent
from tencentcloud.sms.v20210111.sms_client import SmsClient

from tests.support.fake_aliyun_sms import CHINA, FakeAliyunSms
from tests.support.fake_tencent_sms import FakeTencentSms

NO_RETRY = RuntimeOptions(autoretry=False, max_attempts=0)


@pytest.fixture
def fake_aliyun():
    with FakeAliyunSms(access_key_id="ak", access_key_secret="sk", daily_limit=2) as fake:
        yield fake


@pytest.fixture
def fake_tencent():
    with FakeTencentSms(secret_id="id", secret_key="key", sdk_app_id="1400", daily_limit=1) as f:
        yield f


def aliyun_client(fake: FakeAliyunSms, secret: str = "sk") -> AliyunClient:
    config = Config(access_key_id="ak", access_key_secret=secret, endpoint=fake.endpoint)
    config.protocol = "http"
    return AliyunClient(config)


def send_aliyun(client: AliyunClient, phone: str, **values: str) -> dict:
    request = aliyun.SendSmsRequest(
        phone_numbers=phone,
        sign_name="幸福里社区",
        template_code="SMS_1",
        template_param=json.dumps(values, ensure_ascii=False),
        out_id="7",
    )
    return client.send_sms_with_options(request, NO_RETRY).body.to_map()


def test_aliyun_send_then_the_daily_cap_per_template_and_number(fake_aliyun):
    client = aliyun_client(fake_aliyun)
    first = send_aliyun(client, "13800000001", goods="梨两箱")
    assert first["Code"] == "OK" and first["BizId"]
    assert send_aliyun(client, "13800000001", goods="梨")["Code"] == "OK"
    assert send_aliyun(client, "13800000001", goods="梨")["Code"] == "isv.BUSINESS_LIMIT_CONTROL"
    assert send_aliyun(client, "+8613800000002", goods="梨")["Code"] == "OK"
    assert fake_aliyun.sent_to("13800000001")[0].params == {"goods": "梨两箱"}
    assert fake_aliyun.sent_to("13800000001")[0].out_id == "7"


def test_aliyun_refuses_bad_numbers_and_signatures_and_throttles(fake_aliyun):
    client = aliyun_client(fake_aliyun)
    assert send_aliyun(client, "1380000")["Code"] == "isv.MOBILE_NUMBER_ILLEGAL"
    fake_aliyun.queue("Throttling.User")
    with pytest.raises(ClientException) as throttled:
        send_aliyun(client, "13800000001")
    assert throttled.value.code == "Throttling.User" and throttled.value.status_code == 400
    with pytest.raises(ClientException) as forged:
        send_aliyun(aliyun_client(fake_aliyun, secret="wrong"), "13800000001")
    assert forged.value.code == "SignatureDoesNotMatch"
    assert fake_aliyun.sent == []


def test_aliyun_batch_and_send_details(fake_aliyun):
    client = aliyun_client(fake_aliyun)
    batch = aliyun.SendBatchSmsRequest(
        phone_number_json=json.dumps(["13800000001", "13800000002"]),
        sign_name_json=json.dumps(["幸福里社区"] * 2, ensure_ascii=False),
        template_code="SMS_2",
        template_param_json=json.dumps([{"name": "王"}, {"name": "李"}], ensure_ascii=False),
        out_id="batch-1",
    )
    body = client.send_batch_sms_with_options(batch, NO_RETRY).body.to_map()
    assert body["Code"] == "OK"
    fake_aliyun.settle(body["BizId"], delivered=True)
    query = aliyun.QuerySendDetailsRequest(
        phone_number="13800000002",
        send_date=datetime.now(CHINA).strftime("%Y%m%d"),
        page_size=10,
        current_page=1,
    )
    found = client.query_send_details_with_options(query, NO_RETRY).body.to_map()
    [detail] = found["SmsSendDetailDTOs"]["SmsSendDetailDTO"]
    assert detail["SendStatus"] == 3 and detail["OutId"] == "batch-1"


def tencent_client(fake: FakeTencentSms, key: str = "key") -> SmsClient:
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=fake.endpoint))
    return SmsClient(credential.Credential("id", key), "ap-guangzhou", profile)


def tencent_send(phones: list[str]) -> tencent.SendSmsRequest:
    request = tencent.SendSmsRequest()
    request.SmsSdkAppId, request.SignName, request.TemplateId = "1400", "幸福里社区", "1001"
    request.PhoneNumberSet, request.TemplateParamSet = phones, ["梨两箱"]
    request.SessionContext = "42"
    return request


def test_tencent_per_number_codes_and_receipts(fake_tencent):
    client = tencent_client(fake_tencent)
    fake_tencent.on_number("+8613800000009", "FailedOperation.PhoneNumberInBlacklist")
    answer = client.SendSms(tencent_send(["+8613800000001", "+8613800000009", "+86138"]))
    codes = [s.Code for s in answer.SendStatusSet]
    assert codes == [
        "Ok",
        "FailedOperation.PhoneNumberInBlacklist",
        "InvalidParameterValue.IncorrectPhoneNumber",
    ]
    assert answer.SendStatusSet[0].SessionContext == "42"
    again = client.SendSms(tencent_send(["+8613800000001"]))
    assert again.SendStatusSet[0].Code == "LimitExceeded.PhoneNumberDailyLimit"
    fake_tencent.settle(answer.SendStatusSet[0].SerialNo, delivered=True)
    pull = tencent.PullSmsSendStatusRequest()
    pull.SmsSdkAppId, pull.Limit = "1400", 10
    [report] = client.PullSmsSendStatus(pull).PullSmsSendStatusSet
    assert report.ReportStatus == "SUCCESS" and report.SessionContext == "42"
    assert client.PullSmsSendStatus(pull).PullSmsSendStatusSet == []  # handed out once


def test_tencent_whole_request_refusals(fake_tencent):
    fake_tencent.queue("RequestLimitExceeded")
    with pytest.raises(TencentCloudSDKException) as throttled:
        tencent_client(fake_tencent).SendSms(tencent_send(["+8613800000001"]))
    assert throttled.value.code == "RequestLimitExceeded"
    with pytest.raises(TencentCloudSDKException) as forged:
        tencent_client(fake_tencent, key="wrong").SendSms(tencent_send(["+8613800000001"]))
    assert forged.value.code == "AuthFailure.SignatureFailure"
    assert fake_tencent.sent == []
