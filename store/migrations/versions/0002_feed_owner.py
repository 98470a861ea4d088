"""Calendar feeds remember who owns them and until when: a relative's feed ends with the
fuldmagt, and its use is written to the access log with the relative's name.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.add_column(
            sa.Column("owner_role", sa.String(20), nullable=False, server_default="citizen")
        )
        batch.add_column(sa.Column("owner_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("owner_name")
        batch.drop_column("owner_role")
