"""reporting: an annual report is kept per format (XBRL instance and Inline XBRL)

Revision ID: 0302
Revises: 0301
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0302"
down_revision = "0301"
branch_labels = None
depends_on = None

_OLD = "uq_reports_organisation_id_kind_period_ledger_id"
_NEW = "uq_reports_organisation_id_kind_period_ledger_id_format"


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("format", sa.String(length=8), nullable=False, server_default="xbrl")
        )
        batch.drop_constraint(_OLD, type_="unique")
        batch.create_unique_constraint(
            _NEW, ["organisation_id", "kind", "period", "ledger_id", "format"]
        )


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint(_NEW, type_="unique")
        batch.create_unique_constraint(_OLD, ["organisation_id", "kind", "period", "ledger_id"])
        batch.drop_column("format")
