"""Alembic revisions, applied in order by autograder.service.migrate (Alembic skips this file)."""
