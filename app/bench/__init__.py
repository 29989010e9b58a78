"""The project's benchmark: ``kurslotse benchmark`` prints every row, each next to its baseline.

A row module lives in ``app/bench/`` and has ``def rows(ctx: BenchContext) -> list[Row]``.
Benchmarks are measurements, not tests: nothing fails when a figure misses its target.
Every row runs the path a trainer runs: a data folder with the demo data (organisation name and
logo set, see :func:`demo_data_dir`), the shipped lessons and the same command line as a user.
A lighter variant, where a row keeps one, is printed beside it and labelled. Figures are printed
in German number format (decimal comma).
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.platform import peak_memory_mib

ROW_MODULES = (
    "app.bench.startup",
    "app.bench.presenter",
    "app.bench.handout",
    "app.bench.attendance",
    "app.bench.report",
    "app.bench.sync",
    "app.bench.editor",
    "app.bench.office",
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
    peak_mib: float | None = None  # peak resident memory of the measured process
    peak_target_mib: float | None = None

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or math.isnan(self.value):  # no target, or not measured
            return None
        return self.value <= self.target


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


def german(value: float, digits: int = 3) -> str:
    """*value* in German number format: ``1.234,567``; "–" for a figure that was not measured."""
    if math.isnan(value):
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_row(row: Row) -> str:
    text = f"{row.name:<58} {german(row.value):>12} {row.unit:<3}"
    if row.target is not None:
        verdict = "nicht gemessen" if row.meets_target is None else _verdict(row.meets_target)
        text += f"  Ziel ≤ {german(row.target, _digits(row.target))} {row.unit}  {verdict}"
    if row.baseline is not None:
        text += f"  | Vergleich {row.baseline_name}: {german(row.baseline)} {row.unit}"
    if row.peak_mib is not None:
        text += f"  | Spitze {german(row.peak_mib, 0)} MiB"
        if row.peak_target_mib is not None:
            text += f" (Ziel ≤ {german(row.peak_target_mib, 0)} MiB " \
                    f"{_verdict(row.peak_mib <= row.peak_target_mib)})"
    if row.note:
        text += f"  ({row.note})"
    return text


def _digits(value: float) -> int:
    return 0 if float(value).is_integer() else len(f"{value:g}".split(".")[-1])


def _verdict(ok: bool | None) -> str:
    return "ok" if ok else "VERFEHLT"


@dataclass
class ProcessRun:
    """One finished process: wall-clock seconds, CPU seconds (user + system), peak memory in MiB."""

    seconds: float
    cpu_seconds: float
    peak_mib: float
    stdout: str = ""


# Measures one command from a small Python process. On Linux a child's peak memory (ru_maxrss)
# starts at its parent's resident size at fork time, so a child forked straight from the benchmark
# (100 MiB with Qt loaded) would report at least that much. Wall time is taken here too, so the
# launcher's own start is not counted.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
child = subprocess.Popen(argv)
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - start
with open(report, "w") as out:
    json.dump([elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status)], out)
"""


def run_process(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> ProcessRun:
    """Run *argv* to the end and measure it; a failing command raises with its error output."""
    if not hasattr(os, "wait4"):  # Windows: wall time only
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            process = subprocess.run(argv, stdout=out, stderr=err, env=env or quiet_env(), cwd=cwd, check=False)
            elapsed = time.perf_counter() - start
            return _finished(argv, process.returncode, out, err, elapsed, float("nan"), float("nan"))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory(prefix="kurslotse-messung-") as folder:
        report = Path(folder) / "messung.json"
        subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), *argv], stdout=out, stderr=err,
                       env=env or quiet_env(), cwd=cwd, check=False)
        elapsed, cpu, maxrss, returncode = json.loads(report.read_text())
        return _finished(argv, returncode, out, err, elapsed, cpu, _mib(maxrss))


def _finished(argv: list[str], returncode: int, out, err, elapsed: float, cpu: float,
              peak: float) -> ProcessRun:
    out.seek(0)
    err.seek(0)
    if returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} ist fehlgeschlagen: {err.read().decode(errors='replace').strip()}")
    return ProcessRun(elapsed, cpu, peak, out.read().decode(errors="replace"))


def _mib(maxrss: float) -> float:
    """ru_maxrss in MiB: the kernel reports bytes on macOS, KiB on Linux."""
    return peak_memory_mib(maxrss)


def peak_of(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Peak memory (MiB) of one more run of *argv*, measured without the benchmark's own size."""
    return run_process(argv, env, cwd).peak_mib


def wait_measured(process: subprocess.Popen) -> tuple[float, float]:
    """Wait for *process*; (CPU seconds, ru_maxrss in MiB) where the system reports them, else NaN.

    The peak includes the benchmark's own size at fork time (see ``_LAUNCHER``); use
    :func:`peak_of` for a peak worth printing.
    """
    if not hasattr(os, "wait4"):  # Windows
        process.wait()
        return float("nan"), float("nan")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, _mib(usage.ru_maxrss)


def quiet_env(**extra: str) -> dict[str, str]:
    """The environment for measured commands: headless Qt without the offscreen plugin's notes.

    ``PYTHONDONTWRITEBYTECODE`` (set on some development machines) is dropped: a trainer's
    Python keeps the compiled modules after the first start (the bundle ships them), so a measured
    command must not compile every module from source again on each run.
    """
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["QT_LOGGING_RULES"] = "qt.qpa.*=false"
    return env


_QUIET_MESSAGES = ("This plugin does not support",)


def silence_qt_notes() -> Callable | None:
    """Drop the offscreen plugin's "does not support propagateSizeHints()" notes; other messages stay.

    Returns the message handler that was installed before (to put it back).
    """
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if not message.startswith(_QUIET_MESSAGES):
            print(message, file=sys.stderr)

    os.environ["QT_LOGGING_RULES"] = "qt.qpa.*=false"
    return qInstallMessageHandler(handler)


def demo_data_dir(ctx: BenchContext) -> Path:
    """A data folder with the demo data (organisation name and logo set), made once per run."""
    folder = ctx.work_dir / "demo-daten"
    if ctx.extra.get("demo-daten") != folder:
        from app.services import demo
        from app.storage.database import open_database

        folder.mkdir(parents=True, exist_ok=True)
        db = open_database(f"sqlite:///{folder / 'kurslotse.sqlite3'}")
        try:
            demo.fill(db)
        finally:
            db.close()
        ctx.extra["demo-daten"] = folder
    return folder


def copy_of_demo_data(ctx: BenchContext, name: str) -> Path:
    """A private copy of the demo data folder (for rows whose runs add files, e.g. start backups)."""
    target = ctx.work_dir / name
    if not target.exists():
        shutil.copytree(demo_data_dir(ctx), target)
    return target


def run(quick: bool = False, only: list[str] | None = None) -> list[Row]:
    """Run every row module (or those whose name contains one of *only*) and print the rows."""
    all_rows: list[Row] = []
    silence_qt_notes()
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
            part = name.rsplit('.', 1)[-1]
            print(f"# {part}", flush=True)
            try:
                rows = module.rows(ctx)
            except Exception as error:  # noqa: BLE001 - one broken part must not cost the other figures
                logging.getLogger(__name__).exception("Benchmark-Teil %s fehlgeschlagen", part)
                print(f"Teil »{part}« nicht gemessen: {type(error).__name__}: {error} "
                      "(Einzelheiten in der Protokolldatei)", flush=True)
                continue
            for row in rows:
                print(format_row(row), flush=True)
                all_rows.append(row)
    sys.stdout.flush()
    return all_rows
