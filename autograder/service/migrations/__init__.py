"""The service database's Alembic migrations (env.py, versions/); see README.md here."""
