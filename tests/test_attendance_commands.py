"""The command-line side: ``kurse``, ``anwesenheitsliste``, ``bescheinigungen``, ``sicherungen``."""

from __future__ import annotations

import argparse
import re

import pytest
from pypdf import PdfReader

from app.commands import backups as backups_command
from app.commands import courses as courses_command
from app.services import context
from app.services.checkin import CheckInDesk
from tests.attendance_fixtures import TODAY, db, make_course, no_leaked_listeners  # noqa: F401


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kurslotse")
    subparsers = parser.add_subparsers()
    courses_command.register(subparsers)
    backups_command.register(subparsers)
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def course(db):  # noqa: ANN001
    setup = make_course(db)
    CheckInDesk(db, setup.termin_ids[0], today=TODAY).toggle(setup.person_ids[0])
    context.close()
    return setup


def test_list_courses_and_termine(course, capsys):
    assert _run("kurse") == 0
    out = capsys.readouterr().out
    assert re.search(rf"^\s*{course.course_id}\s+Smartphone-Grundkurs\s+\[Kurs, Nanzdietschweiler", out, re.M)
    assert "3 Termine, 3 Teilnehmende" in out
    assert _run("kurse", "--kurs", str(course.course_id)) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^\s*{course.termin_ids[0]}\s+10\.03\.2026\s+14:00–16:00 Uhr\s+stattgefunden\s+1 anwesend", out, re.M)


def test_sheet_and_certificates_as_pdf(course, tmp_path, capsys, qapp):  # noqa: ANN001
    sheet = tmp_path / "liste.pdf"
    assert _run("anwesenheitsliste", str(course.termin_ids[0]), "-o", str(sheet)) == 0
    assert "Geschrieben:" in capsys.readouterr().out
    text = " ".join(PdfReader(str(sheet)).pages[0].extract_text().split())
    assert "Anwesenheitsliste" in text and "Clara Weber" in text
    certificate = tmp_path / "bescheinigung.pdf"
    assert _run("bescheinigungen", str(course.course_id), "-o", str(certificate)) == 0
    reader = PdfReader(str(certificate))
    assert len(reader.pages) == 1 and "Anna Müller" in " ".join(reader.pages[0].extract_text().split())


def test_unknown_numbers_give_german_messages(course, tmp_path, capsys):
    assert _run("anwesenheitsliste", "9999", "-o", str(tmp_path / "x.pdf")) == 1
    assert "Den Termin Nr. 9999 gibt es nicht (mehr)." in capsys.readouterr().err
    assert _run("bescheinigungen", str(course.course_id), "--person", str(course.person_ids[1]),
                "-o", str(tmp_path / "y.pdf")) == 1
    assert "Bernd Schmidt war bei keinem stattgefundenen Termin anwesend" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pdf"))


def test_backups_from_the_command_line(course, capsys):
    assert _run("sicherungen") == 0
    assert "Noch keine Sicherung vorhanden." in capsys.readouterr().out
    assert _run("sicherungen", "--jetzt") == 0
    path = capsys.readouterr().out.split("Sicherung angelegt: ")[1].strip()
    assert _run("sicherungen") == 0
    assert "von Hand" in capsys.readouterr().out
    assert _run("sicherungen", "--wiederherstellen", path) == 0
    assert "Der vorherige Stand ist gesichert" in capsys.readouterr().out
    assert _run("sicherungen", "--wiederherstellen", "/gibt/es/nicht.sqlite3") == 1
    assert "Die Sicherung /gibt/es/nicht.sqlite3 gibt es nicht" in capsys.readouterr().err
