"""Secondary suppression and the attacker's audit: hidden small numbers that stay hidden.

Hiding a count of 1 or 2 persons is not enough when the tables also publish the sums it belongs
to: »Januar = 56 − 34 − 20«. This module models the attacker the way statistical offices audit
their tables (the protection-interval idea behind τ-Argus, as Destatis applies it):

* every published person cell of every report in scope is a number; the relations the reports
  themselves publish tie them together (column sums of the distributions, neu + wiederkehrend,
  Ortsgemeinden, formats and months adding up to the overview, the months of a quarter adding up
  to the quarter, persons of a part never more than of the whole, …);
* a hidden cell is an unknown non-negative integer; for each *sensitive* hidden cell, HiGHS (via
  SciPy's ``milp``) finds the smallest and the largest value consistent with everything published;
* a sensitive cell is protected when that interval contains 0 and reaches at least the threshold.

:func:`protect` hides further cells — the cheapest ones, a report's overview only when nothing
else helps — until the audit finds every sensitive cell protected, and marks the withheld cells
on the :class:`~app.reports.model.GroupFigures` they belong to. Plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.domain.indicators import AGE_BANDS, DEVICES, GENDERS, NO_ANSWER, Period
from app.reports.files import ExportError
from app.reports.model import AuditFigures, GroupFigures, ReportData

# start, end, Ortsgemeinde, format, topic, measure, reference day (»neu« only), "" for »all«
Key = tuple[dt.date, dt.date, str, str, str, str, dt.date | None]

ADDITIVE = ("attendances", "enrolments", "drop_in_contacts", "drop_in_anonymous")
DISTINCT = ("persons", "new_persons", "returning_persons")
PERSON_MEASURES = (*ADDITIVE, *DISTINCT)
WITH_REFERENCE = ("new_persons", "returning_persons")
FAMILIES = (("age_bands", AGE_BANDS), ("genders", GENDERS), ("devices", DEVICES))
DROP_IN = "drop_in"
HEADLINE = ("persons", "attendances")  # a report's totals the funder needs most: hidden only as a last resort
HEADLINE_COST = 1_000_000
OVERVIEW_COST = 1_000  # the other cells of a report's overview
MAX_ROUNDS = 60


class ProtectionError(ExportError):
    """The tables cannot be protected, so nothing is written; the message is German and says why."""


@dataclass(frozen=True)
class Relation:
    """``Σ coefficient · cell  = 0`` (*equal*) or ``≤ 0``: something every reader of the tables knows."""

    terms: tuple[tuple[Key, int], ...]
    equal: bool


@dataclass
class Interval:
    """What an attacker can say about one hidden cell: ``low ≤ value ≤ high`` (``high`` None: no limit)."""

    low: int
    high: int | None

    @property
    def width(self) -> float:
        return float("inf") if self.high is None else self.high - self.low


@dataclass
class Homogeneity:
    """A distribution column where everyone is in one category: it must not be provable."""

    single: Key  # the one non-zero category
    others: tuple[Key, ...]  # the categories that are 0


@dataclass
class CellSystem:
    """The published person cells of a set of reports, their true values and the relations between them."""

    values: dict[Key, int] = field(default_factory=dict)
    places: dict[Key, list[tuple[GroupFigures, str]]] = field(default_factory=lambda: defaultdict(list))
    relations: dict[tuple, Relation] = field(default_factory=dict)
    headline: set[Key] = field(default_factory=set)
    homogeneous: list[Homogeneity] = field(default_factory=list)
    report_keys: dict[int, set[Key]] = field(default_factory=dict)
    reports: list[ReportData] = field(default_factory=list)
    # equalities and »whole ≤ sum of parts«: with exactly one hidden cell they give it away (or nearly)
    closing: dict[tuple, Relation] = field(default_factory=dict)
    frozen: set[Key] = field(default_factory=set)  # published elsewhere already: may not be hidden now
    overview: set[Key] = field(default_factory=set)

    # ------------------------------------------------------------------ building

    def relate(self, terms: Iterable[tuple[Key, int]], equal: bool) -> None:
        merged: dict[Key, int] = defaultdict(int)
        for key, coefficient in terms:
            merged[key] += coefficient
        items = tuple(sorted((k, c) for k, c in merged.items() if c))
        if len(items) >= 2 or (equal and items):
            self.relations.setdefault((items, equal), Relation(items, equal))
            if equal or _is_cover(items):
                self.closing.setdefault(items, self.relations[(items, equal)])

    def _cell(self, key: Key, value: int, figures: GroupFigures, name: str, mine: set[Key]) -> Key:
        self.values.setdefault(key, int(value))
        self.places[key].append((figures, name))
        mine.add(key)
        return key

    def add_report(self, data: ReportData) -> None:
        """The cells of one report and the relations its own tables publish."""
        period, town = data.period, data.municipality or ""
        mine: set[Key] = set()
        self.report_keys[id(data)] = mine
        self.reports.append(data)
        whole = (period.start, period.end)

        def row(figures: GroupFigures, span: tuple[dt.date, dt.date], where: str, fmt: str, topic: str,
                distributions: bool, tallies: Sequence[str]) -> dict[str, Key]:
            keys: dict[str, Key] = {}
            for measure in PERSON_MEASURES:
                value = figures.values.get(measure)
                if value is None:
                    continue
                ref = period.start if measure in WITH_REFERENCE else None
                keys[measure] = self._cell((*span, where, fmt, topic, measure, ref), int(value), figures, measure,
                                           mine)
            if distributions:
                for family, order in FAMILIES:
                    counts = getattr(figures, family)
                    for category in order:
                        name = f"{family}:{category}"
                        keys[name] = self._cell((*span, where, fmt, topic, name, None), counts.get(category, 0),
                                                figures, name, mine)
            for topic_name in tallies:
                name = f"drop_in_topics:{topic_name}"
                keys[name] = self._cell((*span, where, fmt, topic, name, None),
                                        figures.drop_in_topics.get(topic_name, 0), figures, name, mine)
            self._row_relations(keys, fmt, distributions)
            # Zeros every reader knows without the person cells: no Termin held, no Sprechstunde in a course row.
            known_zero = [m for m in keys if m != "enrolments"] if not figures.values.get("termine_held") else []
            if fmt and fmt != DROP_IN:
                known_zero += [m for m in ("drop_in_contacts", "drop_in_anonymous") if m in keys]
            for measure in known_zero:
                self.relate([(keys[measure], 1)], True)
            return keys

        tallies = list(data.drop_in_topics)
        total = row(data.total, whole, town, "", "", True, tallies)
        self.headline.update(total[m] for m in HEADLINE if m in total)
        self.overview.update(total.values())
        towns = [row(f, whole, f.key, "", "", True, tallies) for f in data.by_municipality]
        formats = [row(f, whole, town, f.key, "", True, ()) for f in data.by_format]
        topics = [row(f, whole, town, "", f.key, False, ()) for f in data.by_topic]
        months = [row(f, _month_span(f, period), town, "", "", False, ()) for f in data.by_month]
        if data.municipality is None:
            self._partition(total, towns)
        self._partition(total, formats)
        self._partition(total, months)
        self._cover(total, topics)

    def _row_relations(self, keys: dict[str, Key], fmt: str, distributions: bool) -> None:
        get = keys.get
        persons, new, returning = get("persons"), get("new_persons"), get("returning_persons")
        attendances, contacts, anonymous = get("attendances"), get("drop_in_contacts"), get("drop_in_anonymous")
        if persons and new and returning:
            self.relate([(persons, 1), (new, -1), (returning, -1)], True)
        if persons and attendances:
            self.relate([(persons, 1), (attendances, -1)], False)  # everyone reached came at least once
        if contacts and anonymous:
            self.relate([(anonymous, 1), (contacts, -1)], False)
            if attendances:
                # named drop-in visits are attendances; in the Sprechstunde row they are all of them
                self.relate([(contacts, 1), (anonymous, -1), (attendances, -1)], fmt == DROP_IN)
        if distributions and persons:
            for family, order in FAMILIES:
                self.relate([*((keys[f"{family}:{c}"], 1) for c in order), (persons, -1)], True)

    def _partition(self, whole: dict[str, Key], parts: list[dict[str, Key]]) -> None:
        """Rows that split the Termine of *whole* without overlap (Ortsgemeinden, formats, months)."""
        for name, key in whole.items():
            members = [part[name] for part in parts if name in part]
            if len(members) != len(parts) or not parts:
                continue
            measure = key[5]
            if measure in ADDITIVE or measure.startswith("drop_in_topics:"):
                self.relate([(key, 1), *((m, -1) for m in members)], True)
            else:  # distinct persons: a person may be in two parts
                for member in members:
                    self.relate([(member, 1), (key, -1)], False)
                self.relate([(key, 1), *((m, -1) for m in members)], False)

    def _cover(self, whole: dict[str, Key], parts: list[dict[str, Key]]) -> None:
        """Rows that together contain every Termin of *whole*, some Termine twice (topics)."""
        for name, key in whole.items():
            members = [part[name] for part in parts if name in part]
            for member in members:
                self.relate([(member, 1), (key, -1)], False)
            if members and len(members) == len(parts):
                self.relate([(key, 1), *((m, -1) for m in members)], False)

    def link_periods(self) -> None:
        """Relations between reports of different periods: a month inside a quarter, months adding up."""
        spans: dict[tuple, dict[tuple[dt.date, dt.date], Key]] = defaultdict(dict)
        for key in self.values:
            spans[key[2:]][(key[0], key[1])] = key
        for rest, by_span in spans.items():
            if len(by_span) < 2:
                continue
            measure = rest[3]
            additive = measure in ADDITIVE or measure.startswith("drop_in_topics:")
            ordered = sorted(by_span, key=lambda s: (s[1] - s[0], s[0]))
            for index, inner in enumerate(ordered):
                # the smallest spans around *inner*: containment in bigger ones follows from theirs
                around = [o for o in ordered[index + 1:] if o[0] <= inner[0] and inner[1] <= o[1] and o != inner]
                smallest = [o for o in around if not any(
                    p != o and o[0] <= p[0] and p[1] <= o[1] for p in around)]
                for outer in smallest:
                    self.relate([(by_span[inner], 1), (by_span[outer], -1)], False)
            for outer in ordered:
                inside = [s for s in ordered if s != outer and outer[0] <= s[0] and s[1] <= outer[1]]
                biggest = [s for s in inside if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in inside)]
                # the months of a quarter, the quarters of a half-year or of the year, …
                for tiles in ([s for s in inside if _is_month(s)], biggest):
                    if len(tiles) >= 2 and _tiles(outer, tiles):
                        self.relate([(by_span[outer], 1), *((by_span[s], -1) for s in tiles)], additive)

    def find_homogeneous(self) -> None:
        """Distribution columns where everyone is in one category (other than »keine Angabe«)."""
        seen: set[Key] = set()
        for key in list(self.values):
            measure = key[5]
            if ":" not in measure or measure.startswith("drop_in_topics:"):
                continue
            family = measure.split(":", 1)[0]
            base = (*key[:5], family)
            if base in seen:
                continue
            seen.add(base)
            order = dict(FAMILIES)[family]
            column = [(*key[:5], f"{family}:{category}", None) for category in order]
            nonzero = [k for k in column if self.values.get(k, 0) > 0]
            if len(nonzero) == 1 and not nonzero[0][5].endswith(f":{NO_ANSWER}"):
                self.homogeneous.append(Homogeneity(nonzero[0], tuple(k for k in column if k != nonzero[0])))


def _is_cover(items: tuple[tuple[Key, int], ...]) -> bool:
    """``whole − part − part … ≤ 0``: persons of a whole are at most those of its parts (often exactly)."""
    return sum(1 for _k, c in items if c > 0) == 1 and sum(1 for _k, c in items if c < 0) >= 2


def _month_span(figures: GroupFigures, period: Period) -> tuple[dt.date, dt.date]:
    first = figures.month or period.start
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return max(first, period.start), min(following - dt.timedelta(days=1), period.end)


def _is_month(span: tuple[dt.date, dt.date]) -> bool:
    start, end = span
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and (start.year, start.month) == (end.year, end.month)


def _tiles(outer: tuple[dt.date, dt.date], tiles: list[tuple[dt.date, dt.date]]) -> bool:
    day = outer[0]
    for start, end in sorted(tiles):
        if start != day:
            return False
        day = end + dt.timedelta(days=1)
    return day == outer[1] + dt.timedelta(days=1)


# ---------------------------------------------------------------------- the attacker

@dataclass
class AuditResult:
    """The attacker's best knowledge of every sensitive hidden cell."""

    intervals: dict[Key, Interval]
    homogeneity_broken: list[Homogeneity]
    failures: list[Key]  # sensitive cells narrowed below the protection interval
    fractional: set[Key] = field(default_factory=set)  # proven protected only by a fractional solution

    @property
    def narrowest(self) -> tuple[Key, Interval] | None:
        if not self.intervals:
            return None
        return min(self.intervals.items(), key=lambda item: (item[1].width, item[1].low))


