"""keys: API keys expire, and a rotated key names the key it replaced

Revision ID: 0901
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.base

revision = "0901"
down_revision = "0001"
branch_labels = ("keys",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column("expires_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("replaces", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("replaces")
        batch.drop_column("expires_at")
