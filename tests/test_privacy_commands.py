"""Auskunft as JSON and PDF (read back with pypdf), retention listing, and the commands auskunft/loeschen/aufbewahrung."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pypdf import PdfReader

from app import cli
from app.domain.attendance import ConsentKind, InputError, ParticipantInput
from app.render.auskunft import build_auskunft
from app.render.output import write_pdf
from app.services import auskunft, people, privacy, retention
from app.storage.models import Participant
from tests.attendance_fixtures import TODAY, db, no_leaked_listeners  # noqa: F401
from tests.privacy_fixtures import EMAIL, NAME, NOTE, PHONE, make_person


def test_privacy_commands_are_registered():
    assert "app.commands.privacy" in cli.COMMAND_MODULES


def _pdf_text(path) -> str:  # noqa: ANN001
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def test_auskunft_json_lists_person_consents_enrolments_attendances(db):
    setup = make_person(db)
    data = auskunft.collect(db, setup.person_id).as_json()
    assert data["person"]["name"] == NAME and data["person"]["phone"] == PHONE
    assert data["person"]["email"] == EMAIL and data["person"]["note"] == NOTE
    assert {c["einwilligung_text"] for c in data["einwilligungen"]} == {"Datenspeicherung", "Fotos", "Kontakt"}
    assert all(c["wording_version"] == "2025-1" for c in data["einwilligungen"])
    assert [e["kurs"] for e in data["anmeldungen"]] == ["Smartphone-Grundkurs"]
    assert len(data["anwesenheiten"]) == 2
    first = data["anwesenheiten"][0]
    assert first["status_text"] == "anwesend" and first["termin_zeit"] == "14:00"
    assert dt.date.fromisoformat(first["termin_datum"]) == TODAY - dt.timedelta(days=21)
    json.dumps(data, ensure_ascii=False)  # JSON-ready throughout


def test_auskunft_pdf_through_the_shared_renderer(db, tmp_path, qapp):
    setup = make_person(db)
    people.withdraw_consent(db, people.consents(db, setup.person_id)[1].id, TODAY)
    target = tmp_path / "auskunft.pdf"
    layout = write_pdf(build_auskunft(auskunft.collect(db, setup.person_id)), target)
    assert layout.page_count >= 1
    text = _pdf_text(target)
    for expected in (NAME, PHONE, EMAIL, "Datenspeicherung", "Fotos", "2025-1", "Smartphone-Grundkurs",
                     "Auskunft über gespeicherte Daten", "widerrufen am", TODAY.strftime("%d.%m.%Y")):
        assert expected in text, expected


def test_command_auskunft_writes_pdf_and_json_and_refuses_other_types(db, tmp_path, capsys):
    setup = make_person(db)
    assert cli.main(["auskunft", str(setup.person_id), "-o", str(tmp_path / "a.json")]) == 0
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["person"]["name"] == NAME
    assert cli.main(["auskunft", str(setup.person_id), "-o", str(tmp_path / "a.pdf")]) == 0
    assert NAME in _pdf_text(tmp_path / "a.pdf")
    assert "Geschrieben" in capsys.readouterr().out
    assert cli.main(["auskunft", str(setup.person_id), "-o", str(tmp_path / "a.docx")]) == 2
    assert "möglich sind .pdf, .json" in capsys.readouterr().err
    assert cli.main(["auskunft", "999", "-o", str(tmp_path / "b.json")]) == 1
    assert "gibt es nicht" in capsys.readouterr().err and not (tmp_path / "b.json").exists()


def test_command_loeschen_asks_unless_ja(db, capsys):
    setup = make_person(db)
    assert cli.main(["personen", "quasten"]) == 0
    assert f"{setup.person_id}  {NAME}" in capsys.readouterr().out
    assert cli.main(["loeschen", str(setup.person_id)]) == 1  # no terminal to ask: nothing erased
    assert "Nichts gelöscht" in capsys.readouterr().err
    assert not privacy.is_erased(db, setup.person_id)
    assert cli.main(["loeschen", str(setup.person_id), "--ja"]) == 0
    out = capsys.readouterr().out
    assert "1 Person gelöscht" in out and "Abgleich" in out
    assert privacy.is_erased(db, setup.person_id)
    assert cli.main(["loeschen", str(setup.person_id), "--ja"]) == 0
    assert "schon gelöscht" in capsys.readouterr().out
    assert cli.main(["personen"]) == 0
    assert NAME not in capsys.readouterr().out


def test_retention_lists_people_without_activity_for_n_months(db):
    setup = make_person(db)
    assert retention.retention_months(db) == 24
    assert retention.inactive_people(db, today=TODAY) == []
    later = dt.date.today() + dt.timedelta(days=800)  # more than 24 months after the last Termin of the course
    due = retention.inactive_people(db, today=later)
    assert {p.id for p in due} == {setup.person_id, *setup.others}
    assert all(p.last_activity is not None and p.last_activity < retention.months_before(later, 24) for p in due)
    assert retention.inactive_people(db, months=36, today=later) == []
    retention.set_retention_months(db, 36)
    assert retention.retention_months(db) == 36 and retention.inactive_people(db, today=later) == []
    with pytest.raises(InputError, match="zwischen 1 und 240"):
        retention.set_retention_months(db, 0)
    privacy.erase_person(db, privacy.person_uuid(db, setup.person_id))
    assert setup.person_id not in {p.id for p in retention.inactive_people(db, months=24, today=later)}


def test_retention_counts_a_recent_consent_as_activity(db):
    person = people.create_participant(db, ParticipantInput(name="Otto Petry"), today=TODAY)
    later = dt.date.today() + dt.timedelta(days=800)
    assert [p.id for p in retention.inactive_people(db, today=later)] == [person]
    with db.transaction() as session:  # recorded long ago
        session.get(Participant, person).created_at = dt.datetime(2020, 1, 1)
    assert [p.id for p in retention.inactive_people(db, today=TODAY)] == [person]
    people.give_consent(db, person, ConsentKind.PHOTOS, TODAY - dt.timedelta(days=3), "2")
    assert retention.inactive_people(db, today=TODAY) == []


def test_months_before_keeps_the_day_or_takes_the_last_of_the_month():
    assert retention.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert retention.months_before(dt.date(2026, 3, 10), 24) == dt.date(2024, 3, 10)
    assert retention.months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_command_aufbewahrung_lists_and_erases_with_ja(db, capsys, monkeypatch):
    setup = make_person(db)
    monkeypatch.setattr(retention, "inactive_people",
                        lambda db, months=None, today=None, _real=retention.inactive_people:
                        _real(db, months, dt.date.today() + dt.timedelta(days=800)))
    assert cli.main(["aufbewahrung"]) == 0
    out = capsys.readouterr().out
    assert "24 Monate" in out and NAME in out and "4 Personen" in out
    assert cli.main(["aufbewahrung", "--loeschen"]) == 1
    assert not privacy.is_erased(db, setup.person_id)
    capsys.readouterr()
    assert cli.main(["aufbewahrung", "--monate", "25", "--loeschen", "--ja"]) == 0
    assert "4 Personen gelöscht" in capsys.readouterr().out
    assert privacy.is_erased(db, setup.person_id)
    assert cli.main(["aufbewahrung", "--monate", "0"]) == 1
    assert "zwischen 1 und 240" in capsys.readouterr().err


def test_auskunft_lists_earlier_values_still_kept_for_sync(db, tmp_path, qapp):
    setup = make_person(db)
    view = people.get_participant(db, setup.person_id)
    people.update_participant(db, setup.person_id, ParticipantInput(
        name=view.name, phone="06381 999888", email=view.email, birth_year=view.birth_year, gender=view.gender,
        device=view.device, note=view.note))
    data = auskunft.collect(db, setup.person_id)
    assert data.person["phone"] == "06381 999888"
    assert [(v["feld"], v["wert"]) for v in data.earlier_values] == [("phone", PHONE)]
    target = tmp_path / "auskunft.pdf"
    write_pdf(build_auskunft(data), target)
    text = _pdf_text(target)
    assert "Frühere Werte" in text and PHONE in text
    privacy.erase_person(db, privacy.person_uuid(db, setup.person_id))
    assert auskunft.collect(db, setup.person_id).earlier_values == []
