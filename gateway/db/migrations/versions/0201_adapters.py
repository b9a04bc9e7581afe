"""adapters

Revision ID: 0201
Revises: 0001
Create Date: 2026-11-28 22:08:19.971924
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.base

revision = "0201"
down_revision = "0001"
branch_labels = ("adapters",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("source_format", sa.String(length=40), nullable=False),
        sa.Column("profile", sa.String(length=80), nullable=True),
        sa.Column("company_id", sa.String(length=40), nullable=False),
        sa.Column("company_name", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("software", sa.String(length=200), nullable=True),
        sa.Column("vat_number", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("total_debit", sa.Numeric(precision=22, scale=4), nullable=False),
        sa.Column("total_credit", sa.Numeric(precision=22, scale=4), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.String(length=500), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_ledger_versions_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_versions")),
        sa.UniqueConstraint(
            "organisation_id",
            "period_start",
            "period_end",
            "version",
            name=op.f("uq_ledger_versions_organisation_id_period_start_period_end_version"),
        ),
        sa.UniqueConstraint(
            "organisation_id", "sha256", name=op.f("uq_ledger_versions_organisation_id_sha256")
        ),
    )
    with op.batch_alter_table("ledger_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_versions_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("standard_account", sa.String(length=200), nullable=True),
        sa.Column("grouping_category", sa.String(length=200), nullable=True),
        sa.Column("grouping_code", sa.String(length=200), nullable=True),
        sa.Column("opening_balance", sa.Numeric(precision=22, scale=4), nullable=False),
        sa.Column("closing_balance", sa.Numeric(precision=22, scale=4), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"],
            ["ledger_versions.id"],
            name=op.f("fk_ledger_accounts_ledger_id_ledger_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint(
            "ledger_id", "account_id", name=op.f("uq_ledger_accounts_ledger_id_account_id")
        ),
    )
    op.create_table(
        "ledger_journals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("journal_id", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"],
            ["ledger_versions.id"],
            name=op.f("fk_ledger_journals_ledger_id_ledger_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_journals")),
        sa.UniqueConstraint(
            "ledger_id", "journal_id", name=op.f("uq_ledger_journals_ledger_id_journal_id")
        ),
    )
    op.create_table(
        "ledger_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=200), nullable=False),
        sa.Column("journal_id", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("tx_description", sa.Text(), nullable=False),
        sa.Column("tx_period", sa.String(length=20), nullable=True),
        sa.Column("tx_source_line", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=22, scale=4), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tax_code", sa.String(length=40), nullable=True),
        sa.Column("tax_base", sa.Numeric(precision=22, scale=4), nullable=True),
        sa.Column("tax_amount", sa.Numeric(precision=22, scale=4), nullable=True),
        sa.Column("party_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"],
            ["ledger_versions.id"],
            name=op.f("fk_ledger_lines_ledger_id_ledger_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lines")),
    )
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_lines_ledger_seq", ["ledger_id", "seq"], unique=False)

    op.create_table(
        "ledger_parties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("registration_number", sa.String(length=40), nullable=True),
        sa.Column("vat_number", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"],
            ["ledger_versions.id"],
            name=op.f("fk_ledger_parties_ledger_id_ledger_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_parties")),
        sa.UniqueConstraint(
            "ledger_id", "kind", "party_id", name=op.f("uq_ledger_parties_ledger_id_kind_party_id")
        ),
    )
    op.create_table(
        "ledger_tax_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("rate", sa.Numeric(precision=22, scale=4), nullable=True),
        sa.Column("standard_code", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"],
            ["ledger_versions.id"],
            name=op.f("fk_ledger_tax_codes_ledger_id_ledger_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_tax_codes")),
        sa.UniqueConstraint("ledger_id", "code", name=op.f("uq_ledger_tax_codes_ledger_id_code")),
    )


def downgrade() -> None:
    op.drop_table("ledger_tax_codes")
    op.drop_table("ledger_parties")
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_lines_ledger_seq")

    op.drop_table("ledger_lines")
    op.drop_table("ledger_journals")
    op.drop_table("ledger_accounts")
    with op.batch_alter_table("ledger_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_versions_organisation_id"))

    op.drop_table("ledger_versions")
