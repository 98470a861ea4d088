"""The gateway's own tables, as ``METADATA`` (SQLAlchemy Core).

The gateway stores only what no source system owns: patients' blocks and clinicians' overrides,
self-entered stamkort fields, calendar-feed tokens and the hash-chained access log. Everything
runs on PostgreSQL in production and on one SQLite file for the demo and tests, so the schema
sticks to portable types and every datetime column goes through :class:`UTCDateTime`.

The schema itself is created by the hand-written Alembic migrations in ``store/migrations``;
``METADATA`` mirrors them (``tests/test_db.py`` checks that the two do not drift).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

GENESIS_HASH = "0" * 64

# Stable constraint names, so the hand-written migrations and METADATA name things alike.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone type: SQLAlchemy stores the wall-clock digits and drops ``tzinfo``, so
    values are normalised to UTC before they are written and marked UTC again when read. A naive
    datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}; the gateway stores only aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


METADATA = MetaData(naming_convention=NAMING)

blocks = Table(
    "blocks",
    METADATA,
    Column("id", String(32), primary_key=True),
    Column("patient_cpr", String(10), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_to", UTCDateTime),
    Column("authorisation_id", String(64)),
    Column("sor", String(64)),
    Column("include_subunits", Boolean, nullable=False),
    Column("period_start", UTCDateTime),
    Column("period_end", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(10), nullable=False),
    Column("created_by_role", String(20), nullable=False),
    Column("ended_at", UTCDateTime),
    Column("ended_by", String(64)),
    CheckConstraint("kind IN ('professional', 'treatment_place', 'period')", name="kind"),
    Index(None, "patient_cpr", "created_at"),
)

overrides = Table(
    "overrides",
    METADATA,
    Column("id", String(32), primary_key=True),
    Column("patient_cpr", String(10), nullable=False),
    Column("authorisation_id", String(64), nullable=False),
    Column("clinician_name", String(200), nullable=False),
    Column("sor", String(64)),
    Column("basis", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    CheckConstraint("basis IN ('consent_now', 'patient_unreachable')", name="basis"),
    Index(None, "patient_cpr", "authorisation_id", "expires_at"),
)

# One row per patient: the optimistic-concurrency version of the whole stamkort.
stamkort_heads = Table(
    "stamkort_heads",
    METADATA,
    Column("patient_cpr", String(10), primary_key=True),
    Column("version", Integer, nullable=False),
)

# Append-only: every value ever entered, with who entered it. The current value of a field is its
# row with the highest version; a JSON ``null`` value means the field was cleared.
stamkort_values = Table(
    "stamkort_values",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_cpr", String(10), nullable=False),
    Column("field", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("entered_at", UTCDateTime, nullable=False),
    Column("entered_by_id", String(64), nullable=False),
    Column("entered_by_name", String(200), nullable=False),
    Column("entered_by_role", String(20), nullable=False),
    Column("entered_by_org_sor", String(64)),
    Column("entered_by_org_name", String(200)),
    UniqueConstraint("patient_cpr", "field", "version"),
)

# One row per (patient, owner): rotating overwrites the token in one upsert, so racing rotations
# cannot leave two live tokens, and a replaced or revoked token is gone.
calendar_feeds = Table(
    "calendar_feeds",
    METADATA,
    Column("patient_cpr", String(10), primary_key=True),
    Column("owner_cpr", String(10), primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("owner_role", String(20), nullable=False, server_default="citizen"),
    Column("owner_name", String(200), nullable=False, server_default=""),
    # A relative's feed ends with the fuldmagt; a citizen's has no end.
    Column("expires_at", UTCDateTime, nullable=True),
    # The id the patient lists and revokes the feed by (never the secret token).
    Column("id", String(32), nullable=False, unique=True),
    # When the owner last confirmed the feed with a valid token; the feed lapses a policy-set
    # number of days later (see store/feedstore.py).
    Column("confirmed_at", UTCDateTime, nullable=False),
)

# Append-only. ``seq`` is handed out by ``audit_head``, never by the database's own sequence, so
# that the number and the chain position are decided under the same lock.
access_log = Table(
    "access_log",
    METADATA,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(32), nullable=False, unique=True),
    Column("at", UTCDateTime, nullable=False),
    Column("patient_cpr", String(10), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("actor_org_sor", String(64)),
    Column("actor_org_name", String(200)),
    Column("on_behalf_of", String(10)),
    Column("action", String(32), nullable=False),
    Column("categories", Text, nullable=False),
    Column("override_id", String(32)),
    Column("override_reason", Text),
    Column("request_id", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "patient_cpr", "seq"),
    Index(None, "at"),
)

# Exactly one row (id = 1): the last appended entry and the anchor left by purging. Appends lock it
# first, which makes it the single point that orders the chain across processes.
audit_head = Table(
    "audit_head",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("anchor_seq", BigInteger, nullable=False),
    Column("anchor_hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
