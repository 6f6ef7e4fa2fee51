"""The audit store: rulesets, quotes (with the request that recorded them) and idempotency keys.

A database made before migrations existed (tables created by the store itself, no alembic_version)
is brought to this schema in place: its quotes keep their ids and get a request id of their own.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# NUMERIC(38, 2) holds every amount tariffs.limits allows; SQLite keeps exact decimal text instead
# (its NUMERIC affinity would turn large amounts into binary floats).
MONEY = sa.Numeric(38, 2).with_variant(sa.String(40), "sqlite")


def _quotes_columns():
    return [
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("kind", sa.String(16), nullable=False, server_default="quote"),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
    ]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("rulesets"):
        op.create_table(
            "rulesets",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("version", sa.String(20), nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("knowledge_cutoff", sa.Date, nullable=False),
            sa.Column("loaded_at", sa.DateTime, nullable=False),
        )
        op.create_index("ix_rulesets_sha256", "rulesets", ["sha256"], unique=True)
    if inspector.has_table("quotes"):
        _adopt_legacy_quotes()
    else:
        op.create_table(
            "quotes",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("destination", sa.String(2), nullable=False),
            sa.Column("entry_date", sa.Date, nullable=False),
            sa.Column("known_at", sa.DateTime, nullable=False),
            sa.Column("ruleset_sha256", sa.String(64), nullable=False),
            sa.Column("duties", MONEY, nullable=False),
            sa.Column("landed_cost", MONEY, nullable=False),
            sa.Column("reference", sa.String(200), nullable=True),
            sa.Column("shipment_json", sa.Text, nullable=False),
            sa.Column("quote_json", sa.Text, nullable=False),
            *_quotes_columns(),
            sa.UniqueConstraint("request_id", "position", name="uq_quotes_request_position"),
        )
        op.create_index("ix_quotes_created_at", "quotes", ["created_at"])
        op.create_index("ix_quotes_entry_date", "quotes", ["entry_date"])
        op.create_index("ix_quotes_ruleset_sha256", "quotes", ["ruleset_sha256"])
        op.create_index("ix_quotes_idempotency_key", "quotes", ["idempotency_key"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("endpoint", sa.String(100), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("headers_json", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def _adopt_legacy_quotes() -> None:
    """The pre-migration quotes table: NUMERIC(18, 2) money and no request columns."""
    request_id, position, kind, key = _quotes_columns()
    request_id = sa.Column("request_id", sa.String(36), nullable=True)
    with op.batch_alter_table("quotes", recreate="always" if op.get_bind().dialect.name == "sqlite" else "auto") \
            as batch:
        for column in (request_id, position, kind, key):
            batch.add_column(column)
        batch.alter_column("duties", type_=MONEY, existing_nullable=False)
        batch.alter_column("landed_cost", type_=MONEY, existing_nullable=False)
    # SQLite stored the old NUMERIC amounts as binary floats: their text is rewritten to the cent.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE quotes SET duties = printf('%.2f', duties), landed_cost = printf('%.2f', landed_cost)")
    op.execute("UPDATE quotes SET request_id = 'legacy-' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table("quotes") as batch:
        batch.alter_column("request_id", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint("uq_quotes_request_position", ["request_id", "position"])
        batch.create_index("ix_quotes_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("quotes")
    op.drop_table("rulesets")
