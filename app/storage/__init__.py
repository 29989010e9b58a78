"""Storage of the attendance records: SQLAlchemy models, opening with migrations, backups (no Qt)."""
