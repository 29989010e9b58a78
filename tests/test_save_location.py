"""Save dialogs start in Documents, then in the folder last used for the same kind of file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.ui import save_location


def test_first_time_documents_then_the_remembered_folder_per_kind(qtbot, data_dir, tmp_path, monkeypatch):
    seen: list[str] = []
    chosen = tmp_path / "berichte" / "q1.xlsx"
    chosen.parent.mkdir()

    def fake_dialog(parent, title, start, file_filter):  # noqa: ANN001
        seen.append(start)
        return str(chosen), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    documents = save_location.documents_folder()
    path, _ = save_location.ask_save_file(None, "bericht", "Bericht speichern", "Bericht.xlsx", "Excel (*.xlsx)")
    assert path == chosen
    assert Path(seen[0]) == documents / "Bericht.xlsx"
    save_location.ask_save_file(None, "bericht", "Bericht speichern", "Bericht-2.xlsx", "Excel (*.xlsx)")
    assert Path(seen[1]) == chosen.parent / "Bericht-2.xlsx"  # remembered for reports …
    save_location.ask_save_file(None, "handout", "Als PDF speichern", "handout.pdf", "PDF (*.pdf)")
    assert Path(seen[2]) == documents / "handout.pdf"  # … but not for handouts


def test_a_vanished_folder_falls_back_to_documents(data_dir, tmp_path):
    gone = tmp_path / "stick" / "liste.pdf"
    gone.parent.mkdir()
    save_location.remember("liste", gone)
    gone.parent.rmdir()  # the USB stick was pulled
    assert save_location.start_folder("liste") == save_location.documents_folder()


def test_cancel_remembers_nothing(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: ("", "")))
    path, _ = save_location.ask_save_file(None, "auskunft", "Auskunft", "a.pdf", "PDF (*.pdf)")
    assert path is None
    assert not (data_dir / save_location.FOLDERS_FILE).exists()
