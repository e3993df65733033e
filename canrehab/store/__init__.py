"""Persistence of the care process: SQLAlchemy 2 models, Alembic migrations, repositories with optimistic
locking, and the append-only audit log. SQLite file by default, PostgreSQL in production."""