class Attacker:
    """Solves for hidden cells: everything published, every relation, values ≥ 0 (HiGHS).

    *integer*: whole numbers only (a mixed-integer programme, the attacker's full power); otherwise the
    linear relaxation, fast enough to run again after every added cell.
    """

    def __init__(self, system: CellSystem, hidden: set[Key], integer: bool = False) -> None:
        self.system, self.hidden, self.integer = system, hidden, integer
        self._key_list: list[Key] | None = None
        self.index = {key: n for n, key in enumerate(sorted(hidden))}
        rows: list[tuple[dict[int, int], float, bool, Relation]] = []
        parent = list(range(len(self.index)))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for relation in system.relations.values():
            coefficients: dict[int, int] = {}
            constant = 0
            for key, coefficient in relation.terms:
                if key in self.index:
                    coefficients[self.index[key]] = coefficient
                else:
                    constant += coefficient * system.values[key]
            if not coefficients:
                continue
            rows.append((coefficients, -constant, relation.equal, relation))
            first, *rest = coefficients
            for other in rest:
                parent[find(other)] = find(first)
        self.component = [find(n) for n in range(len(self.index))]
        self.rows_of: dict[int, list[tuple[dict[int, int], float, bool, Relation]]] = defaultdict(list)
        for row in rows:
            self.rows_of[self.component[next(iter(row[0]))]].append(row)
        self.members: dict[int, list[int]] = defaultdict(list)
        for n, comp in enumerate(self.component):
            self.members[comp].append(n)
        self._problems: dict[int, tuple] = {}

    def _solver(self, comp: int):  # noqa: ANN202 - a highspy.Highs with this component's relations
        """One HiGHS instance per group of linked cells; later objectives start from the last basis."""
        if comp not in self._problems:
            import highspy
            import numpy as np

            members = self.members[comp]
            local = {n: i for i, n in enumerate(members)}
            rows = self.rows_of.get(comp, [])
            starts, indices, values, lower, upper = [0], [], [], [], []
            columns: list[list[tuple[int, int]]] = [[] for _ in members]
            for r, (coefficients, rhs, equal, _relation) in enumerate(rows):
                for n, coefficient in coefficients.items():
                    columns[local[n]].append((r, coefficient))
                lower.append(rhs if equal else -highspy.kHighsInf)
                upper.append(rhs)
            for column in columns:
                for r, coefficient in column:
                    indices.append(r)
                    values.append(float(coefficient))
                starts.append(len(indices))
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = len(members), len(rows)
            lp.col_cost_ = np.zeros(len(members))
            lp.col_lower_ = np.zeros(len(members))
            lp.col_upper_ = np.full(len(members), highspy.kHighsInf)
            lp.row_lower_, lp.row_upper_ = np.array(lower, dtype=float), np.array(upper, dtype=float)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
            lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
            lp.a_matrix_.value_ = np.array(values, dtype=float)
            if self.integer:
                lp.integrality_ = [highspy.HighsVarType.kInteger] * len(members)
            solver = _new_solver(highspy)
            solver.setOptionValue("output_flag", False)
            if not self.integer:
                solver.setOptionValue("presolve", "off")  # keep the basis between objectives
            solver.passModel(lp)
            self._problems[comp] = (local, solver)
        return self._problems[comp]

    def binding(self, objective: dict[Key, int], caps: dict[Key, int] | None = None) -> list[Relation]:
        """The relations that hold the optimum of *objective* where it is (non-zero dual values)."""
        self.solve(objective, caps)
        comp = self.component[self.index[next(iter(objective))]]
        _local, solver = self._solver(comp)
        duals = solver.getSolution().row_dual
        rows = self.rows_of.get(comp, [])
        return [rows[r][3] for r in range(len(rows)) if abs(duals[r]) > EPSILON]

    def solve(self, objective: dict[Key, int], caps: dict[Key, int] | None = None) -> tuple[float | None, dict]:
        """min Σ objective·x over the values consistent with the tables (variables in *caps* at most their cap).

        Returns the optimum (None: unbounded) and the solution found (key → value; empty when unbounded).
        """
        import highspy
        import numpy as np

        comp = self.component[self.index[next(iter(objective))]]
        local, solver = self._solver(comp)
        size = len(local)
        cost = np.zeros(size)
        for key, weight in objective.items():
            cost[local[self.index[key]]] = weight
        solver.changeColsCost(size, np.arange(size, dtype=np.int32), cost)
        capped = np.array([local[self.index[k]] for k in caps or {}], dtype=np.int32)
        if len(capped):
            solver.changeColsBounds(len(capped), capped, np.zeros(len(capped)),
                                    np.array([float(v) for v in (caps or {}).values()]))
        try:
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                return None, {}
            if status != highspy.HighsModelStatus.kOptimal:
                raise ProtectionError("Die Prüfung der gesperrten Felder ist fehlgeschlagen "
                                      f"({solver.modelStatusToString(status)}).")
            x = solver.getSolution().col_value
            keys = self._keys()
            return (float(solver.getInfo().objective_function_value),
                    {keys[n]: float(x[i]) for i, n in enumerate(self.members[comp])})
        finally:
            if len(capped):
                solver.changeColsBounds(len(capped), capped, np.zeros(len(capped)),
                                        np.full(len(capped), highspy.kHighsInf))

    def _keys(self) -> list[Key]:
        if self._key_list is None:
            self._key_list = sorted(self.index, key=self.index.__getitem__)
        return self._key_list

    def interval(self, key: Key) -> Interval:
        low, _ = self.solve({key: 1})
        high, _ = self.solve({key: -1})
        return Interval(_ceil(low or 0), None if high is None else _floor(-high))

    def can_be_mixed(self, case: Homogeneity) -> bool:
        """Whether someone in the column may be in another category than the single one."""
        others = [k for k in case.others if k in self.index]
        if not others:
            return False
        best, _ = self.solve({k: -1 for k in others}, {k: 1 for k in others})
        return best is None or -best >= 1 - EPSILON

    def witnesses(self, keys: list[Key], threshold: int) -> tuple[set[Key], set[Key]]:
        """The cells shown to reach 0, and those shown to reach the threshold, by a few joint solves."""
        low_ok: set[Key] = set()
        high_ok: set[Key] = set()
        remaining = list(keys)
        for _attempt in range(3):
            if not remaining:
                break
            _, found = self.solve({k: 1 for k in remaining})
            if not _whole(found):
                break
            reached = {k for k in remaining if found.get(k, 1) <= EPSILON}
            if not reached:
                break
            low_ok |= reached
            remaining = [k for k in remaining if k not in reached]
        remaining = list(keys)
        for _attempt in range(3):
            if not remaining:
                break
            _, found = self.solve({k: -1 for k in remaining}, {k: threshold for k in remaining})
            if not _whole(found):
                break
            reached = {k for k in remaining if found.get(k, 0) >= threshold - EPSILON}
            if not reached:
                break
            high_ok |= reached
            remaining = [k for k in remaining if k not in reached]
        return low_ok, high_ok


