"""Course templates: parsed with line numbers, checked against the lesson library."""

from __future__ import annotations

from app.lessons.course_templates import parse_template
from app.lessons.library import load_library
from tests.lesson_factory import write_lesson

TEMPLATE = """---
id: probekurs
titel: Probekurs
beschreibung: Zwei Termine.
dauer: 90
---

## Termin 1: Start
- eins

## Termin 2: Weiter
- zwei
- fehlt-noch
"""


def test_template_is_parsed_and_checked(tmp_path):
    write_lesson(tmp_path, lesson_id="eins")
    write_lesson(tmp_path, lesson_id="zwei")
    (tmp_path / "kursvorlagen").mkdir()
    (tmp_path / "kursvorlagen" / "probekurs.md").write_text(TEMPLATE, encoding="utf-8")
    library = load_library([tmp_path])
    template = library.template_by_id("probekurs")
    assert template is not None
    assert [s.title for s in template.sessions] == ["Termin 1: Start", "Termin 2: Weiter"]
    assert template.sessions[1].lesson_ids == ["zwei", "fehlt-noch"]
    assert [p.line for p in template.problems] == [13]
    assert "»fehlt-noch«" in template.problems[0].message
    assert template.summary()["termine"][0] == {"titel": "Termin 1: Start", "lektionen": ["eins"]}


def test_malformed_template(tmp_path):
    path = tmp_path / "kaputt.md"
    path.write_text("---\nid: X Y\nfarbe: rot\n---\n\nfreier Text\n## Termin ohne Lektion\n", encoding="utf-8")
    template = parse_template(path)
    lines = sorted(p.line for p in template.problems)
    assert lines == [2, 3, 6, 7]
