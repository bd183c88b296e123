"""The documents package is data in, bytes out: no web framework, no ORM, no provider SDK."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("flask", "sqlalchemy", "twilio", "sendgrid", "python_http_client")


def test_importing_documents_pulls_in_no_framework_orm_or_sdk() -> None:
    code = (
        "import sys, cloudcity.documents\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
