"""Sync that no typo, bad clock or odd USB stick can break: passphrase check, clock bounds, nothing skipped silently.

Tests with ``database_url`` run once more with one database on the office's PostgreSQL server.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sys
from pathlib import Path

import pytest

from app import atomic_write
from app.services import courses
from app.storage import device
from app.storage.changelog import Op
from app.sync import fileformat, keycheck
from app.sync import folder as folder_io
from app.sync.fileformat import encode_file
from app.sync.service import SyncError, synchronise
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.sync_helpers import Laptop, laptops, shared  # noqa: F401 - fixtures

RIGHT = "Glan-Münchweiler 2026"
TYPO = "Glan-Münchweiler 2062"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _titles(laptop: Laptop) -> set[str]:
    return {c.title for c in courses.list_courses(laptop.db)}


def _counts(laptop: Laptop) -> tuple[int, ...]:
    with laptop.db.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                     for t in ("sync_files", "sync_fields", "courses", "local_meta"))


# --------------------------------------------------------------------------- passphrase

def test_wrong_passphrase_is_refused_before_anything_is_written(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    silvia.add_course("Kurs von Silvia")
    silvia.sync(shared, RIGHT)
    assert (shared / keycheck.VERIFIER_NAME).is_file()
    hans.add_course("Kurs von Hans")
    hans.sync(shared, RIGHT)  # Hans has read every file already: nothing left that could fail to decrypt
    hans.add_course("Noch ein Kurs")
    before_folder, before_db = _tree(shared), _counts(hans)
    with pytest.raises(SyncError) as refused:
        hans.sync(shared, TYPO)
    assert "Das Passwort passt nicht zum Abgleich-Ordner" in str(refused.value)
    assert "nichts geschrieben" in str(refused.value)
    assert _tree(shared) == before_folder and _counts(hans) == before_db
    # the right passphrase works as before
    report = hans.sync(shared, RIGHT)
    assert report.complete and report.written_files == 1
    assert silvia.sync(shared, RIGHT).complete
    assert _titles(silvia) == {"Kurs von Silvia", "Kurs von Hans", "Noch ein Kurs"}


def test_laptop_that_wrote_with_another_passphrase_rekeys_its_own_files(laptops, shared, tmp_path):
    """A folder from before the check: one laptop's file is under a mistyped key; it is re-keyed."""
    silvia, hans = laptops("silvia"), laptops("hans")
    silvia.add_course("Kurs von Silvia")
    silvia.sync(shared, RIGHT)
    (shared / keycheck.VERIFIER_NAME).unlink()  # as an older Kurslotse left the folder
    hans.add_course("Kurs von Hans")
    elsewhere = tmp_path / "anderer-stick"
    elsewhere.mkdir()
    typo_id = hans.sync(elsewhere, TYPO).device_id
    shutil.copytree(elsewhere / typo_id, shared / typo_id)  # Hans's file, written with the typo
    report = silvia.sync(shared, RIGHT)  # the folder's other files open: the check file is written
    assert (shared / keycheck.VERIFIER_NAME).is_file()
    assert [r.reason for r in report.refused] == ["passwort-falsch"]
    with pytest.raises(SyncError, match="Das Passwort passt nicht"):
        hans.sync(shared, TYPO)
    report = hans.sync(shared, RIGHT)
    assert report.rekeyed == 1 and report.complete
    assert "neu verschlüsselt: 1" in "\n".join(report.lines())
    assert hans.sync(shared, RIGHT).rekeyed == 0  # once per check file
    report = silvia.sync(shared, RIGHT)
    assert report.complete and report.read_files == 1
    assert _titles(silvia) == {"Kurs von Silvia", "Kurs von Hans"}


