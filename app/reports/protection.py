"""Secondary suppression and the attacker's audit: hidden small numbers that stay hidden.

Hiding a count of 1 or 2 persons is not enough when the tables also publish the sums it belongs
to: »Januar = 56 − 34 − 20«. This module models the attacker the way statistical offices audit
their tables (the protection-interval idea behind τ-Argus, as Destatis applies it):

* every published person cell of every report in scope is a number; the relations the reports
  themselves publish tie them together (column sums of the distributions, neu + wiederkehrend,
  Ortsgemeinden, formats and months adding up to the overview, the months of a quarter adding up
  to the quarter, persons of a part never more than of the whole, …);
* a hidden cell is an unknown non-negative integer; a *sensitive* hidden cell is protected when it
  can be 0 and can reach the threshold, consistent with everything published;
* the audit first propagates bounds through the relations (no solver: what an attacker sees at a
  glance, repeated cheaply after every added cell), then proves the rest with HiGHS (``highspy``):
  one model per group of linked cells, re-solved with new objectives from the last basis; a few
  joint solves give witnesses for most cells at once, and only a solution in whole numbers counts
  as a witness (the solution nearest the truth, else the integer programme).

:func:`protect` hides further cells — the cheapest ones, a report's overview only when nothing
else helps — until the audit finds every sensitive cell protected, and marks the withheld cells
on the :class:`~app.reports.model.GroupFigures` they belong to. Plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from app.domain.indicators import AGE_BANDS, DEVICES, GENDERS, NO_ANSWER, Period
from app.reports.files import ExportError
from app.reports.model import AuditFigures, GroupFigures, ReportData

Progress = Callable[[int, int], None]
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
    overview: set[Key] = field(default_factory=set)
    known: set[Key] = field(default_factory=set)  # fixed by a relation alone (no Termin: 0): withheld, they hide nothing

    # ------------------------------------------------------------------ building

    def relate(self, terms: Iterable[tuple[Key, int]], equal: bool) -> None:
        merged: dict[Key, int] = defaultdict(int)
        for key, coefficient in terms:
            merged[key] += coefficient
        items = tuple(sorted((k, c) for k, c in merged.items() if c))
        if len(items) >= 2 or (equal and items):
            self.relations.setdefault((items, equal), Relation(items, equal))
            if len(items) == 1:
                self.known.add(items[0][0])
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
        layouts: dict[frozenset, tuple[list, list]] = {}  # most cells share one set of spans: worked out once
        for rest, by_span in spans.items():
            if len(by_span) < 2:
                continue
            measure = rest[3]
            additive = measure in ADDITIVE or measure.startswith("drop_in_topics:")
            shape = frozenset(by_span)
            if shape not in layouts:
                layouts[shape] = _span_layout(shape)
            within, tilings = layouts[shape]
            for inner, outer in within:
                self.relate([(by_span[inner], 1), (by_span[outer], -1)], False)
            for outer, tiles in tilings:
                self.relate([(by_span[outer], 1), *((by_span[s], -1) for s in tiles)], additive)

    def link_reference_days(self) -> None:
        """The same row counted from two reference days (the April row of the 2nd quarter counts »neu« from
        1 April, that of the year from 1 January): whoever is new since the later day is new since the
        earlier one, and whoever returns since the earlier day returns since the later one."""
        by_day: dict[tuple, dict[dt.date, Key]] = defaultdict(dict)
        for key in self.values:
            if key[6] is not None:
                by_day[key[:6]][key[6]] = key
        for rest, keys in by_day.items():
            days = sorted(keys)
            for earlier, later in pairwise(days):
                if rest[5] == "new_persons":
                    self.relate([(keys[later], 1), (keys[earlier], -1)], False)
                else:
                    self.relate([(keys[earlier], 1), (keys[later], -1)], False)

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


def _span_layout(spans: frozenset) -> tuple[list, list]:
    """For a set of periods: each period with the smallest periods around it (containment in bigger
    ones follows from theirs), and each period with periods tiling it (its months; its biggest parts)."""
    ordered = sorted(spans, key=lambda s: (s[1] - s[0], s[0]))
    within, tilings = [], []
    for index, inner in enumerate(ordered):
        around = [o for o in ordered[index + 1:] if o[0] <= inner[0] and inner[1] <= o[1] and o != inner]
        smallest = [o for o in around if not any(p != o and o[0] <= p[0] and p[1] <= o[1] for p in around)]
        within += [(inner, outer) for outer in smallest]
    for outer in ordered:
        inside = [s for s in ordered if s != outer and outer[0] <= s[0] and s[1] <= outer[1]]
        biggest = [s for s in inside if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in inside)]
        # the months of a quarter, the quarters of a half-year or of the year, …
        for tiles in ([s for s in inside if _is_month(s)], biggest):
            if len(tiles) >= 2 and _tiles(outer, tiles):
                tilings.append((outer, tiles))
    return within, tilings


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
    reasons: dict[Key, list[Relation]] = field(default_factory=dict)  # failures found without a solver: why
    attacker: Attacker | None = field(default=None, repr=False, compare=False)  # for the defender's next step

    @property
    def narrowest(self) -> tuple[Key, Interval] | None:
        if not self.intervals:
            return None
        return min(self.intervals.items(), key=lambda item: (item[1].width, item[1].low))


Row = tuple[dict[int, int], float, bool, Relation]


class Matrix:
    """Every relation of a :class:`CellSystem` as one sparse matrix over all its cells (built once).

    Entries in coordinate form (relation, cell, coefficient) as numpy arrays, so that the attacker
    for any set of hidden cells is cut out of it without a Python loop over the coefficients.
    """

    def __init__(self, system: CellSystem) -> None:
        import numpy as np

        self.keys = sorted(system.values)
        self.position = {key: i for i, key in enumerate(self.keys)}
        self.values = np.array([system.values[key] for key in self.keys], dtype=float)
        self.relations = list(system.relations.values())
        count = sum(len(relation.terms) for relation in self.relations)
        self.row = np.empty(count, dtype=np.int64)
        self.col = np.empty(count, dtype=np.int64)
        self.coef = np.empty(count, dtype=float)
        at = 0
        position = self.position
        for number, relation in enumerate(self.relations):
            size = len(relation.terms)
            self.row[at:at + size] = number
            self.col[at:at + size] = [position[key] for key, _c in relation.terms]
            self.coef[at:at + size] = [c for _k, c in relation.terms]
            at += size
        self.equal = np.array([relation.equal for relation in self.relations], dtype=bool)
        self.size = len(system.relations)


def _matrix(system: CellSystem) -> Matrix:
    found = getattr(system, "_matrix", None)
    if found is None or found.size != len(system.relations) or len(found.keys) != len(system.values):
        found = Matrix(system)
        system._matrix = found  # type: ignore[attr-defined]
    return found


class Attacker:
    """Solves for hidden cells: everything published, every relation, values ≥ 0 (HiGHS).

    *integer*: whole numbers only (a mixed-integer programme, the attacker's full power); otherwise the
    linear relaxation, fast enough to run again after every added cell.

    Before any solver runs, the relations are read the way an attacker reads them first, one at a
    time and again with what the others gave (bound propagation, as in every LP presolve): a sum with
    one unknown left gives it away, an unknown in a sum of at most 5 is at most 5. A cell narrowed
    this way fails without a solver; a cell pinned to one value leaves the linear programme. What
    remains falls apart into independent groups of linked cells, each one HiGHS model that is built
    once (the bounds found become column bounds) and re-solved with a new objective from the last basis.
    """

    def __init__(self, system: CellSystem, hidden: set[Key], integer: bool = False) -> None:
        import numpy as np

        self.system, self.hidden, self.integer = system, hidden, integer
        matrix = self.matrix = _matrix(system)
        mask = np.zeros(len(matrix.keys), dtype=bool)
        mask[[matrix.position[key] for key in hidden]] = True
        self._key_list: list[Key] = [key for key, on in zip(matrix.keys, mask) if on]
        self.index = {key: n for n, key in enumerate(self._key_list)}
        variable = np.cumsum(mask) - 1  # cell position → number among the hidden cells
        unknown = mask[matrix.col]
        published = ~unknown
        relations = len(matrix.relations)
        # Σ coefficient · hidden cell (=|≤) −Σ coefficient · published value
        rhs = -np.bincount(matrix.row[published], weights=matrix.coef[published] * matrix.values[matrix.col[published]],
                           minlength=relations)
        self.e_row, self.e_var, self.e_coef = matrix.row[unknown], variable[matrix.col[unknown]], matrix.coef[unknown]
        self.rhs = rhs
        self.low, self.high, self._last, converged = _propagate(self.e_row, self.e_var, self.e_coef, rhs, matrix.equal,
                                                     len(self.index))
        spread = self.high - self.low
        fixed = spread <= EPSILON
        self.pinned = {int(n): float(round(self.low[n])) for n in np.flatnonzero(fixed)}
        # the linear programme: free cells, relations with at least two of them (one: a column bound)
        free = ~fixed[self.e_var]
        self.f_row, self.f_var, self.f_coef = self.e_row[free], self.e_var[free], self.e_coef[free]
        pinned_part = np.bincount(self.e_row[~free], weights=self.e_coef[~free] * self.low[self.e_var[~free]],
                                  minlength=relations)
        self.f_rhs = rhs - pinned_part
        per_row = np.bincount(self.f_row, minlength=relations)
        # a relation with one free cell left is its column bound once the propagation has settled
        keep = per_row[self.f_row] >= (2 if converged else 1)
        self.f_row, self.f_var, self.f_coef = self.f_row[keep], self.f_var[keep], self.f_coef[keep]
        self._groups: tuple[list[int], dict[int, list[int]]] | None = None
        self._bounding: dict[int, list[int]] | None = None  # cell → relations giving its bounds
        self._cells_of: dict[int, list[int]] = {}  # relation → its hidden cells
        self._problems: dict[int, tuple] = {}
        self._fresh: set[int] = set()
        self._nearest_models: dict[int, tuple] = {}

    def _find_groups(self) -> tuple[list[int], dict[int, list[int]]]:
        """The independent groups of linked free cells (union-find over the relations with two or more)."""
        import numpy as np

        parent = list(range(len(self.index)))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        order = np.argsort(self.f_row, kind="stable")
        rows_sorted, vars_sorted = self.f_row[order], self.f_var[order]
        starts = np.flatnonzero(np.r_[True, rows_sorted[1:] != rows_sorted[:-1]]) if len(rows_sorted) else []
        firsts = vars_sorted[starts] if len(rows_sorted) else np.empty(0, dtype=np.int64)
        first_of_entry = np.repeat(firsts, np.diff(np.r_[starts, len(rows_sorted)])) if len(rows_sorted) else firsts
        for a, b in set(zip(first_of_entry.tolist(), vars_sorted.tolist())):
            if a != b:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[rb] = ra
        # a pinned cell is a group of its own (negative number), solved without HiGHS
        component = [-1 - n if n in self.pinned else find(n) for n in range(len(self.index))]
        members: dict[int, list[int]] = defaultdict(list)
        for n, comp in enumerate(component):
            members[comp].append(n)
        return component, members

    @property
    def component(self) -> list[int]:
        if self._groups is None:
            self._groups = self._find_groups()
        return self._groups[0]

    @property
    def members(self) -> dict[int, list[int]]:
        if self._groups is None:
            self._groups = self._find_groups()
        return self._groups[1]

    def group(self, key: Key) -> int:
        return self.component[self.index[key]]

    def keys_of(self, comp: int) -> list[Key]:
        return [self._key_list[n] for n in self.members[comp]]

    def reasons(self, key: Key, limit: int = 40) -> list[Relation]:
        """The relations that narrow *key* to its bounds, and those narrowing the cells they use."""
        if self._bounding is None:
            bound_row, bound_var, tight = self._last
            self._bounding = defaultdict(list)
            for n, r in zip(bound_var[tight].tolist(), bound_row[tight].tolist()):
                self._bounding[n].append(r)
            self._cells_of = defaultdict(list)
            for r, n in zip(self.e_row.tolist(), self.e_var.tolist()):
                self._cells_of[r].append(n)
        relations = self.matrix.relations
        found: list[Relation] = []
        seen_rows: set[int] = set()
        queue, seen = [self.index[key]], {self.index[key]}
        while queue and len(found) < limit:
            n = queue.pop(0)
            for r in self._bounding.get(n, ()):
                if r in seen_rows:
                    continue
                seen_rows.add(r)
                found.append(relations[r])
                for other in self._cells_of[r]:
                    if other not in seen and (other in self.pinned or self.low[other] > EPSILON
                                              or self.high[other] < float("inf")):
                        seen.add(other)
                        queue.append(other)
        return found

    def cheap_interval(self, key: Key, threshold: int) -> Interval | None:
        """The interval, when the relations read one at a time already narrow *key* too far (else None)."""
        n = self.index[key]
        if n in self.pinned:
            value = round(self.pinned[n])
            return Interval(value, value)
        low, high = float(self.low[n]), float(self.high[n])
        if low > EPSILON or high < threshold - EPSILON:
            return Interval(_ceil(low), None if high == float("inf") else _floor(high))
        return None

    def cheap_broken(self, case: Homogeneity) -> bool:
        """Whether the relations read one at a time already prove every other category of *case* empty."""
        others = [self.index[k] for k in case.others if k in self.index]
        return all(self.high[n] < 1 - EPSILON for n in others)

    def _solver(self, comp: int):  # noqa: ANN202 - a highspy.Highs with this component's relations
        """One HiGHS instance per group of linked cells; later objectives start from the last basis."""
        if comp not in self._problems:
            import highspy
            import numpy as np

            members = np.array(self.members[comp], dtype=np.int64)
            local = np.full(len(self.index), -1, dtype=np.int64)
            local[members] = np.arange(len(members))
            inside = local[self.f_var] >= 0
            rows, columns, values = self.f_row[inside], local[self.f_var[inside]], self.f_coef[inside]
            numbers, row_local = np.unique(rows, return_inverse=True)
            equal = self.matrix.equal[numbers]
            upper = self.f_rhs[numbers]
            lower = np.where(equal, upper, -highspy.kHighsInf)
            order = np.lexsort((row_local, columns))  # column-wise, as HiGHS stores it
            starts = np.searchsorted(columns[order], np.arange(len(members) + 1)).astype(np.int32)
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = len(members), len(numbers)
            lp.col_cost_ = np.zeros(len(members))
            col_low, col_high = self._column_bounds(members)
            lp.col_lower_, lp.col_upper_ = col_low, col_high
            lp.row_lower_, lp.row_upper_ = lower.astype(float), upper.astype(float)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = starts
            lp.a_matrix_.index_ = row_local[order].astype(np.int32)
            lp.a_matrix_.value_ = values[order].astype(float)
            if self.integer:
                lp.integrality_ = [highspy.HighsVarType.kInteger] * len(members)
            solver = _new_solver(highspy)
            solver.setOptionValue("output_flag", False)
            if not self.integer:
                solver.setOptionValue("presolve", "off")  # keep the basis between objectives
                # the first solve from scratch: dual simplex, many times quicker here than primal
                solver.setOptionValue("simplex_strategy", 1)
            solver.passModel(lp)
            lookup = {int(n): i for i, n in enumerate(members)}
            self._fresh.add(comp)  # its first solve starts from scratch: dual simplex
            self._problems[comp] = (lookup, solver, numbers, col_low, col_high)
        return self._problems[comp]

    def _column_bounds(self, members):  # noqa: ANN001, ANN202 - numpy arrays
        """The propagated bounds as column bounds (implied by the relations: nothing is assumed)."""
        import highspy
        import numpy as np

        low = np.maximum(self.low[members], 0.0)
        high = np.where(np.isfinite(self.high[members]), self.high[members], highspy.kHighsInf)
        if self.integer:  # whole numbers: the bounds may be rounded inwards
            low = np.ceil(low - EPSILON)
            high = np.where(high < highspy.kHighsInf, np.floor(high + EPSILON), high)
        return low.astype(float), high.astype(float)

    def binding(self, objective: dict[Key, int], caps: dict[Key, int] | None = None) -> list[Relation]:
        """The relations that hold the optimum of *objective* where it is (non-zero dual values)."""
        comp = self.group(next(iter(objective)))
        if comp < 0:
            return self.reasons(next(iter(objective)))
        self.solve(objective, caps)
        return self.binding_rows(next(iter(objective)))

    def binding_rows(self, key: Key) -> list[Relation]:
        """The relations with a non-zero dual value in the last solve of *key*'s group (LP only), with
        those giving the bounds of the cells whose bounds hold the optimum."""
        comp = self.group(key)
        if comp < 0:
            return self.reasons(key)
        import numpy as np

        _lookup, solver, numbers, _low, _high = self._solver(comp)
        solution = solver.getSolution()
        duals = np.asarray(solution.row_dual)
        relations = self.matrix.relations
        found = [relations[r] for r in numbers[np.abs(duals) > EPSILON].tolist()]
        column_duals = np.asarray(solution.col_dual)
        keys = self._key_list
        members = self.members[comp]
        for i in np.flatnonzero(np.abs(column_duals) > EPSILON).tolist():
            n = members[i]
            if self.low[n] > EPSILON or self.high[n] < float("inf"):  # a propagated bound holds it
                found += self.reasons(keys[n], limit=8)
        return found

    def solve(self, objective: dict[Key, int], caps: dict[Key, int] | None = None) -> tuple[float | None, dict]:
        """min Σ objective·x over the values consistent with the tables (variables in *caps* at most their cap).

        All keys of *objective* belong to one group of linked cells. Returns the optimum (None:
        unbounded) and the solution found (key → value; empty when unbounded).
        """
        import highspy
        import numpy as np

        comp = self.group(next(iter(objective)))
        if comp < 0:  # pinned: the relations alone give the value (the true one, so within any cap)
            value = self.pinned[-1 - comp]
            return sum(weight * value for weight in objective.values()), dict.fromkeys(objective, value)
        lookup, solver, _numbers, col_low, col_high = self._solver(comp)
        size = len(lookup)
        index = self.index
        cost = np.zeros(size)
        for key, weight in objective.items():
            cost[lookup[index[key]]] = weight
        solver.changeColsCost(size, np.arange(size, dtype=np.int32), cost)
        capped = np.array([lookup[index[k]] for k in caps or {}], dtype=np.int32)
        if len(capped):
            limits = np.minimum(np.array([float(v) for v in (caps or {}).values()]), col_high[capped])
            solver.changeColsBounds(len(capped), capped, col_low[capped], limits)
        if not self.integer and comp not in self._fresh:
            # from the last basis: primal simplex when only the objective changed (the basis stays
            # feasible), dual simplex when bounds changed too
            solver.setOptionValue("simplex_strategy", 1 if len(capped) else 4)
        try:
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                return None, {}
            if status != highspy.HighsModelStatus.kOptimal:
                raise ProtectionError("Die Prüfung der gesperrten Felder ist fehlgeschlagen "
                                      f"({solver.modelStatusToString(status)}).")
            self._fresh.discard(comp)
            x = solver.getSolution().col_value
            keys = self._key_list
            return (float(solver.getInfo().objective_function_value),
                    {keys[n]: float(x[i]) for i, n in enumerate(self.members[comp])})
        finally:
            if len(capped):
                solver.changeColsBounds(len(capped), capped, col_low[capped], col_high[capped])

    def whole_witness(self, key: Key, low: float, high: float | None) -> bool | None:
        """Whether *key* can lie in ``[low, high]`` (None: no limit) in a solution in whole numbers.

        The witness sought is the solution nearest the true values (least total change, a linear
        programme): it changes few cells and is mostly whole already. If not, the cells it changes
        are searched in whole numbers with all others at their true values (a small integer
        programme). True and False are proofs; None: neither found (the full integer programme decides).
        """
        import highspy
        import numpy as np

        comp = self.group(key)
        if comp < 0:
            value = self.pinned[-1 - comp]
            return low - EPSILON <= value and (high is None or value <= high + EPSILON)
        lookup, solver, _numbers, col_low, col_high = self._solver(comp)
        column = lookup[self.index[key]]
        top = col_high[column] if high is None else min(float(high), col_high[column])
        bottom = max(float(low), col_low[column])
        if bottom > top + EPSILON:
            return False
        _nearest, truth = self._nearest(comp)
        x = self._nearest_solve(comp, {}, {column: (bottom, top)})
        if x is None:
            return False
        if np.all(np.abs(x - np.round(x)) <= EPSILON):
            return True
        moved = np.abs(x - truth) > EPSILON
        lp = solver.getLp()
        lower, upper = np.array(col_low), np.array(col_high)
        lower[~moved], upper[~moved] = truth[~moved], truth[~moved]
        lower[column], upper[column] = bottom, top
        lp.col_lower_, lp.col_upper_ = lower, upper
        lp.col_cost_ = np.zeros(len(truth))
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(truth)
        small = _new_solver(highspy)
        small.setOptionValue("output_flag", False)
        small.passModel(lp)
        small.run()
        return True if small.getModelStatus() == highspy.HighsModelStatus.kOptimal else None

    def _nearest_solve(self, comp: int, weights: dict[int, float], bounds: dict[int, tuple[float, float]]):  # noqa: ANN202
        """The solution nearest the truth with extra costs on some columns and some columns held in
        bounds (local column numbers); None when there is none. Raises on a solver failure."""
        import highspy
        import numpy as np

        _lookup, _solver, _numbers, col_low, col_high = self._solver(comp)
        model, truth = self._nearest(comp)
        size = 3 * len(truth)
        if weights:
            cost = np.r_[np.zeros(len(truth)), np.ones(2 * len(truth))]
            cost[list(weights)] = list(weights.values())
            model.changeColsCost(size, np.arange(size, dtype=np.int32), cost)
        at = np.array(list(bounds), dtype=np.int32)
        if len(at):
            model.changeColsBounds(len(at), at, np.array([b[0] for b in bounds.values()]),
                                   np.array([b[1] for b in bounds.values()]))
        try:
            model.run()
            status = model.getModelStatus()
            if status == highspy.HighsModelStatus.kInfeasible:
                return None
            if status != highspy.HighsModelStatus.kOptimal:
                raise ProtectionError("Die Prüfung der gesperrten Felder ist fehlgeschlagen "
                                      f"({model.modelStatusToString(status)}).")
            return np.asarray(model.getSolution().col_value)[:len(truth)]
        finally:
            if len(at):
                model.changeColsBounds(len(at), at, col_low[at], col_high[at])
            if weights:
                cost = np.r_[np.zeros(len(truth)), np.ones(2 * len(truth))]
                model.changeColsCost(size, np.arange(size, dtype=np.int32), cost)

    def _nearest(self, comp: int):  # noqa: ANN202 - a highspy.Highs and the true values
        """The group's model with ``x − p + m = true value``, cost Σ(p + m): the solution nearest the truth."""
        if comp not in self._nearest_models:
            import highspy
            import numpy as np

            _lookup, solver, _numbers, col_low, col_high = self._solver(comp)
            lp = solver.getLp()
            n, rows = lp.num_col_, lp.num_row_
            start = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
            index = np.asarray(lp.a_matrix_.index_, dtype=np.int32)
            value = np.asarray(lp.a_matrix_.value_, dtype=float)
            x_start = start + np.arange(n + 1)  # each x column gets one more entry: its distance row
            entries = x_start[-1]
            x_index = np.empty(entries, dtype=np.int32)
            x_value = np.empty(entries, dtype=float)
            shifted = np.arange(len(index)) + np.repeat(np.arange(n), np.diff(start))
            x_index[shifted], x_value[shifted] = index, value
            x_index[x_start[1:] - 1], x_value[x_start[1:] - 1] = rows + np.arange(n), 1.0
            truth = self.matrix.values[[self.matrix.position[self._key_list[m]] for m in self.members[comp]]]
            near = highspy.HighsLp()
            near.num_col_, near.num_row_ = 3 * n, rows + n
            near.col_cost_ = np.r_[np.zeros(n), np.ones(2 * n)]
            near.col_lower_ = np.r_[col_low, np.zeros(2 * n)]
            near.col_upper_ = np.r_[col_high, np.full(2 * n, highspy.kHighsInf)]
            near.row_lower_ = np.r_[np.asarray(lp.row_lower_), truth]
            near.row_upper_ = np.r_[np.asarray(lp.row_upper_), truth]
            near.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            near.a_matrix_.start_ = np.r_[x_start, entries + np.arange(1, 2 * n + 1)].astype(np.int32)
            near.a_matrix_.index_ = np.r_[x_index, rows + np.arange(n), rows + np.arange(n)].astype(np.int32)
            near.a_matrix_.value_ = np.r_[x_value, -np.ones(n), np.ones(n)]
            model = _new_solver(highspy)
            model.setOptionValue("output_flag", False)
            model.setOptionValue("presolve", "off")  # only bounds change between solves: dual simplex from the last basis
            model.passModel(near)
            self._nearest_models[comp] = (model, truth)
        return self._nearest_models[comp]

    def _keys(self) -> list[Key]:
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
        groups: dict[int, list[Key]] = defaultdict(list)
        for key in others:
            groups[self.group(key)].append(key)
        best = 0.0  # the groups are independent: the joint best is the sum of theirs
        for group in groups.values():
            found, _ = self.solve({k: -1 for k in group}, dict.fromkeys(group, 1))
            if found is None:
                return True
            best += -found
        return best >= 1 - EPSILON

    def witnesses(self, keys: list[Key], threshold: int) -> tuple[set[Key], set[Key]]:
        """The cells shown to reach 0, and those shown to reach the threshold, by a few joint solves.

        First the solver's plain optimal vertices (all cells as small, then as large as possible);
        then solves that push the cells still without a witness towards 0 (towards t) while staying
        near the true values: such a solution is mostly in whole numbers, so a witness for both the
        linear and the integer attacker. Every solution in whole numbers counts for every cell (one
        at 0 in a solution meant to raise others is as good a witness)."""
        low_ok: set[Key] = set()
        high_ok: set[Key] = set()
        self._vertex_witnesses(keys, threshold, low_ok, high_ok)
        comp = self.group(keys[0]) if keys else -1
        if comp >= 0 and not self.integer:
            self._near_witnesses(comp, keys, threshold, low_ok, high_ok)
        return low_ok, high_ok

    @staticmethod
    def _credit(solution: dict[Key, float], threshold: int, low_ok: set[Key], high_ok: set[Key]) -> None:
        """Record a solution in whole numbers as a witness for every cell it puts at 0 or at ≥ t."""
        for key, found in solution.items():
            if found <= EPSILON:
                low_ok.add(key)
            elif found >= threshold - EPSILON:
                high_ok.add(key)

    def _near_witnesses(self, comp: int, keys: list[Key], threshold: int, low_ok: set[Key],
                        high_ok: set[Key]) -> None:
        import numpy as np

        lookup, _solver, _numbers, _col_low, col_high = self._solver(comp)
        column = {key: lookup[self.index[key]] for key in keys}
        rows_of = self._rows_of(comp)
        for target, ok in ((0, low_ok), (threshold, high_ok)):
            tried: set[Key] = set()
            for _attempt in range(WITNESS_ROUNDS):
                # cells that share no relation, so that pushing one does not hold back another
                used: set[int] = set()
                push = []
                for key in keys:
                    if key not in ok and key not in tried and not rows_of[column[key]] & used:
                        push.append(key)
                        used |= rows_of[column[key]]
                if not push:
                    break
                tried.update(push)
                weight = NEAR_WEIGHT if target == 0 else -NEAR_WEIGHT
                caps = {} if target == 0 else {column[k]: (0.0, min(float(threshold), col_high[column[k]]))
                                                 for k in push}
                x = self._nearest_solve(comp, {column[k]: weight for k in push}, caps)
                if x is None or not bool(np.all(np.abs(x - np.round(x)) <= EPSILON)):
                    continue
                self._credit({k: float(x[column[k]]) for k in keys}, threshold, low_ok, high_ok)

    def _rows_of(self, comp: int) -> dict[int, set[int]]:
        """The relations of each column of a group's model (local column numbers)."""
        lookup, _solver, _numbers, _low, _high = self._solver(comp)
        found: dict[int, set[int]] = defaultdict(set)
        for row, var in zip(self.f_row.tolist(), self.f_var.tolist(), strict=True):
            column = lookup.get(var)
            if column is not None:
                found[column].add(row)
        return found

    def _vertex_witnesses(self, keys: list[Key], threshold: int, low_ok: set[Key], high_ok: set[Key]) -> None:
        for target, ok in ((0, low_ok), (threshold, high_ok)):
            for _attempt in range(WITNESS_ROUNDS):
                remaining = [k for k in keys if k not in ok]
                if not remaining or (_attempt and len(remaining) <= FEW):  # a few: one by one is quicker
                    break
                if target == 0:
                    _, found = self.solve({k: 1 for k in remaining})
                else:
                    _, found = self.solve({k: -1 for k in remaining}, dict.fromkeys(remaining, threshold))
                if not _whole(found):
                    break
                before = len(ok)
                self._credit({k: found[k] for k in keys if k in found}, threshold, low_ok, high_ok)
                if len(ok) == before:
                    break


WITNESS_ROUNDS = 6
FEW = 4  # cells left without a witness that are solved one by one rather than jointly again
NEAR_WEIGHT = 20.0  # cost of a cell not yet at 0 (at t), against 1 per unit moved away from the truth


def _propagate(row, var, coef, rhs, equal, count: int, passes: int = 30):  # noqa: ANN001, ANN202 - numpy arrays
    """Bounds on each hidden cell that follow from the relations one at a time, repeated (bound propagation).

    ``Σ a·x ≤ r`` (an equality also read as ``−Σ a·x ≤ −r``): each term is at most ``r`` minus the
    smallest the other terms can be. Every bound is implied by the relations, so nothing is assumed.
    Returns lower bounds (≥ 0), upper bounds (inf: no limit) and, per entry of the last pass, the
    relation, the cell and whether that relation gives the cell's final bound (its »reason«), and
    whether the bounds settled (else a relation's own bound may not be in them yet).
    """
    import numpy as np

    twice = equal[row]
    f_row = np.concatenate([row, row[twice]])
    f_var = np.concatenate([var, var[twice]])
    f_coef = np.concatenate([coef, -coef[twice]])
    forms = len(rhs)
    f_form = np.concatenate([row, forms + row[twice]])  # the negated copy of relation r is form forms + r
    f_rhs = np.concatenate([rhs, -rhs])
    low = np.zeros(count)
    high = np.full(count, np.inf)
    positive = f_coef > 0
    bound = np.zeros(len(f_coef))
    valid = np.zeros(len(f_coef), dtype=bool)
    # the entries giving upper (lower) bounds, sorted by cell: one reduceat per pass gives each cell's best
    ups, downs = np.flatnonzero(positive), np.flatnonzero(~positive)
    ups, downs = ups[np.argsort(f_var[ups], kind="stable")], downs[np.argsort(f_var[downs], kind="stable")]
    up_cells, up_starts = np.unique(f_var[ups], return_index=True)
    down_cells, down_starts = np.unique(f_var[downs], return_index=True)
    changed = True
    for _pass in range(passes):
        with np.errstate(all="ignore"):
            contribution = np.where(positive, f_coef * low[f_var], f_coef * high[f_var])
        unlimited = ~np.isfinite(contribution)
        finite = np.where(unlimited, 0.0, contribution)
        total = np.bincount(f_form, weights=finite, minlength=2 * forms)
        open_terms = np.bincount(f_form, weights=unlimited, minlength=2 * forms)
        valid = (open_terms[f_form] - unlimited) == 0
        with np.errstate(all="ignore"):
            bound = (f_rhs[f_form] - total[f_form] + finite) / f_coef
        new_high = high.copy()
        if len(ups):
            new_high[up_cells] = np.minimum(high[up_cells],
                                            np.minimum.reduceat(np.where(valid[ups], bound[ups], np.inf), up_starts))
        new_low = low.copy()
        if len(downs):
            new_low[down_cells] = np.maximum(low[down_cells],
                                             np.maximum.reduceat(np.where(valid[downs], bound[downs], 0.0),
                                                                 down_starts))
        changed = bool(np.any(new_high < high - EPSILON) or np.any(new_low > low + EPSILON))
        low, high = np.maximum(low, new_low), np.minimum(high, new_high)
        if not changed:
            break
    converged = not changed
    tight = valid & np.where(positive, np.abs(bound - high[f_var]) <= EPSILON, np.abs(bound - low[f_var]) <= EPSILON)
    tight &= np.where(positive, np.isfinite(high[f_var]), low[f_var] > EPSILON)
    return low, high, (f_row, f_var, tight), converged


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
              only: set[Key] | None = None, cheap: bool = False, progress: Progress | None = None,
              attacker: Attacker | None = None) -> AuditResult:
    """Check every sensitive hidden cell: can it be 0, can it reach the threshold?

    A cell the relations narrow on their own (bound propagation) fails without a solver. For the
    others a few joint solves per group of linked cells find witnesses for most cells at once; only
    the cells without a witness are solved one by one. The intervals found are ``[0, at least t]``
    for a protected cell, the exact bound (or the propagated one) where a cell fails.

    *cheap*: only the solver-free part — its failures are real, but a cell it passes is not proven.
    *progress*: called with (cells checked, cells to check).
    *attacker*: one built for exactly these hidden cells by a cheap audit (its bounds are reused).
    """
    if attacker is None or attacker.integer != integer or attacker.index.keys() != hidden:
        attacker = Attacker(system, hidden, integer)
    sensitive = sorted(k for k in sensitive_cells(system, threshold) if only is None or k in only)
    failures = [key for key in sensitive if key not in hidden]
    intervals: dict[Key, Interval] = {}
    reasons: dict[Key, list[Relation]] = {}
    by_component: dict[int, list[Key]] = defaultdict(list)
    for key in sensitive:
        if key not in hidden:
            continue
        narrowed = attacker.cheap_interval(key, threshold)
        if narrowed is not None:
            intervals[key] = narrowed
            reasons[key] = attacker.reasons(key)
            failures.append(key)
        elif not cheap:
            by_component[attacker.group(key)].append(key)
    cases = [c for c in system.homogeneous if only is None or c.single in only]
    if cheap:
        broken = [case for case in cases if attacker.cheap_broken(case)]
        for case in broken:
            reasons[case.single] = [r for k in case.others if k in attacker.index for r in attacker.reasons(k, 8)]
        return AuditResult(intervals, broken, failures, set(), reasons, attacker)
    fractional: set[Key] = set()
    todo = sum(len(keys) for keys in by_component.values())
    done = 0
    for keys in by_component.values():
        low_ok, high_ok = attacker.witnesses(keys, threshold)
        done += len(low_ok & high_ok)
        if progress is not None:
            progress(done, todo + 1)
        for key in keys:
            pinning: list[Relation] = []  # where the cell fails: the relations holding the optimum
            # A cell without a joint witness: its own bound; where the optimum is not in whole
            # numbers, the solution nearest the truth with the cell at 0 (at t) as the witness.
            if key in low_ok or (not integer and attacker.whole_witness(key, 0, 0)):
                low = 0  # a joint witness, else the solution nearest the truth with the cell at 0
            else:
                best, solution = attacker.solve({key: 1})
                low = _ceil(best or 0)
                if low > 0 and not integer:
                    pinning += attacker.binding_rows(key)
                if not _whole(solution) and (integer or low > 0 or not attacker.whole_witness(key, 0, 0)):
                    fractional.add(key)
            if key in high_ok or (not integer and attacker.whole_witness(key, threshold, None)):
                high = threshold
            else:
                best, solution = attacker.solve({key: -1}, {key: threshold})
                high = _floor(-(best or 0))
                if high < threshold and not integer:
                    pinning += attacker.binding_rows(key)
                if not _whole(solution) and (integer or high < threshold
                                             or not attacker.whole_witness(key, threshold, None)):
                    fractional.add(key)
            if key not in low_ok or key not in high_ok:
                done += 1
                if progress is not None:
                    progress(done, todo + 1)
            intervals[key] = found = Interval(low, high)
            if found.low > 0 or found.high < threshold:
                failures.append(key)
                if pinning:
                    reasons[key] = pinning
    broken = _broken_columns(attacker, cases, fractional)
    return AuditResult(intervals, broken, failures, fractional, reasons, attacker)


