"""What the attacker model knows about the published tables, pinned relation by relation.

Written to kill the mutants `mutmut` found in the cell model of app/reports/protection.py (see
tests/mutation-survivors.md). A small quarter report is written out by hand; each relation a reader
of its tables knows (persons = neu + wiederkehrend, villages add up to the total, a month inside the
quarter, …) is written here as the expected equation, so a relation that is lost or changed fails
with the equation that is missing. Fast: no database, one small protection at the end.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.indicators import (
    AGE_BANDS,
    DEVICES,
    GENDERS,
    custom_period,
    quarter_period,
    year_period,
)
from app.reports import protection as prot
from app.reports.model import GroupFigures, ReportData
from app.reports.protection import CellSystem, Interval, Relation

D = dt.date
Q1 = quarter_period(2026, 1)
S, E = Q1.start, Q1.end


def figures(key: str, values: dict, month: dt.date | None = None, genders: dict | None = None,
            topics: dict | None = None) -> GroupFigures:
    return GroupFigures(key=key, label=key, values=dict(values), age_bands={"70–79": values.get("persons", 0)},
                        genders=genders if genders is not None else {"w": values.get("persons", 0)},
                        devices={"keine Angabe": values.get("persons", 0)}, drop_in_topics=topics or {},
                        month=month)


def row_values(persons: int, attendances: int, held: int = 2, new: int | None = None, contacts: int = 0,
               anonymous: int = 0, enrolments: int = 0) -> dict:
    new = persons if new is None else new
    return {"persons": persons, "new_persons": new, "returning_persons": persons - new, "attendances": attendances,
            "enrolments": enrolments, "drop_in_contacts": contacts, "drop_in_anonymous": anonymous,
            "termine_held": held}


def report(period=Q1, municipality: str | None = None, months: bool = True) -> ReportData:
    total = figures("", row_values(9, 20, 6, new=5, contacts=4, anonymous=1, enrolments=7), topics={"WhatsApp": 3})
    towns = [figures("Adorf", row_values(5, 12, 4, contacts=4, anonymous=1), topics={"WhatsApp": 3}),
             figures("Bedorf", row_values(4, 8, 2))]  # no Sprechstunde there: no tally at all
    formats = [figures("course", row_values(7, 16, 4, enrolments=7)),
               figures("drop_in", row_values(3, 4, 2, contacts=4, anonymous=1))]
    topics = [figures("Fotos", row_values(6, 12, 4)), figures("Apps", row_values(2, 2, 0))]
    by_month = [figures(f"m{n}", row_values(3, 20 // 3 + (n == 1) * 2, 2), month=D(period.start.year, n, 1))
                for n in (1, 2, 3)] if months else []
    return ReportData(period=period, municipality=municipality, created=dt.datetime(2026, 4, 1), total=total,
                      by_municipality=towns if municipality is None else [], by_format=formats, by_topic=topics,
                      by_month=by_month, drop_in_topics=["WhatsApp"], lessons=[], notes=[])


def key(measure: str, where: str = "", fmt: str = "", topic: str = "", span: tuple = (S, E)) -> prot.Key:
    ref = span[0] if measure in ("new_persons", "returning_persons") else None
    if measure in ("new_persons", "returning_persons") and span != (S, E):
        ref = S  # the reference day is the report's start, also for its months
    return (*span, where, fmt, topic, measure, ref)


def has(system: CellSystem, terms: list[tuple[prot.Key, int]], equal: bool) -> bool:
    return (tuple(sorted(terms)), equal) in system.relations


@pytest.fixture
def system() -> CellSystem:
    cells = CellSystem()
    cells.add_report(report())
    return cells


# ------------------------------------------------------------------ cells


def test_every_published_person_cell_is_a_cell_with_its_true_value(system):
    assert system.values[key("persons")] == 9
    assert system.values[key("new_persons")] == 5
    assert system.values[key("returning_persons")] == 4
    assert system.values[key("attendances", "Adorf")] == 12
    assert system.values[key("enrolments", fmt="course")] == 7
    assert system.values[key("age_bands:70–79")] == 9
    assert system.values[key("age_bands:80+")] == 0
    assert system.values[key("genders:w", "Bedorf")] == 4
    assert system.values[key("drop_in_topics:WhatsApp", "Bedorf")] == 0
    assert system.values[key("drop_in_topics:WhatsApp", "Adorf")] == 3
    assert key("genders:w", topic="Fotos") not in system.values  # no distributions by topic
    assert key("drop_in_topics:WhatsApp", fmt="course") not in system.values  # topics only by village
    assert key("termine_held") not in system.values  # Termine are no persons
    jan = (D(2026, 1, 1), D(2026, 1, 31))
    assert system.values[key("persons", span=jan)] == 3
    assert (D(2026, 1, 1), D(2026, 1, 31), "", "", "", "new_persons", S) in system.values
    # 1 total + 2 villages + 2 formats with 7 measures and 14 distribution cells, topics and months without
    assert len(system.values) == 5 * (7 + 14) + 3 + 2 * 7 + 3 * 7
    assert len(system.reports) == 1


def test_each_cell_knows_where_it_is_published(system):
    places = system.places[key("persons", "Adorf")]
    assert [(f.key, name) for f, name in places] == [("Adorf", "persons")]
    assert [(f.key, name) for f, name in system.places[key("genders:m")]] == [("", "genders:m")]
    assert [(f.key, name) for f, name in system.places[key("drop_in_topics:WhatsApp", "Adorf")]] == [
        ("Adorf", "drop_in_topics:WhatsApp")]


def test_headline_and_overview(system):
    assert system.headline == {key("persons"), key("attendances")}
    assert key("genders:w") in system.overview and key("persons", "Adorf") not in system.overview
    assert len(system.overview) == 7 + 14 + 1


def test_report_keys_are_the_cells_of_that_report(system):
    data = system.reports[0]
    assert system.report_keys[id(data)] == set(system.values)


# ------------------------------------------------------------------ relations of one row


def test_new_and_returning_add_up_to_persons(system):
    assert has(system, [(key("persons"), 1), (key("new_persons"), -1), (key("returning_persons"), -1)], True)
    assert has(system, [(key("persons", "Adorf"), 1), (key("new_persons", "Adorf"), -1),
                        (key("returning_persons", "Adorf"), -1)], True)


def test_persons_at_most_attendances(system):
    assert has(system, [(key("persons"), 1), (key("attendances"), -1)], False)
    assert has(system, [(key("persons", fmt="drop_in"), 1), (key("attendances", fmt="drop_in"), -1)], False)


def test_drop_in_contacts(system):
    assert has(system, [(key("drop_in_anonymous"), 1), (key("drop_in_contacts"), -1)], False)
    assert has(system, [(key("drop_in_contacts"), 1), (key("drop_in_anonymous"), -1), (key("attendances"), -1)],
               False)
    # in the Sprechstunde row the named contacts are all of its attendances
    drop_in = [(key("drop_in_contacts", fmt="drop_in"), 1), (key("drop_in_anonymous", fmt="drop_in"), -1),
               (key("attendances", fmt="drop_in"), -1)]
    assert has(system, drop_in, True) and not has(system, drop_in, False)


def test_distributions_add_up_to_persons(system):
    for family, order in (("age_bands", AGE_BANDS), ("genders", GENDERS), ("devices", DEVICES)):
        terms = [(key(f"{family}:{c}"), 1) for c in order] + [(key("persons"), -1)]
        assert has(system, terms, True), family
        town = [(key(f"{family}:{c}", "Bedorf"), 1) for c in order] + [(key("persons", "Bedorf"), -1)]
        assert has(system, town, True), family


def test_known_zeros(system):
    # the topic »Apps« had no Termin held: every person cell there is 0, enrolments excepted
    for measure in ("persons", "new_persons", "returning_persons", "attendances", "drop_in_contacts",
                    "drop_in_anonymous"):
        assert has(system, [(key(measure, topic="Apps"), 1)], True), measure
    assert not has(system, [(key("enrolments", topic="Apps"), 1)], True)
    # a course row has no Sprechstunde contacts; the Sprechstunde row may
    assert has(system, [(key("drop_in_contacts", fmt="course"), 1)], True)
    assert has(system, [(key("drop_in_anonymous", fmt="course"), 1)], True)
    assert not has(system, [(key("drop_in_contacts", fmt="drop_in"), 1)], True)
    assert not has(system, [(key("persons", fmt="course"), 1)], True)
    assert not has(system, [(key("drop_in_contacts"), 1)], True)  # the total row has all formats


# ------------------------------------------------------------------ rows that add up


def test_villages_partition_the_total(system):
    assert has(system, [(key("attendances"), 1), (key("attendances", "Adorf"), -1), (key("attendances", "Bedorf"), -1)],
               True)
    assert has(system, [(key("genders:w"), 1), (key("genders:w", "Adorf"), -1), (key("genders:w", "Bedorf"), -1)],
               False)
    assert has(system, [(key("drop_in_topics:WhatsApp"), 1), (key("drop_in_topics:WhatsApp", "Adorf"), -1),
                        (key("drop_in_topics:WhatsApp", "Bedorf"), -1)], True)
    # distinct persons: each village at most the total, the total at most the villages together
    assert has(system, [(key("persons", "Adorf"), 1), (key("persons"), -1)], False)
    assert has(system, [(key("persons", "Bedorf"), 1), (key("persons"), -1)], False)
    assert has(system, [(key("persons"), 1), (key("persons", "Adorf"), -1), (key("persons", "Bedorf"), -1)], False)
    assert not has(system, [(key("persons"), 1), (key("persons", "Adorf"), -1), (key("persons", "Bedorf"), -1)], True)


def test_formats_and_months_partition_the_total(system):
    assert has(system, [(key("enrolments"), 1), (key("enrolments", fmt="course"), -1),
                        (key("enrolments", fmt="drop_in"), -1)], True)
    months = [(D(2026, m, 1), D(2026, m, last)) for m, last in ((1, 31), (2, 28), (3, 31))]
    assert has(system, [(key("attendances"), 1), *((key("attendances", span=s), -1) for s in months)], True)
    assert has(system, [(key("persons"), 1), *((key("persons", span=s), -1) for s in months)], False)
    assert has(system, [(key("persons", span=months[1]), 1), (key("persons"), -1)], False)


def test_a_village_report_has_no_village_partition():
    system = CellSystem()
    system.add_report(report(municipality="Adorf"))
    assert key("persons", "Adorf") in system.values  # the report's own cells are the village's
    assert has(system, [(key("attendances", "Adorf"), 1), (key("attendances", "Adorf", "course"), -1),
                        (key("attendances", "Adorf", "drop_in"), -1)], True)


def test_topics_cover_the_total(system):
    assert has(system, [(key("persons", topic="Fotos"), 1), (key("persons"), -1)], False)
    assert has(system, [(key("attendances", topic="Apps"), 1), (key("attendances"), -1)], False)
    # a Termin may teach two topics: the rows together are at least the total, never an equation
    together = [(key("attendances"), 1), (key("attendances", topic="Fotos"), -1), (key("attendances", topic="Apps"), -1)]
    assert has(system, together, False) and not has(system, together, True)


def test_partition_skips_a_measure_missing_in_a_part():
    system = CellSystem()
    data = report(months=False)
    del data.by_format[1].values["enrolments"]
    system.add_report(data)
    # the Sprechstunde row has no enrolments: the course row alone is no partition of the total
    assert not any({key("enrolments"), key("enrolments", fmt="course")} <= {k for k, _c in r.terms}
                   for r in system.relations.values())
    assert has(system, [(key("attendances"), 1), (key("attendances", fmt="course"), -1),
                        (key("attendances", fmt="drop_in"), -1)], True)
    # the measures after the missing one are still partitioned
    assert has(system, [(key("persons", fmt="course"), 1), (key("persons"), -1)], False)
    assert has(system, [(key("drop_in_contacts"), 1), (key("drop_in_contacts", fmt="course"), -1),
                        (key("drop_in_contacts", fmt="drop_in"), -1)], True)
    system2 = CellSystem()
    system2._partition({"persons": key("persons")}, [])
    assert system2.relations == {}


def test_cover_needs_every_part_for_the_sum():
    system = CellSystem()
    whole = {"persons": key("persons")}
    parts = [{"persons": key("persons", topic="A")}, {}]
    system._cover(whole, parts)
    assert list(system.relations) == [(tuple(sorted([(key("persons", topic="A"), 1), (key("persons"), -1)])), False)]


# ------------------------------------------------------------------ relate


def test_relate_merges_terms_and_drops_what_cancels():
    system = CellSystem()
    a, b, c = key("persons", "A"), key("persons", "B"), key("persons", "C")
    system.relate([(a, 1), (b, -1), (a, 1)], True)
    assert list(system.relations.values()) == [Relation(((a, 2), (b, -1)), True)]
    system.relate([(a, 1), (a, -1), (b, 1)], False)  # a single term »≤ 0« says nothing about hidden cells
    assert len(system.relations) == 1
    system.relate([(c, 1), (c, -1)], True)
    assert len(system.relations) == 1
    system.relate([(c, 1)], True)
    assert (((c, 1),), True) in system.relations
    system.relate([(a, 1), (b, -1), (a, 1)], True)
    assert len(system.relations) == 2


def test_closing_relations_are_equations_and_covers():
    system = CellSystem()
    w, p1, p2 = key("persons"), key("persons", "A"), key("persons", "B")
    system.relate([(w, 1), (p1, -1)], False)  # part ≤ whole: not closing
    system.relate([(w, 1), (p1, -1), (p2, -1)], False)  # whole ≤ parts: closing
    system.relate([(p1, 1), (p2, 1)], True)
    assert set(system.closing) == {tuple(sorted([(w, 1), (p1, -1), (p2, -1)])), tuple(sorted([(p1, 1), (p2, 1)]))}
    cover = tuple(sorted([(w, 1), (p1, -1), (p2, -1)]))
    assert system.closing[cover] == Relation(cover, False)
    assert system.closing[tuple(sorted([(p1, 1), (p2, 1)]))] == Relation(tuple(sorted([(p1, 1), (p2, 1)])), True)


def test_is_cover():
    w, p1, p2 = key("persons"), key("persons", "A"), key("persons", "B")
    assert prot._is_cover(((w, 1), (p1, -1), (p2, -1)))
    assert not prot._is_cover(((w, 1), (p1, -1)))
    assert not prot._is_cover(((w, 1), (p1, 1), (p2, -1)))
    assert not prot._is_cover(((w, -1), (p1, -1), (p2, -1)))


# ------------------------------------------------------------------ spans


def test_month_spans_are_cut_to_the_period():
    period = custom_period(D(2026, 1, 15), D(2026, 3, 20))
    assert prot._month_span(figures("m", {}, month=D(2026, 1, 1)), period) == (D(2026, 1, 15), D(2026, 1, 31))
    assert prot._month_span(figures("m", {}, month=D(2026, 2, 1)), period) == (D(2026, 2, 1), D(2026, 2, 28))
    assert prot._month_span(figures("m", {}, month=D(2026, 3, 1)), period) == (D(2026, 3, 1), D(2026, 3, 20))
    assert prot._month_span(figures("m", {}), period) == (D(2026, 1, 15), D(2026, 1, 31))
    year = year_period(2028)
    assert prot._month_span(figures("m", {}, month=D(2028, 2, 1)), year) == (D(2028, 2, 1), D(2028, 2, 29))
    assert prot._month_span(figures("m", {}, month=D(2028, 12, 1)), year) == (D(2028, 12, 1), D(2028, 12, 31))


@pytest.mark.parametrize(("span", "month"), [
    ((D(2026, 2, 1), D(2026, 2, 28)), True), ((D(2026, 12, 1), D(2026, 12, 31)), True),
    ((D(2026, 2, 2), D(2026, 2, 28)), False), ((D(2026, 2, 1), D(2026, 2, 27)), False),
    ((D(2026, 1, 1), D(2026, 2, 28)), False), ((D(2025, 2, 1), D(2026, 2, 28)), False),
    ((D(2026, 1, 1), D(2026, 3, 31)), False),
])
def test_is_month(span, month):
    assert prot._is_month(span) is month


def test_tiles():
    q = (D(2026, 1, 1), D(2026, 3, 31))
    jan, feb, mar = (D(2026, 1, 1), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 31))
    assert prot._tiles(q, [mar, jan, feb])
    assert not prot._tiles(q, [jan, feb])  # a gap at the end
    assert not prot._tiles(q, [jan, mar])  # a gap inside
    assert not prot._tiles(q, [feb, mar])  # a gap at the start
    assert not prot._tiles(q, [jan, feb, mar, (D(2026, 4, 1), D(2026, 4, 30))])


# ------------------------------------------------------------------ periods linked


def _two_reports() -> CellSystem:
    system = CellSystem()
    system.add_report(report())
    year = report(period=year_period(2026), months=False)
    system.add_report(year)
    q2 = report(period=quarter_period(2026, 2), months=False)
    system.add_report(q2)
    system.link_periods()
    return system


def test_a_quarter_inside_the_year():
    system = _two_reports()
    year = (D(2026, 1, 1), D(2026, 12, 31))
    q2 = (D(2026, 4, 1), D(2026, 6, 30))
    assert has(system, [(key("persons"), 1), (key("persons", span=year), -1)], False)
    assert has(system, [(key("attendances", span=q2), 1), (key("attendances", span=year), -1)], False)
    # a month sits in its quarter; its containment in the year follows from that and is not repeated
    jan = (D(2026, 1, 1), D(2026, 1, 31))
    assert has(system, [(key("persons", span=jan), 1), (key("persons"), -1)], False)
    assert not has(system, [(key("persons", span=jan), 1), (key("persons", span=year), -1)], False)


def test_months_tile_their_quarter_across_reports():
    system = CellSystem()
    system.add_report(report(months=False))
    months_report = report(period=custom_period(D(2026, 1, 1), D(2026, 3, 31)), months=True)
    months_report.by_format = months_report.by_topic = months_report.by_municipality = []
    months_report.municipality = None
    system.add_report(months_report)
    system.link_periods()
    months = [(D(2026, m, 1), D(2026, m, last)) for m, last in ((1, 31), (2, 28), (3, 31))]
    assert has(system, [(key("attendances"), 1), *((key("attendances", span=s), -1) for s in months)], True)
    # the month rows publish no Sprechstunde topics: nothing to add up there
    assert not any(key("drop_in_topics:WhatsApp", span=s) in system.values for s in months)


def test_quarters_tile_the_year_not_a_half_year_twice():
    system = CellSystem()
    for period in (quarter_period(2026, 1), quarter_period(2026, 2), year_period(2026)):
        system.add_report(report(period=period, months=False))
    system.link_periods()
    q1, q2 = (D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 6, 30))
    year = (D(2026, 1, 1), D(2026, 12, 31))
    # two quarters do not fill the year: no sum over them
    assert not has(system, [(key("attendances", span=year), 1), (key("attendances", span=q1), -1),
                            (key("attendances", span=q2), -1)], True)
    for quarter in (3, 4):
        system.add_report(report(period=quarter_period(2026, quarter), months=False))
    system.link_periods()
    quarters = [(quarter_period(2026, n).start, quarter_period(2026, n).end) for n in (1, 2, 3, 4)]
    assert has(system, [(key("attendances", span=year), 1), *((key("attendances", span=q), -1) for q in quarters)],
               True)
    assert has(system, [(key("persons", span=year), 1), *((key("persons", span=q), -1) for q in quarters)], False)
    assert has(system, [(key("drop_in_topics:WhatsApp", span=year), 1),
                        *((key("drop_in_topics:WhatsApp", span=q), -1) for q in quarters)], True)


def test_new_and_returning_from_two_reference_days():
    """The April row counts »neu« from 1 April in the 2nd quarter and from 1 January in the year."""
    system = CellSystem()
    q2, year = quarter_period(2026, 2), year_period(2026)
    for period, new in ((q2, 1), (year, 2)):  # of the 3 persons in April, 1 is new since April, 2 since January
        data = report(period=period, months=False)
        data.by_month = [figures("m4", row_values(3, 6, 2, new=new), month=D(2026, 4, 1))]
        system.add_report(data)
    system.link_reference_days()
    span = (D(2026, 4, 1), D(2026, 4, 30))
    new_april1 = (*span, "", "", "", "new_persons", D(2026, 4, 1))
    new_jan1 = (*span, "", "", "", "new_persons", D(2026, 1, 1))
    back_april1 = (*span, "", "", "", "returning_persons", D(2026, 4, 1))
    back_jan1 = (*span, "", "", "", "returning_persons", D(2026, 1, 1))
    # new since 1 April ≤ new since 1 January; back since 1 January ≤ back since 1 April
    assert has(system, [(new_april1, 1), (new_jan1, -1)], False)
    assert has(system, [(back_jan1, 1), (back_april1, -1)], False)
    assert not has(system, [(new_jan1, 1), (new_april1, -1)], False)
    assert not has(system, [(back_april1, 1), (back_jan1, -1)], False)
    # the totals of the two reports are different rows (other spans): nothing between them here
    assert not any({key("new_persons", span=(q2.start, q2.end)), key("new_persons", span=(year.start, year.end))}
                   <= {k for k, _c in r.terms} for r in system.relations.values())


def test_one_period_alone_links_nothing():
    system = CellSystem()
    system.add_report(report(months=False))
    before = dict(system.relations)
    system.link_periods()
    assert system.relations == before


# ------------------------------------------------------------------ homogeneous columns


def test_a_column_with_everyone_in_one_group_is_found():
    system = CellSystem()
    data = report(months=False)
    system.add_report(data)
    system.find_homogeneous()
    singles = {case.single for case in system.homogeneous}
    # everyone is 70–79 and »w« in every row; devices are all »keine Angabe«: that tells nothing
    assert key("age_bands:70–79") in singles and key("genders:w", "Adorf") in singles
    assert not any(k[5].startswith("devices:") for k in singles)
    case = next(c for c in system.homogeneous if c.single == key("genders:w"))
    assert set(case.others) == {key("genders:m"), key("genders:d"), key("genders:keine Angabe")}
    assert len(system.homogeneous) == 2 * 5  # age and gender in total, 2 villages, 2 formats


def test_a_mixed_column_is_not_homogeneous():
    system = CellSystem()
    data = report(months=False)
    data.total.genders = {"w": 5, "m": 4}
    data.by_municipality[0].genders = {"w": 5, "keine Angabe": 0}
    data.by_municipality[1].genders = {}
    system.add_report(data)
    system.find_homogeneous()
    genders = {c.single for c in system.homogeneous if c.single[5].startswith("genders:")}
    assert genders == {key("genders:w", "Adorf"), key("genders:w", fmt="course"), key("genders:w", fmt="drop_in")}


# ------------------------------------------------------------------ small things of the defender


def test_sensitive_cells_are_one_up_to_threshold_minus_one():
    system = CellSystem(values={key("persons", "a"): 0, key("persons", "b"): 1, key("persons", "c"): 2,
                                key("persons", "d"): 3})
    assert prot.sensitive_cells(system, 3) == {key("persons", "b"), key("persons", "c")}
    assert prot.sensitive_cells(system, 4) == {key("persons", "b"), key("persons", "c"), key("persons", "d")}


def test_cost_prefers_small_cells_and_spares_the_overview():
    system = CellSystem(values={key("persons", "a"): 4, key("attendances", "a"): 4, key("persons"): 4,
                                key("attendances"): 4})
    system.headline = {key("persons")}
    system.overview = {key("persons"), key("attendances")}
    assert prot._cost(system, key("attendances", "a")) == 5
    assert prot._cost(system, key("persons", "a")) == 5.5
    assert prot._cost(system, key("attendances")) == 1005
    assert prot._cost(system, key("persons")) == 1_000_005.5


def test_interval_width():
    assert Interval(0, 3).width == 3
    assert Interval(2, 2).width == 0
    assert Interval(1, None).width == float("inf")


def test_a_small_village_hides_its_neighbour_but_not_the_total():
    """Total 9 persons = Adorf 2 + Bedorf 7 (attendances 20 = 4 + 16): Adorf's 2 must not be recoverable."""
    total = GroupFigures("", "", {"persons": 9, "attendances": 20, "termine_held": 4})
    adorf = GroupFigures("Adorf", "Adorf", {"persons": 2, "attendances": 4, "termine_held": 2})
    bedorf = GroupFigures("Bedorf", "Bedorf", {"persons": 7, "attendances": 16, "termine_held": 2})
    data = ReportData(Q1, None, dt.datetime(2026, 4, 1), total, [adorf, bedorf], [], [], [], [], [], [])
    for figures_ in (total, adorf, bedorf):  # the same distribution in every row would be a homogeneous column
        figures_.genders = {"w": figures_.values["persons"] - 1, "m": 1}
        figures_.age_bands = {"60–69": figures_.values["persons"] - 1, "80+": 1}
        figures_.devices = {"Android": figures_.values["persons"] - 1, "iPhone": 1}
    result = prot.protect_reports([data], 3)
    assert "persons" in adorf.hidden and "attendances" not in total.hidden and "persons" not in total.hidden
    assert "persons" in bedorf.hidden, "Bedorf = Gesamt − Adorf: the partner must be withheld too"
    for cell in result.audit.intervals.values():
        assert cell.low == 0 and (cell.high is None or cell.high >= 3)
    assert data.audit is not None and data.audit.hidden >= 1 and data.audit.reports == 1
    assert data.audit.cells == len(result.system.values)