EPSILON = 1e-6


def _whole(solution: dict[Key, float]) -> bool:
    """An LP solution in whole numbers is a solution of the integer programme too: a witness for both."""
    return all(abs(value - round(value)) <= EPSILON for value in solution.values())


def _ceil(value: float) -> int:
    import math

    return math.ceil(value - EPSILON)


def _floor(value: float) -> int:
    import math

    return math.floor(value + EPSILON)


def sensitive_cells(system: CellSystem, threshold: int) -> set[Key]:
    return {key for key, value in system.values.items() if 0 < value < threshold}


def run_audit(system: CellSystem, hidden: set[Key], threshold: int, integer: bool = False,
              only: set[Key] | None = None) -> AuditResult:
    """Check every sensitive hidden cell: can it be 0, can it reach the threshold?

    A few joint solves per group of linked cells find witnesses for most cells at once; only the
    cells without a witness are solved one by one. The intervals found are ``[0, at least t]`` for a
    protected cell, the exact bound where a cell fails.
    """
    attacker = Attacker(system, hidden, integer)
    sensitive = sorted(k for k in sensitive_cells(system, threshold) if only is None or k in only)
    failures = [key for key in sensitive if key not in hidden]
    by_component: dict[int, list[Key]] = defaultdict(list)
    for key in sensitive:
        if key in hidden:
            by_component[attacker.component[attacker.index[key]]].append(key)
    intervals: dict[Key, Interval] = {}
    fractional: set[Key] = set()
    for keys in by_component.values():
        low_ok, high_ok = attacker.witnesses(keys, threshold)
        for key in keys:
            if key in low_ok:
                low = 0
            else:
                best, solution = attacker.solve({key: 1})
                low = _ceil(best or 0)
                if not _whole(solution):
                    fractional.add(key)
            if key in high_ok:
                high = threshold
            else:
                best, solution = attacker.solve({key: -1}, {key: threshold})
                high = _floor(-(best or 0))
                if not _whole(solution):
                    fractional.add(key)
            intervals[key] = found = Interval(low, high)
            if found.low > 0 or found.high < threshold:
                failures.append(key)
    cases = [c for c in system.homogeneous if only is None or c.single in only]
    broken = _broken_columns(attacker, cases, fractional)
    return AuditResult(intervals, broken, failures, fractional)