def widest_reach(system: CellSystem, hidden: set[Key], keys: Iterable[Key], limit: int,
                 attacker: Attacker | None = None) -> dict[Key, int]:
    """How far up each hidden cell of *keys* can go (looked for up to *limit*; one joint solve per group).

    *attacker*: one already built for exactly these hidden cells (its models are warm)."""
    if attacker is None or attacker.integer or attacker.index.keys() != hidden:
        attacker = Attacker(system, hidden)
    by_component: dict[int, list[Key]] = defaultdict(list)
    for key in keys:
        if key in attacker.index:
            by_component[attacker.group(key)].append(key)
    reach: dict[Key, int] = {}
    for group in by_component.values():
        _, found = attacker.solve({k: -1 for k in group}, {k: limit for k in group})
        reach.update({k: _floor(found.get(k, 0)) for k in group})
    return reach


def _broken_columns(attacker: Attacker, cases: list[Homogeneity], fractional: set[Key]) -> list[Homogeneity]:
    """The homogeneous columns an attacker can prove homogeneous: one joint solve per group, then one by one.

    Groups of linked cells are independent, so the joint solves of all groups together are one joint
    solution: a column whose other categories reach 1 person in it is not provably homogeneous."""
    broken = []
    by_component: dict[int, dict[Key, int]] = defaultdict(dict)
    for case in cases:
        others = [k for k in case.others if k in attacker.index]
        if not others:
            broken.append(case)
        for key in others:
            by_component[attacker.group(key)][key] = 1
    found: dict[Key, float] = {}
    doubtful: set[int] = set()
    for comp, caps in by_component.items():
        _, solution = attacker.solve({k: -1 for k in caps}, caps)
        if not _whole(solution):
            doubtful.add(comp)
        found.update(solution)
    for case in cases:
        others = [k for k in case.others if k in attacker.index]
        if not others or case in broken:
            continue
        if sum(found.get(k, 0) for k in others) < 1 - EPSILON and not attacker.can_be_mixed(case):
            broken.append(case)
        elif any(attacker.group(k) in doubtful for k in others):
            # the joint solution is not whole: one in another category, in the solution nearest the truth
            likely = sorted(others, key=lambda k: -found.get(k, 0))
            if attacker.integer or not any(attacker.whole_witness(k, 1, None) for k in likely[:3]):
                fractional.add(case.single)
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
    options = [k for k in candidates if k not in hidden]
    # a report's overview only when nothing else can help; else a cell with room to move, else any
    plain = [k for k in options if k not in system.headline]
    options = plain if plain or not headline else options
    if not options:
        return None
    roomy = [k for k in options if system.values[k] >= threshold]
    return min(roomy or options, key=lambda k: (_cost(system, k), k))


