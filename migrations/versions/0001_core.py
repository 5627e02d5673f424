"""Core scheduling tables: services, rules, overrides, time off, busy times, appointments.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bookctl.store.db import UTCDateTime

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("pending", "confirmed", "completed", "canceled")

# SQLite has no exclusion constraints: these triggers are the safety net behind
# BEGIN IMMEDIATE. Timestamps are stored as fixed-format UTC text, so text order is time order.
_SQLITE_OVERLAP_CHECK = """
    WHEN NEW.status IN ('pending', 'confirmed') AND EXISTS (
        SELECT 1 FROM appointments AS other
        WHERE other.id != NEW.id
          AND other.status IN ('pending', 'confirmed')
          AND other.blocked_start < NEW.blocked_end
          AND NEW.blocked_start < other.blocked_end
    )
    BEGIN
        SELECT RAISE(ABORT, 'bookctl_appointment_overlap');
    END
"""


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("slot_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False, server_default="60"),
        sa.Column("max_advance_days", sa.Integer(), nullable=False, server_default="60"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
        sa.CheckConstraint("duration_minutes > 0", name="ck_services_duration_positive"),
        sa.CheckConstraint("slot_interval_minutes > 0", name="ck_services_interval_positive"),
        sa.CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0",
            name="ck_services_buffers_non_negative",
        ),
    )
    op.create_table(
        "availability_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_availability_rules"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_availability_rules_weekday"),
        sa.CheckConstraint(
            "end_time IS NULL OR end_time > start_time", name="ck_availability_rules_order"
        ),
    )
    op.create_index("ix_availability_rules_weekday", "availability_rules", ["weekday"])
    op.create_table(
        "availability_overrides",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_availability_overrides"),
        sa.CheckConstraint(
            "closed OR start_time IS NOT NULL", name="ck_availability_overrides_hours"
        ),
    )
    op.create_index("ix_availability_overrides_day", "availability_overrides", ["day"])
    op.create_table(
        "time_off_blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_time_off_blocks"),
        sa.CheckConstraint("end_at > start_at", name="ck_time_off_blocks_order"),
    )
    op.create_index("ix_time_off_blocks_range", "time_off_blocks", ["start_at", "end_at"])
    op.create_table(
        "busy_times",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(512), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_busy_times"),
        sa.UniqueConstraint(
            "source", "external_id", "start_at", name="uq_busy_times_source_external_start"
        ),
        sa.CheckConstraint("end_at > start_at", name="ck_busy_times_order"),
    )
    op.create_index("ix_busy_times_range", "busy_times", ["start_at", "end_at"])

    status = sa.Enum(*STATUSES, name="appointment_status", create_constraint=True)
    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("service_id", sa.String(63), nullable=False),
        sa.Column("customer_name", sa.String(200), nullable=False),
        sa.Column("customer_email", sa.String(254), nullable=False),
        sa.Column("scheduled_start", UTCDateTime(), nullable=False),
        sa.Column("scheduled_end", UTCDateTime(), nullable=False),
        sa.Column("blocked_start", UTCDateTime(), nullable=False),
        sa.Column("blocked_end", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("order_id", sa.String(200), nullable=True),
        sa.Column("cancel_reason", sa.String(500), nullable=True),
        sa.Column("canceled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appointments"),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_appointments_service_id_services"
        ),
        sa.CheckConstraint("scheduled_end > scheduled_start", name="ck_appointments_order"),
        sa.CheckConstraint(
            "blocked_start <= scheduled_start AND blocked_end >= scheduled_end",
            name="ck_appointments_blocked_covers_session",
        ),
    )
    op.create_index("ix_appointments_status", "appointments", ["status"])
    op.create_index("ix_appointments_service_id", "appointments", ["service_id"])
    op.create_index("ix_appointments_customer_email", "appointments", ["customer_email"])
    op.create_index("ix_appointments_scheduled_start", "appointments", ["scheduled_start"])
    op.create_index("ix_appointments_blocked", "appointments", ["blocked_start", "blocked_end"])

    if op.get_bind().dialect.name == "postgresql":
        # The double-booking guarantee: no two active appointments' buffered ranges overlap.
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap "
            "EXCLUDE USING gist (tstzrange(blocked_start, blocked_end, '[)') WITH &&) "
            "WHERE (status IN ('pending', 'confirmed'))"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_appointments_no_overlap_insert "
            "BEFORE INSERT ON appointments FOR EACH ROW " + _SQLITE_OVERLAP_CHECK
        )
        op.execute(
            "CREATE TRIGGER trg_appointments_no_overlap_update "
            "BEFORE UPDATE OF status, blocked_start, blocked_end ON appointments FOR EACH ROW "
            + _SQLITE_OVERLAP_CHECK
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_appointments_no_overlap_update")
        op.execute("DROP TRIGGER IF EXISTS trg_appointments_no_overlap_insert")
    op.drop_table("appointments")
    sa.Enum(name="appointment_status").drop(op.get_bind(), checkfirst=True)
    op.drop_table("busy_times")
    op.drop_table("time_off_blocks")
    op.drop_table("availability_overrides")
    op.drop_table("availability_rules")
    op.drop_table("services")