def widest_reach(system: CellSystem, hidden: set[Key], keys: Iterable[Key], limit: int) -> dict[Key, int]:
    """How far up each hidden cell of *keys* can go (looked for up to *limit*; one joint solve per group)."""
    attacker = Attacker(system, hidden)
    by_component: dict[int, list[Key]] = defaultdict(list)
    for key in keys:
        if key in attacker.index:
            by_component[attacker.component[attacker.index[key]]].append(key)
    reach: dict[Key, int] = {}
    for group in by_component.values():
        _, found = attacker.solve({k: -1 for k in group}, {k: limit for k in group})
        reach.update({k: _floor(found.get(k, 0)) for k in group})
    return reach


def _broken_columns(attacker: Attacker, cases: list[Homogeneity], fractional: set[Key]) -> list[Homogeneity]:
    """The homogeneous columns an attacker can prove homogeneous: one joint solve per group, then one by one."""
    by_component: dict[int, list[Homogeneity]] = defaultdict(list)
    broken = []
    for case in cases:
        others = [k for k in case.others if k in attacker.index]
        if not others:
            broken.append(case)
        else:
            by_component[attacker.component[attacker.index[others[0]]]].append(case)
    for group in by_component.values():
        caps = {k: 1 for case in group for k in case.others if k in attacker.index}
        _, found = attacker.solve({k: -1 for k in caps}, caps)
        if not _whole(found):
            fractional.update(case.single for case in group)
        for case in group:
            if sum(found.get(k, 0) for k in case.others) < 1 - EPSILON and not attacker.can_be_mixed(case):
                broken.append(case)
    return broken


