"""Chat tools on the command line: the Studio flow export and a terminal chat with the app."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from cloudcity.cli.context import Context, pass_context

if TYPE_CHECKING:
    import requests

    from cloudcity.config import Settings

WEBHOOK_PATH = "/twilio/messages"
YOU = "you> "
SHOP = "Cloud City: "


@click.command("studio-flow")
@click.option(
    "--base-url",
    required=True,
    help="Public URL of this app as Studio will call it (https://user:pass@host for Basic auth).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the flow to this file instead of standard output.",
)
@pass_context
def studio_flow(ctx: Context, base_url: str, output: Path | None) -> None:
    """Write a Twilio Studio flow (JSON to import in Studio) that takes orders via our API."""
    from cloudcity.chat.studio import StudioError, build_flow

    settings = ctx.settings
    try:
        flow = build_flow(
            base_url,
            shop_name=settings.shop_name,
            currency=settings.currency,
            timeout_seconds=settings.conversation_timeout_minutes * 60,
            inscription_limit=settings.inscription_max_chars,
        )
    except StudioError as exc:
        raise click.BadParameter(str(exc), param_hint="--base-url") from None
    text = json.dumps(flow, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(
        f"wrote the Studio flow to {output}: import it in Studio (Import from JSON)", err=True
    )


@click.command("chat")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The running app.")
@click.option(
    "--from",
    "sender",
    default="whatsapp:+14155550100",
    show_default=True,
    help="Your address as Twilio writes it: whatsapp:+1... or +1... for SMS.",
)
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for a reply.")
@pass_context
def chat(ctx: Context, url: str, sender: str, timeout: float) -> None:
    """Chat with the running app from the terminal, one message per line, as Twilio would."""
    client = ChatClient(ctx.settings, base_url=url, sender=sender, timeout=timeout)
    stdin = sys.stdin
    if stdin.isatty():
        click.echo(f"Chatting with {client.webhook_url} as {sender}; Ctrl-D to stop.", err=True)
    for line in _lines(stdin, interactive=stdin.isatty()):
        try:
            replies = client.send(line)
        except ChatError as exc:
            raise click.ClickException(str(exc)) from None
        for reply in replies or ["(no reply)"]:
            click.echo(labelled(reply))
        click.echo()


def _lines(stdin: TextIO, *, interactive: bool) -> Iterator[str]:
    """The customer's non-blank lines: prompted at a terminal, echoed after the label when piped."""
    while True:
        if interactive:
            click.echo(YOU, nl=False)
        line = stdin.readline()
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        if not interactive:  # a transcript reads like a conversation: who said what
            click.echo(YOU + text)
        yield text


def labelled(reply: str) -> str:
    """A reply under the shop's label, its later lines indented to match."""
    indent = "\n" + " " * len(SHOP)
    return SHOP + indent.join(reply.splitlines() or [""])


class ChatError(Exception):
    """The app could not be reached or did not answer like a Twilio webhook."""


class ChatClient:
    """Posts messages to the app's Twilio webhook as Twilio would, and reads the TwiML answer."""

    def __init__(self, settings: Settings, *, base_url: str, sender: str, timeout: float) -> None:
        self.settings = settings
        self.webhook_url = base_url.rstrip("/") + WEBHOOK_PATH
        self.sender = sender
        self.timeout = timeout
        import requests

        self.http = requests.Session()

    def send(self, body: str) -> list[str]:
        """Send one message; the texts of the app's reply messages."""
        import requests

        params = self._params(body)
        try:
            response = self.http.post(
                self.webhook_url, data=params, headers=self._headers(params), timeout=self.timeout
            )
        except requests.ConnectionError:
            raise ChatError(
                f"could not reach the app at {self.webhook_url}: is it running? "
                "Start it with `cloudcity serve` or pass --url."
            ) from None
        except requests.Timeout:
            raise ChatError(f"the app did not answer within {self.timeout:g} seconds") from None
        return replies_in(_checked(response))

    def _params(self, body: str) -> dict[str, str]:
        from cloudcity.chat.simulator import twilio_form

        return twilio_form(self.settings, sender=self.sender, body=body)

    def _headers(self, params: dict[str, str]) -> dict[str, str]:
        token = self.settings.twilio_auth_token
        if token is None:
            return {}
        from cloudcity.providers.twilio_signature import sign

        return {"X-Twilio-Signature": sign(self._signed_url(), params, token.get_secret_value())}

    def _signed_url(self) -> str:
        # The app checks against its public URL when it has one, so sign that one too.
        public = self.settings.public_url
        return str(public).rstrip("/") + WEBHOOK_PATH if public else self.webhook_url


def _checked(response: requests.Response) -> str:
    if response.status_code == 403:
        raise ChatError(
            "the app refused the message's signature (403): give this command the same "
            "TWILIO_AUTH_TOKEN (and CLOUDCITY_PUBLIC_URL) as the app"
        )
    if response.status_code != 200:
        raise ChatError(f"the app answered {response.status_code}: {response.text[:300]}")
    return response.text


def replies_in(twiml: str) -> list[str]:
    """The bodies of the <Message> elements of a TwiML answer."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(twiml)  # noqa: S314 - our own app's answer, not untrusted input
    except ET.ParseError as exc:
        raise ChatError(f"the app's answer is not TwiML ({exc}): {twiml[:200]}") from None
    return ["".join(message.itertext()).strip() for message in root.iter("Message")]
