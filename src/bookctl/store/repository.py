"""Lookups shared by the use cases: ids by unique prefix, services by id."""

from __future__ import annotations

import re
import uuid
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from bookctl.domain.errors import AmbiguousIdError, NotFoundError
from bookctl.store.models import Service
from bookctl.store.uow import TAKE_BOOKING_LOCK, SqlUnitOfWork

T = TypeVar("T", bound=SQLModel)
_HEX_PREFIX = re.compile(r"^[0-9a-f]{1,32}$")
_AMBIGUOUS_SHOWN = 5
# The lock in a one-row subquery, so it is taken once whether or not the service exists.
_LOCK_AND_SELECT_SERVICE = (
    select(Service)
    .select_from(sa.select(TAKE_BOOKING_LOCK.label("locked")).subquery())
    .outerjoin(Service, col(Service.id) == sa.bindparam("service_id"))
)


def get_by_prefix(session: Session, model: type[T], prefix: str, label: str) -> T:
    """The record of ``model`` whose uuid starts with ``prefix`` (dashes optional)."""
    raw = prefix.strip().lower()
    try:
        exact = uuid.UUID(raw)
    except ValueError:
        exact = None
    if exact is not None:
        found = session.get(model, exact)
        if found is None:
            raise NotFoundError(f"no {label} with id {prefix}")
        return found
    digits = raw.replace("-", "")
    if not _HEX_PREFIX.match(digits):
        raise NotFoundError(f"no {label} with id {prefix}")
    column: Any = model.id  # type: ignore[attr-defined]
    text_id: Any = sa.cast(column, sa.String)
    if session.get_bind().dialect.name == "postgresql":
        text_id = sa.func.replace(text_id, "-", "")
    rows = session.exec(
        select(model).where(text_id.like(f"{digits}%")).limit(_AMBIGUOUS_SHOWN + 1)
    ).all()
    if not rows:
        raise NotFoundError(f"no {label} with id {prefix}")
    if len(rows) > 1:
        shown = ", ".join(str(row.id) for row in rows[:_AMBIGUOUS_SHOWN])  # type: ignore[attr-defined]
        more = " …" if len(rows) > _AMBIGUOUS_SHOWN else ""
        raise AmbiguousIdError(f"id prefix {prefix!r} matches several {label}s: {shown}{more}")
    return rows[0]


def get_service(session: Session, service_id: str) -> Service:
    """A service by exact id."""
    service = session.get(Service, service_id.strip())
    if service is None:
        raise NotFoundError(f"no service with id {service_id!r}")
    return service


def lock_bookings_and_get_service(uow: SqlUnitOfWork, service_id: str) -> Service:
    """``uow.lock_bookings()`` then :func:`get_service`, in one round trip on PostgreSQL.

    The statement's snapshot predates the lock, which is fine for the service: the lock
    guards appointments, not services. Reads that need the lock still come after it.
    """
    if uow.dialect != "postgresql":
        uow.lock_bookings()
        return get_service(uow.session, service_id)
    service = uow.session.execute(
        _LOCK_AND_SELECT_SERVICE, {"service_id": service_id.strip()}
    ).scalar_one_or_none()
    if service is None:
        raise NotFoundError(f"no service with id {service_id!r}")
    return service
