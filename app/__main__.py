"""``python -m app``: set up the environment on first run, then start Kurslotse."""

from app._bootstrap import ensure_environment

ensure_environment()

from app.cli import main  # noqa: E402  (only importable once the environment is ready)

raise SystemExit(main())