def _close_equalities(system: CellSystem, hidden: set[Key], relations_of: dict[Key, list[Relation]],
                      threshold: int, fresh: Iterable[Key] | None = None) -> None:
    """A sum with exactly one hidden cell gives it away: hide a partner (the cheap first pass; a
    report's totals are left to the audit, which hides one only when nothing else helps).

    *fresh*: the cells hidden since the last pass (default: all). The relations of the other hidden
    cells were closed then, or had no cell left to hide, and hiding more changes neither."""
    queue = sorted(hidden if fresh is None else fresh, reverse=True)  # a fixed order: the same cells in every run
    while queue:
        key = queue.pop()
        for relation in relations_of.get(key, ()):
            members = [k for k, _c in relation.terms]
            if sum(1 for k in members if k in hidden) == 1:
                partner = _partner(system, members, hidden, threshold, headline=False)
                if partner is not None:
                    hidden.add(partner)
                    queue.append(partner)


def _widen(system: CellSystem, hidden: set[Key], audit: AuditResult, relations_of: dict[Key, list[Relation]],
           closing_of: dict[Key, list[Relation]], threshold: int) -> None:
    """Hide one more cell next to each cell the audit could narrow down (the cheapest that gives it room)."""
    attacker = audit.attacker
    if attacker is None or attacker.integer or attacker.index.keys() != hidden:
        attacker = Attacker(system, hidden)
    added: list[Key] = []
    around_group: dict[int, set[Key]] = {}  # the cells next to a group of linked cells, gathered once per call
    for key in [*audit.failures, *(case.single for case in audit.homogeneity_broken)]:
        # the relations that pin the cell: hide a published cell in them (LP duals, as in τ-Argus' audit)
        candidates: set[Key] = set()
        if key in attacker.index:
            found = audit.intervals.get(key)
            if key in audit.reasons:  # narrowed by relations read one at a time: those relations
                candidates |= {k for r in audit.reasons[key] for k, _c in r.terms}
            elif key in audit.failures and found is not None:
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
        if partner is None:  # fall back: the cheapest published cell next to the cell, else next to its group
            around = {k for relation in relations_of.get(key, ()) for k, _c in relation.terms}
            partner = _partner(system, around, hidden, threshold, headline=False)
            if partner is None:
                if key in attacker.index:
                    comp = attacker.group(key)
                    if comp not in around_group:
                        around_group[comp] = {k for cell in attacker.keys_of(comp)
                                              for relation in relations_of.get(cell, ()) for k, _c in relation.terms}
                    around |= around_group[comp]
                partner = (_partner(system, around, hidden, threshold, headline=False)
                           or _partner(system, candidates | around, hidden, threshold))
        if partner is not None:
            hidden.add(partner)
            added.append(partner)
    _close_equalities(system, hidden, closing_of, threshold, added)


