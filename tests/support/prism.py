"""Stoplight Prism mocks of Twilio's and SendGrid's own OpenAPI documents, for contract tests.

Fixtures (session-scoped, shared by every area through `pytest_plugins` in tests/conftest.py):
- `twilio_mock`: a PrismMock serving api.twilio.com 2010-04-01; point the SDK at `.url`.
- `sendgrid_mock`: a PrismMock serving api.sendgrid.com v3 (`/v3/mail/send`).
Each skips, saying what to do, when node_modules or ../shared/specs is missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cloudcity.config import Settings
from cloudcity.providers import Providers
from cloudcity.providers.sendgrid_sender import SendGridEmailSender
from cloudcity.providers.twilio_sender import TwilioMessageSender

REPO = Path(__file__).resolve().parents[2]
PRISM = REPO / "node_modules" / ".bin" / "prism"
TWILIO_SPEC = Path("twilio") / "twilio_api_v2010.json"
SENDGRID_SPEC = Path("sendgrid") / "oas_v3.json"
START_TIMEOUT = 90.0  # seconds; a shared, busy machine can be slow to start node
PORT_ATTEMPTS = 3  # parallel runs bind ports all the time: one may take ours before Prism does

# Values that satisfy the specs' patterns (a wrong shape gets a 422 from Prism).
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TEST_CONTENT_SID = "HX" + "fedcba9876543210" * 2


@dataclass(frozen=True)
class PrismMock:
    """A running Prism mock server."""

    url: str
    spec: Path
    log: Path


def specs_dir() -> Path | None:
    """The folder with the providers' specs: $CLOUDCITY_SPECS_DIR or a `shared/specs` above us."""
    configured = os.environ.get("CLOUDCITY_SPECS_DIR")
    if configured:
        return Path(configured)
    for parent in REPO.parents:
        candidate = parent / "shared" / "specs"
        if candidate.is_dir():
            return candidate
    return None


def _spec(relative: Path) -> Path:
    found = specs_dir()
    if found is None or not (found / relative).is_file():
        pytest.skip(
            f"the provider spec {relative} is absent: ../shared/specs is not next to this "
            "checkout (or set CLOUDCITY_SPECS_DIR)"
        )
    return found / relative


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_listening(process: subprocess.Popen[bytes], url: str, log: Path) -> bool:
    """True once this Prism says it listens on `url`; False if another process took the port.

    Prism's own line, not a successful connect: on a busy machine another process may bind the
    port between `_free_port` and Prism's start, and a connect would reach that one instead.
    """
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if f"Prism is listening on {url}" in output:
            return True
        if process.poll() is not None:
            if "EADDRINUSE" in output:
                return False
            raise RuntimeError(f"prism exited ({process.returncode}): {output[-2000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"prism did not listen within {START_TIMEOUT}s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # Prism runs in its own process group; end that group (ours, by id) and nothing else.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def run_prism(spec: Path, log: Path) -> Iterator[PrismMock]:
    """Start `prism mock` on a free port, wait for it, yield it, and always stop it."""
    if not PRISM.exists():
        pytest.skip("Prism is not installed: run `npm ci --no-audit --no-fund` (or `make test`)")
    env = {**os.environ, "SCARF_ANALYTICS": "false", "NO_COLOR": "1"}
    for _ in range(PORT_ATTEMPTS):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        try:
            if _wait_until_listening(process, url, log):
                yield PrismMock(url=url, spec=spec, log=log)
                return
        finally:
            _stop(process)
    raise RuntimeError(f"another process took prism's port {PORT_ATTEMPTS} times in a row")


@pytest.fixture(scope="session")
def twilio_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismMock]:
    """Prism serving Twilio's 2010-04-01 API (Messages included)."""
    spec = _spec(TWILIO_SPEC)
    yield from run_prism(spec, tmp_path_factory.mktemp("prism") / "twilio.log")


@pytest.fixture(scope="session")
def sendgrid_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismMock]:
    """Prism serving SendGrid's v3 API (`/v3/mail/send` included)."""
    spec = _spec(SENDGRID_SPEC)
    yield from run_prism(spec, tmp_path_factory.mktemp("prism") / "sendgrid.log")


def prism_providers(settings: Settings, twilio: PrismMock, sendgrid: PrismMock) -> Providers:
    """The real SendGrid and Twilio adapters, pointed at the Prism mocks."""
    return Providers(
        email=SendGridEmailSender(
            api_key="SG.test-key",
            from_email=settings.shop_email,
            from_name=settings.shop_name,
            host=sendgrid.url,
        ),
        messages=TwilioMessageSender(
            account_sid=TEST_ACCOUNT_SID,
            auth_token=TEST_AUTH_TOKEN,
            whatsapp_from="+14155238886",
            sms_from="+14155238887",
            public_url="https://cakes.example.com",
            base_url=twilio.url,
        ),
    )
