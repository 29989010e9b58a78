"""Course area of the window: course list, course page, check-in screen, backups (SQLAlchemy loads lazily)."""
