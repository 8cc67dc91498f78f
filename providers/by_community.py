"""The sender the workers hold: each message leaves through its community's provider.

The core names the provider on each `Outgoing` (`core.carriers.routing`: the
community's SMS or voice provider, else `SMS_SENDER`); this sends texts through that
provider's sender and landline reminders through its call placer (Twilio and the console
do both themselves). Each provider is built the first time a message needs it, so a
service whose communities use only one provider never needs the others' credentials; a
message for a provider whose credentials are not set fails at once, saying which.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from core.carriers import codes
from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from core.ports.carriers import MessageSender as Sender
from core.ports.carriers import ReminderCaller, SendFailed
from core.settings import CREDENTIALS_FOR, Settings
from providers.console.sender import ConsoleSender
from providers.registry import make_sender, send_timeout

MAINLAND = ("aliyun", "tencent")
#: What each mainland call placer cannot start without, beyond the SMS credentials.
VOICE_NEEDS: dict[str, tuple[str, ...]] = {
    "aliyun": ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET"),
    "tencent": ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY", "TENCENT_VOICE_SDK_APP_ID"),
}
TWILIO_NEEDS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
PARALLEL_SENDS = 8


def _setting_name(name: str) -> str:
    return name.lower()


class MissingCredentials(SendFailed):
    def __init__(self, provider: str, missing: list[str]) -> None:
        detail = f"{provider} is not set up here: {', '.join(missing)} unset"
        super().__init__(codes.AUTH, detail, transient=False)


class SenderPerCommunity:
    """A `Sender` (send, find_sent, send_batch) that hands each message to its provider."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = settings.sms_sender
        self._lock = threading.Lock()
        self._senders: dict[str, Sender] = {}
        self._placers: dict[str, ReminderCaller] = {}

    def __getattr__(self, name: str) -> Any:
        """Anything else (the Twilio client, in tests) is the default sender's."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.sender_for(self.settings.sms_sender), name)

    def send(self, out: Outgoing) -> str:
        provider = self._provider(out)
        if out.channel == MessageChannel.VOICE and provider in MAINLAND:
            return self.placer_for(provider).reminder_call(out)
        return self.sender_for(provider).send(out)

    def find_sent(self, out: Outgoing) -> str | None:
        provider = self._provider(out)
        try:
            if out.channel == MessageChannel.VOICE and provider in MAINLAND:
                return self.placer_for(provider).find_placed(out)
            return self.sender_for(provider).find_sent(out)
        except MissingCredentials:
            return None

    def send_batch(self, outs: list[Outgoing]) -> dict[int, str | SendFailed]:
        """Each provider's texts in its own batch calls (Aliyun, Tencent), the rest a few
        at a time in parallel: the carrier's answer time is what a worker waits for."""
        results: dict[int, str | SendFailed] = {}
        by_provider: dict[str, list[Outgoing]] = {}
        for out in outs:
            by_provider.setdefault(self._provider(out), []).append(out)
        for provider, group in by_provider.items():
            try:
                sender = self.sender_for(provider)
            except MissingCredentials as failure:
                results.update({out.message_id: failure for out in group})
                continue
            texts = [o for o in group if o.channel == MessageChannel.SMS]
            batch = getattr(sender, "send_batch", None)
            if batch is not None and texts:
                results.update(batch(texts))
                group = [o for o in group if o.channel != MessageChannel.SMS]
            for out, result in _pool().map(lambda o: (o, _attempt(self.send, o)), group):
                results[out.message_id] = result
        return results

    def warm_up(self) -> None:
        """Build the default provider's sender, its SDK imported, before the first message;
        unless its credentials are unset: the first message it would send says so."""
        with contextlib.suppress(MissingCredentials):
            self.sender_for(self.settings.sms_sender)

    def sender_for(self, provider: str) -> Sender:
        with self._lock:
            if provider not in self._senders:
                self._senders[provider] = self._make_sender(provider)
            return self._senders[provider]

    def placer_for(self, provider: str) -> ReminderCaller:
        with self._lock:
            if provider not in self._placers:
                self._placers[provider] = self._make_placer(provider)
            return self._placers[provider]

    def _provider(self, out: Outgoing) -> str:
        return out.provider or self.settings.sms_sender

    def _missing(self, provider: str, names: tuple[str, ...]) -> None:
        missing = [name for name in names if not getattr(self.settings, _setting_name(name))]
        if missing:
            raise MissingCredentials(provider, missing)

    def _make_sender(self, provider: str) -> Sender:
        if provider == "console":
            return ConsoleSender()
        self._missing(provider, TWILIO_NEEDS if provider == "twilio" else CREDENTIALS_FOR[provider])
        return make_sender(self.settings.with_overrides(sms_sender=provider))

    def _make_placer(self, provider: str) -> ReminderCaller:
        self._missing(provider, VOICE_NEEDS[provider])
        s = self.settings
        timeout = send_timeout(s)
        if provider == "aliyun":
            from providers.aliyun.client import make_aliyun_voice_client
            from providers.aliyun.voice import AliyunCallPlacer

            client = make_aliyun_voice_client(
                s.aliyun_access_key_id or "",
                s.aliyun_access_key_secret or "",
                endpoint=s.aliyun_voice_endpoint,
                timeout_s=timeout,
            )
            return AliyunCallPlacer(
                client, timeout_s=timeout, show_number=s.aliyun_voice_show_number
            )
        from providers.tencent.client import make_tencent_voice_client
        from providers.tencent.voice import TencentCallPlacer

        vms = make_tencent_voice_client(
            s.tencent_secret_id or "",
            s.tencent_secret_key or "",
            endpoint=s.tencent_voice_endpoint,
            timeout_s=timeout,
        )
        return TencentCallPlacer(vms, voice_sdk_app_id=s.tencent_voice_sdk_app_id or "")


def _attempt(send: Callable[[Outgoing], str], out: Outgoing) -> str | SendFailed:
    try:
        return send(out)
    except SendFailed as failure:
        return failure


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=PARALLEL_SENDS, thread_name_prefix="send-route")


def make_sender_per_community(settings: Settings) -> SenderPerCommunity:
    return SenderPerCommunity(settings)