def protect(system: CellSystem, threshold: int, exact: Iterable[Key] = (),
            progress: Progress | None = None) -> Protection:
    """Choose the cells to withhold and audit them; marks them on the reports' GroupFigures.

    *progress*: called with (done, total) now and then (the first full audit is most of the work).
    """
    tick = _part(progress, 0.0, 1.0)
    system.find_homogeneous()
    primary = sensitive_cells(system, threshold)
    homogeneous_cells = {k for case in system.homogeneous for k in (case.single, *case.others)}
    fingerprint = (threshold, frozenset(system.values.items()))
    if fingerprint in _DONE:  # the same tables again (preview then export, another report of the year)
        hidden, checked, kept = _DONE[fingerprint]
        return _publish(_with_reach(Protection(system, set(hidden), primary, homogeneous_cells, checked), exact,
                                    threshold, kept))
    hidden = set(primary) | homogeneous_cells
    relations_of = _relations_of(system)
    closing_of = _relations_of(system, closing=True)
    _close_equalities(system, hidden, closing_of, threshold)
    tick(5, 100)
    # First what the relations give away read one at a time (no solver: quick to repeat), then the
    # attacker's linear programmes on what is left.
    for _round in range(MAX_ROUNDS):
        quick = run_audit(system, hidden, threshold, cheap=True)
        tick(min(10 + _round, 15), 100)
        if not quick.failures and not quick.homogeneity_broken:
            break
        _widen(system, hidden, quick, relations_of, closing_of, threshold)
    audit = run_audit(system, hidden, threshold, progress=_part(progress, 0.15, 0.85), attacker=quick.attacker)
    for _round in range(MAX_ROUNDS):
        if not audit.failures and not audit.homogeneity_broken:
            break
        _widen(system, hidden, audit, relations_of, closing_of, threshold)
        # Hiding more cells only widens what the attacker must allow (each witness found stays a
        # solution, the new cells at their true values): only the cells not yet proven are checked again.
        pending = set(audit.failures) | {case.single for case in audit.homogeneity_broken}
        again = run_audit(system, hidden, threshold, only=pending)
        again.intervals = {**audit.intervals, **again.intervals}
        again.fractional |= audit.fractional - pending  # still to be checked in whole numbers
        audit = again
        tick(min(85 + _round, 90), 100)
    if audit.failures or audit.homogeneity_broken:
        raise ProtectionError(
            f"Der Bericht lässt sich nicht sicher veröffentlichen: {len(audit.failures)} gesperrte Felder ließen sich "
            "trotz zusätzlicher Sperrungen zu genau eingrenzen. Bitte einen längeren Standardzeitraum wählen.")
    # The attacker's full power: whole numbers. Needed only where the relaxation's witnesses were
    # fractional; hide more if whole numbers narrow a cell the relaxation did not.
    checked = audit
    last_lp = audit.attacker
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
    tick(95, 100)
    checked.attacker = None  # its solvers are not needed any more
    if last_lp is not None and last_lp.index.keys() != hidden:
        last_lp = None
    for key, (cells, result, _attacker) in list(_DONE.items()):  # solvers kept for the latest tables only
        _DONE[key] = (cells, result, None)
    _DONE[fingerprint] = (frozenset(hidden), checked, last_lp)
    while len(_DONE) > 16:
        del _DONE[next(iter(_DONE))]
    return _publish(_with_reach(Protection(system, hidden, primary, homogeneous_cells, checked), exact, threshold,
                                last_lp))