def test_plain_files_in_an_encrypted_folder_are_refused(laptops, shared, tmp_path):
    silvia, mallory = laptops("silvia"), laptops("fremd")
    silvia.add_course("Kurs")
    silvia.sync(shared, RIGHT)
    mallory.add_course("Untergeschoben")
    plain = tmp_path / "offen"
    plain.mkdir()
    forged = mallory.sync(plain).device_id
    shutil.copytree(plain / forged, shared / forged)
    hans = laptops("hans")
    report = hans.sync(shared, RIGHT)
    assert [r.reason for r in report.refused] == ["unverschluesselt"]
    assert f"{forged}/00000001.klsync" in report.refused[0].message
    assert "nicht verschlüsselt" in report.refused[0].message and not report.complete
    assert _titles(hans) == {"Kurs"}


def test_passphrase_for_an_unencrypted_folder_is_refused(laptops, shared):
    silvia, hans = laptops("silvia"), laptops("hans")
    silvia.add_course("Kurs")
    silvia.sync(shared)
    before = _tree(shared)
    with pytest.raises(SyncError, match="ohne Passwort benutzt"):
        hans.sync(shared, RIGHT)
    assert _tree(shared) == before


def test_damaged_check_file_changes_nothing(laptops, shared):
    silvia = laptops("silvia")
    silvia.add_course("Kurs")
    (shared / keycheck.VERIFIER_NAME).write_text("{kaputt", encoding="utf-8")
    with pytest.raises(SyncError, match="Passwortprüfung .* ist beschädigt"):
        silvia.sync(shared, RIGHT)
    assert _tree(shared) == {keycheck.VERIFIER_NAME: b"{kaputt"}


# --------------------------------------------------------------------------- clock bounds

