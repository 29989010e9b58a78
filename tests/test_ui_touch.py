"""Touch targets in the person dialog are at least 9 mm (44 px at 96 dpi): fields, boxes, buttons, ticks."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

from app.services import people
from app.ui.courses.person_dialog import ParticipantDialog
from app.ui.look import apply_look
from tests.attendance_fixtures import TODAY, db, no_leaked_listeners  # noqa: F401
from tests.privacy_fixtures import make_person

TOUCH_PX = 44


def _small_targets(root: QWidget) -> list[tuple[str, str, int, int]]:
    small = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QAbstractButton, QLineEdit, QComboBox)) and widget.isVisibleTo(root):
            if widget.height() < TOUCH_PX or widget.width() < TOUCH_PX:
                text = getattr(widget, "text", lambda: "")()
                small.append((type(widget).__name__, widget.accessibleName() or text, widget.width(), widget.height()))
    return small


def test_person_dialog_targets_are_finger_sized(qtbot, db):
    apply_look(QApplication.instance(), "hell")
    setup = make_person(db)
    for dialog in (ParticipantDialog(db, person=people.get_participant(db, setup.person_id), today=TODAY),
                   ParticipantDialog(db, course_id=setup.course_id, today=TODAY)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert _small_targets(dialog) == []
        ticks = list(dialog.consent_boxes.values())
        assert ticks and all(box.height() >= TOUCH_PX for box in ticks)
