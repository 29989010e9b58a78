"""One lesson order everywhere: course template order (prerequisites first), then title."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.lessons.ordering import positions_of_templates, sort_lessons, teaching_order
from app.settings import Settings
from app.ui.courses.dialogs import available_lessons
from app.ui.main_window import MainWindow


@dataclass
class _Session:
    lesson_ids: list[str]


@dataclass
class _Template:
    id: str
    sessions: list[_Session]
    known: list[str] = field(default_factory=list)


def test_prerequisite_template_comes_first_then_titles_for_the_rest():
    aufbau = _Template("aufbau", [_Session(["email"]), _Session(["banking"])], known=["einstieg"])
    einstieg = _Template("einstieg", [_Session(["kennenlernen"]), _Session(["wlan", "email"])])
    assert [t.id for t in teaching_order([aufbau, einstieg])] == ["einstieg", "aufbau"]
    positions = positions_of_templates([aufbau, einstieg])
    items = [("zz", "Zebra"), ("banking", "Banking"), ("aa", "Apfel"), ("email", "E-Mail"), ("kennenlernen", "K"),
             ("wlan", "WLAN")]
    ordered = sort_lessons(items, positions, lambda i: i[0], lambda i: i[1])
    assert [i[0] for i in ordered] == ["kennenlernen", "wlan", "email", "banking", "aa", "zz"]


def test_cycle_in_prerequisites_does_not_hang():
    a = _Template("a", [_Session(["x"])], known=["b"])
    b = _Template("b", [_Session(["y"])], known=["a"])
    assert sorted(t.id for t in teaching_order([a, b])) == ["a", "b"]


def test_library_and_course_dialog_use_the_same_order(qtbot):
    window = MainWindow(Settings(), load_now=True)
    qtbot.addWidget(window)
    titles = [window.model.lesson(row).title for row in range(window.model.rowCount())]
    assert titles[0] == "Das Smartphone kennenlernen"
    library_ids = [window.model.lesson(row).id for row in range(window.model.rowCount())]
    dialog_ids = [lesson_id for lesson_id, _title in available_lessons()]
    assert dialog_ids == [i for i in library_ids if i in set(dialog_ids)]
    assert [lesson.id for lesson in window.ordered_lessons()] == library_ids
