"""This installation's sync identity: device id and name, a copied-file check, and the hybrid logical clock.

Everything lives in ``local_meta`` (never synced). The *anchor* fingerprints where the database
file lives (host, machine id, path, inode); when a file turns up under another anchor it was
copied (or restored) and gets a fresh device id, so two laptops never write under the same id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import time
import uuid
from pathlib import Path

from sqlalchemy import Connection, bindparam, select, text

from app.platform import IS_WINDOWS, location_key
from app.storage import sqlcompat
from app.storage.models import LocalMeta

log = logging.getLogger(__name__)

KEY_DEVICE = "sync_device"
KEY_NAME = "sync_device_name"
KEY_ANCHOR = "sync_anchor"
KEY_CLOCK = "sync_clock"
KEY_EXPORTED = "sync_exported_upto"
KEY_PREVIOUS = "sync_previous_devices"
KEY_GIVEN_AWAY = "sync_given_away"  # former ids that now belong to another copy of this database
NAME_MAX = 60
COUNTER_BITS = 16  # hlc = wall-clock milliseconds << 16 | counter
HLC_MAX = 2**63 - 1  # SQLite's largest integer: the clock never goes past it (no overflow, ever)
DAY_MS = 86_400_000
FUTURE_TOLERANCE_MS = DAY_MS  # received stamps further ahead of this laptop's clock are held back


def wall_ms() -> int:
    """Milliseconds since 1970 (patched in tests to simulate skewed laptop clocks)."""
    return int(time.time() * 1000)


def new_device_id() -> str:
    return uuid.uuid4().hex


def default_name() -> str:
    return (platform.node() or "Unbenanntes Gerät")[:NAME_MAX]


def _machine_id() -> str:
    """A stable id of this computer where the system offers one cheaply ('' otherwise)."""
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            return Path(candidate).read_text(encoding="ascii").strip()
        except OSError:
            continue
    if IS_WINDOWS:
        try:
            import winreg

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography") as key:
                return str(winreg.QueryValueEx(key, "MachineGuid")[0])
        except OSError:
            return ""
    return ""


def anchor_for(path: Path | None) -> str:
    """Fingerprint of where the database file lives; changes when the file is copied elsewhere."""
    if path is None:
        return "memory:" + uuid.uuid4().hex  # an in-memory database is new every time
    try:
        inode = os.stat(path).st_ino
    except OSError:
        inode = 0
    text = "|".join((platform.node(), _machine_id(), location_key(path), str(inode)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- local_meta access

def server_anchor(conn: Connection) -> str:
    """Fingerprint of a server database: its object id on the server (a restored copy gets a new one).

    The address it is reached by is left out on purpose: office users may call the same server by
    different names, and that must not make it look like a copy.
    """
    row = conn.execute(text("SELECT oid, datname FROM pg_database WHERE datname = current_database()")).first()
    marker = f"postgresql|{row[0]}|{row[1]}" if row else "postgresql"
    return hashlib.sha256(marker.encode("utf-8")).hexdigest()


# built once: a sync and every edit read several of these rows, and building the statement (and its
# cache key) each time cost more than running the query
_GET_META = select(LocalMeta.value).where(LocalMeta.key == bindparam("key"))


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(_GET_META, {"key": key}).scalar()


def set_meta(conn: Connection, key: str, value: str) -> None:
    sqlcompat.upsert(conn, LocalMeta.__table__, [{"key": key, "value": value}], ["key"], ["value"])


def device_id(conn: Connection) -> str:
    """The device id, created on first use."""
    value = get_meta(conn, KEY_DEVICE)
    if not value:
        value = new_device_id()
        set_meta(conn, KEY_DEVICE, value)
    return value


def device_name(conn: Connection) -> str:
    return get_meta(conn, KEY_NAME) or default_name()


def set_device_name(conn: Connection, name: str) -> str:
    """Store the human name of this device (»Laptop Silvia«); returns the cleaned name."""
    cleaned = " ".join(name.split())[:NAME_MAX]
    set_meta(conn, KEY_NAME, cleaned)
    return cleaned


def renew(conn: Connection, reason: str, give_away: bool = False) -> str:
    """Give this database a new device id; returns the new id.

    *give_away*: the old id now belongs to another copy of this file (it was copied), so this
    database never touches the old id's files again. After a restore the old id stays ours.
    """
    old = get_meta(conn, KEY_DEVICE)
    new = new_device_id()
    previous = json.loads(get_meta(conn, KEY_PREVIOUS) or "[]")
    if old:
        previous.append(old)
        if give_away:
            set_meta(conn, KEY_GIVEN_AWAY, json.dumps([*given_away(conn), old][-50:]))
    set_meta(conn, KEY_PREVIOUS, json.dumps(previous[-50:]))
    set_meta(conn, KEY_DEVICE, new)
    log.warning("Neue Geräte-Kennung %s (vorher %s): %s", new, old, reason)
    return new


def previous_ids(conn: Connection) -> list[str]:
    return list(json.loads(get_meta(conn, KEY_PREVIOUS) or "[]"))


def given_away(conn: Connection) -> list[str]:
    return list(json.loads(get_meta(conn, KEY_GIVEN_AWAY) or "[]"))


def ensure_identity(conn: Connection, path: Path | None) -> str:
    """Create the device id, or renew it when the file now lives somewhere else (a copy)."""
    anchor = server_anchor(conn) if sqlcompat.is_server(conn) else anchor_for(path)
    stored_anchor = get_meta(conn, KEY_ANCHOR)
    current = get_meta(conn, KEY_DEVICE)
    if not current:
        current = device_id(conn)
    elif stored_anchor is not None and stored_anchor != anchor:
        current = renew(conn, "Die Datenbankdatei liegt an einem anderen Ort oder auf einem anderen Rechner.",
                        give_away=True)
    if stored_anchor != anchor:
        set_meta(conn, KEY_ANCHOR, anchor)
    return current


# --------------------------------------------------------------------------- hybrid logical clock

def tick(conn: Connection) -> int:
    """The next clock value of this device: never below wall time, always above everything seen."""
    last = min(_stored_clock(conn), HLC_MAX)
    now = min(max(wall_ms(), 0) << COUNTER_BITS, HLC_MAX)
    # At the very top the value stays HLC_MAX (ties are broken by device id): a clock that was once
    # pushed there must not make every later edit fail with an integer overflow.
    value = now if now > last else min(last + 1, HLC_MAX)
    set_meta(conn, KEY_CLOCK, str(value))
    return value


def observe(conn: Connection, hlc: int) -> None:
    """Move the clock past a value received from another device (never beyond HLC_MAX)."""
    last = _stored_clock(conn)
    hlc = min(hlc, HLC_MAX)
    if hlc > last:
        set_meta(conn, KEY_CLOCK, str(hlc))


def _stored_clock(conn: Connection) -> int:
    try:
        return max(int(get_meta(conn, KEY_CLOCK) or 0), 0)
    except ValueError:
        return 0


def future_limit(now_ms: int | None = None) -> int:
    """The highest clock value accepted from another device without asking: a day ahead of this laptop."""
    now = wall_ms() if now_ms is None else now_ms
    return min((max(now, 0) + FUTURE_TOLERANCE_MS) << COUNTER_BITS, HLC_MAX)


def clock_warning(conn: Connection, now_ms: int | None = None) -> str | None:
    """A German warning when this laptop's clock is far ahead (``None``: nothing to say).

    Two signs: the system clock shows a date after 2100 (a laptop saying 2999 would otherwise stamp
    every edit so that nobody's later edit can win), or this database already stamped edits more
    than a day after the current time (its clock was ahead before, or future changes were accepted).
    """
    import datetime as dt

    now = wall_ms() if now_ms is None else now_ms
    if now > int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp() * 1000):
        shown = dt.datetime.fromtimestamp(min(now / 1000, 253402214400), dt.UTC).strftime("%d.%m.%Y")
        return (f"Die Uhr dieses Laptops zeigt den {shown}. Bitte Datum und Uhrzeit in den Systemeinstellungen "
                "richtig stellen, bevor Sie etwas eintragen oder abgleichen: Änderungen mit einem Datum in der "
                "Zukunft halten die anderen Laptops zurück.")
    last = _stored_clock(conn)
    if last > future_limit(now):
        seconds = min(hlc_time(last), 253402214400)
        shown = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%d.%m.%Y")
        return (f"Diese Datenbank hat schon Änderungen mit Zeitstempel {shown} gespeichert, also in der Zukunft "
                "(die Uhr dieses Laptops ging einmal vor, oder zukünftige Änderungen wurden übernommen). Neue "
                "Änderungen bekommen bis dahin einen späteren Zeitstempel; bitte die Uhr prüfen.")
    return None


def hlc_time(hlc: int) -> float:
    """The wall-clock seconds (since 1970) inside a clock value."""
    return (hlc >> COUNTER_BITS) / 1000.0
