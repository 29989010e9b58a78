"""An attacker written for the tests, independent of app.reports.protection: it reads the published CSV
files of a set of reports and solves for every withheld cell with an integer programme (SciPy/HiGHS).

What it knows (the four kinds of relation of issue 16, plus the obvious inequalities):
1. the columns of Altersgruppen, Geschlecht and Geräteart add up to »Erreichte Personen« of that column;
2. »davon neu« + »davon wiederkehrend« = »Erreichte Personen« in every row;
3. Ortsgemeinden, formats and months add up to the overview for counts of visits (Anwesenheiten,
   Anmeldungen, Sprechstunden-Kontakte, davon ohne Namen gezählt), drop-in topics across villages;
4. across reports: a month row is the same cell in every report that shows it; quarters add up to
   their half-year and to the year for those counts, per village and per format too;
and: persons ≤ Anwesenheiten, a part's persons ≤ the whole's, the whole's ≤ the parts' sum.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

HIDDEN = "."
ADDITIVE = ("Anwesenheiten", "Anmeldungen", "Sprechstunden-Kontakte", "davon ohne Namen gezählt")
PERSONS = "Erreichte Personen"
DISTRIBUTIONS = ("Altersgruppen", "Geschlecht", "Geräteart")
BREAKDOWNS = ("Ortsgemeinden", "Formate", "Monate")
TITLES = {"Ortsgemeinden": "Nach Ortsgemeinde", "Formate": "Nach Format", "Monate": "Nach Monat",
          "Themen": "Nach Thema"}


def parse_csv(data: bytes) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Sections of a report CSV by the sheet name (first word of the title): headers and rows."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    sections, index = {}, 0
    while index < len(rows):
        if not rows[index]:
            index += 1
            continue
        title, headers = rows[index][0], rows[index + 1]
        body = []
        index += 2
        while index < len(rows) and rows[index]:
            body.append(rows[index])
            index += 1
        sections[title] = (headers, body)
    return sections


def section(sections: dict, start: str) -> tuple[list[str], list[list[str]]]:
    return next(value for title, value in sections.items() if title.startswith(start))


@dataclass
class Published:
    """One report as a reader has it: its label (quarter, half-year, year) and its CSV sections."""

    label: str  # e.g. "Q1", "H1", "Y"
    sections: dict


class Attack:
    """Cells are named (where, sheet, row, column); published numbers are constants, ».« unknowns ≥ 0."""

    def __init__(self) -> None:
        self.value: dict[tuple, int | None] = {}  # None: withheld
        self.alias: dict[tuple, tuple] = {}
        self.rows: list[tuple[dict[tuple, int], str]] = []  # coefficients, "=" or "<="

    def name(self, cell: tuple) -> tuple:
        while cell in self.alias:
            cell = self.alias[cell]
        return cell

    def cell(self, cell: tuple, text: str) -> tuple:
        cell = self.name(cell)
        self.value.setdefault(cell, None if text == HIDDEN else int(text))
        return cell

    def same(self, a: tuple, b: tuple) -> None:
        a, b = self.name(a), self.name(b)
        if a == b:
            return
        if self.value.get(b) is None and self.value.get(a) is not None:
            a, b = b, a
        self.alias[a] = b
        if self.value.get(b) is None:
            self.value[b] = self.value.get(a)

    def relate(self, terms: list[tuple[tuple, int]], sense: str) -> None:
        self.rows.append(({cell: coefficient for cell, coefficient in terms}, sense))

    # ------------------------------------------------------------------ reading the tables

    def read(self, report: Published) -> None:
        where = report.label
        _headers, overview = section(report.sections, "Übersicht")
        total = {row[0]: self.cell((where, "Gesamt", "Gesamt", row[0]), row[1]) for row in overview if row[1] != ""
                 and (row[1] == HIDDEN or row[1].lstrip("-").isdigit())}
        groups = {"Gesamt": total}
        for sheet in (*BREAKDOWNS, "Themen"):
            headers, body = section(report.sections, TITLES[sheet])
            parts = []
            for row in body:
                cells = {}
                for header, text in zip(headers[1:], row[1:], strict=True):
                    if text == HIDDEN or text.isdigit():
                        place = ("month", row[0], header) if sheet == "Monate" and header in (*ADDITIVE, PERSONS) \
                            else (where, sheet, row[0], header)
                        cells[header] = self.cell(place, text)
                parts.append(cells)
                groups[row[0]] = cells if sheet in ("Ortsgemeinden", "Formate") else groups.get(row[0], cells)
                self._row(cells)
            self._sum(total, parts, sheet != "Themen")
        self._row(total)
        for sheet in DISTRIBUTIONS:
            headers, body = section(report.sections, sheet)
            for column, header in enumerate(headers[1:], 1):
                persons = groups.get(header, {}).get(PERSONS)
                cells = [self.cell((where, sheet, row[0], header), row[column]) for row in body]
                if persons is not None:
                    self.relate([*((c, 1) for c in cells), (persons, -1)], "=")
            # the columns of the villages (and of the formats) against the Gesamt column, category by category
            for row in body:
                whole = self.name((where, sheet, row[0], "Gesamt"))
                for first, last in ((1, len(headers)),):
                    members = [self.name((where, sheet, row[0], h)) for h in headers[first + 1:last]]
                    for member in members:
                        self.relate([(member, 1), (whole, -1)], "<=")
        headers, body = section(report.sections, "Themen der Sprechstunden")
        for row in body:
            cells = [self.cell((where, "Sprechstunden-Themen", row[0], h), t) for h, t in zip(headers[1:], row[1:],
                                                                                              strict=True)]
            if len(cells) > 1:
                self.relate([(cells[0], 1), *((c, -1) for c in cells[1:])], "=")

    def _row(self, cells: dict[str, tuple]) -> None:
        if all(k in cells for k in (PERSONS, "davon neu", "davon wiederkehrend")):
            self.relate([(cells[PERSONS], 1), (cells["davon neu"], -1), (cells["davon wiederkehrend"], -1)], "=")
        if PERSONS in cells and "Anwesenheiten" in cells:
            self.relate([(cells[PERSONS], 1), (cells["Anwesenheiten"], -1)], "<=")

    def _sum(self, whole: dict[str, tuple], parts: list[dict[str, tuple]], partition: bool) -> None:
        if not parts:  # no rows (e.g. no Themen in a quarter): nothing to add up (Anmeldungen need no Termin)
            return
        for header, cell in whole.items():
            members = [part[header] for part in parts if header in part]
            if header in ADDITIVE and partition and len(members) == len(parts):
                self.relate([(cell, 1), *((m, -1) for m in members)], "=")
            elif header in (PERSONS, *ADDITIVE):
                for member in members:
                    self.relate([(member, 1), (cell, -1)], "<=")
                if len(members) == len(parts):
                    self.relate([(cell, 1), *((m, -1) for m in members)], "<=")

    def link(self, whole: str, parts: list[str]) -> None:
        """*whole* (e.g. the year) is the sum of *parts* (its quarters) for counts of visits, in every row."""
        rows = defaultdict(dict)
        for (where, sheet, row, header) in [c for c in self.value if len(c) == 4]:
            if sheet in ("Gesamt", "Ortsgemeinden", "Formate") and header in (*ADDITIVE, PERSONS):
                rows[(sheet, row, header)][where] = (where, sheet, row, header)
        for (_sheet, _row, header), by_report in rows.items():
            if whole in by_report and all(p in by_report for p in parts):
                terms = [(self.name(by_report[whole]), 1), *((self.name(by_report[p]), -1) for p in parts)]
                self.relate(terms, "=" if header in ADDITIVE else "<=")
                for p in parts:
                    self.relate([(self.name(by_report[p]), 1), (self.name(by_report[whole]), -1)], "<=")

    # ------------------------------------------------------------------ solving

    def intervals(self, cells: list[tuple], cap: int = 10_000,
                  reach: int | None = None) -> dict[tuple, tuple[int, int]]:
        """The smallest and largest whole value of each cell consistent with everything published.

        Every solution found is a point the tables allow, so it is kept: a cell that is 0 in one of
        them has the smallest value 0 without a further search (values are never negative). With
        *reach*, a cell some solution puts at *reach* or more is reported with the largest value
        seen (at least *reach*: enough to show it is not narrowed below *reach*); below that the
        largest value is always searched exactly. Two joint searches first (all cells as small as
        possible, all as large as possible up to *reach*) find such points for most cells at once.
        """
        unknown = sorted({self.name(c) for c in self.value if self.value[self.name(c)] is None})
        index = {c: n for n, c in enumerate(unknown)}
        data, rows, cols, lower, upper = [], [], [], [], []
        for coefficients, sense in self.rows:
            constant, used = 0, {}
            for cell, coefficient in coefficients.items():
                cell = self.name(cell)
                if cell in index:
                    used[index[cell]] = used.get(index[cell], 0) + coefficient
                else:
                    constant += coefficient * (self.value[cell] or 0)
            used = {k: v for k, v in used.items() if v}
            if not used:
                continue
            r = len(lower)
            for col, coefficient in used.items():
                data.append(coefficient)
                rows.append(r)
                cols.append(col)
            lower.append(-constant if sense == "=" else -np.inf)
            upper.append(-constant)
        size = len(unknown)
        matrix = coo_matrix((data, (rows, cols)), shape=(len(lower), size)).tocsr()
        constraint = LinearConstraint(matrix, lower, upper)
        columns = [index[self.name(cell)] for cell in cells]
        seen: list[np.ndarray] = []  # whole-number solutions found so far

        def solve(c: np.ndarray) -> float:
            solved = milp(c, integrality=np.ones(size), bounds=Bounds(0, cap), constraints=[constraint])
            assert solved.status == 0, solved.message  # the true values are always a solution
            seen.append(np.round(solved.x))
            return solved.fun

        if columns:
            c = np.zeros(size)
            c[columns] = 1
            solve(c)
            if reach is not None:  # max Σ min(x, reach): y ≤ x, y ≤ reach (y only steers the search)
                n = len(columns)
                link = coo_matrix((np.r_[np.ones(n), -np.ones(n)], (np.r_[np.arange(n), np.arange(n)],
                                   np.r_[size + np.arange(n), columns])), shape=(n, size + n))
                wide = coo_matrix((matrix.data, (matrix.tocoo().row, matrix.tocoo().col)),
                                  shape=(matrix.shape[0], size + n))
                solved = milp(np.r_[np.zeros(size), -np.ones(n)], integrality=np.ones(size + n),
                              bounds=Bounds(0, np.r_[np.full(size, cap), np.full(n, reach)]),
                              constraints=[LinearConstraint(wide, lower, upper), LinearConstraint(link, -np.inf, 0)])
                assert solved.status == 0, solved.message
                seen.append(np.round(solved.x[:size]))
        result = {}
        for cell, column in zip(cells, columns, strict=True):
            if any(point[column] == 0 for point in seen):
                low = 0
            else:
                c = np.zeros(size)
                c[column] = 1
                low = round(solve(c))
            best = max(point[column] for point in seen)
            if reach is not None and best >= reach:
                high = int(best)
            else:
                c = np.zeros(size)
                c[column] = -1
                high = round(-solve(c))
            result[cell] = (low, high)
        return result
