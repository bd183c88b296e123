"""WhatsApp and SMS through Twilio's official SDK (`Client.messages.create`)."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from twilio.base.exceptions import (
    TwilioException,
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from cloudcity.domain import whatsapp_address
from cloudcity.providers.errors import http_error, transport_error
from cloudcity.providers.ports import DeliveryError, TextMessage

log = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"
DEFAULT_TIMEOUT = 15.0
# Twilio's clock and ours: a message created this long before the send began still counts.
CLOCK_SKEW = timedelta(minutes=5)
RECENT = 20  # how many of the newest messages to the recipient are looked through


class _HttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's HTTP client with a timeout, an optional base URL (a mock), and Retry-After.

    The SDK's exceptions carry no response headers, so the last Retry-After seen by this
    thread is kept here for the sender to read after a 429 or 503.
    """

    def __init__(self, *, timeout: float, base_url: str | None) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None
        self._local = threading.local()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send one request, to the mock when a base URL is set, remembering Retry-After."""
        if self.base_url and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        self._local.retry_after = None
        response: Response = super().request(method, url, *args, **kwargs)
        headers = response.headers or {}
        self._local.retry_after = headers.get("Retry-After")
        return response

    @property
    def last_retry_after(self) -> str | None:
        """The Retry-After header of this thread's last response, if it had one."""
        value: str | None = getattr(self._local, "retry_after", None)
        return value


class TwilioMessageSender:
    """Sends TextMessages with Twilio; from the WhatsApp or SMS sender by recipient."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        whatsapp_from: str | None = None,
        sms_from: str | None = None,
        public_url: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = _HttpClient(timeout=timeout, base_url=base_url)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        self._whatsapp_from = whatsapp_address(whatsapp_from) if whatsapp_from else None
        self._sms_from = sms_from
        base = public_url.rstrip("/") if public_url else None
        self._status_callback = f"{base}/twilio/status" if base else None

    def send_message(self, message: TextMessage) -> str:
        """Send one message; return Twilio's Message SID or raise DeliveryError."""
        params = self._params(message)
        try:
            created = self._client.messages.create(**params)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise self._rest_error(exc) from exc
        except OSError as exc:  # requests' ConnectionError and Timeout derive from OSError
            raise transport_error("Twilio", exc) from exc
        sid: str = created.sid
        log.info("sent %s message %s via Twilio", _channel(message), sid)
        return sid

    def find_sent(self, message: TextMessage, *, since: datetime) -> str | None:
        """The SID of this message if Twilio took it since `since` (a send in doubt), else None.

        Twilio's DateSent filter counts whole days and skips messages still queued (no
        date_sent yet), so the newest messages from our sender to the recipient are read
        instead and matched by creation time and body (a template's by time alone).
        """
        try:
            recent = self._client.messages.list(
                to=message.to, from_=self._sender(message), limit=RECENT
            )
        except (TwilioException, OSError) as exc:  # no answer is no proof: look again later
            raise DeliveryError(
                f"could not look up the message in Twilio: {exc}", permanent=False
            ) from exc
        for found in recent:
            if _same_send(found, message, since - CLOCK_SKEW):
                return str(found.sid)
        return None

    def _params(self, message: TextMessage) -> dict[str, Any]:
        params: dict[str, Any] = {"to": message.to, "from_": self._sender(message)}
        if self._status_callback:
            # Our outbox id in the callback settles a send in doubt when the report arrives.
            query = f"?outbox_id={message.outbox_id}" if message.outbox_id else ""
            params["status_callback"] = self._status_callback + query
        if message.content_sid:
            params["content_sid"] = message.content_sid
            if message.content_variables:
                params["content_variables"] = json.dumps(message.content_variables)
        else:
            params["body"] = message.body
        return params

    def _sender(self, message: TextMessage) -> str:
        if message.is_whatsapp:
            if self._whatsapp_from is None:
                raise DeliveryError(
                    "no WhatsApp sender configured: set CLOUDCITY_TWILIO_WHATSAPP_FROM",
                    permanent=True,
                )
            return self._whatsapp_from
        if self._sms_from is None:
            raise DeliveryError(
                "no SMS sender configured: set CLOUDCITY_TWILIO_SMS_FROM", permanent=True
            )
        return self._sms_from

    def _rest_error(self, exc: TwilioRestException | TwilioServiceException) -> DeliveryError:
        status = int(exc.status)
        code = getattr(exc, "code", None)
        detail = getattr(exc, "msg", None) or getattr(exc, "detail", None) or str(code)
        text = f"error {code}: {detail}" if code else str(detail)
        return http_error("Twilio", status, text, retry_after=self._http.last_retry_after)


def _same_send(found: Any, message: TextMessage, earliest: datetime) -> bool:
    created = found.date_created
    if found.direction != "outbound-api" or created is None or created < earliest:
        return False
    return message.body is None or found.body == message.body


def _channel(message: TextMessage) -> str:
    return "WhatsApp" if message.is_whatsapp else "SMS"
