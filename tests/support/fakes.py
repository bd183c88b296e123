"""Hand-written fakes for the worker's collaborators: a clock, two senders, a renderer."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from cloudcity.documents import InvoiceData
from cloudcity.outbox.ports import RenderedReceipt
from cloudcity.providers.ports import DeliveryError, Email, TextMessage
from tests.support.clock import FakeClock

T = TypeVar("T")
Action = Callable[[], None]


class FakeSender(Generic[T]):
    """Records what was sent; scripted to fail, refuse or hang on the next calls."""

    prefix = "fake"

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.sent: list[T] = []
        self.lookups: list[int | None] = []
        self.attempts: list[T] = []
        self._script: deque[Action] = deque()
        self._lock = threading.Lock()

    def fail_next(self, error: DeliveryError, *, times: int = 1) -> None:
        """The next `times` sends raise this error."""
        for _ in range(times):
            self._script.append(lambda: _raise(error))

    def before_next(self, action: Action) -> None:
        """Run `action` inside the next send (move the clock, run another worker, raise)."""
        self._script.append(action)

    def hang_next(self, clock: FakeClock, *, seconds: float) -> None:
        """The next send waits `seconds` and times out, as an HTTP client with a timeout does."""

        def hang() -> None:
            clock.advance(seconds)
            raise DeliveryError(f"no answer within {seconds:g} s", permanent=False)

        self._script.append(hang)

    def _send(self, item: T) -> str:
        with self._lock:
            self.attempts.append(item)
            action = self._script.popleft() if self._script else None
        if action is not None:
            action()
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.sent.append(item)
            return f"{self.prefix}-{len(self.sent)}"

    def _find(self, outbox_id: int | None, named: Callable[[T], int | None]) -> str | None:
        with self._lock:
            self.lookups.append(outbox_id)
            for number, item in enumerate(self.sent, start=1):
                if outbox_id is not None and named(item) == outbox_id:
                    return f"{self.prefix}-{number}"
        return None


class FakeEmailSender(FakeSender[Email]):
    """An EmailSender that records emails (no lookup: like SendGrid, it cannot say what it took)."""

    prefix = "email"

    def send_email(self, email: Email) -> str:
        """Record the email and answer an id, unless scripted otherwise."""
        return self._send(email)


class FakeMessageSender(FakeSender[TextMessage]):
    """A MessageSender that records texts and, like Twilio's message list, finds them again."""

    prefix = "SM"

    def send_message(self, message: TextMessage) -> str:
        """Record the message and answer an id, unless scripted otherwise."""
        return self._send(message)

    def find_sent(self, message: TextMessage, *, since: datetime) -> str | None:
        """The id of a recorded message with the same outbox id."""
        return self._find(message.outbox_id, lambda sent: sent.outbox_id)


class FakeRenderer:
    """Renders a recognisable receipt without WeasyPrint."""

    def __init__(self) -> None:
        self.rendered: list[InvoiceData] = []

    def render(self, facts: InvoiceData) -> RenderedReceipt:
        """A receipt naming the order, with a tiny stand-in PDF."""
        self.rendered.append(facts)
        return RenderedReceipt(
            subject=f"Your Cloud City receipt for order #{facts.order_id}",
            html=f"<p>Thank you, {facts.customer_name}!</p>",
            text=f"Thank you, {facts.customer_name}!",
            pdf_filename=f"cloud-city-invoice-{facts.order_id}.pdf",
            pdf=b"%PDF-1.7\n% fake invoice\n%%EOF\n",
        )


def server_error() -> DeliveryError:
    """What an adapter raises for HTTP 500."""
    return DeliveryError("the provider had an internal error", permanent=False, status=500)


def rate_limited(retry_after: float) -> DeliveryError:
    """What an adapter raises for HTTP 429 with Retry-After."""
    return DeliveryError("too many requests", permanent=False, retry_after=retry_after, status=429)


def bad_request() -> DeliveryError:
    """What an adapter raises for HTTP 400: the request itself is wrong."""
    return DeliveryError("the recipient address is invalid", permanent=True, status=400)


def _raise(error: DeliveryError) -> None:
    raise error
