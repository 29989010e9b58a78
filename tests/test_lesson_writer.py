"""The lesson document model: byte-identical round trip of every shipped lesson, edits that touch only their span."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.lessons.editing import EditError, LessonDocument, PictureRef, copy_lesson, create_lesson
from app.lessons.parser import parse_lesson

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "lektionen").glob("*/lektion.md"))
HEADER_SCALARS = ("id", "titel", "beschreibung", "dauer", "stufe", "thema", "geraete", "autor", "stand")
HEADER_LISTS = ("lernziele", "links", "quellen", "voraussetzungen")
FIELDS = ("titel", "text", "android", "iphone", "uebung", "merksatz", "notizen")


def test_there_are_shipped_lessons():
    assert len(SHIPPED) >= 20


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_open_and_save_without_changes_is_byte_identical(path: Path, tmp_path: Path):
    data = path.read_bytes()
    document = LessonDocument.from_bytes(data)
    # writing every field back with the value it shows must not change a byte either
    for key in HEADER_SCALARS:
        document.set_header_value(key, document.header_value(key))
    for key in HEADER_LISTS:
        document.set_header_list(key, document.header_list(key))
    for index in range(len(document.steps())):
        for name in FIELDS:
            document.set_field(index, name, document.field(index, name))
        for name in ("text", "android", "iphone"):
            document.set_picture(index, name, document.picture(index, name))
    target = tmp_path / "lektion.md"
    document.save(target)
    assert target.read_bytes() == data


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_steps_match_the_checker(path: Path):
    document = LessonDocument.load(path)
    lesson = parse_lesson(path.parent, check_pictures=False)
    assert document.step_titles() == [step.title for step in lesson.steps]
    for index, step in enumerate(lesson.steps):
        assert document.field(index, "merksatz") == step.key_sentence
        assert document.field(index, "uebung") == step.exercise
        assert document.field(index, "notizen") == step.notes
        assert document.field(index, "text") == step.text
        picture = document.picture(index, "text")
        assert (picture.target if picture else None) == (step.picture.path.relative_to(path.parent).as_posix()
                                                         if step.picture else None)


def _changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _copy(tmp_path: Path, name: str = "taschenlampe-test") -> Path:
    source = ROOT / "lektionen" / "qr-codes-scannen"
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def test_an_edit_changes_only_its_span(tmp_path: Path):
    folder = _copy(tmp_path)
    before = (folder / "lektion.md").read_bytes()
    document = LessonDocument.from_bytes(before)
    old = document.field(3, "merksatz")  # »Ruhig halten« has a one-line Merksatz
    document.set_field(3, "merksatz", "Ein neuer Merksatz.")
    assert _changed_lines(before, document.to_bytes()) == [f"-{old}", "+Ein neuer Merksatz."]
    document.set_header_value("dauer", "50")
    changed = _changed_lines(before, document.to_bytes())
    assert len(changed) == 4 and "+dauer: 50" in changed
    # a new section is added at the end of its step and nothing else moves
    document.set_field(3, "android", "Android-Text.")
    added = _changed_lines(before, document.to_bytes())
    assert [line for line in added if line not in changed] == ["+", "+### Android", "+Android-Text."]


def test_edits_are_read_back_by_the_checker(tmp_path: Path):
    folder = _copy(tmp_path)
    document = LessonDocument.load(folder / "lektion.md")
    count = len(document.steps())
    document.set_field(0, "android", "Tippen Sie auf die Kamera.")
    document.set_field(0, "iphone", "")
    document.set_field(0, "notizen", "Erst zeigen, dann üben.")
    document.set_title(1, "Ein anderer Titel")
    document.move_step(0, 2)
    new = document.add_step("Zum Schluss", "Jetzt üben Sie selbst.")
    document.set_field(new, "uebung", "- Einen Code scannen.\n- Die Adresse lesen.")
    document.save(folder / "lektion.md")
    lesson = parse_lesson(folder, check_pictures=False)
    titles = [step.title for step in lesson.steps]
    assert len(titles) == count + 1
    assert titles[0] == "Ein anderer Titel"
    moved = lesson.steps[2]
    from app.domain.lesson import Device
    assert moved.variants[Device.ANDROID].text == "Tippen Sie auf die Kamera."
    assert Device.IPHONE not in moved.variants
    assert moved.notes == "Erst zeigen, dann üben."
    assert lesson.steps[-1].title == "Zum Schluss"
    assert lesson.steps[-1].exercise_items() == ["Einen Code scannen.", "Die Adresse lesen."]
    assert not [p for p in lesson.errors if "Abschnitt" in p.message]


def test_remove_step_and_pictures(tmp_path: Path):
    folder = _copy(tmp_path)
    document = LessonDocument.load(folder / "lektion.md")
    count = len(document.steps())
    second = document.step_titles()[1]
    document.remove_step(0)
    assert document.step_titles()[0] == second and len(document.steps()) == count - 1
    document.set_picture(0, "iphone", PictureRef("bilder/qr-code.svg", "Ein QR-Code"))
    assert document.picture(0, "iphone") == PictureRef("bilder/qr-code.svg", "Ein QR-Code")
    document.set_picture(0, "iphone", None)
    assert document.picture(0, "iphone") is None
    document.save(folder / "lektion.md")
    assert len(parse_lesson(folder, check_pictures=False).steps) == count - 1


def test_crlf_and_bom_survive_an_edit():
    text = "\ufeff---\r\nid: test-lektion\r\ntitel: Test\r\n---\r\n\r\n## Eins\r\n\r\nHallo.\r\n"
    document = LessonDocument.from_bytes(text.encode("utf-8"))
    assert document.to_bytes() == text.encode("utf-8")
    document.set_field(0, "text", "Guten Tag.")
    assert document.to_bytes() == text.replace("Hallo.", "Guten Tag.").encode("utf-8")


def test_unknown_content_is_kept():
    text = ("---\nid: x\n# eine Bemerkung\ntitel: T\nlernziele:\n  - A\n  # Kommentar\n  - B\n---\n\n"
            "## Eins\n\nText.\n\n### Sonstiges\nUnbekannt.\n\n```\n## kein Schritt\n```\n")
    document = LessonDocument(text)
    assert document.step_titles() == ["Eins"]
    document.set_header_list("lernziele", ["A", "B", "C"])
    document.set_field(0, "merksatz", "Kurz.")
    result = document.text
    for kept in ("# eine Bemerkung", "  # Kommentar", "### Sonstiges\nUnbekannt.", "```\n## kein Schritt\n```"):
        assert kept in result
    assert "  - C" in result and "### Merksatz\nKurz." in result


def test_not_utf8_is_refused():
    with pytest.raises(EditError, match="UTF-8"):
        LessonDocument.from_bytes("---\ntitel: Ärger\n".encode("latin-1"))


def test_copy_of_a_shipped_lesson_gets_new_id_and_origin(tmp_path: Path):
    source = ROOT / "lektionen" / "qr-codes-scannen"
    before = (source / "lektion.md").read_bytes()
    folder = copy_lesson(source, tmp_path / "eigene", {"qr-codes-scannen"}, today=dt.date(2026, 11, 28))
    assert folder.name == "qr-codes-scannen-eigene"
    assert (source / "lektion.md").read_bytes() == before
    document = LessonDocument.load(folder / "lektion.md")
    assert document.header_value("id") == "qr-codes-scannen-eigene"
    assert any("Kopie der Lektion »qr-codes-scannen«" in c and "28.11.2026" in c for c in document.header_comments())
    second = copy_lesson(source, tmp_path / "eigene", {"qr-codes-scannen"})
    assert second.name == "qr-codes-scannen-eigene-2"
    lesson = parse_lesson(folder)
    assert lesson.id == "qr-codes-scannen-eigene" and not lesson.errors


def test_new_lesson_from_template_has_one_step_with_both_devices(tmp_path: Path):
    folder = create_lesson(tmp_path, "Fotos verschicken", set(), today=dt.date(2026, 11, 28))
    assert folder.name == "fotos-verschicken"
    lesson = parse_lesson(folder)
    assert not lesson.errors, lesson.errors
    assert len(lesson.steps) == 1
    from app.domain.lesson import Device
    assert set(lesson.steps[0].variants) == {Device.ANDROID, Device.IPHONE}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_editing_one_field_of_every_step_leaves_everything_else_as_the_checker_reads_it(path: Path, tmp_path: Path):
    from app.domain.lesson import Device

    folder = tmp_path / path.parent.name
    shutil.copytree(path.parent, folder)
    before = parse_lesson(folder, check_pictures=False)
    document = LessonDocument.load(folder / "lektion.md")
    fields = ("merksatz", "uebung", "android", "text")
    for index in range(len(document.steps())):
        name = fields[index % len(fields)]
        document.set_field(index, name, f"Neuer Inhalt {index}.")
    document.save(folder / "lektion.md")
    after = parse_lesson(folder, check_pictures=False)
    assert len(after.steps) == len(before.steps)
    assert (after.id, after.title, after.goals, after.links) == (before.id, before.title, before.goals, before.links)
    for index, (old, new) in enumerate(zip(before.steps, after.steps)):
        name = fields[index % len(fields)]
        expected = {
            "merksatz": old.key_sentence, "uebung": old.exercise, "text": old.text,
            "android": old.variants.get(Device.ANDROID).text if Device.ANDROID in old.variants else "",
        }
        got = {
            "merksatz": new.key_sentence, "uebung": new.exercise, "text": new.text,
            "android": new.variants.get(Device.ANDROID).text if Device.ANDROID in new.variants else "",
        }
        expected[name] = f"Neuer Inhalt {index}."
        assert got == expected
        assert (new.title, new.notes, new.picture and new.picture.path) == (old.title, old.notes, old.picture and old.picture.path)
        if Device.IPHONE in old.variants:
            assert new.variants[Device.IPHONE].text == old.variants[Device.IPHONE].text


def test_a_checker_line_maps_to_its_field_and_row():
    text = ("---\nid: x\ntitel: T\n---\n\n## Eins\n![Bild](bilder/a.svg)\n\nErste Zeile.\nZweite Zeile.\n\n"
            "### Notizen\n- a\n- b\n")
    document = LessonDocument(text)
    lines = text.split("\n")
    assert document.field_at_line(lines.index("titel: T") + 1) == (None, "titel")
    assert document.field_at_line(lines.index("## Eins") + 1) == (0, "titel")
    assert document.field_at_line(lines.index("Zweite Zeile.") + 1) == (0, "text")
    assert document.row_in_field(lines.index("Zweite Zeile.") + 1) == 1
    assert document.field(0, "text").split("\n")[1] == "Zweite Zeile."
    assert document.field_at_line(lines.index("- b") + 1) == (0, "notizen")
    assert document.row_in_field(lines.index("- b") + 1) == 1


_OPERATIONS = st.lists(st.tuples(st.sampled_from(["neu", "weg", "schieben", "feld", "bild"]),
                                 st.integers(0, 30), st.integers(0, 30),
                                 st.sampled_from(["text", "android", "iphone", "uebung", "merksatz", "notizen"]),
                                 st.sampled_from(["", "Kurz.", "Zwei\nZeilen.", "- a\n- b"])),
                       min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lesson=st.sampled_from(SHIPPED), operations=_OPERATIONS)
def test_any_sequence_of_edits_is_read_back_by_the_checker(tmp_path: Path, lesson: Path, operations):
    document = LessonDocument.load(lesson)
    expected: list[dict[str, str]] = [{name: document.field(i, name) for name in FIELDS}
                                      for i in range(len(document.steps()))]
    for kind, first, second, name, value in operations:
        count = len(expected)
        if kind == "neu":
            after = first % count if count else None
            index = document.add_step(f"Neu {first}", "Etwas zu zeigen.", after)
            expected.insert(index, {**dict.fromkeys(FIELDS, ""), "titel": f"Neu {first}", "text": "Etwas zu zeigen."})
        elif kind == "weg" and count > 1:
            document.remove_step(first % count)
            del expected[first % count]
        elif kind == "schieben" and count > 1:
            document.move_step(first % count, second % count)
            expected.insert(second % count, expected.pop(first % count))
        elif kind == "feld" and count:
            document.set_field(first % count, name, value)
            expected[first % count][name] = value.strip()
        elif kind == "bild" and count:
            section = name if name in ("text", "android", "iphone") else "text"
            document.set_picture(first % count, section, PictureRef("bilder/neu.svg", "Neu") if value else None)
    import tempfile

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    document.save(folder / "lektion.md")
    parsed = parse_lesson(folder, check_pictures=False)
    assert [step.title for step in parsed.steps] == [fields["titel"] for fields in expected]
    assert [document.field(i, name) for i in range(len(expected)) for name in FIELDS] == \
        [fields[name] for fields in expected for name in FIELDS]
    assert not [p for p in parsed.errors if "Abschnitt" in p.message or "vor dem ersten Schritt" in p.message]
    from app.domain.lesson import Device

    for step, fields in zip(parsed.steps, expected):
        assert (step.key_sentence, step.exercise, step.notes) == (fields["merksatz"], fields["uebung"], fields["notizen"])
        assert step.text == fields["text"]
        assert (step.variants[Device.ANDROID].text if Device.ANDROID in step.variants else "") == fields["android"]
