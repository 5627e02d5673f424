"""FakeSendGrid: ``POST /v3/mail/send`` validated against SendGrid's published OpenAPI spec.

Use it as a context manager and point the sender at it:
``with FakeSendGrid(api_key=k) as fake: SendGridSender(k, api_url=fake.url)``, then check
``fake.validation_errors == []``. The spec lives in
``tests/contracts/sendgrid/tsg_mail_v3.json``, vendored unchanged from the project's
shared contracts (MIT, see the LICENSE there); ``BOOKCTL_SENDGRID_SPEC`` names another copy.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.fakes._http import FakeHttpService, Received, Reply, parse_json

SPEC_URI = "urn:sendgrid:tsg_mail_v3"
BODY_POINTER = "#/components/requestBodies/PostMailSend/content/application~1json/schema"
VENDORED_SPEC = "contracts/sendgrid/tsg_mail_v3.json"
DEFAULT_API_KEY = "SG.fake-key.for-tests"
# Headers the live API refuses to let a message override (from the spec's description).
RESERVED_HEADERS = frozenset(
    {
        "x-sg-id",
        "x-sg-eid",
        "received",
        "dkim-signature",
        "content-type",
        "content-transfer-encoding",
        "to",
        "from",
        "subject",
        "reply-to",
        "cc",
        "bcc",
    }
)


def spec_path() -> Path:
    """The OpenAPI document: ``$BOOKCTL_SENDGRID_SPEC``, else the copy vendored in tests/."""
    env = os.environ.get("BOOKCTL_SENDGRID_SPEC")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / VENDORED_SPEC
    if not path.is_file():
        raise FileNotFoundError(f"SendGrid OpenAPI spec not found at {path}")
    return path


@lru_cache(maxsize=4)
def body_validator(path: Path | None = None) -> Draft202012Validator:
    """A validator for the ``/v3/mail/send`` request body, built once per spec file."""
    document = json.loads((path or spec_path()).read_text(encoding="utf-8"))
    document = copy.deepcopy(document)
    schema = document["components"]["requestBodies"]["PostMailSend"]["content"]["application/json"][
        "schema"
    ]
    # Known quirk (see the contract's README): the spec types top-level custom_args as a
    # string, but the live API and the official client send an object.
    published = schema["properties"]["custom_args"]
    schema["properties"]["custom_args"] = {"anyOf": [published, {"type": "object"}]}
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry = Registry().with_resource(SPEC_URI, resource)
    return Draft202012Validator(
        {"$ref": SPEC_URI + BODY_POINTER},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def api_rule_errors(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Rules of the live API that the schema does not express: (message, field) pairs."""
    errors: list[tuple[str, str | None]] = []
    content = body.get("content") or []
    types = [item.get("type") for item in content if isinstance(item, dict)]
    if not content and not body.get("template_id"):
        errors.append(("Unless a valid template_id is provided, content is required.", "content"))
    if "text/plain" in types and types.index("text/plain") != 0:
        errors.append(("If present, text/plain content must be first.", "content"))
    personalizations = body.get("personalizations") or []
    if not body.get("subject") and not all(
        isinstance(p, dict) and p.get("subject") for p in personalizations
    ):
        errors.append(("The subject is required.", "subject"))
    for key in body.get("headers") or {}:
        if key.lower() in RESERVED_HEADERS:
            errors.append((f"The header {key} cannot be overridden.", "headers"))
    for value in (body.get("custom_args") or {}).values():
        if not isinstance(value, str):
            errors.append(("custom_args values must be strings.", "custom_args"))
    return errors


def _errors(*pairs: tuple[str, str | None]) -> dict[str, Any]:
    return {"errors": [{"message": message, "field": field} for message, field in pairs]}


class FakeSendGrid(FakeHttpService):
    """A SendGrid v3 Mail Send endpoint on 127.0.0.1 for tests and benchmarks.

    ``mode`` is ``"ok"``, ``"400"``, ``"401"``, ``"429"``, ``"500"`` or ``"hang"``;
    :meth:`fail_next` scripts the next answers. ``received`` holds accepted requests and
    ``validation_errors`` every body the spec rejected.
    """

    def __init__(self, api_key: str = DEFAULT_API_KEY, spec: Path | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self._validator = body_validator(spec)

    def handle(self, path: str, headers: dict[str, str], raw: bytes, mode: str) -> Reply:
        if path.split("?")[0] != "/v3/mail/send":
            return Reply(404, _errors(("resource not found", None)))
        if mode == "401" or headers.get("Authorization") != f"Bearer {self.api_key}":
            return Reply(
                401,
                _errors(("The provided authorization grant is invalid, expired, or revoked", None)),
            )
        if mode == "429":
            return Reply(
                429,
                _errors(("too many requests", None)),
                {
                    "X-RateLimit-Limit": "600",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": "60",
                },
            )
        if mode == "500":
            return Reply(500, _errors(("internal server error", None)))
        if mode in ("400", "422"):
            return Reply(400, _errors(("scripted failure", None)))
        try:
            body = parse_json(raw)
        except ValueError:
            self.record_invalid("body is not JSON")
            return Reply(400, _errors(("Bad Request", None)))
        problems = [
            (error.message, ".".join(str(part) for part in error.absolute_path) or None)
            for error in self._validator.iter_errors(body)
        ]
        if isinstance(body, dict):
            problems += api_rule_errors(body)
        if problems:
            for message, field in problems:
                self.record_invalid(f"{field or '<body>'}: {message}")
            return Reply(400, _errors(*problems))
        self.record(Received(path=path, headers=headers, body=body))
        return Reply(202, None, {"X-Message-Id": uuid.uuid4().hex[:22]})
