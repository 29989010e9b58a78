"""A throwaway PostgreSQL cluster from the Debian package ``postgresql``, for the office benchmark
rows and the tests (one implementation for both).

The cluster lives in a temporary folder, is owned by an unprivileged user (``initdb`` refuses
root; as root the cluster is created and run as the ``postgres`` account), listens on loopback on a
free port and on a socket in the same folder, needs a password on TCP (scram-sha-256), and is
stopped and removed by :meth:`PgServer.stop`.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from app.platform import IS_WINDOWS


def server_binaries() -> Path | None:
    """The folder with ``initdb``/``pg_ctl`` (newest installed version), or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def why_unavailable() -> str | None:
    """A German reason why no throwaway server can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return 'der Treiber psycopg ist nicht installiert (pip install -e ".[postgres]")'
    if server_binaries() is None:
        return "PostgreSQL ist nicht installiert (Debian-Paket »postgresql«)"
    if IS_WINDOWS:
        return "der Wegwerf-Server wird nur unter Linux gestartet"
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return argv
    return [shutil.which("runuser") or "runuser", "-u", "postgres", "--", *argv]


@dataclass
class PgServer:
    """A server: ``admin_url`` reaches its ``postgres`` database as a user who may create databases.
    ``folder``/``bin_dir`` are set when the cluster was started here (and is removed by :meth:`stop`)."""

    admin_url: str
    folder: Path | None = None
    bin_dir: Path | None = None
    _created: list[str] = field(default_factory=list)

    def _admin_connect(self):  # noqa: ANN202 - psycopg connection
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url)
        return psycopg.connect(host=url.host, port=url.port, user=url.username,
                               password=url.password, dbname=url.database, autocommit=True)

    def url_for(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self._admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        self._created.append(name)
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self._admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self._created:
            self._created.remove(name)

    def stop(self) -> None:
        """Stop and remove a cluster started here; on a given server, drop what was created."""
        if self.folder is None or self.bin_dir is None:
            for name in list(self._created):
                self.drop_database(self.url_for(name))
            return
        subprocess.run(_as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"),
                                        "-m", "fast", "-w", "stop"]),
                       capture_output=True, check=False, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_throwaway(user: str, *, durable: bool) -> PgServer:
    """initdb + pg_ctl start in a fresh temporary folder; RuntimeError (German, with the log) if not.

    ``durable``: commits are flushed to disk as an office server does (the benchmark); without it
    fsync is off (the tests, where only the behaviour counts).
    """
    reason = why_unavailable()
    bin_dir = server_binaries()
    if reason is not None or bin_dir is None:
        raise RuntimeError(reason or "PostgreSQL ist nicht installiert")
    folder = Path(tempfile.mkdtemp(prefix="kurslotse-pg-"))
    password = secrets.token_urlsafe(12)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    os.chmod(folder, 0o700)
    os.chmod(pwfile, 0o600)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = folder / "data"
    init = subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-E", "UTF8",
                         "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                         f"--pwfile={pwfile}", *([] if durable else ["--no-sync"])]),
        capture_output=True, text=True, check=False, timeout=300)
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb fehlgeschlagen: {init.stderr[-2000:]}")
    options = f"-p {port} -k {folder} -h 127.0.0.1"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    started = subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                         "-o", options, "-w", "-t", "120", "start"]),
        capture_output=True, text=True, check=False, timeout=300)
    if started.returncode != 0:
        log = folder / "server.log"
        text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start fehlgeschlagen: {started.stderr[-1000:]} {text}")
    return PgServer(admin_url=f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port}/postgres",
                    folder=folder, bin_dir=bin_dir)
