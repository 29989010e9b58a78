"""A sync with nothing to do stays cheap: a fixed handful of queries, none per file, nothing compiled again.

Trainers press »Abgleichen« often and the office syncs on a schedule; the sync tests run hundreds of
syncs. The cost of an empty sync must not grow with the number of files in the folder, and the
statements it runs must all come from SQLAlchemy's compiled cache (no value baked into the SQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from tests.sync_helpers import Laptop, laptops, shared  # noqa: F401

MAX_STATEMENTS = 20  # a few meta rows, the file list, the export check, the scrub check, the conflict count


@contextmanager
def _statements(laptop: Laptop) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(statement)

    event.listen(laptop.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(laptop.db.engine, "before_cursor_execute", record)


def _empty_sync_statements(laptop: Laptop, folder) -> list[str]:
    with _statements(laptop) as seen:
        report = laptop.sync(folder)
    assert (report.written_files, report.read_files, report.refused) == (0, 0, [])
    return list(seen)


def _two_laptops_in_step(laptops, shared) -> tuple[Laptop, Laptop]:
    """A and B with one course each, synced until A has nothing new to read or write."""
    a, b = laptops("A"), laptops("B")
    a.add_course("Smartphone-Grundkurs")
    b.add_course("Tablet-Kurs")
    for _ in range(2):
        a.sync(shared)
        b.sync(shared)
    a.sync(shared)
    return a, b


def test_empty_sync_runs_the_same_few_queries_with_2_or_12_files(laptops, shared):
    a, b = _two_laptops_in_step(laptops, shared)
    few = _empty_sync_statements(a, shared)
    assert len(few) <= MAX_STATEMENTS, few

    for number in range(10):  # ten more files from B in the folder, all imported by A once
        b.add_course(f"Kurs {number}")
        b.sync(shared)
    assert a.sync(shared).read_files == 10
    many = _empty_sync_statements(a, shared)
    assert len(many) == len(few), (few, many)  # nothing per file: the same statements, however many files


def test_repeated_empty_syncs_compile_nothing_new(laptops, shared):
    a, _b = _two_laptops_in_step(laptops, shared)
    cache = a.db.engine._compiled_cache
    assert cache is not None
    _empty_sync_statements(a, shared)
    size = len(cache)
    for _ in range(3):
        _empty_sync_statements(a, shared)
    assert len(cache) == size  # every statement of an empty sync came from the compiled cache
