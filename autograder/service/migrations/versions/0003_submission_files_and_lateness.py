"""Submissions: what the upload held (files, artifacts, notes) and the deadline it met.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Five nullable columns on submissions (H3, autograder/service/intake.py): manifest_json (the
notebooks and artifacts kept, the notes on files ignored, the names as sent), due_at (the
student's deadline, extensions included), late_seconds (0 when on time), late_policy and
late_note (the course's late policy and its verdict, as the student read it). Rows from
before stay NULL: no manifest (the pages read the upload itself) and no deadline recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("manifest_json", sa.Text()),
    ("due_at", sa.Float()),
    ("late_seconds", sa.Float()),
    ("late_policy", sa.String(length=32)),
    ("late_note", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch_op:
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
