"""FakePostmark: Postmark's ``POST /email`` with its documented answers.

Use it as a context manager and point the sender at it:
``with FakePostmark(server_token=t) as fake: PostmarkSender(t, api_url=fake.url)``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.fakes._http import FakeHttpService, Received, Reply, parse_json

DEFAULT_SERVER_TOKEN = "pm-fake-server-token"
REQUIRED = ("From", "To", "Subject")


def _error(code: int, message: str) -> dict[str, Any]:
    return {"ErrorCode": code, "Message": message}


def missing_fields(body: Any) -> list[str]:
    """Postmark's required fields absent from ``body``: From, To, Subject, and a body."""
    if not isinstance(body, dict):
        return ["<body>"]
    missing = [key for key in REQUIRED if not isinstance(body.get(key), str) or not body[key]]
    if not body.get("TextBody") and not body.get("HtmlBody"):
        missing.append("TextBody or HtmlBody")
    for attachment in body.get("Attachments") or []:
        if not all(attachment.get(key) for key in ("Name", "Content", "ContentType")):
            missing.append("Attachments[].Name/Content/ContentType")
    return missing


class FakePostmark(FakeHttpService):
    """A Postmark ``/email`` endpoint on 127.0.0.1 for tests and benchmarks.

    ``mode`` is ``"ok"``, ``"401"``, ``"422"``, ``"429"``, ``"500"`` or ``"hang"``.
    """

    def __init__(self, server_token: str = DEFAULT_SERVER_TOKEN) -> None:
        super().__init__()
        self.server_token = server_token

    def handle(self, path: str, headers: dict[str, str], raw: bytes, mode: str) -> Reply:
        if path.split("?")[0] != "/email":
            return Reply(404, _error(404, "Not found"))
        token = headers.get("X-Postmark-Server-Token")
        if mode == "401" or token != self.server_token:
            return Reply(
                401,
                _error(
                    10,
                    "The Server Token you provided in the X-Postmark-Server-Token "
                    "request header was invalid.",
                ),
            )
        if mode == "429":
            return Reply(429, _error(429, "Rate limit exceeded"))
        if mode == "500":
            return Reply(500, _error(500, "Internal server error"))
        if mode in ("400", "422"):
            return Reply(422, _error(300, "Invalid email request"))
        if not (headers.get("Content-Type") or "").startswith("application/json"):
            self.record_invalid("Content-Type is not application/json")
            return Reply(415, _error(415, "Unsupported media type"))
        try:
            body = parse_json(raw)
        except ValueError:
            self.record_invalid("body is not JSON")
            return Reply(422, _error(402, "Invalid JSON"))
        missing = missing_fields(body)
        if missing:
            self.record_invalid("missing " + ", ".join(missing))
            return Reply(422, _error(300, "Invalid email request"))
        self.record(Received(path=path, headers=headers, body=body))
        return Reply(
            200,
            {
                "To": body["To"],
                "SubmittedAt": datetime.now(UTC).isoformat(),
                "MessageID": str(uuid.uuid4()),
                "ErrorCode": 0,
                "Message": "OK",
            },
        )
