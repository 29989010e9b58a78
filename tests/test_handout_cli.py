"""``kurslotse handout``: exit codes, German messages, and never a half-written PDF."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_render_support import decode_qr_codes, page_count, pdf_text

from app import cli, paths
from app.bench.handout import write_sample_lesson
from app.lessons.library import lesson_folders

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lesson_folder(tmp_path: Path) -> Path:
    return write_sample_lesson(tmp_path / "lektionen", steps=4, links=2)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_handout_of_a_lesson_folder(qapp, lesson_folder: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "aus" / "handout.pdf"
    target.parent.mkdir()
    code = cli.main(["handout", str(lesson_folder), "--geraet", "android", "--notizen", "--kurs", "Handy-Treff",
                     "--kursleitung", "Gisela", "--datum", "24.11.2025", "-o", str(target)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"Handout gespeichert: {target}" in out
    text = pdf_text(target)
    assert "24.11.2025" in text and "Handy-Treff" in text and "Für: Android" in text
    assert "Notiz für Schritt 1" in text
    assert len(decode_qr_codes(target)) == 2
    assert _leftovers(target.parent) == []
    assert os.stat(target).st_mode & 0o044, "ein normales, lesbares Dokument"


def test_several_lessons_make_a_booklet(qapp, tmp_path: Path, capsys) -> None:
    first = write_sample_lesson(tmp_path / "a", steps=2, links=1, lesson_id="erste")
    second = write_sample_lesson(tmp_path / "b", steps=3, links=2, lesson_id="zweite")
    target = tmp_path / "heft.pdf"
    assert cli.main(["handout", str(first), str(second), "-o", str(target)]) == 0
    assert "Kursheft gespeichert" in capsys.readouterr().out
    assert "Inhalt" in pdf_text(target)
    assert len(decode_qr_codes(target)) == 3


def test_lesson_by_id_from_the_shipped_lessons(qapp, tmp_path: Path, capsys) -> None:
    folders = lesson_folders(paths.shipped_lessons_dir())
    if not folders:
        pytest.skip("noch keine mitgelieferten Lektionen")
    target = tmp_path / "id.pdf"
    assert cli.main(["handout", folders[0].name, "-o", str(target)]) == 0, capsys.readouterr().err
    assert page_count(target) >= 1


def test_unknown_lesson_is_a_german_error(qapp, tmp_path: Path, capsys) -> None:
    target = tmp_path / "nichts.pdf"
    assert cli.main(["handout", "gibt-es-nicht", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "Die Lektion »gibt-es-nicht« gibt es nicht" in err
    assert "Traceback" not in err
    assert not target.exists()


def test_folder_without_lesson_file(qapp, tmp_path: Path, capsys) -> None:
    assert cli.main(["handout", str(tmp_path), "-o", str(tmp_path / "x.pdf")]) == 1
    assert "keine Datei lektion.md" in capsys.readouterr().err


def test_missing_output_folder(qapp, lesson_folder: Path, tmp_path: Path, capsys) -> None:
    # a wrong output path is a usage error (exit 2) in every command (app/commands/common.py)
    assert cli.main(["handout", str(lesson_folder), "-o", str(tmp_path / "fehlt" / "x.pdf")]) == 2
    assert "gibt es nicht" in capsys.readouterr().err


def test_output_is_a_folder(qapp, lesson_folder: Path, tmp_path: Path, capsys) -> None:
    assert cli.main(["handout", str(lesson_folder), "-o", str(tmp_path)]) == 2
    assert "ist ein Ordner" in capsys.readouterr().err


def test_full_disk_leaves_no_half_file_and_keeps_the_old_one(qapp, lesson_folder: Path, tmp_path: Path,
                                                             capsys, monkeypatch) -> None:
    out = tmp_path / "aus"
    out.mkdir()
    target = out / "handout.pdf"
    target.write_bytes(b"alte Fassung")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("app.atomic_write.os.fsync", full_disk)
    assert cli.main(["handout", str(lesson_folder), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "nicht genug Platz" in err and "Traceback" not in err
    assert target.read_bytes() == b"alte Fassung"
    assert _leftovers(out) == []


@pytest.mark.skipif(sys.platform == "win32", reason="os.geteuid und Ordnerrechte (chmod) gibt es nur unter POSIX")
def test_unwritable_folder_gives_a_clear_message(qapp, lesson_folder: Path, tmp_path: Path, capsys,
                                                 monkeypatch) -> None:
    out = tmp_path / "gesperrt"
    out.mkdir()
    if os.geteuid() == 0:  # root may write anywhere: simulate what a normal user gets
        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr("app.atomic_write.tempfile.mkstemp", refuse)
    else:
        out.chmod(0o500)
    try:
        assert cli.main(["handout", str(lesson_folder), "-o", str(out / "x.pdf")]) == 1
    finally:
        out.chmod(0o700)
    assert "Keine Berechtigung" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_bad_device_and_date_are_refused_by_the_parser(qapp, lesson_folder: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["handout", str(lesson_folder), "--geraet", "nokia", "-o", str(tmp_path / "x.pdf")])
    assert stop.value.code == 2
    with pytest.raises(SystemExit):
        cli.main(["handout", str(lesson_folder), "--datum", "31.02.2025", "-o", str(tmp_path / "x.pdf")])
    assert "TT.MM.JJJJ" in capsys.readouterr().err


def test_real_process_without_display(lesson_folder: Path, tmp_path: Path) -> None:
    """As a trainer runs it: a new process, no display, no QT_QPA_PLATFORM preset."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    target = tmp_path / "prozess.pdf"
    result = subprocess.run([sys.executable, "-m", "app", "--daten", str(tmp_path / "daten"), "handout",
                             str(lesson_folder), "-o", str(target)], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert page_count(target) >= 1


def test_booklet_for_duplex_printing_starts_every_lesson_on_a_right_hand_page(qapp, tmp_path: Path, capsys) -> None:
    from pypdf import PdfReader

    target = tmp_path / "heft.pdf"
    code = cli.main(["handout", "qr-codes-scannen", "videoanrufe", "wlan-und-mobile-daten", "--beidseitig",
                     "-o", str(target)])
    assert code == 0, capsys.readouterr().err
    reader = PdfReader(str(target))
    starts = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    lessons = [title for title in starts if title != "Inhalt"]
    assert len(lessons) == 3
    assert all(starts[title] % 2 == 1 for title in lessons), starts  # odd page numbers are right-hand pages
