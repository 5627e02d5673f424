"""Signed customer tokens: a manage link opens one appointment, and only that one.

The token is the appointment id signed with ``BOOKCTL_SECRET_KEY`` (itsdangerous, HMAC
SHA-1 over a salt that names the purpose). The id is a random UUID, so a token can be
neither guessed nor forged, and a token for one appointment never opens another.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from bookctl.domain.errors import AuthError

if TYPE_CHECKING:
    from itsdangerous import URLSafeSerializer

_SALT = "bookctl.manage-appointment"


def _serializer(secret_key: str) -> URLSafeSerializer:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(secret_key, salt=_SALT)


def manage_token(secret_key: str, appointment_id: uuid.UUID) -> str:
    """The token customer links carry for ``appointment_id``."""
    return str(_serializer(secret_key).dumps(str(appointment_id)))


def verify_manage_token(secret_key: str, token: str, appointment_id: uuid.UUID) -> None:
    """Raise AuthError unless ``token`` was issued for ``appointment_id``."""
    from itsdangerous import BadSignature

    try:
        value = _serializer(secret_key).loads(token)
    except BadSignature:
        raise AuthError("the link is not valid") from None
    if value != str(appointment_id):
        raise AuthError("the link is for another appointment")


def manage_url(public_url: str, secret_key: str | None, appointment_id: uuid.UUID) -> str | None:
    """``{public_url}/manage/{token}``, or None when no secret key is configured."""
    if not secret_key:
        return None
    return f"{public_url.rstrip('/')}/manage/{manage_token(secret_key, appointment_id)}"
