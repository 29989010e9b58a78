"""Anwesenheitsliste and Teilnahmebescheinigung: real PDFs through the shared renderer, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.attendance import AttendanceStatus, InputError, ParticipantInput
from app.render.attendance_sheets import build_certificates, build_signature_sheet
from app.render.output import write_pdf
from app.services import courses, documents, lesson_titles, organisation, people
from app.services.checkin import CheckInDesk
from app.services.demo import demo_logo_png
from app.ui.courses.page import CoursesPage
from app.ui.courses.printing import DocumentDialog
from tests.attendance_fixtures import TODAY, db, make_course, no_leaked_listeners  # noqa: F401

FUNDING = "Gefördert im Rahmen von »Land L(i)eben« (Kreis Kusel)"


@pytest.fixture
def qapp_fonts(qapp):  # noqa: ANN001 - the renderer needs a QGuiApplication for fonts
    return qapp


def _text(path) -> str:  # noqa: ANN001
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _with_letterhead(db) -> None:  # noqa: ANN001
    organisation.save_settings(db, organisation.OrganisationSettings(
        name="Digitallotsen Kusel", funding_line=FUNDING, contact="Projektbüro Kusel, Tel. 06381 0000",
        logo_png=demo_logo_png(),
    ))


def test_signature_sheet_lists_enrolled_and_empty_rows(qapp_fonts, db, tmp_path):
    _with_letterhead(db)
    setup = make_course(db, names=("Anna Müller", "Bernd *Schmidt*", "Clara Weber"))
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    desk.add_walk_in("Dieter Gast")
    people.unenrol(db, setup.course_id, setup.person_ids[2])
    data = documents.signature_sheet(db, setup.termin_ids[0])
    assert data.names == ("Anna Müller", "Bernd *Schmidt*", "Dieter Gast")
    assert data.empty_rows == 4
    target = tmp_path / "liste.pdf"
    layout = write_pdf(build_signature_sheet(data), target)
    assert layout.page_count == 1
    text = _flat(_text(target))
    for expected in ("Anwesenheitsliste", "Smartphone-Grundkurs", "Dienstag, 10.03.2026, 14:00–16:00 Uhr",
                     "Dorfgemeinschaftshaus, Nanzdietschweiler", "Erika Lang", FUNDING, "Digitallotsen Kusel",
                     "Nr.", "Name", "Unterschrift", "Anna Müller", "Bernd *Schmidt*", "Dieter Gast"):
        assert expected in text, expected
    assert "Clara Weber" not in text  # no longer on the list, and not here today
    numbers = re.findall(r"(?m)^\s*(\d+)\s*$", _text(target))
    assert [int(n) for n in numbers][-7:] == [1, 2, 3, 4, 5, 6, 7]  # 3 names + 4 empty rows
    assert PdfReader(str(target)).pages[0].images, "das Logo fehlt im Kopf"


def test_signature_sheet_of_a_big_course_repeats_the_header_on_every_page(qapp_fonts, db, tmp_path):
    setup = make_course(db, names=tuple(f"Person {n:02d}" for n in range(30)))
    target = tmp_path / "gross.pdf"
    layout = write_pdf(build_signature_sheet(documents.signature_sheet(db, setup.termin_ids[0])), target)
    assert layout.page_count >= 2
    for page in PdfReader(str(target)).pages:
        assert "Unterschrift" in page.extract_text()
    assert "Person 29" in _flat(_text(target))


def test_certificates_for_everyone_who_attended(qapp_fonts, db, tmp_path, monkeypatch):
    _with_letterhead(db)
    installed = {"whatsapp-nachrichten": lesson_titles.LessonInfo("whatsapp-nachrichten", "Nachrichten lesen")}
    monkeypatch.setattr(lesson_titles, "_cache", installed)
    setup = make_course(db, count=3)
    for index, termin_id in enumerate(setup.termin_ids[:2]):
        desk = CheckInDesk(db, termin_id, today=TODAY)
        desk.toggle(setup.person_ids[0])
        if index == 1:
            desk.toggle(setup.person_ids[1])
        desk.set_status(setup.person_ids[2], AttendanceStatus.EXCUSED)
    items = documents.certificates(db, setup.course_id, issued_on=dt.date(2026, 6, 1))
    assert [item.person_name for item in items] == ["Anna Müller", "Bernd Schmidt"]
    target = tmp_path / "bescheinigungen.pdf"
    layout = write_pdf(build_certificates(items), target)
    assert layout.page_count == 2
    pages = [_flat(page.extract_text()) for page in PdfReader(str(target)).pages]
    assert "Teilnahmebescheinigung" in pages[0] and "Anna Müller" in pages[0]
    assert "Besuchte Termine (2 von 2)" in pages[0]
    assert "10.03.2026, 17.03.2026" in pages[0]
    assert "Besuchte Termine (1 von 2)" in pages[1] and "17.03.2026" in pages[1]
    # topics are the lessons of the attended Termine: by title, or by id where not installed here
    assert "smartphone-kennenlernen" in pages[0] and "Nachrichten lesen" in pages[0]
    assert "Nachrichten lesen" in pages[1] and "smartphone-kennenlernen" not in pages[1]
    assert "Nanzdietschweiler, den 01.06.2026" in pages[0]
    assert FUNDING in pages[1] and "Projektbüro Kusel" in pages[1]
    assert "Seite" not in pages[0]  # each certificate stands alone


def test_certificate_for_someone_who_never_came_is_refused(db):
    setup = make_course(db)
    with pytest.raises(InputError, match="Clara Weber war bei keinem stattgefundenen Termin anwesend"):
        documents.certificates(db, setup.course_id, [setup.person_ids[2]])
    with pytest.raises(InputError, match="noch niemand"):
        documents.certificates(db, setup.course_id)


def test_print_buttons_on_the_course_page_write_pdfs(qtbot, db, tmp_path):
    setup = make_course(db)
    CheckInDesk(db, setup.termin_ids[0], today=TODAY).toggle(setup.person_ids[0])
    people.create_participant(db, ParticipantInput(name="Otto Petry"), course_id=setup.course_id)
    page = CoursesPage()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    assert page.ensure_loaded()
    page.show_course(setup.course_id)
    view = page.course_view
    view.termin_table.selectRow(0)
    view.termin_table.setFocus()
    qtbot.waitUntil(view.termin_table.hasFocus)
    qtbot.keyClick(view.termin_table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentDialog) and w.isVisible())
    assert "4 Namen" in dialog.findChild(type(view.title)).text()
    assert dialog.save_pdf_to(tmp_path / dialog.default_name)
    assert dialog.default_name == "Anwesenheitsliste-Smartphone-Grundkurs-2026-03-10.pdf"
    assert "Otto Petry" in _flat(_text(tmp_path / dialog.default_name))
    dialog.close()
    # certificates: the one who never came gets a German message, not a dialog
    view.tabs.setCurrentIndex(1)
    view.people_table.selectRow(view.people_model.row_of(setup.person_ids[1]))
    view.print_certificate()
    assert "war bei keinem stattgefundenen Termin anwesend" in view.message.text()
    view.print_all_certificates()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentDialog) and w.isVisible())
    target = tmp_path / "alle.pdf"
    assert dialog.save_pdf_to(target)
    assert len(PdfReader(str(target)).pages) == 1 and "Anna Müller" in _flat(_text(target))
    dialog.close()


def test_saving_into_a_missing_folder_gives_a_german_message(qtbot, db, tmp_path):
    setup = make_course(db)
    document = build_signature_sheet(documents.signature_sheet(db, setup.termin_ids[0]))
    dialog = DocumentDialog(document, "x.pdf", "Test")
    qtbot.addWidget(dialog)
    assert not dialog.save_pdf_to(tmp_path / "gibt-es-nicht" / "x.pdf")
    assert "existiert nicht" in dialog.message.text()
    assert courses.get_termin(db, setup.termin_ids[0]).present_count == 0