# ---------------------------------------------------------------------- the defender

@dataclass
class Protection:
    system: CellSystem
    hidden: set[Key]
    primary: set[Key]
    homogeneous_cells: set[Key]
    audit: AuditResult


def _cost(system: CellSystem, key: Key) -> float:
    value = system.values[key]
    return (value + 1 + (HEADLINE_COST if key in system.headline else OVERVIEW_COST if key in system.overview else 0)
            + (0.5 if key[5] == "persons" else 0))


def _relations_of(system: CellSystem, closing: bool = False) -> dict[Key, list[Relation]]:
    found: dict[Key, list[Relation]] = defaultdict(list)
    for relation in (system.closing if closing else system.relations).values():
        for key, _coefficient in relation.terms:
            found[key].append(relation)
    return found


def _partner(system: CellSystem, candidates: Iterable[Key], hidden: set[Key], threshold: int,
             headline: bool = True) -> Key | None:
    options = [k for k in candidates if k not in hidden and k not in system.frozen]
    # a report's overview only when nothing else can help; else a cell with room to move, else any
    plain = [k for k in options if k not in system.headline]
    options = plain if plain or not headline else options
    if not options:
        return None
    roomy = [k for k in options if system.values[k] >= threshold]
    return min(roomy or options, key=lambda k: (_cost(system, k), k))


