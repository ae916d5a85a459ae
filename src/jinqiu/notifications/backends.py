"""Where a message goes besides the in-app inbox: one interface, three backends.

`console` prints (development default); `sms` and `wechat` post JSON to a gateway configured in
settings (JINQIU_SMS_URL/TOKEN, JINQIU_WECHAT_URL/TOKEN). A gateway failure is logged and never
undoes the in-app message.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)


@dataclass
class Outgoing:
    username: str
    mobile: str
    title: str
    body: str


class Backend:
    name = ""

    def send(self, message: Outgoing) -> bool:
        raise NotImplementedError


class ConsoleBackend(Backend):
    name = "console"

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: Outgoing) -> bool:
        self.stream.write(f"[notify] {message.username}: {message.title} — {message.body}\n")
        return True


class HttpBackend(Backend):
    """Posts `{"to", "title", "body"}` with a bearer token; what the gateway does with it is its business."""

    def __init__(self, url: str, token: str, timeout: float = 5.0):
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"JINQIU_{self.name.upper()}_URL must be an http(s) address")
        self.url, self.token, self.timeout = url, token, timeout

    def payload(self, message: Outgoing) -> dict:
        return {"to": message.mobile, "title": message.title, "body": message.body}

    def send(self, message: Outgoing) -> bool:
        if not message.mobile:
            return False
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.url, data=json.dumps(self.payload(message), ensure_ascii=False).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return 200 <= response.status < 300
        except OSError as exc:
            log.warning("%s gateway failed for %s: %s", self.name, message.username, exc)
            return False


class SmsBackend(HttpBackend):
    name = "sms"


class WeChatBackend(HttpBackend):
    """A WeChat template-message gateway: the recipient is the mobile bound to the official account."""

    name = "wechat"

    def payload(self, message: Outgoing) -> dict:
        return {"touser_mobile": message.mobile, "data": {"first": message.title, "remark": message.body}}


def get_backend() -> Backend:
    name = settings.JINQIU_NOTIFY_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "sms":
        return SmsBackend(settings.JINQIU_SMS_URL, settings.JINQIU_SMS_TOKEN)
    if name == "wechat":
        return WeChatBackend(settings.JINQIU_WECHAT_URL, settings.JINQIU_WECHAT_TOKEN)
    raise ImproperlyConfigured(f"JINQIU_NOTIFY_BACKEND must be console, sms or wechat, not {name!r}")
