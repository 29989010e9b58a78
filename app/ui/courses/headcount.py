"""Sprechstunde panel: count anonymous visitors and the topics they asked about — no names."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.attendance import DEFAULT_TOPICS
from app.ui.courses.widgets import big_button, scaled_font

TOPIC_COLUMNS = 5


class HeadCounter(QWidget):
    """A big counter with +1 / −1 and one button per topic; each tap is reported as a signal."""

    count_changed = Signal(int)  # delta
    topic_counted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count_label = QLabel("0")
        self.count_label.setFont(scaled_font(self, 2.6, bold=True))
        self.count_label.setAccessibleName("Besucher ohne Namen")
        self.count_label.setMinimumWidth(120)
        self.plus = big_button("+1 Besucher (Plus-Taste)", "Einen Besucher dazuzählen",
                               lambda: self.count_changed.emit(1), height=72, factor=1.3)
        self.minus = big_button("−1 (Minus-Taste)", "Einen Besucher abziehen",
                                lambda: self.count_changed.emit(-1), height=72)
        self.topic_buttons: dict[str, QPushButton] = {}
        self.topic_grid = QGridLayout()
        self.other_topic = QLineEdit()
        self.other_topic.setAccessibleName("Anderes Thema eingeben, dann Eingabe")
        self.other_topic.setPlaceholderText("Anderes Thema …")
        self.other_topic.returnPressed.connect(self._other_topic)
        counter = QHBoxLayout()
        caption = QLabel("Besucher ohne Namen:")
        caption.setFont(scaled_font(self, 1.2))
        counter.addWidget(caption)
        counter.addWidget(self.count_label)
        counter.addWidget(self.plus, 2)
        counter.addWidget(self.minus, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(counter)
        layout.addWidget(QLabel("Gefragte Themen (antippen zum Zählen):"))
        layout.addLayout(self.topic_grid)
        layout.addWidget(self.other_topic)
        for topic in DEFAULT_TOPICS:
            self._topic_button(topic)

    def _topic_button(self, topic: str) -> QPushButton:
        button = QPushButton(topic.replace("&", "&&"))
        button.setMinimumHeight(48)
        button.clicked.connect(lambda _checked=False, t=topic: self.topic_counted.emit(t))
        number = len(self.topic_buttons)
        self.topic_grid.addWidget(button, number // TOPIC_COLUMNS, number % TOPIC_COLUMNS)
        self.topic_buttons[topic] = button
        return button

    def show_counts(self, head_count: int, topics: dict[str, int]) -> None:
        self.count_label.setText(str(head_count))
        for topic in topics:
            if topic not in self.topic_buttons:
                self._topic_button(topic)
        for topic, button in self.topic_buttons.items():
            count = topics.get(topic, 0)
            text = topic.replace("&", "&&")
            button.setText(f"{text} · {count}" if count else text)
            button.setAccessibleName(f"Thema {topic}, bisher {count} mal gefragt")

    def _other_topic(self) -> None:
        topic = self.other_topic.text().strip()
        if topic:
            self.topic_counted.emit(topic)
            self.other_topic.clear()
