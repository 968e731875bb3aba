"""The store: one SQLAlchemy schema on SQLite and PostgreSQL, migrated by Alembic."""
