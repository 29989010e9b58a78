"""The benchmark's machinery: German figures, measured processes, quiet Qt, the demo data folder.

No timing is asserted here (benchmarks are measurements, not tests); these check that what the
benchmark prints and measures is what it says.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app import paths
from app.bench import (
    BenchContext,
    Row,
    demo_data_dir,
    format_row,
    german,
    run_process,
    silence_qt_notes,
)
from app.bench.handout import write_equivalent_html, write_sample_lesson


def test_german_number_format() -> None:
    assert german(1234567.891) == "1.234.567,891"
    assert german(0.3671) == "0,367"
    assert german(80, 0) == "80"
    assert german(2.5, 1) == "2,5"
    assert german(float("nan")) == "–"


def test_row_prints_commas_target_comparison_and_peak_memory() -> None:
    line = format_row(Row("Handout", 0.3456, "s", 0.4, 0.2651, "leerer Datenordner", "Median aus 7",
                          peak_mib=91.4, peak_target_mib=80))
    assert "0,346 s" in line and "Ziel ≤ 0,4 s  ok" in line
    assert "leerer Datenordner: 0,265 s" in line
    assert "Spitze 91 MiB (Ziel ≤ 80 MiB VERFEHLT)" in line
    assert "0.3" not in line


def test_row_without_a_measurement_is_not_called_missed() -> None:
    line = format_row(Row("LibreOffice", float("nan"), "x", target=0.2, note="nicht installiert"))
    assert "nicht gemessen" in line and "VERFEHLT" not in line


def test_process_peak_memory_and_cpu_time_are_measured() -> None:
    # 60 MiB held and touched, then CPU work for a moment.
    code = "b = bytearray(60 * 1024 * 1024); sum(range(3_000_000)); print('fertig')"
    run = run_process([sys.executable, "-c", code])
    assert run.stdout.strip() == "fertig"
    assert 60 <= run.peak_mib < 200
    assert run.cpu_seconds > 0
    assert run.seconds >= run.cpu_seconds * 0.5


def test_peak_memory_is_the_commands_own_not_the_benchmarks() -> None:
    """On Linux a forked child starts with its parent's peak; the benchmark holds Qt and 100+ MiB."""
    ballast = bytearray(150 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page, so it is resident
    run = run_process([sys.executable, "-c", "print('klein')"])
    assert run.stdout.strip() == "klein"
    assert run.peak_mib < 60
    del ballast


def test_failing_command_raises_with_its_message() -> None:
    try:
        run_process([sys.executable, "-c", "import sys; sys.exit('kaputt')"])
    except RuntimeError as error:
        assert "kaputt" in str(error)
    else:
        raise AssertionError("a failing command must not count as a measurement")


def test_offscreen_notes_are_dropped_other_qt_messages_kept(capfd: pytest.CaptureFixture[str]) -> None:
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    previous = silence_qt_notes()
    try:
        qWarning("This plugin does not support propagateSizeHints()")
        qWarning("Etwas anderes ging schief")
    finally:
        qInstallMessageHandler(previous)
    err = capfd.readouterr().err
    assert "propagateSizeHints" not in err
    assert "Etwas anderes ging schief" in err


def test_demo_data_folder_has_the_letterhead_a_trainer_prints(tmp_path: Path) -> None:
    from app.services.print_settings import organisation_for_print

    ctx = BenchContext(work_dir=tmp_path)
    folder = demo_data_dir(ctx)
    assert demo_data_dir(ctx) == folder  # made once per run
    paths.set_data_dir(folder)
    try:
        name, logo = organisation_for_print()
    finally:
        paths.set_data_dir(None)
    assert name == "Digitallotsen Kreis Kusel (Demo)"
    assert logo is not None and logo.read_bytes().startswith(b"\x89PNG")


def test_libreoffice_comparison_page_has_the_same_text_pictures_and_qr_codes(tmp_path: Path) -> None:
    lesson = write_sample_lesson(tmp_path / "lektionen", steps=4, links=3)
    page = write_equivalent_html(lesson, tmp_path / "office")
    text = page.read_text(encoding="utf-8")
    assert "Fotos machen und verschicken" in text
    assert text.count("Schritt ") >= 4
    assert text.count("<img") == 4 + 3  # one picture per step, one QR code per link
    assert all((tmp_path / "office" / f"qr-{number}.png").is_file() for number in range(3))
    assert "https://support.google.com/android/answer/9079644?hl=de" in text


def test_a_broken_part_is_reported_and_the_other_parts_still_run(monkeypatch, capsys) -> None:
    import types

    import app.bench as bench

    broken = types.ModuleType("kaputt_teil")
    broken.rows = lambda ctx: (_ for _ in ()).throw(AttributeError("fetch_in fehlt"))
    working = types.ModuleType("heil_teil")
    working.rows = lambda ctx: [bench.Row("Heile Zeile", 1.5, "s", target=2.0)]
    monkeypatch.setitem(sys.modules, "kaputt_teil", broken)
    monkeypatch.setitem(sys.modules, "heil_teil", working)
    monkeypatch.setattr(bench, "ROW_MODULES", ("kaputt_teil", "heil_teil"))
    rows = bench.run()
    out = capsys.readouterr().out
    assert "Teil »kaputt_teil« nicht gemessen: AttributeError: fetch_in fehlt" in out
    assert [row.name for row in rows] == ["Heile Zeile"]
    assert "Heile Zeile" in out and "1,500" in out
