"""Sync as files: each device writes its own immutable files into a shared folder and reads the others' (no Qt)."""
