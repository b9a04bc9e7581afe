"""tendering

Revision ID: 0101
Revises: 0001
Create Date: 2026-11-28 21:52:02.008667
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.base

revision = "0101"
down_revision = "0001"
branch_labels = ("tendering",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplier_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_supplier_keys_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_keys")),
        sa.UniqueConstraint(
            "organisation_id",
            "fingerprint",
            name=op.f("uq_supplier_keys_organisation_id_fingerprint"),
        ),
    )
    with op.batch_alter_table("supplier_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_keys_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "tenders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contract_nature", sa.String(length=16), nullable=False),
        sa.Column("cpv_code", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("estimated_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("procedure", sa.String(length=24), nullable=False),
        sa.Column("deadline", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("questions_deadline", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("standstill_days", sa.Integer(), nullable=False),
        sa.Column("selection_criteria", sa.JSON(), nullable=False),
        sa.Column("opening_threshold", sa.Integer(), nullable=False),
        sa.Column("opening_holders", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=True),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("published_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("standstill_ends", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("awarded_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opening_record_sha256", sa.String(length=64), nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tenders_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenders")),
        sa.UniqueConstraint(
            "organisation_id", "reference", name=op.f("uq_tenders_organisation_id_reference")
        ),
    )
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tenders_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tenders_status"), ["status"], unique=False)

    op.create_table(
        "bids",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("buyer_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_id", sa.String(length=40), nullable=False),
        sa.Column("lot_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("envelope_sha256", sa.String(length=64), nullable=False),
        sa.Column("envelope_size", sa.Integer(), nullable=False),
        sa.Column("received_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaces_bid_id", sa.String(length=36), nullable=True),
        sa.Column("confirmed_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt_submission_id", sa.String(length=36), nullable=True),
        sa.Column("readable", sa.Boolean(), nullable=True),
        sa.Column("signature_valid", sa.Boolean(), nullable=True),
        sa.Column("opening_problem", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=True),
        sa.Column("signing_key_fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["buyer_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_bids_buyer_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_bids_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_submission_id"],
            ["submissions.id"],
            name=op.f("fk_bids_receipt_submission_id_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_bid_id"], ["bids.id"], name=op.f("fk_bids_replaces_bid_id_bids")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_bids_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bids")),
        sa.UniqueConstraint(
            "tender_id", "envelope_sha256", name=op.f("uq_bids_tender_id_envelope_sha256")
        ),
    )
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bids_buyer_organisation_id"), ["buyer_organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bids_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bids_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "tender_corrigenda",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("deadline_before", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_after", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_corrigenda_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_corrigenda_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_corrigenda")),
    )
    with op.batch_alter_table("tender_corrigenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_corrigenda_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tender_corrigenda_tender_id"), ["tender_id"], unique=False
        )

    op.create_table(
        "tender_documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient_organisation_id", sa.String(length=36), nullable=True),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_documents_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_documents_recipient_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_documents_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_documents")),
    )
    with op.batch_alter_table("tender_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_documents_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tender_documents_tender_id"), ["tender_id"], unique=False
        )

    op.create_table(
        "tender_interests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_interests_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_interests_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_interests")),
        sa.UniqueConstraint(
            "tender_id",
            "organisation_id",
            name=op.f("uq_tender_interests_tender_id_organisation_id"),
        ),
    )
    with op.batch_alter_table("tender_interests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_interests_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tender_interests_tender_id"), ["tender_id"], unique=False
        )

    op.create_table(
        "tender_lots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("estimated_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("award_method", sa.String(length=24), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_lots_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_lots_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_lots")),
        sa.UniqueConstraint("tender_id", "lot_id", name=op.f("uq_tender_lots_tender_id_lot_id")),
    )
    with op.batch_alter_table("tender_lots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_lots_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tender_lots_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "tender_opening_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("delivered_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("member_public_key", sa.String(length=64), nullable=True),
        sa.Column("sealed_share", sa.Text(), nullable=True),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_opening_members_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["principals.id"],
            name=op.f("fk_tender_opening_members_principal_id_principals"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_opening_members_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_opening_members")),
        sa.UniqueConstraint(
            "tender_id",
            "principal_id",
            name=op.f("uq_tender_opening_members_tender_id_principal_id"),
        ),
        sa.UniqueConstraint(
            "tender_id", "share_index", name=op.f("uq_tender_opening_members_tender_id_share_index")
        ),
    )
    with op.batch_alter_table("tender_opening_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_opening_members_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_tender_opening_members_tender_id"), ["tender_id"], unique=False
        )

    op.create_table(
        "tender_opening_shares",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("share_text", sa.Text(), nullable=True),
        sa.Column("handed_in_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_opening_shares_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["principals.id"],
            name=op.f("fk_tender_opening_shares_principal_id_principals"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_opening_shares_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_opening_shares")),
        sa.UniqueConstraint(
            "tender_id", "share_index", name=op.f("uq_tender_opening_shares_tender_id_share_index")
        ),
    )
    with op.batch_alter_table("tender_opening_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_opening_shares_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_tender_opening_shares_tender_id"), ["tender_id"], unique=False
        )

    op.create_table(
        "tender_questions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("asked_by_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asked_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_questions_asked_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_questions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_questions_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_questions")),
    )
    with op.batch_alter_table("tender_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_questions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tender_questions_tender_id"), ["tender_id"], unique=False
        )

    op.create_table(
        "tender_awards",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("lot_id", sa.String(length=40), nullable=False),
        sa.Column("bid_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("awarded_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], name=op.f("fk_tender_awards_bid_id_bids")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_awards_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_awards_supplier_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_awards_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_awards")),
        sa.UniqueConstraint("tender_id", "lot_id", name=op.f("uq_tender_awards_tender_id_lot_id")),
    )
    with op.batch_alter_table("tender_awards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_awards_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tender_awards_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "tender_contracts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("award_id", sa.String(length=36), nullable=False),
        sa.Column("lot_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("buyer_signature_sha256", sa.String(length=64), nullable=True),
        sa.Column("buyer_signer", sa.String(length=300), nullable=True),
        sa.Column("buyer_signed_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("supplier_signature_sha256", sa.String(length=64), nullable=True),
        sa.Column("supplier_signer", sa.String(length=300), nullable=True),
        sa.Column("supplier_signed_at", gateway.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("starts_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", gateway.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["tender_awards.id"],
            name=op.f("fk_tender_contracts_award_id_tender_awards"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_contracts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_contracts_supplier_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_contracts_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_contracts")),
        sa.UniqueConstraint("award_id", name=op.f("uq_tender_contracts_award_id")),
    )
    with op.batch_alter_table("tender_contracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tender_contracts_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tender_contracts_supplier_organisation_id"),
            ["supplier_organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_tender_contracts_tender_id"), ["tender_id"], unique=False
        )

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entries_chain"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_entries_chain_seq"), ["chain", "seq"]
        )

    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_role_grants_principal_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_role_grants_principal_id_organisation_id_role"),
            ["principal_id", "organisation_id", "role"],
        )

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_submissions_organisation_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_submissions_organisation_id_idempotency_key"),
            ["organisation_id", "idempotency_key"],
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_submissions_organisation_id_idempotency_key"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_submissions_organisation_id"), ["organisation_id", "idempotency_key"]
        )

    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_role_grants_principal_id_organisation_id_role"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_role_grants_principal_id"), ["principal_id", "organisation_id", "role"]
        )

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entries_chain_seq"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entries_chain"), ["chain", "seq"])

    with op.batch_alter_table("tender_contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_contracts_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_contracts_supplier_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_tender_contracts_organisation_id"))

    op.drop_table("tender_contracts")
    with op.batch_alter_table("tender_awards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_awards_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_awards_organisation_id"))

    op.drop_table("tender_awards")
    with op.batch_alter_table("tender_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_questions_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_questions_organisation_id"))

    op.drop_table("tender_questions")
    with op.batch_alter_table("tender_opening_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_opening_shares_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_opening_shares_organisation_id"))

    op.drop_table("tender_opening_shares")
    with op.batch_alter_table("tender_opening_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_opening_members_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_opening_members_organisation_id"))

    op.drop_table("tender_opening_members")
    with op.batch_alter_table("tender_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_lots_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_lots_organisation_id"))

    op.drop_table("tender_lots")
    with op.batch_alter_table("tender_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_interests_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_interests_organisation_id"))

    op.drop_table("tender_interests")
    with op.batch_alter_table("tender_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_documents_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_documents_organisation_id"))

    op.drop_table("tender_documents")
    with op.batch_alter_table("tender_corrigenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_corrigenda_tender_id"))
        batch_op.drop_index(batch_op.f("ix_tender_corrigenda_organisation_id"))

    op.drop_table("tender_corrigenda")
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bids_tender_id"))
        batch_op.drop_index(batch_op.f("ix_bids_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_bids_buyer_organisation_id"))

    op.drop_table("bids")
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenders_status"))
        batch_op.drop_index(batch_op.f("ix_tenders_organisation_id"))

    op.drop_table("tenders")
    with op.batch_alter_table("supplier_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_keys_organisation_id"))

    op.drop_table("supplier_keys")
