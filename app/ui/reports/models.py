"""Qt adapters for the report preview: a table model over one report table, a chart view."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.indicators import Hidden

Index = QModelIndex | QPersistentModelIndex
HIDDEN_TIP = "Aus Datenschutzgründen verborgen: zu wenige Personen."


class SheetTableModel(QAbstractTableModel):
    """One table of the report, read-only; texts are formatted once in :meth:`set_rows`."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[list[object]] = []
        self._texts: list[list[str]] = []

    def set_rows(self, rows: Sequence[Sequence[object]], headers: Sequence[str] | None = None) -> None:
        """Replace the rows (and the headers, if given); cells keep their types for sorting and alignment."""
        from app.reports.cells import display_text

        self.beginResetModel()
        if headers is not None:
            self.headers = list(headers)
        self.rows = [list(row) for row in rows]
        self._texts = [[display_text(cell) for cell in row] for row in self.rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        row, column = index.row(), index.column()
        if not index.isValid() or not 0 <= row < len(self.rows) or not 0 <= column < len(self.headers):
            return None
        value = self.rows[row][column] if column < len(self.rows[row]) else None
        text = self._texts[row][column] if column < len(self._texts[row]) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.headers[column]}: {text or 'leer'}"
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, Hidden):
            return HIDDEN_TIP
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = isinstance(value, int | float | Hidden) and not isinstance(value, bool)
            horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None


class ChartsView(QWidget):
    """The report's charts stacked, painted by the same code as the PDF at a legible screen size."""

    ZOOM = 1.3  # chart text a little larger than print: the screen is read from further away
    MARGIN = 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.charts: list = []
        self.setAccessibleName("Diagramme des Berichts")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("#ffffff"))
        self.setPalette(palette)

    def set_charts(self, charts: list) -> None:
        """*charts*: ``app.render.charts.ChartData``; the accessible description lists their values."""
        self.charts = list(charts)
        self.setAccessibleDescription(" ".join(_describe(chart) for chart in self.charts))
        self._fit_height()
        self.update()

    def _scale(self) -> float:
        """Device pixels per layout unit (1/720 inch)."""
        return self.logicalDpiX() / 720.0 * self.ZOOM

    def _layout_width(self) -> float:
        return max(200.0, (self.width() - 2 * self.MARGIN) / self._scale())

    def _unit_heights(self) -> list[float]:
        from app.render.charts import chart_height
        from app.render.units import mm

        width = self._layout_width()
        return [chart_height(chart, width) + mm(8) for chart in self.charts]

    def _fit_height(self) -> None:
        self.setMinimumHeight(int(sum(self._unit_heights()) * self._scale()) + 2 * self.MARGIN)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(700, max(200, self.minimumHeight()))

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self._fit_height()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if not self.charts:
            return
        from app.render.charts import paint_chart
        from app.render.units import mm

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.translate(self.MARGIN, self.MARGIN)
        painter.scale(self._scale(), self._scale())
        top = 0.0
        width = self._layout_width()
        for chart, height in zip(self.charts, self._unit_heights(), strict=True):
            paint_chart(painter, QRectF(0, top, width, height - mm(8)), chart)
            top += height
        painter.end()


def _describe(chart) -> str:  # noqa: ANN001 - ChartData
    from app.reports.cells import display_text

    parts = []
    for name, values in chart.series:
        pairs = ", ".join(f"{category} {display_text(value)}" for category, value in zip(chart.categories, values, strict=False))
        parts.append(f"{name}: {pairs}")
    return f"{chart.title}. " + "; ".join(parts) + "."
