"""Damaged, truncated, foreign, newer and wrongly encrypted files are refused and change nothing;
a sync killed at random points leaves the database and the folder consistent."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import struct
import time
from pathlib import Path

import pytest

from app.bench.sync import synthetic_folder
from app.storage.database import open_database
from app.sync import fileformat
from app.sync.fileformat import MAGIC, decode_file, encode_file
from app.sync.folder import scan
from app.sync.service import SyncError, synchronise
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.sync_helpers import Laptop, snapshot, sync_state

PASSWORD = "Glan-Münchweiler 2026"


@pytest.fixture
def sender(tmp_path):
    laptop = Laptop.create(tmp_path / "sender", "sender")
    course = laptop.add_course("Kurs", municipality="Nanzdietschweiler")
    laptop.add_person("Anna Müller", course, phone="06381 4711")
    yield laptop
    laptop.close()


@pytest.fixture
def receiver(tmp_path):
    laptop = Laptop.create(tmp_path / "receiver", "receiver")
    yield laptop
    laptop.close()


def _written_file(laptop: Laptop, folder: Path, passphrase: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    report = laptop.sync(folder, passphrase)
    return max((folder / report.device_id).glob("*.klsync"))


def _state(laptop: Laptop) -> tuple[object, ...]:
    with laptop.db.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() for table in (
            "sync_fields", "sync_files", "sync_conflicts", "sync_pending", "courses", "participants", "municipalities"))


def _assert_all_refused(receiver: Laptop, good: Path, variants: list[bytes], passphrase: str | None) -> None:
    """Put each damaged variant where the good file was; each must be refused with nothing applied."""
    target_folder = good.parent.parent.parent / "kaputt"
    target = target_folder / good.parent.name / good.name
    target.parent.mkdir(parents=True)
    before, before_snapshot = _state(receiver), receiver.snapshot()
    for data in variants:
        target.write_bytes(data)
        report = receiver.sync(target_folder, passphrase)
        assert report.read_files == 0 and len(report.refused) == 1, data[:40]
        assert report.refused[0].label.endswith(good.name)
        assert good.name in report.refused[0].message
        assert _state(receiver) == before
    assert receiver.snapshot() == before_snapshot


def test_truncated_at_every_offset_is_refused(sender, receiver, tmp_path):
    good = _written_file(sender, tmp_path / "ordner")
    data = good.read_bytes()
    assert 300 < len(data) < 4000  # a small file
    _assert_all_refused(receiver, good, [data[:cut] for cut in range(len(data))], None)
    # the whole file is fine
    report = receiver.sync(tmp_path / "ordner")
    assert report.read_files == 1 and receiver.snapshot() == sender.snapshot()


def test_random_bit_flips_are_refused(sender, receiver, tmp_path):
    plain = _written_file(sender, tmp_path / "ordner")
    secret = _written_file(sender, tmp_path / "geheim", PASSWORD)
    rng = random.Random(4711)
    for good, passphrase, count in ((plain, None, 300), (secret, PASSWORD, 250)):
        data = good.read_bytes()
        variants = []
        for _ in range(count):
            flipped = bytearray(data)
            bit = rng.randrange(len(data) * 8)
            flipped[bit // 8] ^= 1 << (bit % 8)
            variants.append(bytes(flipped))
        _assert_all_refused(receiver, good, variants, passphrase)
        shutil.rmtree(good.parent.parent.parent / "kaputt")


def _make_newer(data: bytes) -> bytes:
    body = bytearray(data[:-32])
    body[len(MAGIC):len(MAGIC) + 2] = struct.pack(">H", fileformat.FORMAT_VERSION + 1)
    import hashlib

    return bytes(body) + hashlib.sha256(bytes(body)).digest()


def test_wrong_password_foreign_and_newer_files_get_distinct_messages_rest_is_imported(sender, receiver, tmp_path):
    folder = tmp_path / "ordner"
    good = _written_file(sender, folder, PASSWORD)
    other = Laptop.create(tmp_path / "dritter", "dritter")
    try:
        other.add_course("Kurs vom dritten Laptop")
        third = other.sync(folder, PASSWORD).device_id
    finally:
        other.close()
    stranger = folder / ("ab" * 16)
    stranger.mkdir()
    (stranger / "00000001.klsync").write_bytes(b"PK\x03\x04 eine ZIP-Datei, keine Abgleichdatei" * 10)
    (stranger / "00000002.klsync").write_bytes(_make_newer(encode_file("ab" * 16, "Zukunft", 2, [])))
    (stranger / "00000003.klsync").write_bytes(encode_file("cd" * 16, "Woanders", 3, []))  # claims another device
    # a wrong password is refused for the whole folder before anything is read or written
    with pytest.raises(SyncError, match="Das Passwort passt nicht zum Abgleich-Ordner"):
        receiver.sync(folder, "falsches Passwort")
    assert receiver.snapshot()["courses"] == {}
    # with the right password both laptops' files come in; the bad files are refused, each with its reason
    report = receiver.sync(folder, PASSWORD)
    assert report.read_files == 2
    assert sorted(r.reason for r in report.refused) == ["falscher-ort", "fremd", "neuer"]
    messages = {r.reason: r.message for r in report.refused}
    assert "keine Kurslotse-Abgleichdatei" in messages["fremd"]
    assert "neueren Kurslotse-Version" in messages["neuer"]
    assert all(str(r.label) in r.message for r in report.refused)
    assert {c["title"] for c in receiver.snapshot()["courses"].values()} == {"Kurs", "Kurs vom dritten Laptop"}
    assert good.exists() and (folder / third).is_dir()


def test_newer_data_version_in_header_is_refused(receiver, tmp_path):
    import hashlib
    import json

    data = encode_file("ef" * 16, "Neu", 1, [])
    header_len = struct.unpack(">I", data[len(MAGIC) + 2:len(MAGIC) + 6])[0]
    start = len(MAGIC) + 6
    header = json.loads(data[start:start + header_len])
    header["schema"] = 99
    new_header = json.dumps(header).encode()
    body = data[start + header_len:-32]
    rebuilt = MAGIC + struct.pack(">HI", 1, len(new_header)) + new_header + body
    rebuilt += hashlib.sha256(rebuilt).digest()
    with pytest.raises(fileformat.RefusedFile) as caught:
        decode_file(rebuilt, "x.klsync")
    assert caught.value.reason == fileformat.NEWER and "Datenversion 99" in caught.value.message


# --------------------------------------------------------------------------- kill during sync

def _child(db_path: Path, folder: Path) -> None:
    try:
        db = open_database(f"sqlite:///{db_path}")
        synchronise(db, folder, announce=False)
    finally:
        os._exit(0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="braucht os.fork (Linux/macOS)")
def test_kill_during_sync_leaves_database_and_folder_consistent(tmp_path):
    source = tmp_path / "quelle"
    source.mkdir()
    synthetic_folder(source, devices=3, ops_per_device=4000, ops_per_file=800)
    # the killed laptop has its own changes to write, too
    start_db = tmp_path / "start.sqlite3"
    laptop = Laptop(name="start", path=start_db, db=open_database(f"sqlite:///{start_db}"))
    course = laptop.add_course("Eigener Kurs")
    for number in range(30):
        laptop.add_person(f"Person {number}", course)
    laptop.close()
    # how the database looks after a complete, undisturbed sync (reference)
    reference_folder = tmp_path / "ref-ordner"
    shutil.copytree(source, reference_folder)
    reference_db = tmp_path / "ref.sqlite3"
    shutil.copy(start_db, reference_db)
    db = open_database(f"sqlite:///{reference_db}")
    started = time.perf_counter()
    synchronise(db, reference_folder, announce=False)
    duration = time.perf_counter() - started
    db.close()
    expected = snapshot(reference_db)
    rng = random.Random(2026)
    kills = 0
    for round_number in range(10):
        work = tmp_path / f"runde-{round_number}"
        work.mkdir()
        shutil.copytree(source, work / "ordner")
        shutil.copy(start_db, work / "kurslotse.sqlite3")
        pid = os.fork()
        if pid == 0:
            _child(work / "kurslotse.sqlite3", work / "ordner")
        time.sleep(rng.uniform(0.0, duration * 1.1))
        try:
            os.kill(pid, signal.SIGKILL)
            kills += 1
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        conn = sqlite3.connect(work / "kurslotse.sqlite3")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        # every file a reader can see is complete (half-written files only exist as temp files)
        for item in scan(work / "ordner"):
            decode_file(item.path.read_bytes(), item.path.name)
        # finishing the sync gives exactly the reference data: no file was half applied
        db = open_database(f"sqlite:///{work / 'kurslotse.sqlite3'}")
        try:
            report = synchronise(db, work / "ordner", announce=False)
            assert report.refused == []
        finally:
            db.close()
        assert snapshot(work / "kurslotse.sqlite3") == expected
        shutil.rmtree(work)
    assert kills >= 5
    assert sync_state(reference_db)["pending"] == []
