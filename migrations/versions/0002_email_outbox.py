"""Transactional email outbox, and the appointment's invitation sequence.

Revision ID: 0002_email_outbox
Revises: 0001_core
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bookctl.store.db import UTCDateTime

revision = "0002_email_outbox"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TEMPLATES = (
    "welcome",
    "booking_confirmation",
    "reminder_24h",
    "reminder_1h",
    "post_session_feedback",
    "cancellation",
    "reschedule",
)
STATUSES = ("queued", "sent", "failed", "canceled")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        # Grows with every change a calendar client must see (reschedule, cancel).
        batch.add_column(
            sa.Column("ics_sequence", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "email_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("template", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("provider_message_id", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("send_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("status_reason", sa.String(200), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_email_events"),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name="fk_email_events_appointment_id_appointments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_email_events_idempotency_key"),
        sa.CheckConstraint(f"status IN ({_quoted(STATUSES)})", name="ck_email_events_status"),
        sa.CheckConstraint(f"template IN ({_quoted(TEMPLATES)})", name="ck_email_events_template"),
        sa.CheckConstraint("attempts >= 0", name="ck_email_events_attempts_non_negative"),
    )
    # The job's claim query: queued rows by due time.
    op.create_index("ix_email_events_status_send_at", "email_events", ["status", "send_at"])
    op.create_index("ix_email_events_appointment_id", "email_events", ["appointment_id"])


def downgrade() -> None:
    op.drop_table("email_events")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("ics_sequence")