def _close_equalities(system: CellSystem, hidden: set[Key], relations_of: dict[Key, list[Relation]],
                      threshold: int) -> None:
    """A sum with exactly one hidden cell gives it away: hide a partner (the cheap first pass)."""
    queue = sorted(hidden, reverse=True)  # a fixed order: the same tables give the same cells in every run
    while queue:
        key = queue.pop()
        for relation in relations_of.get(key, ()):
            members = [k for k, _c in relation.terms]
            if sum(1 for k in members if k in hidden) == 1:
                partner = _partner(system, members, hidden, threshold)
                if partner is not None:
                    hidden.add(partner)
                    queue.append(partner)


def _widen(system: CellSystem, hidden: set[Key], audit: AuditResult, relations_of: dict[Key, list[Relation]],
           closing_of: dict[Key, list[Relation]], threshold: int) -> None:
    """Hide one more cell next to each cell the audit could narrow down (the cheapest that gives it room)."""
    attacker = Attacker(system, hidden)
    for key in [*audit.failures, *(case.single for case in audit.homogeneity_broken)]:
        # the relations that pin the cell: hide a published cell in them (LP duals, as in τ-Argus' audit)
        candidates: set[Key] = set()
        if key in attacker.index:
            found = audit.intervals.get(key)
            if key in audit.failures and found is not None:
                if found.low > 0:
                    candidates |= {k for r in attacker.binding({key: 1}) for k, _c in r.terms}
                if found.high is not None and found.high < threshold:
                    candidates |= {k for r in attacker.binding({key: -1}, {key: threshold}) for k, _c in r.terms}
            else:
                case = next(c for c in audit.homogeneity_broken if c.single == key)
                others = {k: 1 for k in case.others if k in attacker.index}
                if others:
                    candidates |= {k for r in attacker.binding({k: -1 for k in others}, others) for k, _c in r.terms}
        partner = _partner(system, candidates, hidden, threshold, headline=False)
        if partner is None:  # fall back: the cheapest published cell next to the linked hidden cells
            comp = attacker.component[attacker.index[key]] if key in attacker.index else None
            near = {key} if comp is None else {k for k, n in attacker.index.items() if attacker.component[n] == comp}
            around = {k for cell in near for relation in relations_of.get(cell, ()) for k, _c in relation.terms}
            partner = (_partner(system, around, hidden, threshold, headline=False)
                       or _partner(system, candidates | around, hidden, threshold))
        if partner is not None:
            hidden.add(partner)
    _close_equalities(system, hidden, closing_of, threshold)


