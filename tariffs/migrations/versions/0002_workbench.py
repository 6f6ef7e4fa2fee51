"""The auditor's workbench: imports, entries as filed (entries, lines, tariff rows), runs and their
results per entry and per tariff number (tariffs/workbench/models.py maps them).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# As in 0001: NUMERIC(38, 2), exact decimal text on SQLite.
MONEY = sa.Numeric(38, 2).with_variant(sa.String(40), "sqlite")


def upgrade() -> None:
    op.create_table(
        "wb_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_accepted", sa.Integer, nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("entries_replaced", sa.Integer, nullable=False),
        sa.Column("rejected_json", sa.Text, nullable=False),
    )
    op.create_table(
        "wb_entries",
        sa.Column("entry_number", sa.String(13), primary_key=True),
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("importer", sa.String(200), nullable=False),
        sa.Column("entry_type", sa.String(10), nullable=False),
        sa.Column("entry_type_code", sa.String(10), nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("liquidation_date", sa.Date, nullable=True),
        sa.Column("liquidation_status", sa.String(20), nullable=False),
        sa.Column("port", sa.String(4), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
    )
    op.create_index("ix_wb_entries_import_id", "wb_entries", ["import_id"])
    op.create_index("ix_wb_entries_importer", "wb_entries", ["importer"])
    op.create_index("ix_wb_entries_entry_date", "wb_entries", ["entry_date"])
    op.create_table(
        "wb_lines",
        sa.Column("entry_number", sa.String(13), primary_key=True),
        sa.Column("line_number", sa.Integer, primary_key=True),
        sa.Column("origin", sa.String(2), nullable=False),
        sa.Column("hts", sa.String(13), nullable=False),
        sa.Column("entered_value", MONEY, nullable=False),
        sa.Column("quantity", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("mpf_paid", MONEY, nullable=True),
        sa.Column("hmf_paid", MONEY, nullable=True),
    )
    op.create_table(
        "wb_tariff_rows",
        sa.Column("entry_number", sa.String(13), primary_key=True),
        sa.Column("line_number", sa.Integer, primary_key=True),
        sa.Column("hts", sa.String(13), primary_key=True),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("duty_paid", MONEY, nullable=False),
    )
    op.create_table(
        "wb_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ruleset_version", sa.String(20), nullable=False),
        sa.Column("ruleset_sha256", sa.String(64), nullable=False),
        sa.Column("known_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("entries_total", sa.Integer, nullable=False),
        sa.Column("entries_done", sa.Integer, nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
    )
    op.create_index("ix_wb_runs_ruleset_sha256", "wb_runs", ["ruleset_sha256"])
    money = ("paid", "as_filed", "as_known", "refund", "exposure")
    op.create_table(
        "wb_entry_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("entry_number", sa.String(13), nullable=False),
        sa.Column("importer", sa.String(200), nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.String(500), nullable=False),
        *[sa.Column(name, MONEY, nullable=False) for name in money],
        sa.Column("deadline_status", sa.String(80), nullable=False),
        sa.Column("next_date", sa.Date, nullable=True),
        sa.Column("next_action", sa.String(300), nullable=False),
        sa.Column("deadline_basis", sa.String(300), nullable=False),
        sa.UniqueConstraint("run_id", "entry_number", name="uq_wb_entry_results_run_entry"),
    )
    op.create_index("ix_wb_entry_results_run_id", "wb_entry_results", ["run_id"])
    op.create_table(
        "wb_heading_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("entry_number", sa.String(13), nullable=False),
        sa.Column("line_number", sa.Integer, nullable=False),
        sa.Column("heading", sa.String(13), nullable=False),
        sa.Column("program", sa.String(30), nullable=False),
        *[sa.Column(name, MONEY, nullable=False) for name in money],
        sa.Column("finding", sa.String(300), nullable=False),
    )
    op.create_index("ix_wb_heading_results_run_id", "wb_heading_results", ["run_id"])


def downgrade() -> None:
    for table in ("wb_heading_results", "wb_entry_results", "wb_runs", "wb_tariff_rows", "wb_lines", "wb_entries",
                  "wb_imports"):
        op.drop_table(table)