# tables protected in this process: hidden cells, audit and (latest only) the attacker's warm models
_DONE: dict[tuple, tuple[frozenset[Key], AuditResult, Attacker | None]] = {}


def _with_reach(protection: Protection, exact: Iterable[Key], threshold: int,
                attacker: Attacker | None = None) -> Protection:
    """The note's intervals: how far each hidden small cell of the report written can go (0 is proven)."""
    audit = protection.audit
    intervals = dict(audit.intervals)
    reach = widest_reach(protection.system, protection.hidden, [k for k in exact if k in protection.hidden],
                         10 * threshold, attacker)
    for key, high in reach.items():
        intervals[key] = Interval(0, max(high, threshold))
    protection.audit = AuditResult(intervals, audit.homogeneity_broken, audit.failures, audit.fractional)
    return protection


def _publish(protection: Protection) -> Protection:
    """Mark the withheld cells on their reports. A cell every reader knows (0 where no Termin was held)
    may serve the search as a withheld cell, but it is shown: withholding it would hide nothing."""
    for key in protection.hidden - protection.system.known:
        for figures, name in protection.system.places[key]:
            figures.hidden.add(name)
    return protection


def audit_figures(protection: Protection, data: ReportData) -> AuditFigures:
    """The figures of one report's »Datenschutz« note."""
    system = protection.system
    mine = system.report_keys[id(data)]
    hidden = protection.hidden & mine
    primary = protection.primary & mine
    columns = sum(1 for case in system.homogeneous if case.single in mine)
    secondary = hidden - primary - protection.homogeneous_cells - system.known
    intervals = [protection.audit.intervals[k] for k in primary if k in protection.audit.intervals]
    narrowest = min(intervals, key=lambda i: (i.width, i.low), default=None)
    return AuditFigures(
        hidden=len(primary), homogeneous=columns, secondary=len(secondary),
        narrowest=None if narrowest is None else (narrowest.low, narrowest.high),
        reports=len(system.reports), cells=len(system.values), internal=data.internal,
    )


