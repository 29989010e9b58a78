"""Use cases over storage (courses, check-in, people, documents, demo) and the one change notifier (no Qt)."""
