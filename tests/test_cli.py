"""The command line as a trainer (or CI) uses it: exit codes, German messages, JSON listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__, paths
from app.cli import main
from tests.lesson_factory import write_lesson

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_version_as_a_real_process():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Kurslotse {__version__}"


def test_check_good_lessons_exit_0(tmp_path, capsys):
    write_lesson(tmp_path, lesson_id="eins")
    write_lesson(tmp_path, lesson_id="zwei")
    assert main(["lektionen", "pruefen", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert out.out == ""
    assert "2 Lektionen, 0 Fehler" in out.err


def test_check_reports_file_line_message_and_exit_1(tmp_path, capsys):
    folder = write_lesson(tmp_path, lesson_id="eins", with_picture=False)
    write_lesson(tmp_path, lesson_id="zwei")
    assert main(["lektionen", "pruefen", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    file_part, line_part, message = lines[0].split(":", 2)
    assert Path(file_part) == folder / "lektion.md"
    assert int(line_part) > 0
    assert "Das Bild »bilder/telefon.svg« fehlt." in message


def test_check_single_lesson_folder(tmp_path, capsys):
    folder = write_lesson(tmp_path, lesson_id="eins")
    assert main(["lektionen", "pruefen", str(folder)]) == 0


def test_check_warning_only_passes_unless_strict(tmp_path, capsys):
    long_text = " ".join(["Ein sehr langer Satz für die Wand."] * 40)
    write_lesson(tmp_path, body=f"\n## Lang\n{long_text}\n")
    assert main(["lektionen", "pruefen", str(tmp_path)]) == 0
    assert "Warnung:" in capsys.readouterr().out
    assert main(["lektionen", "pruefen", "--streng", str(tmp_path)]) == 1


def test_check_missing_path(tmp_path, capsys):
    assert main(["lektionen", "pruefen", str(tmp_path / "gibtsnicht")]) == 1
    assert "existiert nicht" in capsys.readouterr().out


def test_check_duplicate_ids(tmp_path, capsys):
    write_lesson(tmp_path / "a", lesson_id="doppelt")
    write_lesson(tmp_path / "b", lesson_id="doppelt")
    assert main(["lektionen", "pruefen", str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert "gibt es schon" in capsys.readouterr().out


def test_shipped_lessons_pass_the_checker(capsys):
    assert main(["lektionen", "pruefen", "--streng", str(paths.shipped_lessons_dir())]) == 0
    assert "Warnung" not in capsys.readouterr().out


def test_list_json_includes_user_lessons(tmp_path, capsys, data_dir):
    user = tmp_path / "eigene"
    write_lesson(user, lesson_id="meine-lektion", title="Meine Lektion")
    (data_dir / "einstellungen.json").write_text(json.dumps({"user_lesson_dir": str(user)}), encoding="utf-8")
    assert main(["lektionen", "liste", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    ids = {entry["id"] for entry in listed}
    assert "meine-lektion" in ids
    mine = next(entry for entry in listed if entry["id"] == "meine-lektion")
    assert mine["titel"] == "Meine Lektion"
    assert mine["schritte"] == 3
    assert mine["geraete"] == ["android", "iphone"]
    assert mine["links"][0] == {"titel": "Hilfe von Google", "url": "https://support.google.com/android?hl=de"}
    assert mine["eigene_lektion"] is True
    shipped = [entry for entry in listed if not entry["eigene_lektion"]]
    assert len(shipped) >= 3
    assert all({"id", "titel", "thema", "schritte", "geraete", "links"} <= set(entry) for entry in listed)


def test_daten_option_sets_data_directory(tmp_path):
    target = tmp_path / "anderswo"
    result = run_cli("--daten", str(target), "lektionen", "liste")
    assert result.returncode == 0, result.stderr
    assert target.is_dir()


def test_environment_variable_sets_data_directory(tmp_path):
    target = tmp_path / "per-umgebung"
    result = run_cli("lektionen", "liste", env={"KURSLOTSE_DATEN": str(target)})
    assert result.returncode == 0
    assert (target / "kurslotse.log").exists() or target.is_dir()


def test_unknown_command_is_german_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["zaubern"])
    assert exit_info.value.code == 2
    assert "Fehler" in capsys.readouterr().err


def test_unexpected_error_is_logged_not_shown(monkeypatch, capsys, data_dir):
    import app.commands.lessons as lessons_command

    def explode(args):
        raise RuntimeError("interner Fehler xyz")

    monkeypatch.setattr(lessons_command, "run_list", explode)
    assert main(["lektionen", "liste"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "unerwarteter Fehler" in err
    assert "interner Fehler xyz" in (data_dir / "kurslotse.log").read_text(encoding="utf-8")


def test_present_unknown_lesson_says_so(capsys):
    assert main(["zeigen", "gibt-es-nicht"]) == 1
    err = capsys.readouterr().err
    assert "gibt es nicht" in err and "qr-codes-scannen" in err  # the known ids are listed


def test_gui_problem_names_missing_packages(monkeypatch):
    from app import qt_check

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(qt_check, "missing_linux_packages", lambda: ["libxcb-cursor0", "libegl1"])
    message = qt_check.gui_problem()
    assert "sudo apt install libxcb-cursor0 libegl1" in message


def test_gui_problem_without_display(monkeypatch):
    from app import qt_check

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert "keinen Bildschirm" in qt_check.gui_problem()