def test_two_periods_are_enough_to_link():
    system = CellSystem()
    system.add_report(report(months=False))
    system.add_report(report(period=year_period(2026), months=False))
    system.link_periods()
    year = (D(2026, 1, 1), D(2026, 12, 31))
    assert has(system, [(key("persons"), 1), (key("persons", span=year), -1)], False)


def test_a_cell_of_one_period_only_does_not_stop_the_linking():
    system = CellSystem()
    first = report(months=False)
    first.by_topic[0].key = "Nur im ersten Quartal"
    system.add_report(first)
    for period in (year_period(2026), quarter_period(2026, 2)):
        later = report(period=period, months=False)
        later.by_municipality[1].key = "Cedorf"  # a village that appears only in the later reports
        system.add_report(later)
    system.link_periods()
    q2, year = (D(2026, 4, 1), D(2026, 6, 30)), (D(2026, 1, 1), D(2026, 12, 31))
    assert has(system, [(key("persons", "Cedorf", span=q2), 1), (key("persons", "Cedorf", span=year), -1)], False)


def test_a_row_without_some_measures_gets_only_the_relations_it_has():
    system = CellSystem()
    keys = {"returning_persons": key("returning_persons"), "attendances": key("attendances"),
            "drop_in_anonymous": key("drop_in_anonymous")}
    system._row_relations(keys, "", False)
    assert system.relations == {}


