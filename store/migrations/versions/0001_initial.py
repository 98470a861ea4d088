"""Initial schema: blocks, overrides, stamkort, calendar feeds and the access log.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out by hand rather than imported from store.tables: a migration must keep meaning what it
# meant when it was written, whatever the current model says.
TZ = sa.DateTime(timezone=True)
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("patient_cpr", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("valid_from", TZ, nullable=False),
        sa.Column("valid_to", TZ, nullable=True),
        sa.Column("authorisation_id", sa.String(64), nullable=True),
        sa.Column("sor", sa.String(64), nullable=True),
        sa.Column("include_subunits", sa.Boolean(), nullable=False),
        sa.Column("period_start", TZ, nullable=True),
        sa.Column("period_end", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(10), nullable=False),
        sa.Column("created_by_role", sa.String(20), nullable=False),
        sa.Column("ended_at", TZ, nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_blocks"),
        sa.CheckConstraint(
            "kind IN ('professional', 'treatment_place', 'period')", name="ck_blocks_kind"
        ),
    )
    op.create_index("ix_blocks_patient_cpr_created_at", "blocks", ["patient_cpr", "created_at"])

    op.create_table(
        "overrides",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("patient_cpr", sa.String(10), nullable=False),
        sa.Column("authorisation_id", sa.String(64), nullable=False),
        sa.Column("clinician_name", sa.String(200), nullable=False),
        sa.Column("sor", sa.String(64), nullable=True),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_overrides"),
        sa.CheckConstraint(
            "basis IN ('consent_now', 'patient_unreachable')", name="ck_overrides_basis"
        ),
    )
    op.create_index(
        "ix_overrides_patient_cpr_authorisation_id_expires_at",
        "overrides",
        ["patient_cpr", "authorisation_id", "expires_at"],
    )

    op.create_table(
        "stamkort_heads",
        sa.Column("patient_cpr", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("patient_cpr", name="pk_stamkort_heads"),
    )

    op.create_table(
        "stamkort_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_cpr", sa.String(10), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entered_at", TZ, nullable=False),
        sa.Column("entered_by_id", sa.String(64), nullable=False),
        sa.Column("entered_by_name", sa.String(200), nullable=False),
        sa.Column("entered_by_role", sa.String(20), nullable=False),
        sa.Column("entered_by_org_sor", sa.String(64), nullable=True),
        sa.Column("entered_by_org_name", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stamkort_values"),
        sa.UniqueConstraint(
            "patient_cpr", "field", "version", name="uq_stamkort_values_patient_cpr_field_version"
        ),
    )

    op.create_table(
        "calendar_feeds",
        sa.Column("patient_cpr", sa.String(10), nullable=False),
        sa.Column("owner_cpr", sa.String(10), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("patient_cpr", "owner_cpr", name="pk_calendar_feeds"),
        sa.UniqueConstraint("token", name="uq_calendar_feeds_token"),
    )

    op.create_table(
        "access_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("patient_cpr", sa.String(10), nullable=False),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("actor_org_sor", sa.String(64), nullable=True),
        sa.Column("actor_org_name", sa.String(200), nullable=True),
        sa.Column("on_behalf_of", sa.String(10), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("override_id", sa.String(32), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_access_log"),
        sa.UniqueConstraint("id", name="uq_access_log_id"),
    )
    op.create_index("ix_access_log_patient_cpr_seq", "access_log", ["patient_cpr", "seq"])
    op.create_index("ix_access_log_at", "access_log", ["at"])

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("anchor_seq", sa.BigInteger(), nullable=False),
        sa.Column("anchor_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
        sa.CheckConstraint("id = 1", name="ck_audit_head_single_row"),
    )
    # The chain's genesis: appends only ever UPDATE this row, so it must exist from the start.
    op.bulk_insert(
        head,
        [{"id": 1, "seq": 0, "hash": GENESIS_HASH, "anchor_seq": 0, "anchor_hash": GENESIS_HASH}],
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_index("ix_access_log_patient_cpr_seq", table_name="access_log")
    op.drop_table("access_log")
    op.drop_table("calendar_feeds")
    op.drop_table("stamkort_values")
    op.drop_table("stamkort_heads")
    op.drop_index("ix_overrides_patient_cpr_authorisation_id_expires_at", table_name="overrides")
    op.drop_table("overrides")
    op.drop_index("ix_blocks_patient_cpr_created_at", table_name="blocks")
    op.drop_table("blocks")
