"""Send due outbox emails exactly once, however many runs overlap.

A run claims a batch of due rows by stamping them with its id and a lease
(``claimed_by``, ``claimed_until``) in one short transaction: on PostgreSQL the claim
selects with ``FOR UPDATE SKIP LOCKED``, on SQLite it runs under ``BEGIN IMMEDIATE``.
Rows with a live lease are invisible to other runs, so overlapping runs split the work
instead of waiting for each other. Each outcome is written as soon as it is known, and only
while the run still holds the row; a run killed with ``kill -9`` leaves leases that expire,
and a later run picks those rows up.

A run never starts sending a row whose lease could run out before the provider's timeout,
so a row is never in flight in two runs at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, or_, select, update

from bookctl.domain.errors import ValidationError
from bookctl.domain.timeparse import iso
from bookctl.domain.tokens import manage_url
from bookctl.email.compose import AppointmentFacts, Sender, appointment_facts, compose
from bookctl.email.providers import (
    EmailSender,
    EmailSendError,
    PermanentEmailError,
    TransientEmailError,
    make_sender,
    secret_value,
)
from bookctl.store.db import writer
from bookctl.store.models import Appointment, AppointmentStatus, EmailEvent, EmailStatus, Service

if TYPE_CHECKING:
    from bookctl.bootstrap import App

EVENTS = EmailEvent.__table__  # type: ignore[attr-defined]
APPOINTMENTS = Appointment.__table__  # type: ignore[attr-defined]
SERVICES = Service.__table__  # type: ignore[attr-defined]

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)
# A feedback request waits for its appointment to be completed; look again this much later.
FEEDBACK_RECHECK = timedelta(hours=1)
MAX_ERROR = 1000
# Outcomes are written in groups of at most this many, at most this long after sending.
FLUSH_ROWS = 50
FLUSH_INTERVAL = 0.05


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the ``attempts``-th failed try: 1 min, 2, 4, … capped at 1 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


@dataclass
class Summary:
    """What one run did; ``errors`` holds one sentence per provider failure."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    completed: int = 0
    processes: int = 1
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, outcome: str, n: int = 1) -> None:
        """Add to one counter; worker threads report here."""
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + n)

    def error(self, line: str) -> None:
        with self._lock:
            self.errors.append(line)

    @property
    def provider_failed(self) -> bool:
        return bool(self.failed or self.retrying)

    @property
    def idle(self) -> bool:
        return not (self.sent or self.failed or self.retrying or self.skipped or self.completed)

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "retrying": self.retrying,
            "skipped": self.skipped,
            "completed": self.completed,
            "processes": self.processes,
            "errors": list(self.errors),
        }