def protect(system: CellSystem, threshold: int, exact: Iterable[Key] = (),
            already: set[Key] | None = None) -> Protection:
    """Choose the cells to withhold and audit them; marks them on the reports' GroupFigures.

    *already*: cells hidden by an earlier protection whose published cells are in ``system.frozen``.
    """
    system.find_homogeneous()
    primary = sensitive_cells(system, threshold)
    homogeneous_cells = {k for case in system.homogeneous for k in (case.single, *case.others)}
    fingerprint = (threshold, frozenset(system.values.items()), frozenset(system.frozen), frozenset(already or ()))
    if fingerprint in _DONE:  # the same tables again (preview then export, another report of the year)
        hidden, checked = _DONE[fingerprint]
        return _publish(_with_reach(Protection(system, set(hidden), primary, homogeneous_cells, checked), exact,
                                    threshold))
    hidden = set(primary) | homogeneous_cells | (already or set())
    relations_of = _relations_of(system)
    closing_of = _relations_of(system, closing=True)
    _close_equalities(system, hidden, closing_of, threshold)
    audit = run_audit(system, hidden, threshold)
    for _round in range(MAX_ROUNDS):
        if not audit.failures and not audit.homogeneity_broken:
            break
        _widen(system, hidden, audit, relations_of, closing_of, threshold)
        audit = run_audit(system, hidden, threshold)
    if audit.failures or audit.homogeneity_broken:
        raise ProtectionError(
            f"Der Bericht lässt sich nicht sicher veröffentlichen: {len(audit.failures)} gesperrte Felder ließen sich "
            "trotz zusätzlicher Sperrungen zu genau eingrenzen. Bitte einen längeren Standardzeitraum wählen.")
    # The attacker's full power: whole numbers. Needed only where the relaxation's witnesses were
    # fractional; hide more if whole numbers narrow a cell the relaxation did not.
    checked = audit
    for _round in range(MAX_ROUNDS):
        if not checked.fractional and not checked.failures and not checked.homogeneity_broken:
            break
        doubtful = checked.fractional | set(checked.failures) | {c.single for c in checked.homogeneity_broken}
        integral = run_audit(system, hidden, threshold, integer=True, only=doubtful)
        checked = AuditResult({**checked.intervals, **integral.intervals}, integral.homogeneity_broken,
                              integral.failures)
        if not checked.failures and not checked.homogeneity_broken:
            break
        _widen(system, hidden, checked, relations_of, closing_of, threshold)
    else:
        raise ProtectionError("Der Bericht lässt sich nicht sicher veröffentlichen: gesperrte Felder ließen sich "
                              "trotz zusätzlicher Sperrungen zu genau eingrenzen.")
    _DONE[fingerprint] = (frozenset(hidden), checked)
    while len(_DONE) > 16:
        del _DONE[next(iter(_DONE))]
    return _publish(_with_reach(Protection(system, hidden, primary, homogeneous_cells, checked), exact, threshold))


