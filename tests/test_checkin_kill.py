"""Reliability: the checking-in process is killed (SIGKILL) at 200+ random points.

Afterwards ``PRAGMA integrity_check`` is ok and every change the child had confirmed (reported
through a pipe after its commit returned) is in the file. The parent imports everything once and
forks a fresh child per round, so 200 kills take seconds, not minutes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from app.domain.attendance import AttendanceStatus, CourseFormat
from app.services.checkin import CheckInDesk
from app.storage.database import open_database
from tests.attendance_fixtures import make_course, no_leaked_listeners  # noqa: F401

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="braucht os.fork (Linux/macOS)")

KILLS_WANTED = 200
STATUSES = ["present", "excused", "absent", None]


def _child(path: Path, termin_id: int, drop_in_termin: int, people: list[int], seed: int, out: int) -> None:
    """Check people in until killed; write 'I …' before and 'C' after every committed change."""
    rng = random.Random(seed)
    db = open_database(f"sqlite:///{path}")
    desk = CheckInDesk(db, termin_id)
    heads = CheckInDesk(db, drop_in_termin)
    mirror: dict[str, object] = {f"p{row.person.id}": (row.status.value if row.status else None)
                                 for row in desk.state().rows}
    mirror["head"] = heads.state().head_count
    stack: list[tuple[str, object, str]] = []  # (key, old value, which desk)
    os.write(out, b"R\n")  # ready: the parent starts its random timer only now (slow machines too)
    number = 0
    while True:
        number += 1
        roll = rng.random()
        if roll < 0.45:
            person = rng.choice(people)
            key = f"p{person}"
            new = "present" if mirror[key] != "present" else None
            action = lambda p=person: desk.toggle(p)  # noqa: E731
            which = "desk"
        elif roll < 0.65:
            person = rng.choice(people)
            key = f"p{person}"
            new = rng.choice(STATUSES)
            action = lambda p=person, s=new: desk.set_status(p, AttendanceStatus(s) if s else None)  # noqa: E731
            which = "desk"
        elif roll < 0.75:
            key = f"w{seed}-{number}"
            new = "present"
            action = lambda name=key: desk.add_walk_in(f"Gast {name}")  # noqa: E731
            which = "desk"
        elif roll < 0.88:
            key = "head"
            delta = rng.choice((1, 1, -1))
            new = max(0, int(mirror["head"]) + delta)  # type: ignore[arg-type]
            action = lambda d=delta: heads.change_head_count(d)  # noqa: E731
            which = "heads"
            if new == mirror["head"]:
                continue
        else:
            if not stack:
                continue
            key, new, which = stack[-1]
            action = (desk if which == "desk" else heads).undo
        os.write(out, f"I {key} {new}\n".encode())
        action()
        if roll < 0.88:
            stack.append((key, mirror.get(key), which))
        else:
            stack.pop()
        mirror[key] = new
        os.write(out, b"C\n")


def _wait_until_ready(fd: int, timeout: float = 30.0, confirmed: int = 0) -> bytes:
    """Read from the child's pipe until its 'R' line and *confirmed* 'C' lines (or an error line / end) arrive.

    Waiting for some confirmed changes, not only for a time, keeps the kills inside real work on a
    machine busy with other tests (several test processes at once)."""
    import select

    received = b""
    deadline = time.monotonic() + timeout
    while (b"R\n" not in received or received.split(b"\n").count(b"C") < confirmed) and b"E " not in received:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        received += chunk
    return received


def _read_state(path: Path, termin_id: int, drop_in_termin: int) -> tuple[str, dict[str, object]]:
    conn = sqlite3.connect(path)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        state: dict[str, object] = {}
        for person_id, name, status in conn.execute(
            "SELECT p.id, p.name, a.status FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE a.termin_id = ? AND a.deleted = 0 AND p.deleted = 0", (termin_id,)
        ):
            key = name.removeprefix("Gast ") if name.startswith("Gast ") else f"p{person_id}"
            state[key] = status
        state["head"] = conn.execute(
            "SELECT coalesce(head_count, 0) FROM termine WHERE id = ?", (drop_in_termin,)
        ).fetchone()[0]
    finally:
        conn.close()
    return check, state


def test_killed_during_check_ins_loses_nothing_confirmed(data_dir):
    db = open_database(f"sqlite:///{data_dir / 'kurslotse.sqlite3'}")
    setup = make_course(db, names=tuple(f"Teilnehmerin {n}" for n in range(10)))
    drop_in = make_course(db, title="Sprechstunde", fmt=CourseFormat.DROP_IN, names=(), count=1)
    path = db.path
    db.close()
    expected: dict[str, object] = {f"p{pid}": None for pid in setup.person_ids}
    expected["head"] = 0
    rng = random.Random(20260310)
    kills_mid_work = 0
    confirmed_total = 0
    rounds = 0
    warm_up = 0.0  # grows when a busy machine lets the child die before its first check-in
    while kills_mid_work < KILLS_WANTED and rounds < 4 * KILLS_WANTED:
        rounds += 1
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                os.close(read_end)
                _child(path, setup.termin_ids[0], drop_in.termin_ids[0], setup.person_ids, rounds, write_end)
            except BaseException as error:  # noqa: BLE001 - report, never return into pytest
                os.write(write_end, f"E {type(error).__name__}: {error}\n".encode()[:500])
            finally:
                os._exit(1)
        os.close(write_end)
        ready = _wait_until_ready(read_end, confirmed=rng.randint(0, 8))
        time.sleep(warm_up + rng.uniform(0.003, 0.04))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        with os.fdopen(read_end, "rb") as pipe:
            lines = (ready + pipe.read()).decode().splitlines()
        errors = [line for line in lines if line.startswith("E ")]
        assert not errors, errors
        in_flight: tuple[str, object] | None = None
        for line in lines:
            if line.startswith("I "):
                _, key, value = line.split(" ", 2)
                in_flight = (key, None if value == "None" else (int(value) if key == "head" else value))
            elif line == "C" and in_flight is not None:
                expected[in_flight[0]] = in_flight[1]
                confirmed_total += 1
                in_flight = None
        check, actual = _read_state(path, setup.termin_ids[0], drop_in.termin_ids[0])
        assert check == "ok", f"Runde {rounds}: integrity_check = {check}"
        started_work = any(line.startswith("I ") for line in lines)
        warm_up = max(0.0, warm_up - 0.005) if started_work else min(0.5, warm_up + 0.02)
        if in_flight is not None:
            kills_mid_work += 1
            key, value = in_flight
            # the change being written at the kill may or may not have reached the disk — both are fine
            if actual.get(key) == value or (value is None and key not in actual):
                expected[key] = value
        want = {k: v for k, v in expected.items() if v is not None or k == "head"}
        have = {k: v for k, v in actual.items() if v is not None or k == "head"}
        assert have == want, f"Runde {rounds}: bestätigte Änderungen fehlen oder sind falsch"
    assert kills_mid_work >= KILLS_WANTED
    assert confirmed_total > 3 * KILLS_WANTED, (rounds, confirmed_total)  # children really worked
