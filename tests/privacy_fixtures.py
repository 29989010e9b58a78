"""Shared data for the privacy tests: one person with every personal field filled, attending a course."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from app.domain.attendance import ConsentKind, DeviceType, Gender, ParticipantInput
from app.services import people
from app.services.checkin import CheckInDesk
from app.storage.database import Database
from tests.attendance_fixtures import TODAY, make_course

# Distinctive values: any of them found in a file means the erasure missed a copy.
NAME = "Zenzi Quastenbrück"
PHONE = "06381 777123"
EMAIL = "zenzi.q@example.org"
NOTE = "braucht Lupe Hoergeraet links"
NEEDLES = (b"quastenbr", b"777123", b"zenzi", b"hoergeraet")


@dataclass
class Setup:
    course_id: int
    termin_ids: list[int]
    others: list[int]
    person_id: int


def make_person(db: Database) -> Setup:
    """A course with three Termine; Zenzi (all fields, three consents) attended two of them."""
    course = make_course(db, first=TODAY - dt.timedelta(days=21))
    person = people.create_participant(
        db,
        ParticipantInput(name=NAME, phone=PHONE, email=EMAIL, birth_year=1941, gender=Gender.FEMALE,
                         device=DeviceType.ANDROID, note=NOTE),
        course_id=course.course_id, today=TODAY - dt.timedelta(days=30),
        new_consents=[(kind, TODAY - dt.timedelta(days=30), "2025-1") for kind in ConsentKind],
    )
    for termin in course.termin_ids[:2]:
        desk = CheckInDesk(db, termin, today=TODAY)
        desk.toggle(person)
        desk.toggle(course.person_ids[0])
    return Setup(course.course_id, course.termin_ids, course.person_ids, person)


def found_needles(data: bytes) -> list[bytes]:
    low = data.lower()
    return [needle for needle in NEEDLES if needle in low]


def sync_file_plain(data: bytes) -> bytes:
    """The decompressed body of an unencrypted sync file (the raw bytes are zlib-compressed)."""
    from app.sync.fileformat import MAGIC

    if not data.startswith(MAGIC):
        return data
    pos = len(MAGIC) + 2
    (header_len,) = struct.unpack(">I", data[pos:pos + 4])
    pos += 4 + header_len
    (body_len,) = struct.unpack(">Q", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + body_len]
    return data[:pos] + zlib.decompress(body)


def files_with_needles(folder: Path) -> dict[str, list[bytes]]:
    """Every file under *folder* (sync files decompressed) that still holds one of the needles."""
    hits = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found = found_needles(data) or found_needles(sync_file_plain(data))
            if found:
                hits[str(path.relative_to(folder))] = found
    return hits