_DONE: dict[tuple, tuple[frozenset[Key], AuditResult]] = {}


def _with_reach(protection: Protection, exact: Iterable[Key], threshold: int) -> Protection:
    """The note's intervals: how far each hidden small cell of the report written can go (0 is proven)."""
    audit = protection.audit
    intervals = dict(audit.intervals)
    reach = widest_reach(protection.system, protection.hidden, [k for k in exact if k in protection.hidden],
                         10 * threshold)
    for key, high in reach.items():
        intervals[key] = Interval(0, max(high, threshold))
    protection.audit = AuditResult(intervals, audit.homogeneity_broken, audit.failures, audit.fractional)
    return protection


def _publish(protection: Protection) -> Protection:
    for key in protection.hidden:
        for figures, name in protection.system.places[key]:
            figures.hidden.add(name)
    return protection


def audit_figures(protection: Protection, data: ReportData, internal: bool) -> AuditFigures:
    """The figures of one report's »Datenschutz« note."""
    system = protection.system
    mine = system.report_keys[id(data)]
    hidden = protection.hidden & mine
    primary = protection.primary & mine
    columns = sum(1 for case in system.homogeneous if case.single in mine)
    secondary = hidden - primary - protection.homogeneous_cells
    intervals = [protection.audit.intervals[k] for k in primary if k in protection.audit.intervals]
    narrowest = min(intervals, key=lambda i: (i.width, i.low), default=None)
    return AuditFigures(
        hidden=len(primary), homogeneous=columns, secondary=len(secondary),
        narrowest=None if narrowest is None else (narrowest.low, narrowest.high),
        reports=len(system.reports), cells=len(system.values), internal=internal,
    )


def protect_reports(reports: Sequence[ReportData], threshold: int, internal: bool = False,
                    focus: ReportData | None = None, village: Sequence[ReportData] = ()) -> Protection:
    """Protect *reports* together (the same cells hidden wherever they appear) and note the audit on *focus*.

    *village*: the standard reports of one Ortsgemeinde, protected in a second step against *reports*
    whose withheld cells stay as they are — so the reports for all villages come out the same
    whichever village's report is asked for. The report to be written (*focus*, default the first)
    gets exact intervals for its note.
    """
    focus = focus or reports[0]
    system = _system(reports)
    first_keys = set(system.values)
    mine = system.report_keys.get(id(focus), set())
    protection = protect(system, threshold, exact=sorted(k for k in mine if 0 < system.values[k] < threshold))
    if village:
        hidden = set(protection.hidden)
        system = _system([*reports, *village])
        system.frozen = first_keys - hidden
        mine = system.report_keys[id(focus)]
        protection = protect(system, threshold, exact=sorted(k for k in mine if 0 < system.values[k] < threshold),
                             already=hidden)
    focus.audit = audit_figures(protection, focus, internal)
    return protection


def _system(reports: Sequence[ReportData]) -> CellSystem:
    system = CellSystem()
    for data in reports:
        data.total.hidden.clear()
        for figures in (*data.by_municipality, *data.by_format, *data.by_topic, *data.by_month):
            figures.hidden.clear()
        system.add_report(data)
    system.link_periods()
    return system


_banner_shown = False


def _new_solver(highspy):  # noqa: ANN001, ANN202 - the highspy module; a Highs instance
    """A HiGHS solver; the first one in a process prints a copyright banner to the C stdout, which a
    trainer must not see among Kurslotse's messages, so that one is created with stdout closed."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    import os
    import sys

    _banner_shown = True
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (AttributeError, OSError, ValueError):  # no real stdout (windowed program): nothing to hide
        return highspy.Highs()
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
