"""Baseline: the tokens, submissions and jobs tables as the service made them before Alembic.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

Databases made before migrations existed (by SQLAlchemy's create_all, plus the service's old
"add missing nullable columns" step) have these tables but no alembic_version row. So this
revision adopts what is there instead of failing: a table that exists is kept with its rows,
and only the baseline's columns it lacks are added (the one such column in the service's
history is jobs.claimed_at, nullable). A fresh database gets the tables as create_all made them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> dict[str, tuple[list[sa.Column], list[sa.schema.SchemaItem], list[str]]]:
    """Per table: its columns, its constraints, and the columns that have an index."""
    return {
        "tokens": ([
            sa.Column("key_id", sa.String(length=32), nullable=False),
            sa.Column("student", sa.String(length=128), nullable=False),
            sa.Column("salt", sa.String(length=64), nullable=False),
            sa.Column("digest", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.Float(), nullable=False),
        ], [sa.PrimaryKeyConstraint("key_id")], ["student"]),
        "submissions": ([
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("student", sa.String(length=128), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("notebook", sa.String(length=64), nullable=True),
            sa.Column("stored_as", sa.String(length=64), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.Float(), nullable=False),
            sa.Column("result_json", sa.Text(), nullable=True),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("max_score", sa.Float(), nullable=True),
            sa.Column("graded_at", sa.Float(), nullable=True),
        ], [sa.PrimaryKeyConstraint("id")], ["student", "created_at"]),
        "jobs": ([
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("submission_id", sa.String(length=32), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("worker", sa.String(length=128), nullable=True),
            sa.Column("lease_until", sa.Float(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("updated_at", sa.Float(), nullable=False),
            sa.Column("claimed_at", sa.Float(), nullable=True),
        ], [sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"]),
            sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("submission_id")], ["state"]),
    }


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, (columns, constraints, indexed) in _tables().items():
        if name in present:
            _adopt(name, columns)
            continue
        op.create_table(name, *columns, *constraints)
        for column in indexed:
            op.create_index(op.f(f"ix_{name}_{column}"), name, [column], unique=False)


def _adopt(name: str, columns: list[sa.Column]) -> None:
    """A table create_all made: add the baseline's nullable columns it lacks."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(name)}
    for column in columns:
        if column.name in have:
            continue
        if not column.nullable:
            raise RuntimeError(f"table {name} lacks the required column {column.name}: "
                               "this database was not made by the grader service")
        op.add_column(name, column)


def downgrade() -> None:
    for name in reversed(list(_tables())):
        op.drop_table(name)