@dataclass(frozen=True, slots=True)
class _Claimed:
    """One claimed row, with what its email needs, detached from any session."""

    id: uuid.UUID
    template: str
    recipient: str
    language: str
    idempotency_key: str
    payload: dict[str, Any] | None
    attempts: int
    claimed_until: datetime
    appointment_status: str | None
    facts: AppointmentFacts | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What a run does with a due row: ``send``, ``cancel`` (with reason) or ``postpone``."""

    action: str
    reason: str | None = None


def decide(
    template: str,
    appointment_status: str | None,
    start: datetime | None,
    now: datetime,
) -> Decision:
    """Whether a due email still makes sense to send now.

    A reminder goes stale once a later reminder of the same appointment is due or the
    appointment has started; feedback waits for completion and never goes to a canceled
    appointment; nothing but the cancellation notice goes to a canceled one.
    """
    if appointment_status is None or start is None:
        return Decision("cancel", "the appointment no longer exists")
    canceled = appointment_status == AppointmentStatus.CANCELED.value
    if template == "cancellation":
        return Decision("send")
    if canceled:
        return Decision("cancel", "appointment canceled")
    if template in ("reminder_24h", "reminder_1h"):
        if now >= start:
            return Decision("cancel", "stale: the appointment has started")
        if template == "reminder_24h" and now >= start - timedelta(hours=1):
            return Decision("cancel", "stale: the 1-hour reminder is due")
        if appointment_status != AppointmentStatus.CONFIRMED.value:
            return Decision("cancel", f"the appointment is {appointment_status}")
    if (
        template == "post_session_feedback"
        and appointment_status != AppointmentStatus.COMPLETED.value
    ):
        return Decision("postpone", "waiting for the appointment to be completed")
    return Decision("send")


class Delivery:
    """Claims due rows and sends them through the configured provider."""

    def __init__(
        self,
        app: App,
        *,
        sender_factory: Callable[[], EmailSender] | None = None,
    ) -> None:
        self.app = app
        self.settings = app.settings
        self.clock = app.clock
        self.run_id = uuid.uuid4().hex
        self.workers = self.settings.email_workers
        self.batch = self.settings.email_batch_size
        self.lease = timedelta(seconds=self.settings.email_lease_seconds)
        self._factory = sender_factory or (lambda: make_sender(self.settings))
        self._local = threading.local()
        self._sender = Sender(
            business_name=self.settings.business_name,
            from_addr=self.settings.email_from,
            templates_dir=self.settings.templates_dir,
        )
        self._secret = secret_value(self.settings.secret_key)
        # A send may start only while this much of its lease is left: the provider's
        # timeout plus slack for writing the outcome.
        self._margin = timedelta(seconds=float(self.settings.email_timeout) + 5)
        if self.lease <= self._margin:
            raise ValidationError(
                "BOOKCTL_EMAIL_LEASE_SECONDS must exceed BOOKCTL_EMAIL_TIMEOUT by more than 5"
            )

    # --- public --------------------------------------------------------------------

    def run(
        self,
        *,
        limit: int | None = None,
        appointment_id: uuid.UUID | None = None,
        complete: bool | None = None,
    ) -> Summary:
        """Complete finished appointments, then send every due email (oldest first)."""
        summary = Summary()
        if complete if complete is not None else self.settings.auto_complete:
            summary.completed = self.complete_finished()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="bookctl-send") as pool:
            self._pump(pool, summary, limit, appointment_id)
        return summary

    def due(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """What a run would do now, without claiming or sending anything (``--dry-run``)."""
        now = self.clock()
        query = (
            select(
                EVENTS.c.id,
                EVENTS.c.template,
                EVENTS.c.recipient,
                EVENTS.c.send_at,
                EVENTS.c.attempts,
                APPOINTMENTS.c.status.label("appointment_status"),
                APPOINTMENTS.c.scheduled_start,
            )
            .select_from(EVENTS.outerjoin(APPOINTMENTS))
            .where(self._due_condition(now))
            .order_by(EVENTS.c.send_at, EVENTS.c.created_at, EVENTS.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.app.engine.connect() as conn:
            rows = conn.execute(query).all()
        plan = []
        for row in rows:
            status = _status_value(row.appointment_status)
            decision = decide(row.template, status, row.scheduled_start, now)
            plan.append(
                {
                    "id": str(row.id),
                    "template": row.template,
                    "recipient": row.recipient,
                    "send_at": iso(row.send_at),
                    "attempts": row.attempts,
                    "action": decision.action,
                    "reason": decision.reason,
                }
            )
        return plan

    def count_due(self, *, cap: int) -> int:
        """How many rows are due now, counting no further than ``cap``."""
        now = self.clock()
        due = select(EVENTS.c.id).where(self._due_condition(now)).limit(cap).subquery()
        with self.app.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(due)).scalar_one())

    def complete_finished(self) -> int:
        """Mark confirmed appointments whose end has passed ``completed``."""
        now = self.clock()
        with writer(self.app.engine).begin() as conn:
            result = conn.execute(
                update(APPOINTMENTS)
                .where(
                    APPOINTMENTS.c.status == AppointmentStatus.CONFIRMED.value,
                    APPOINTMENTS.c.scheduled_end <= now,
                )
                .values(status=AppointmentStatus.COMPLETED.value, updated_at=now)
            )
        return int(result.rowcount or 0)

    # --- claiming ------------------------------------------------------------------

    def _due_condition(self, now: datetime) -> Any:
        return and_(
            EVENTS.c.status == EmailStatus.QUEUED.value,
            EVENTS.c.send_at <= now,
            or_(EVENTS.c.claimed_until.is_(None), EVENTS.c.claimed_until < now),
        )

    def _claim(self, size: int, appointment_id: uuid.UUID | None) -> list[_Claimed]:
        now = self.clock()
        until = now + self.lease
        due = (
            select(EVENTS.c.id)
            .where(self._due_condition(now))
            .order_by(EVENTS.c.send_at, EVENTS.c.created_at, EVENTS.c.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
        if appointment_id is not None:
            due = due.where(EVENTS.c.appointment_id == appointment_id)
        with writer(self.app.engine).begin() as conn:
            ids = (
                conn.execute(
                    update(EVENTS)
                    .where(EVENTS.c.id.in_(due.scalar_subquery()))
                    .values(claimed_by=self.run_id, claimed_until=until)
                    .returning(EVENTS.c.id)
                )
                .scalars()
                .all()
            )
            if not ids:
                return []
            rows = conn.execute(
                select(
                    EVENTS.c.id,
                    EVENTS.c.template,
                    EVENTS.c.recipient,
                    EVENTS.c.language,
                    EVENTS.c.idempotency_key,
                    EVENTS.c.payload,
                    EVENTS.c.attempts,
                    EVENTS.c.send_at,
                    EVENTS.c.created_at,
                    APPOINTMENTS.c.id.label("appointment_id"),
                    APPOINTMENTS.c.status.label("appointment_status"),
                    APPOINTMENTS.c.customer_name,
                    APPOINTMENTS.c.scheduled_start,
                    APPOINTMENTS.c.scheduled_end,
                    APPOINTMENTS.c.timezone,
                    APPOINTMENTS.c.ics_sequence,
                    APPOINTMENTS.c.cancel_reason,
                    SERVICES.c.name.label("service_name"),
                )
                .select_from(EVENTS.outerjoin(APPOINTMENTS).outerjoin(SERVICES))
                .where(EVENTS.c.id.in_(ids))
            ).all()
        rows = sorted(rows, key=lambda row: (row.send_at, row.created_at, str(row.id)))
        return [self._detach(row, until) for row in rows]

    def _detach(self, row: Any, until: datetime) -> _Claimed:
        facts = None
        if row.appointment_id is not None:
            link = manage_url(self.settings.public_url, self._secret, row.appointment_id)
            facts = appointment_facts(row, row.appointment_id, row.service_name, link)
        return _Claimed(
            id=row.id,
            template=row.template,
            recipient=row.recipient,
            language=row.language,
            idempotency_key=row.idempotency_key,
            payload=row.payload,
            attempts=row.attempts,
            claimed_until=until,
            appointment_status=_status_value(row.appointment_status),
            facts=facts,
        )

    # --- sending -------------------------------------------------------------------

    def _first_sender(self, claimed: list[_Claimed]) -> None:
        """Build the sender once there is something to send, so that a run with nothing due
        never loads a provider and a configuration error fails the run once. On failure,
        the claimed rows are released untouched before the error propagates."""
        try:
            self._local.sender = self._factory()
        except BaseException:
            self._write([(item, {}) for item in claimed])
            raise

    def _thread_sender(self) -> EmailSender:
        sender = getattr(self._local, "sender", None)
        if sender is None:
            sender = self._local.sender = self._factory()
        return sender

    def _pump(
        self,
        pool: ThreadPoolExecutor,
        summary: Summary,
        limit: int | None,
        appointment_id: uuid.UUID | None,
    ) -> None:
        """Keep the senders busy: claim the next batch while the last one is in flight.

        Outcomes are written as they arrive, a few at a time: at the latest
        ``FLUSH_INTERVAL`` after an email went out. That bounds what a crash can leave
        sent but unrecorded (and so sent again by a later run) to a fraction of a second
        of work, while one transaction per group keeps the database off the critical path.
        """
        remaining = limit
        exhausted = False
        in_flight: dict[Future[dict[str, Any]], _Claimed] = {}
        outcomes: list[tuple[_Claimed, dict[str, Any]]] = []
        oldest: float | None = None
        while True:
            if not exhausted and len(in_flight) < self.workers * 2:
                size = self.batch if remaining is None else min(self.batch, remaining)
                claimed = self._claim(size, appointment_id) if size > 0 else []
                exhausted = len(claimed) < size or size == 0
                if remaining is not None:
                    remaining -= len(claimed)
                if claimed and not hasattr(self._local, "sender"):
                    self._first_sender(claimed)
                outcomes.extend(self._triage(claimed, pool, summary, in_flight))
            if not in_flight and (exhausted or not outcomes):
                break
            if in_flight:
                done, _ = wait(in_flight, timeout=FLUSH_INTERVAL, return_when=FIRST_COMPLETED)
                outcomes.extend((in_flight.pop(future), future.result()) for future in done)
            if outcomes and oldest is None:
                oldest = time.monotonic()
            if outcomes and (
                len(outcomes) >= FLUSH_ROWS
                or not in_flight
                or time.monotonic() - (oldest or 0.0) >= FLUSH_INTERVAL
            ):
                self._write(outcomes)
                outcomes, oldest = [], None
        if outcomes:
            self._write(outcomes)

    def _triage(
        self,
        claimed: list[_Claimed],
        pool: ThreadPoolExecutor,
        summary: Summary,
        in_flight: dict[Future[dict[str, Any]], _Claimed],
    ) -> list[tuple[_Claimed, dict[str, Any]]]:
        """Start sending what should go; return the outcomes of what should not."""
        now = self.clock()
        outcomes = []
        for item in claimed:
            start = item.facts.start if item.facts else None
            decision = decide(item.template, item.appointment_status, start, now)
            if decision.action == "send":
                in_flight[pool.submit(self._attempt, item, summary)] = item
                continue
            summary.count("skipped")
            values: dict[str, Any]
            if decision.action == "cancel":
                values = {"status": EmailStatus.CANCELED.value, "status_reason": decision.reason}
            else:
                values = {"send_at": now + FEEDBACK_RECHECK, "status_reason": decision.reason}
            outcomes.append((item, values))
        return outcomes

    def _attempt(self, item: _Claimed, summary: Summary) -> dict[str, Any]:
        """Send one email (in a worker thread); the row's new values, to be written."""
        try:
            message_id = self._send(item)
        except _LeaseTooShort:
            return {}  # release untouched; the next run sends it
        except EmailSendError as error:
            return self._failure(item, error, summary)
        summary.count("sent")
        return {
            "status": EmailStatus.SENT.value,
            "attempts": item.attempts + 1,
            "sent_at": self.clock(),
            "provider_message_id": message_id,
        }

    def _send(self, item: _Claimed) -> str | None:
        """Compose and send one email; raises EmailSendError."""
        now = self.clock()
        if now > item.claimed_until - self._margin:
            raise _LeaseTooShort
        assert item.facts is not None  # decide() cancels rows without an appointment
        try:
            email = compose(
                event_id=str(item.id),
                template=item.template,
                language=item.language,
                recipient=item.recipient,
                idempotency_key=item.idempotency_key,
                payload=item.payload,
                facts=item.facts,
                sender=self._sender,
                now=now,
            )
        except ValueError as error:
            raise PermanentEmailError(f"the message could not be built: {error}") from None
        return self._thread_sender().send(email)

    def _failure(self, item: _Claimed, error: EmailSendError, summary: Summary) -> dict[str, Any]:
        attempts = item.attempts + 1
        text = _error_text(error)
        summary.error(f"{item.template} to {item.recipient}: {text}")
        transient = isinstance(error, TransientEmailError)
        if transient and attempts < self.settings.email_max_attempts:
            summary.count("retrying")
            return {
                "attempts": attempts,
                "last_error": text,
                "send_at": self.clock() + retry_delay(attempts),
            }
        summary.count("failed")
        return {
            "status": EmailStatus.FAILED.value,
            "attempts": attempts,
            "last_error": text,
            "status_reason": f"gave up after {attempts} attempts" if transient else None,
        }

    def _write(self, outcomes: list[tuple[_Claimed, dict[str, Any]]]) -> None:
        """Write outcomes and release the claims, only where this run still holds them.

        Outcomes that change the same columns share one executemany statement.
        """
        stamp = {"claimed_by": None, "claimed_until": None, "updated_at": self.clock()}
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for item, values in outcomes:
            row = {**values, **stamp}
            groups.setdefault(tuple(sorted(row)), []).append(
                {**{f"new_{key}": value for key, value in row.items()}, "row_id": item.id}
            )
        with writer(self.app.engine).begin() as conn:
            for columns, rows in groups.items():
                conn.execute(_outcome_statement(columns, self.run_id), rows)


