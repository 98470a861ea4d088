"""Calendar feeds get an id and a last-confirmed time.

A feed serves only while its owner keeps confirming it with a valid token (a relative's within
``policy.feed_confirm_days``), so each feed remembers when that last happened; the patient lists
and revokes every feed on her data by an id that is not the secret. Existing feeds count as
confirmed when they were made: a relative's feed older than the bound stops until its owner
confirms it again, which is the point (it may have outlived the fuldmagt).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.add_column(sa.Column("id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("confirmed_at", TZ, nullable=True))
    conn = op.get_bind()
    feeds = sa.table(
        "calendar_feeds",
        sa.column("patient_cpr", sa.String),
        sa.column("owner_cpr", sa.String),
        sa.column("id", sa.String),
        sa.column("created_at", TZ),
        sa.column("confirmed_at", TZ),
    )
    conn.execute(sa.update(feeds).values(confirmed_at=feeds.c.created_at))
    for row in conn.execute(sa.select(feeds.c.patient_cpr, feeds.c.owner_cpr)).all():
        conn.execute(
            sa.update(feeds)
            .where(feeds.c.patient_cpr == row.patient_cpr, feeds.c.owner_cpr == row.owner_cpr)
            .values(id=uuid.uuid4().hex)
        )
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.alter_column("id", existing_type=sa.String(32), nullable=False)
        batch.alter_column("confirmed_at", existing_type=TZ, nullable=False)
        batch.create_unique_constraint("uq_calendar_feeds_id", ["id"])


def downgrade() -> None:
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.drop_constraint("uq_calendar_feeds_id", type_="unique")
        batch.drop_column("confirmed_at")
        batch.drop_column("id")
