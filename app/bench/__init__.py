"""The project's benchmark: ``kurslotse benchmark`` prints every row, each next to its baseline.

A row module lives in ``app/bench/`` and has ``def rows(ctx: BenchContext) -> list[Row]``.
Benchmarks are measurements, not tests: nothing fails when a figure misses its target.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROW_MODULES = (
    "app.bench.startup",
    "app.bench.presenter",
    "app.bench.handout",
    "app.bench.attendance",
    "app.bench.report",
    "app.bench.sync",
)


@dataclass
class Row:
    """One measured figure with its target and (optionally) the baseline it is compared with."""

    name: str
    value: float
    unit: str
    target: float | None = None
    baseline: float | None = None
    baseline_name: str = ""
    note: str = ""

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


@dataclass
class BenchContext:
    """Shared state for one benchmark run: a temporary data directory, quick mode."""

    work_dir: Path
    quick: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def fresh_dir(self, name: str) -> Path:
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_call(func: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of *repeat* calls of *func*."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def format_row(row: Row) -> str:
    value = f"{row.value:,.3f}".replace(",", " ")
    text = f"{row.name:<58} {value:>12} {row.unit:<3}"
    if row.target is not None:
        text += f"  Ziel ≤ {row.target:g} {row.unit}  {'ok' if row.meets_target else 'VERFEHLT'}"
    if row.baseline is not None:
        text += f"  | Vergleich {row.baseline_name}: {row.baseline:.3f} {row.unit}"
    if row.note:
        text += f"  ({row.note})"
    return text


def run(quick: bool = False, only: list[str] | None = None) -> list[Row]:
    """Run every row module (or those whose name contains one of *only*) and print the rows."""
    all_rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kurslotse-bench-") as tmp:
        ctx = BenchContext(work_dir=Path(tmp), quick=quick)
        for name in ROW_MODULES:
            if only and not any(part in name for part in only):
                continue
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name == name:
                    continue
                raise
            print(f"# {name.rsplit('.', 1)[-1]}", flush=True)
            for row in module.rows(ctx):
                print(format_row(row), flush=True)
                all_rows.append(row)
    sys.stdout.flush()
    return all_rows
