"""reporting

Revision ID: 0301
Revises: 0001
Create Date: 2026-11-28 22:08:19.971924
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.base

revision = "0301"
down_revision = "0001"
branch_labels = ("reporting",)
# Reports name the ledger version they used.
depends_on = ("0201",)


def upgrade() -> None:
    op.create_table(
        "reporting_calendar",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reporting_calendar_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_calendar")),
        sa.UniqueConstraint(
            "organisation_id",
            "period_start",
            "period_end",
            name=op.f("uq_reporting_calendar_organisation_id_period_start_period_end"),
        ),
    )
    with op.batch_alter_table("reporting_calendar", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_calendar_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "reporting_profiles",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("se", sa.String(length=16), nullable=False),
        sa.Column("auto_submit", sa.Boolean(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("calendar_fetched_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reporting_profiles_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_profiles")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_reporting_profiles_organisation_id")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("ledger_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=True),
        sa.Column("validation", sa.JSON(), nullable=True),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_id"], ["ledger_versions.id"], name=op.f("fk_reports_ledger_id_ledger_versions")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reports_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "organisation_id",
            "kind",
            "period",
            "ledger_id",
            name=op.f("uq_reports_organisation_id_kind_period_ledger_id"),
        ),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_ledger_id"), ["ledger_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reports_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "reporting_notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reporting_notifications_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_reporting_notifications_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_notifications")),
        sa.UniqueConstraint(
            "report_id", "channel", name=op.f("uq_reporting_notifications_report_id_channel")
        ),
    )
    with op.batch_alter_table("reporting_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_notifications_organisation_id"),
            ["organisation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_notifications_organisation_id"))

    op.drop_table("reporting_notifications")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_reports_ledger_id"))

    op.drop_table("reports")
    op.drop_table("reporting_profiles")
    with op.batch_alter_table("reporting_calendar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_calendar_organisation_id"))

    op.drop_table("reporting_calendar")
