"""tendering: the restricted procedure (requests to participate, selection)

Revision ID: 0102
Revises: 0101
Create Date: 2026-11-28 22:56:48.941457
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.base

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tender_participation_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("buyer_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_cvr", sa.String(length=40), nullable=False),
        sa.Column("received_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("espd_sha256", sa.String(length=64), nullable=False),
        sa.Column("espd_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=True),
        sa.Column("decided_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["buyer_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_participation_requests_buyer_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_participation_requests_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_tender_participation_requests_tender_id_tenders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_participation_requests")),
        sa.UniqueConstraint(
            "tender_id",
            "organisation_id",
            name=op.f("uq_tender_participation_requests_tender_id_organisation_id"),
        ),
    )
    with op.batch_alter_table("tender_participation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_participation_requests_buyer_organisation_id"),
            ["buyer_organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_tender_participation_requests_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_tender_participation_requests_tender_id"), ["tender_id"], unique=False
        )

    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("request_deadline", gateway.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("min_candidates", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_candidates", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("selected_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_column("selected_at")
        batch_op.drop_column("max_candidates")
        batch_op.drop_column("min_candidates")
        batch_op.drop_column("request_deadline")

    with op.batch_alter_table("tender_participation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_participation_requests_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_participation_requests_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_tender_participation_requests_buyer_organisation_id"))

    op.drop_table("tender_participation_requests")
