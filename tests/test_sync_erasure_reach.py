"""Erasure reaches every copy the program wrote: files of earlier device ids, backup temp files, set-aside
damaged databases, the log; clean sync files are not rewritten again; sync-tool version folders are named."""

from __future__ import annotations

import logging
import shutil

from app import logsetup, paths
from app.services import context, erasure
from app.storage import backups, device
from app.sync.service import remember_folder, synchronise
from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: F401
from tests.privacy_fixtures import NAME, PHONE, files_with_needles, make_person
from tests.sync_helpers import Laptop, all_text


def test_erasure_reaches_old_ids_temp_files_set_aside_files_and_the_log(db, data_dir, tmp_path):  # noqa: F811
    logsetup.setup_logging()
    setup = make_person(db)
    # an older version logged personal data (this one filters it); such lines must go with the person
    with open(paths.log_file(), "a", encoding="utf-8") as handle:
        handle.write(f"2026-03-01 10:00:00,000 ERROR app.ui: Speichern von {NAME} fehlgeschlagen\n")
    logging.getLogger("app.test").info("eine Zeile ohne Personendaten")
    shared = tmp_path / "abgleich"
    shared.mkdir()
    old_id = synchronise(db, shared, announce=False).device_id
    remember_folder(db, shared)
    # the database moved folders and got a new id: its files under the old id still hold the person
    with db.write_connection() as conn:
        device.renew(conn, "Datenbank verschoben", give_away=True)
    # Syncthing kept an old version of the file
    versions = shared / ".stversions" / old_id
    versions.mkdir(parents=True)
    shutil.copy(shared / old_id / "00000001.klsync", versions / "00000001~20260301-100000.klsync")
    # an interrupted backup (old fixed name) and a damaged database set aside by a restore
    folder = backups.backup_dir_for(db.path)
    folder.mkdir(exist_ok=True)
    shutil.copy(db.path, folder / "kurslotse-20260301-100000-000000-start.sqlite3.tmp")
    set_aside = db.path.with_name(db.path.name + ".defekt-20260301-100000")
    set_aside.write_bytes(b"kaputt " + NAME.encode() + b" " + PHONE.encode())
    assert files_with_needles(data_dir) and files_with_needles(shared / old_id)

    report = erasure.erase_one(db, setup.person_id)
    text = "\n".join(report.lines())
    assert str(shared / ".stversions") in text and "von Hand löschen" in text
    assert any("beiseitegelegte beschädigte Datenbank" in line for line in report.problems)
    assert not backups.leftover_temp_files(db.path) and not set_aside.exists()
    log_text = paths.log_file().read_text(encoding="utf-8")
    assert NAME not in log_text and "eine Zeile ohne Personendaten" in log_text
    sync = synchronise(db, shared, announce=False)
    assert sync.scrubbed == 1  # the file under the old id, rewritten without the person
    assert any(".stversions" in line for line in sync.lines())
    hits = files_with_needles(shared)
    assert set(hits) == {f".stversions/{old_id}/00000001~20260301-100000.klsync"}, hits
    context.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert not files_with_needles(data_dir)


def test_only_files_still_holding_erased_data_are_rewritten(tmp_path, database_url):
    """Also for the office's PostgreSQL database, which numbers its erasures differently."""
    shared = tmp_path / "stick"
    shared.mkdir()
    silvia = Laptop.create(tmp_path / "silvia", "silvia", database_url)
    try:
        anna = silvia.add_person("Anna Aalbach")
        me = silvia.sync(shared).device_id
        bernd = silvia.add_person("Bernd Birkenfeld")
        silvia.sync(shared)
        first, second = shared / me / "00000001.klsync", shared / me / "00000002.klsync"
        erasure.erase_one(silvia.db, anna)
        report = silvia.sync(shared)
        assert report.scrubbed == 1
        after_first = (first.read_bytes(), first.stat().st_mtime_ns, second.read_bytes())
        assert after_first[2] == second.read_bytes()
        erasure.erase_one(silvia.db, bernd)
        report = silvia.sync(shared)
        assert report.scrubbed == 1  # only the file that held Bernd
        assert (first.read_bytes(), first.stat().st_mtime_ns) == after_first[:2]  # clean file left alone
        if silvia.path is not None:
            assert b"Birkenfeld" not in silvia.path.read_bytes()
        assert "Birkenfeld" not in all_text(silvia.source)
        assert silvia.sync(shared).scrubbed == 0
    finally:
        silvia.close()


def test_erasure_arriving_by_sync_cleans_the_log_of_that_laptop(data_dir, tmp_path):
    logsetup.setup_logging()
    shared = tmp_path / "stick"
    shared.mkdir()
    silvia = Laptop.create(tmp_path / "silvia", "silvia")
    hans = Laptop.create(tmp_path / "hans", "hans")
    try:
        person = silvia.add_person("Zenzi Quastenbrück")
        silvia.sync(shared)
        hans.sync(shared)
        erasure.erase_one(silvia.db, person)
        silvia.sync(shared)
        with open(paths.log_file(), "a", encoding="utf-8") as handle:  # as an older version of Hans's Kurslotse wrote
            handle.write("2026-03-01 10:00:00,000 ERROR app.ui: Zenzi Quastenbrück konnte nicht gespeichert werden\n")
        report = hans.sync(shared)
        assert report.result.erased == 1
        assert "Quastenbrück" not in paths.log_file().read_text(encoding="utf-8")
        assert "Quastenbrück" not in repr(report)  # the texts are held in memory only, never shown
    finally:
        silvia.close()
        hans.close()