YEAR_2999_MS = int(dt.datetime(2999, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)


def test_file_from_a_laptop_in_2999_is_held_back_until_accepted(laptops, shared, monkeypatch):
    silvia, hans = laptops("silvia"), laptops("hans")
    real = device.wall_ms
    monkeypatch.setattr(device, "wall_ms", lambda: YEAR_2999_MS)
    course = silvia.add_course("Aus der Zukunft")
    with silvia.db.engine.connect() as conn:
        warning = device.clock_warning(conn)
    assert warning and "01.01.2999" in warning
    silvia.sync(shared)
    monkeypatch.setattr(device, "wall_ms", real)
    with hans.db.engine.connect() as conn:
        clock_before = device.get_meta(conn, device.KEY_CLOCK)
    report = hans.sync(shared)
    assert not report.complete and report.read_files == 0 and len(report.held) == 1
    assert "01.01.2999" in report.held[0].message and "00000001.klsync" in report.held[0].message
    assert "  Zurückgehalten (Zeitstempel in der Zukunft): 1" in report.lines()
    assert _titles(hans) == set()
    with hans.db.engine.connect() as conn:
        assert device.get_meta(conn, device.KEY_CLOCK) == clock_before  # not pushed into 2999
    assert len(hans.sync(shared).held) == 1  # still held at the next sync
    # once the trainer accepts, it is applied; Hans's own edits still work afterwards
    report = synchronise(hans.db, shared, announce=False, accept_future=True)
    assert report.complete and report.read_files == 1 and _titles(hans) == {"Aus der Zukunft"}
    courses.update_course(hans.db, hans.id_of("courses", silvia.uuid_of("courses", course)),
                          _same_course(hans, "Geändert"))
    assert _titles(hans) == {"Geändert"}  # a later edit here still wins over the accepted future stamp
    with hans.db.engine.connect() as conn:
        assert "Zukunft" in (device.clock_warning(conn) or "")


def _same_course(laptop: Laptop, title: str):
    from app.domain.attendance import CourseInput

    course = courses.list_courses(laptop.db)[0]
    return CourseInput(title=title, start_date=course.start_date, end_date=course.end_date)


def test_held_file_is_applied_once_the_time_is_reached(laptops, shared, monkeypatch):
    silvia, hans = laptops("silvia"), laptops("hans")
    real = device.wall_ms
    ahead = real() + 3 * device.DAY_MS
    monkeypatch.setattr(device, "wall_ms", lambda: ahead)
    silvia.add_course("Drei Tage voraus")
    silvia.sync(shared)
    monkeypatch.setattr(device, "wall_ms", real)
    assert len(hans.sync(shared).held) == 1
    monkeypatch.setattr(device, "wall_ms", lambda: ahead - device.DAY_MS // 2)  # time has caught up
    report = hans.sync(shared)
    assert report.complete and _titles(hans) == {"Drei Tage voraus"}


@pytest.mark.parametrize("stored", [2**63 - 1, 2**63 - 2, 2**63 + 5, -7])
def test_clock_at_the_limits_never_overflows(laptops, stored, database_url):
    silvia = laptops("silvia", database_url)
    with silvia.db.write_connection() as conn:
        device.set_meta(conn, device.KEY_CLOCK, str(stored))
    silvia.add_course("Kurs")  # an edit must work whatever the stored clock says
    silvia.add_course("Noch einer")
    with silvia.db.engine.connect() as conn:
        stamps = [row[0] for row in conn.exec_driver_sql("SELECT hlc FROM sync_ops")]
    assert stamps and all(0 < s <= 2**63 - 1 for s in stamps)
    with silvia.db.write_connection() as conn:
        device.observe(conn, 2**63 - 1)
        assert device.tick(conn) == 2**63 - 1
        assert device.tick(conn) == 2**63 - 1


def test_accepted_file_stamped_at_the_top_of_the_range_keeps_edits_working(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    course = silvia.add_course("Kurs")
    record = silvia.uuid_of("courses", course)
    silvia.sync(shared)
    hans.sync(shared)
    forged_device = "ab" * 16
    top = encode_file(forged_device, "Kaputte Uhr", 1, [Op(2**63 - 1, forged_device, "courses", record, "title",
                                                           '"Ganz oben"')])
    (shared / forged_device).mkdir()
    (shared / forged_device / "00000001.klsync").write_bytes(top)
    assert len(hans.sync(shared).held) == 1
    assert synchronise(hans.db, shared, announce=False, accept_future=True).complete
    assert _titles(hans) == {"Ganz oben"}
    courses.update_course(hans.db, hans.id_of("courses", record), _same_course(hans, "Danach"))  # no overflow


# --------------------------------------------------------------------------- nothing skipped silently

@pytest.mark.skipif(sys.platform == "win32", reason="Symlinks brauchen unter Windows Administrator- oder Entwicklerrechte")
def test_unreadable_device_folder_and_entries_are_refused_by_name(laptops, shared, monkeypatch):
    silvia, hans, erika = laptops("silvia"), laptops("hans"), laptops("erika")
    silvia.add_course("Kurs von Silvia")
    silvia_id = silvia.sync(shared).device_id
    erika.add_course("Kurs von Erika")
    erika.add_course("Zweiter Kurs von Erika")
    erika_id = erika.sync(shared).device_id
    erika.add_course("Dritter Kurs von Erika")
    erika.sync(shared)
    # a symlink loop inside Erika's folder: her two real files must still come in
    os.symlink("00000009.klsync", shared / erika_id / "00000009.klsync")
    # a symlink loop named like a device folder
    loop = shared / ("cd" * 16)
    os.symlink(loop.name, loop)
    # Silvia's folder cannot be listed (permissions; simulated, tests run as root)
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith(silvia_id):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(folder_io.os, "scandir", scandir)
    report = hans.sync(shared)
    labels = {r.label: r.message for r in report.refused}
    assert set(labels) == {silvia_id, f"{erika_id}/00000009.klsync", "cd" * 16}
    assert "Keine Berechtigung" in labels[silvia_id]
    assert "im Kreis" in labels[f"{erika_id}/00000009.klsync"]
    assert all(label in message for label, message in labels.items())
    assert not report.complete and "  Abgelehnte Dateien: 3" in report.lines()
    assert _titles(hans) == {"Kurs von Erika", "Zweiter Kurs von Erika", "Dritter Kurs von Erika"}


def test_file_system_without_chmod_still_gets_files(laptops, shared, monkeypatch):
    def no_chmod(*_args, **_kwargs):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(atomic_write.os, "fchmod", no_chmod, raising=False)
    monkeypatch.setattr(atomic_write.os, "chmod", no_chmod)
    silvia, hans = laptops("silvia"), laptops("hans")
    silvia.add_course("Auf FAT32")
    report = silvia.sync(shared)
    assert report.complete and report.written_files == 1
    monkeypatch.setattr(atomic_write.os, "fchmod", lambda *_a: (_ for _ in ()).throw(PermissionError(errno.EPERM, "x")),
                        raising=False)
    silvia.add_course("Noch einer")
    assert silvia.sync(shared).written_files == 1
    assert hans.sync(shared).complete and _titles(hans) == {"Auf FAT32", "Noch einer"}


def test_huge_file_is_refused_by_its_size_without_reading(laptops, shared, monkeypatch):
    hans = laptops("hans")
    folder = shared / ("ef" * 16)
    folder.mkdir()
    huge = folder / "00000001.klsync"
    with open(huge, "wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: costs no disk space
    from app.sync import service

    read: list[Path] = []
    real_read = service._read_bounded
    monkeypatch.setattr(service, "_read_bounded", lambda path: read.append(path) or real_read(path))
    report = hans.sync(shared)
    assert [r.reason for r in report.refused] == ["zu-gross"]
    assert "300 MB" in report.refused[0].message and "64 MB" in report.refused[0].message
    assert huge not in read  # only the head was looked at (is it encrypted?), never the body


def test_reads_are_bounded(tmp_path, monkeypatch):
    from app.sync import service

    monkeypatch.setattr(fileformat, "MAX_FILE", 1000)
    path = tmp_path / "wachsend.klsync"
    path.write_bytes(b"x" * 50_000)  # grew after the size was checked
    assert len(service._read_bounded(path)) == 1001


def test_pulled_stick_gets_its_own_message(laptops, shared):
    silvia, hans = laptops("silvia"), laptops("hans")
    silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.add_course("Kurs von Hans")

    def pull_stick(step: int, _total: int, _text: str) -> None:
        if step == 1:
            shutil.rmtree(shared)

    with pytest.raises(SyncError) as error:
        synchronise(hans.db, shared, progress=pull_stick, announce=False)
    assert "ist nicht mehr erreichbar (USB-Stick abgezogen?)" in str(error.value)


def test_foreign_file_under_own_id_in_encrypted_folder_renews_with_notice(laptops, shared):
    """With the passphrase checked, nobody else can have written it: the copy gets a new id and says so."""
    silvia = laptops("silvia")
    silvia.add_course("Kurs")
    me = silvia.sync(shared, RIGHT).device_id
    data = encode_file(me, "Kopie", 2, [], RIGHT)
    (shared / me / "00000002.klsync").write_bytes(data)
    report = silvia.sync(shared, RIGHT)
    assert report.renewed and report.device_id != me
    assert any("kopiert oder zurückgespielt" in line for line in report.lines())


def test_command_line_holds_back_future_files_with_exit_3_and_accepts_them_on_request(tmp_path, shared, monkeypatch,
                                                                                        capsys):
    from app import cli

    ahead = Laptop.create(tmp_path / "vorgehend", "kurslotse")
    real = device.wall_ms
    monkeypatch.setattr(device, "wall_ms", lambda: real() + 10 * device.DAY_MS)
    ahead.add_course("Kurs aus der Zukunft")
    ahead.sync(shared)
    ahead.close()
    monkeypatch.setattr(device, "wall_ms", real)
    data = tmp_path / "laptop-hans"
    data.mkdir()
    code = cli.main(["--daten", str(data), "abgleich", str(shared), "--ohne-passwort"])
    out = capsys.readouterr().out
    assert code == 3 and "Zurückgehalten (Zeitstempel in der Zukunft): 1" in out and "--zukunft-annehmen" in out
    code = cli.main(["--daten", str(data), "abgleich", str(shared), "--ohne-passwort", "--zukunft-annehmen"])
    out = capsys.readouterr().out
    assert code == 0 and "1 Kurs" in out and "Zurückgehalten" not in out
