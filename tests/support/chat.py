"""Chat test helpers: a customer's phone on the signed Twilio webhook, and a clock tests move."""

from __future__ import annotations

import itertools
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token-0123456789abcdef"
LOCAL_URL = "http://localhost/twilio/messages"
SHOP_WHATSAPP = "whatsapp:+14155238886"
SHOP_SMS = "+14155238886"
_sids = itertools.count(1)
# Every answer of a whole order after the greeting: a Large Chocolate cake, the first pickup
# slot, nothing written on it, a new customer's name and email.
WHOLE_ORDER = (
    "Large",
    "Chocolate",
    "Buttercream",
    "Sprinkles",
    "1",
    "no",
    "yes",
    "Ada",
    "ada@example.com",
)


def new_sid() -> str:
    """A MessageSid shaped like Twilio's (SM + 32 hex digits), unique in the run."""
    return f"SM{next(_sids):032x}"


def signed_post(
    client: FlaskClient, params: dict[str, str], *, url: str = LOCAL_URL, token: str = TOKEN
) -> tuple[int, str | None]:
    """POST form params signed exactly as Twilio signs them; the status and the reply text."""
    signature = RequestValidator(token).compute_signature(url, params)
    response = client.post(
        "/twilio/messages", data=params, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code, reply_text(response.data) if response.status_code == 200 else None


def status_callback(
    client: FlaskClient,
    sid: str,
    status: str,
    *,
    public_url: str,
    token: str = TOKEN,
    query: str = "",
    **extra: str,
) -> int:
    """POST a Twilio status callback for message `sid`, signed as Twilio signs it; the status."""
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **extra}
    url = f"{public_url}/twilio/status{query}"
    signature = RequestValidator(token).compute_signature(url, form)
    path = f"/twilio/status{query}"
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}).status_code


def reply_text(twiml: bytes) -> str | None:
    """The text of the <Message> in a TwiML answer, None when it is an empty <Response/>."""
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    texts = [message.text or "" for message in root.findall("Message")]
    return "\n".join(texts) if texts else None


@dataclass
class Phone:
    """A customer's phone writing to the shop through the signed webhook."""

    client: FlaskClient
    address: str
    profile_name: str = "Ana"
    url: str = LOCAL_URL
    sent: list[str] = field(default_factory=list)

    def params(self, body: str, *, sid: str | None = None, media: int = 0) -> dict[str, str]:
        """The form Twilio posts for one inbound message (with fields we don't use)."""
        whatsapp = self.address.startswith("whatsapp:")
        params = {
            "SmsMessageSid": sid or new_sid(),
            "NumMedia": str(media),
            "ProfileName": self.profile_name,
            "SmsSid": "x",
            "WaId": self.address.removeprefix("whatsapp:+"),
            "SmsStatus": "received",
            "Body": body,
            "To": SHOP_WHATSAPP if whatsapp else SHOP_SMS,
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "AccountSid": "AC" + "0" * 32,
            "From": self.address,
            "ApiVersion": "2010-04-01",
        }
        params["MessageSid"] = params["SmsMessageSid"]
        params["SmsSid"] = params["SmsMessageSid"]
        for index in range(media):
            params[f"MediaUrl{index}"] = f"https://api.twilio.com/media/{index}"
            params[f"MediaContentType{index}"] = "image/jpeg"
        return params

    def send(self, body: str, *, sid: str | None = None, media: int = 0) -> str | None:
        """Send a message; the shop's reply text (None for an empty TwiML answer)."""
        params = self.params(body, sid=sid, media=media)
        status, text = signed_post(self.client, params, url=self.url)
        assert status == 200
        self.sent.append(body)
        return text

    def picture(self, url: str, *, content_type: str = "image/jpeg", body: str = "") -> str | None:
        """Send a picture at `url` (MediaUrl0), as Twilio delivers one; the shop's reply."""
        params = self.params(body, media=1)
        params["MediaUrl0"], params["MediaContentType0"] = url, content_type
        status, text = signed_post(self.client, params, url=self.url)
        assert status == 200
        return text

    def say(self, body: str) -> str:
        """Send a message that must get a reply."""
        text = self.send(body)
        assert text is not None, f"no reply to {body!r}"
        return text

    def order(self, *answers: str) -> str:
        """Send several answers in a row; the last reply."""
        text = ""
        for answer in answers:
            text = self.say(answer)
        return text


def at_once(app: Flask, posts: list[dict[str, str]]) -> list[tuple[int, str | None]]:
    """POST each form from its own thread, released together; the answers in the same order."""
    barrier = threading.Barrier(len(posts))
    answers: list[tuple[int, str | None]] = [(0, None)] * len(posts)

    def post(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        answers[index] = signed_post(client, posts[index])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers
