"""Picture names that differ only in case: one file on Windows and FAT sticks, two on Linux.

A lesson written on Windows that says ``Telefon.svg`` for ``telefon.svg`` works there and shows a
gap on the next laptop; two pictures ``Bild.png`` and ``bild.png`` written on Linux overwrite each
other on a USB stick. The lesson check reports both as errors with file, line and the real name.
"""

from __future__ import annotations

from app.cli import main
from app.lessons.parser import parse_lesson
from tests.lesson_factory import STEPS, SVG, write_lesson


def _errors(folder) -> list[str]:
    return [problem.format() for problem in parse_lesson(folder).errors]


def test_a_reference_in_other_case_names_the_real_file(tmp_path, capsys):
    folder = write_lesson(tmp_path, body=STEPS.replace("bilder/telefon.svg", "bilder/Telefon.svg"))
    errors = _errors(folder)
    assert len(errors) == 1
    assert "»bilder/Telefon.svg«" in errors[0] and "heißt im Lektionsordner »bilder/telefon.svg«" in errors[0]
    assert "Groß-/Kleinschreibung" in errors[0] and "lektion.md:" in errors[0]
    assert main(["lektionen", "pruefen", str(tmp_path)]) == 1
    assert "bilder/telefon.svg" in capsys.readouterr().out


def test_a_folder_name_in_other_case_is_found_too(tmp_path):
    folder = write_lesson(tmp_path, body=STEPS.replace("bilder/telefon.svg", "Bilder/telefon.svg"))
    errors = _errors(folder)
    assert len(errors) == 1 and "heißt im Lektionsordner »bilder/telefon.svg«" in errors[0]


def test_two_pictures_that_differ_only_in_case_are_an_error(tmp_path):
    folder = write_lesson(tmp_path)
    (folder / "bilder" / "Telefon.svg").write_text(SVG, encoding="utf-8")
    errors = _errors(folder)
    assert len(errors) == 1
    assert "»bilder/telefon.svg« und »bilder/Telefon.svg«" in errors[0]
    assert "dieselbe Datei" in errors[0]


def test_exact_names_pass(tmp_path):
    folder = write_lesson(tmp_path)
    (folder / "bilder" / "telefon-neu.svg").write_text(SVG, encoding="utf-8")  # similar, not a case twin
    assert _errors(folder) == []


def test_a_really_missing_picture_is_still_called_missing(tmp_path):
    folder = write_lesson(tmp_path, body=STEPS.replace("bilder/telefon.svg", "bilder/tablet.svg"))
    errors = _errors(folder)
    assert len(errors) == 1 and "»bilder/tablet.svg« fehlt" in errors[0]