def protect_reports(reports: Sequence[ReportData], threshold: int, focus: ReportData | None = None,
                    progress: Progress | None = None) -> Protection:
    """Protect *reports* together (the same cells hidden wherever they appear) and note the audit on *focus*.

    The report to be written (*focus*, default the first) gets exact intervals for its note.
    *progress*: called with (done, total) while the audit runs.
    """
    focus = focus or reports[0]
    system = _system(reports)
    mine = system.report_keys.get(id(focus), set())
    protection = protect(system, threshold, exact=sorted(k for k in mine if 0 < system.values[k] < threshold),
                         progress=progress)
    focus.audit = audit_figures(protection, focus)
    if progress is not None:
        progress(1000, 1000)
    return protection


def _part(progress: Progress | None, start: float, end: float) -> Progress:
    """*progress* for a part of the work: (done, total) of the part mapped onto ``start … end`` of 1000."""
    def report(done: int, total: int) -> None:
        if progress is not None:
            share = min(1.0, done / total) if total else 1.0
            progress(int(1000 * (start + (end - start) * share)), 1000)

    return report


def _system(reports: Sequence[ReportData]) -> CellSystem:
    system = CellSystem()
    for data in reports:
        data.total.hidden.clear()
        for figures in (*data.by_municipality, *data.by_format, *data.by_topic, *data.by_month):
            figures.hidden.clear()
        system.add_report(data)
    system.link_periods()
    system.link_reference_days()
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
