"""A throwaway PostgreSQL server for the tests, from the Debian package ``postgresql``.

The cluster lives in a temporary folder, is owned by an unprivileged user (``initdb`` refuses
root; as root the cluster is created and run as the ``postgres`` account), listens on loopback
on a free port and on a socket in the same folder, and is stopped and removed at the end.

The login needs a password (scram-sha-256 on TCP), so tests can check that no message shows it.
``KURSLOTSE_TEST_PG_URL`` points the tests at an existing server instead (a SQLAlchemy URL to a
database whose user may create databases).
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

TEST_USER = "kurslotse_test"


def server_binaries() -> Path | None:
    """The folder with ``initdb``/``pg_ctl``, or None if PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def why_unavailable() -> str | None:
    """A reason why no throwaway server can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "der Treiber psycopg ist nicht installiert (pip install -e \".[test]\")"
    if server_binaries() is None:
        return "PostgreSQL ist nicht installiert (Debian-Paket »postgresql«)"
    if os.name != "posix":
        return "der Wegwerf-Server wird nur unter Linux gestartet"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(argv)]


@dataclass
class PgServer:
    """A running server: ``admin_url`` reaches its ``postgres`` database as the test user."""

    admin_url: str
    folder: Path | None = None
    bin_dir: Path | None = None
    _created: list[str] = field(default_factory=list)

    def url_for(self, database: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{database}"

    def _admin_connect(self):  # noqa: ANN202 - psycopg connection
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url)
        return psycopg.connect(host=url.host, port=url.port, user=url.username,
                               password=url.password, dbname=url.database, autocommit=True)

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self._admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        self._created.append(name)
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = url.rpartition("/")[2]
        with self._admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self._created:
            self._created.remove(name)

    def stop(self) -> None:
        if self.folder is None or self.bin_dir is None:
            for name in list(self._created):
                self.drop_database(self.url_for(name))
            return
        subprocess.run(_as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"),
                                        "-m", "immediate", "-w", "stop"]),
                       capture_output=True, check=False, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_throwaway() -> PgServer:
    """initdb + pg_ctl start in a fresh temporary folder; raises RuntimeError with the log."""
    bin_dir = server_binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL ist nicht installiert")
    folder = Path(tempfile.mkdtemp(prefix="kurslotse-pg-"))
    password = secrets.token_urlsafe(12)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    os.chmod(folder, 0o700)
    os.chmod(pwfile, 0o600)
    port = _free_port()
    data = folder / "data"
    init = subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", TEST_USER, "-E", "UTF8",
                         "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                         f"--pwfile={pwfile}", "--no-sync"]),
        capture_output=True, text=True, check=False, timeout=120)
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb fehlgeschlagen: {init.stderr[-2000:]}")
    options = (f"-p {port} -k {folder} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off "
               f"-c full_page_writes=off -c max_connections=200")
    started = subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                         "-o", options, "-w", "-t", "60", "start"]),
        capture_output=True, text=True, check=False, timeout=120)
    if started.returncode != 0:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start fehlgeschlagen: {started.stderr[-1000:]} {log[-2000:]}")
    url = f"postgresql+psycopg://{TEST_USER}:{password}@127.0.0.1:{port}/postgres"
    return PgServer(admin_url=url, folder=folder, bin_dir=bin_dir)


def from_environment() -> PgServer | None:
    url = os.environ.get("KURSLOTSE_TEST_PG_URL", "").strip()
    return PgServer(admin_url=url) if url else None