def _outcome_statement(columns: tuple[str, ...], run_id: str) -> Any:
    return (
        update(EVENTS)
        .where(EVENTS.c.id == bindparam("row_id"), EVENTS.c.claimed_by == run_id)
        .values({column: bindparam(f"new_{column}") for column in columns})
    )


class _LeaseTooShort(Exception):
    """The run's claim would expire before the provider's timeout; leave the row."""


def _error_text(error: BaseException) -> str:
    return (str(error) or type(error).__name__)[:MAX_ERROR]


def _status_value(status: Any) -> str | None:
    return None if status is None else str(getattr(status, "value", status))


# --- a backlog shared by several processes ---------------------------------------------


def run_job(app: App, *, limit: int | None = None) -> Summary:
    """The ``send-reminders`` job: complete finished appointments, then send what is due.

    A large backlog is shared by helper processes forked from this one (one per CPU, or
    ``BOOKCTL_EMAIL_PROCESSES``): rendering and HTTP are CPU-bound in Python, and the
    row claims already make it safe for any number of runs to send side by side.
    """
    delivery = Delivery(app)
    summary = Summary()
    if app.settings.auto_complete:
        summary.completed = delivery.complete_finished()
    helpers = _helpers_wanted(delivery, limit)
    children = [_fork_helper(app) for _ in range(helpers)]
    summary.processes = 1 + len(children)
    _merge(summary, delivery.run(limit=limit, complete=False).as_json())
    for process, results in children:
        process.join()
        if results.poll():
            _merge(summary, results.recv())
        else:
            summary.error(f"a helper sending process exited with code {process.exitcode}")
    return summary


def _helpers_wanted(delivery: Delivery, limit: int | None) -> int:
    import multiprocessing
    import os

    settings = delivery.settings
    processes = settings.email_processes or os.cpu_count() or 1
    if processes <= 1 or limit is not None or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    # Only a backlog of several batches per process is worth a fork.
    threshold = settings.email_batch_size * 2
    due = delivery.count_due(cap=threshold * processes)
    return min(processes - 1, due // threshold)


def _fork_helper(app: App) -> tuple[Any, Any]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_helper_main, args=(app, send), daemon=True)
    process.start()
    send.close()
    return process, receive


def _helper_main(app: App, results: Any) -> None:
    # The parent's pooled connections belong to the parent: open fresh ones.
    app.engine.dispose(close=False)
    results.send(Delivery(app).run(complete=False).as_json())


def _merge(total: Summary, part: dict[str, Any]) -> None:
    for outcome in ("sent", "failed", "retrying", "skipped"):
        total.count(outcome, part[outcome])
    for line in part["errors"]:
        total.error(line)