def test_a_course_row_without_termine_is_zero_everywhere():
    system = CellSystem()
    data = report(months=False)
    data.by_format[0].values["termine_held"] = 0
    system.add_report(data)
    for measure in ("persons", "attendances", "new_persons", "drop_in_contacts", "drop_in_anonymous"):
        assert has(system, [(key(measure, fmt="course"), 1)], True), measure
    assert not has(system, [(key("enrolments", fmt="course"), 1)], True)


def test_one_person_of_another_group_makes_a_column_mixed():
    system = CellSystem()
    data = report(months=False)
    data.by_municipality[0].genders = {"w": 4, "m": 1}
    system.add_report(data)
    system.find_homogeneous()
    assert key("genders:w", "Adorf") not in {case.single for case in system.homogeneous}


# ------------------------------------------------------------------ choosing the cells to withhold


def test_a_cell_every_reader_knows_is_shown():
    """A row without a Termin has 0 persons: withholding that 0 would hide nothing (and looks odd), so
    it is shown even where the search used it as a withheld cell."""
    system = CellSystem()
    data = report(months=False)
    data.by_format[1].values.update(row_values(0, 0, 0))  # no Sprechstunde held this quarter
    system.add_report(data)
    zero = key("persons", fmt="drop_in")
    assert zero in system.known and key("persons", fmt="course") not in system.known
    protection = prot.Protection(system, {zero, key("persons", fmt="course")}, set(), set(),
                                 prot.AuditResult({}, [], []))
    prot._publish(protection)
    assert data.by_format[1].hidden == set() and data.by_format[0].hidden == {"persons"}
    assert prot.audit_figures(protection, data).secondary == 1  # the course cell only


def test_the_first_pass_leaves_a_total_to_the_audit():
    system = CellSystem()
    total, part = key("attendances"), key("attendances", "Adorf")
    system.values.update({total: 9, part: 2})
    system.headline.add(total)
    system.relate([(total, 1), (part, -1)], True)  # one village only: its row is the total
    hidden = {part}
    prot._close_equalities(system, hidden, prot._relations_of(system, closing=True), 3)
    assert hidden == {part}  # not the total: the audit decides (it hides a total only if nothing else helps)
    # with a second village the same sum gets a partner that is no total
    system2 = CellSystem()
    plain = key("attendances", "Cedorf")
    system2.values.update({total: 9, part: 2, plain: 7})
    system2.headline.add(total)
    system2.relate([(total, 1), (part, -1), (plain, -1)], True)
    hidden = {part}
    prot._close_equalities(system2, hidden, prot._relations_of(system2, closing=True), 3)
    assert hidden == {part, plain}
