"""Web sessions: the browser's cookie holds a session id, no longer the student's token.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

One table, web_sessions: the SHA-256 of each random session id, who it is (a student, or
NULL for the instructor), when it expires, and for the instructor the fingerprint of the
token that opened it (a new instructor token ends the old one's sessions). Cookies issued
before this revision held raw tokens; they match no session, so those browsers are simply
asked to log in again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("student", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("credential", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index(op.f("ix_web_sessions_student"), "web_sessions", ["student"], unique=False)
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_sessions_expires_at"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_student"), table_name="web_sessions")
    op.drop_table("web_sessions")
