"""A laptop killed while it writes its own sync file: the next sync goes on, nothing is taken for a stranger's.

Found by the kill test under CI load: a kill after the file was in the folder but before the database
had recorded it left ``00000001.klsync`` under the laptop's own id; the next sync refused it as
»stammt aber nicht von ihm« and stopped writing into the folder. The database now learns of a file
before it is written. Both kill points are simulated here deterministically (a BaseException that no
``except OSError`` catches stands in for SIGKILL: nothing after it runs).
"""

from __future__ import annotations

import pytest

from app.sync import folder as folder_io
from app.sync import service
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.sync_helpers import laptops, shared  # noqa: F401 - fixtures


class Killed(BaseException):
    """Stands in for SIGKILL: not an OSError, so no clean-up path of the export runs."""


def _own_files(folder, device):  # noqa: ANN001, ANN202
    return sorted(item.seq for item in folder_io.scan(folder) if item.device == device and not item.copy)


def test_killed_before_the_file_is_written_writes_it_again_next_time(laptops, shared, monkeypatch):  # noqa: F811
    anna, bert = laptops("anna"), laptops("bert")
    course = anna.add_course("Smartphone-Kurs Glan-Münchweiler")
    anna.add_person("Erika Beispiel", course)

    def killed(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(folder_io, "write_new_file", killed)
        with pytest.raises(Killed):
            anna.sync(shared)
    report = anna.sync(shared)  # the next start of the program
    assert report.refused == [] and not report.export_note and report.written_files == 1
    # number 1 was reserved by the killed run and never written; the operations came under number 2
    assert _own_files(shared, report.device_id) == [2]
    assert anna.sync(shared).written_files == 0

    received = bert.sync(shared)
    assert received.refused == []
    assert bert.snapshot()["courses"] == anna.snapshot()["courses"]
    assert bert.snapshot()["participants"] == anna.snapshot()["participants"]


def test_killed_after_the_file_is_written_knows_it_as_its_own(laptops, shared, monkeypatch):  # noqa: F811
    anna, bert = laptops("anna"), laptops("bert")
    anna.add_course("Sprechstunde Nanzdietschweiler")
    written = []
    real_write = folder_io.write_new_file

    def write_then_die(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        written.append(real_write(*args, **kwargs))
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(folder_io, "write_new_file", write_then_die)
        with pytest.raises(Killed):
            anna.sync(shared)
    assert len(written) == 1 and written[0].name == "00000001.klsync"

    report = anna.sync(shared)
    assert report.refused == []  # was: »Liegt unter der Kennung dieses Laptops, stammt aber nicht von ihm«
    assert not report.export_note and not report.renewed
    assert report.written_files == 0  # the file of the killed run already holds everything
    assert _own_files(shared, report.device_id) == [1]
    assert bert.sync(shared).refused == []
    assert bert.snapshot()["courses"] == anna.snapshot()["courses"]


def test_a_file_that_cannot_be_written_leaves_no_reserved_number(laptops, shared, monkeypatch):  # noqa: F811
    anna = laptops("anna")
    anna.add_course("Kurs")

    def stick_full(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(folder_io, "write_new_file", stick_full)
        report = anna.sync(shared)
    assert "kann nicht geschrieben werden" in report.export_note
    report = anna.sync(shared)
    assert report.written_files == 1 and _own_files(shared, report.device_id) == [1]

