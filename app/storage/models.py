"""SQLAlchemy 2.0 models of the attendance records; every synced record has UUID, timestamps, soft delete."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Raise with every schema change and add a step to app.storage.migrations.MIGRATIONS.
# 2: change log for sync (sync_* tables), participants.erased
# 3: head counts and topic tallies are counters that add up across laptops (no table change)
SCHEMA_VERSION = 3

TABLE_SCHEMA_INFO = "schema_info"
TABLE_META = "local_meta"
TABLE_ORGANISATION = "organisation"
TABLE_TRAINERS = "trainers"
TABLE_MUNICIPALITIES = "municipalities"
TABLE_COURSES = "courses"
TABLE_COURSE_TRAINERS = "course_trainers"
TABLE_COURSE_LESSONS = "course_lessons"
TABLE_TERMINE = "termine"
TABLE_TERMIN_LESSONS = "termin_lessons"
TABLE_PARTICIPANTS = "participants"
TABLE_CONSENTS = "consents"
TABLE_ENROLMENTS = "enrolments"
TABLE_ATTENDANCES = "attendances"
TABLE_TOPIC_TALLIES = "topic_tallies"
TABLE_SYNC_OPS = "sync_ops"
TABLE_SYNC_FIELDS = "sync_fields"
TABLE_SYNC_SUPERSEDED = "sync_superseded"
TABLE_SYNC_CONFLICTS = "sync_conflicts"
TABLE_SYNC_ERASED = "sync_erased"
TABLE_SYNC_PENDING = "sync_pending"
TABLE_SYNC_FILES = "sync_files"
TABLE_SYNC_DEVICES = "sync_devices"

# Clock values (milliseconds << 16) and file sizes/times in nanoseconds exceed 32 bits. SQLite's
# INTEGER holds 64 bits anyway (the laptops' schema stays exactly as it was); PostgreSQL needs BIGINT.
WideInteger = Integer().with_variant(BigInteger(), "postgresql")
# A field name in the change log: a counter's part is »head_count@<32-digit device id>« (43 characters).
# SQLite never enforced the 40; a server does, so it gets room.
FieldName = String(40).with_variant(String(80), "postgresql")


def utc_now() -> dt.datetime:
    """Naive UTC timestamp (SQLite has no time zones; all stored times are UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """Declarative base of all Kurslotse tables."""


class SchemaInfo(Base):
    """The schema version of this database file (one row)."""

    __tablename__ = TABLE_SCHEMA_INFO
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    app_version: Mapped[str] = mapped_column(String(40), default="")
    migrated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)


class LocalMeta(Base):
    """Key/value facts about this file that never sync (e.g. that it holds demo data)."""

    __tablename__ = TABLE_META
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class SyncedRecord:
    """Columns every synced record carries: a UUID, created/updated timestamps and a soft-delete flag."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, nullable=False, default=new_uuid)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=utc_now, onupdate=utc_now
    )
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Organisation(SyncedRecord, Base):
    """Who runs the courses: name, logo and funding line for sheets and certificates."""

    __tablename__ = TABLE_ORGANISATION
    name: Mapped[str] = mapped_column(String(200), default="")
    funding_line: Mapped[str] = mapped_column(Text, default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    contact: Mapped[str] = mapped_column(Text, default="")


class Trainer(SyncedRecord, Base):
    """A volunteer trainer (Digitallotsin / Digitallotse)."""

    __tablename__ = TABLE_TRAINERS
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    contact: Mapped[str] = mapped_column(String(200), default="")


class Municipality(SyncedRecord, Base):
    """An Ortsgemeinde where courses take place."""

    __tablename__ = TABLE_MUNICIPALITIES
    name: Mapped[str] = mapped_column(String(120), nullable=False)


class Course(SyncedRecord, Base):
    """A Kurs, Sprechstunde or Einzelveranstaltung."""

    __tablename__ = TABLE_COURSES
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False, default="course")
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TABLE_MUNICIPALITIES}.id"))
    place: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality | None] = relationship()
    trainer_links: Mapped[list[CourseTrainer]] = relationship(back_populates="course")
    lesson_links: Mapped[list[CourseLesson]] = relationship(
        back_populates="course", order_by="CourseLesson.position"
    )


class CourseTrainer(SyncedRecord, Base):
    """A trainer assigned to a course."""

    __tablename__ = TABLE_COURSE_TRAINERS
    __table_args__ = (UniqueConstraint("course_id", "trainer_id"),)
    course_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_COURSES}.id"), nullable=False)
    trainer_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_TRAINERS}.id"), nullable=False)

    course: Mapped[Course] = relationship(back_populates="trainer_links")
    trainer: Mapped[Trainer] = relationship()


class CourseLesson(SyncedRecord, Base):
    """A lesson (by its folder id) planned for a course, in order."""

    __tablename__ = TABLE_COURSE_LESSONS
    course_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_COURSES}.id"), nullable=False, index=True)
    lesson_id: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    course: Mapped[Course] = relationship(back_populates="lesson_links")


class Termin(SyncedRecord, Base):
    """One meeting of a course; for a Sprechstunde also the anonymous head count."""

    __tablename__ = TABLE_TERMINE
    __table_args__ = (Index("ix_termine_course_date", "course_id", "date"),)
    course_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_COURSES}.id"), nullable=False)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    note: Mapped[str] = mapped_column(Text, default="")
    head_count: Mapped[int | None] = mapped_column(Integer)

    lesson_links: Mapped[list[TerminLesson]] = relationship(order_by="TerminLesson.position")


class TerminLesson(SyncedRecord, Base):
    """A lesson planned for (and, once held, taught at) a Termin."""

    __tablename__ = TABLE_TERMIN_LESSONS
    termin_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_TERMINE}.id"), nullable=False, index=True)
    lesson_id: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Participant(SyncedRecord, Base):
    """A person taking part; only the name is required."""

    __tablename__ = TABLE_PARTICIPANTS
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    name_key: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str] = mapped_column(String(20), default="")
    gender: Mapped[str | None] = mapped_column(String(2))
    device: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # Set when the person was erased (DSGVO): the row stays as an anonymous placeholder for counts.
    erased: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")


class Consent(SyncedRecord, Base):
    """An Einwilligung: kind, date given, wording version and (maybe) date withdrawn."""

    __tablename__ = TABLE_CONSENTS
    participant_id: Mapped[int] = mapped_column(
        ForeignKey(f"{TABLE_PARTICIPANTS}.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    given_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    wording_version: Mapped[str] = mapped_column(String(40), nullable=False)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)


class Enrolment(SyncedRecord, Base):
    """An Anmeldung of a person to a course (walk_in: added during check-in)."""

    __tablename__ = TABLE_ENROLMENTS
    __table_args__ = (UniqueConstraint("course_id", "participant_id"),)
    course_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_COURSES}.id"), nullable=False)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey(f"{TABLE_PARTICIPANTS}.id"), nullable=False, index=True
    )
    enrolled_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    walk_in: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Attendance(SyncedRecord, Base):
    """Anwesenheit of one person at one Termin; soft-deleted when a tap is undone."""

    __tablename__ = TABLE_ATTENDANCES
    __table_args__ = (UniqueConstraint("termin_id", "participant_id"),)
    termin_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_TERMINE}.id"), nullable=False)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey(f"{TABLE_PARTICIPANTS}.id"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False)


class TopicTally(SyncedRecord, Base):
    """How often a topic was asked at a Sprechstunde Termin (no names)."""

    __tablename__ = TABLE_TOPIC_TALLIES
    __table_args__ = (UniqueConstraint("termin_id", "topic"),)
    termin_id: Mapped[int] = mapped_column(ForeignKey(f"{TABLE_TERMINE}.id"), nullable=False)
    topic: Mapped[str] = mapped_column(String(80), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


SYNCED_MODELS: tuple[type[SyncedRecord], ...] = (
    Organisation, Trainer, Municipality, Course, CourseTrainer, CourseLesson, Termin, TerminLesson,
    Participant, Consent, Enrolment, Attendance, TopicTally,
)


# --------------------------------------------------------------------------- sync bookkeeping (never synced itself)
# A "stamp" is (hlc, device): a hybrid logical clock value and the id of the device that wrote it.


class SyncOp(Base):
    """The local change log: one row per field this device changed (the outbox written to sync files)."""

    __tablename__ = TABLE_SYNC_OPS
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hlc: Mapped[int] = mapped_column(WideInteger, nullable=False)
    device: Mapped[str] = mapped_column(String(36), nullable=False)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)
    record_uuid: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    field: Mapped[str] = mapped_column(FieldName, nullable=False)
    value: Mapped[str | None] = mapped_column(Text)  # JSON of the stored value
    prev: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON [[hlc, device], …] it replaces


class SyncField(Base):
    """The winning stamp and value of every synced field (the state the merge compares against)."""

    __tablename__ = TABLE_SYNC_FIELDS
    __table_args__ = {"sqlite_with_rowid": False}
    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(FieldName, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)
    hlc: Mapped[int] = mapped_column(WideInteger, nullable=False)
    device: Mapped[str] = mapped_column(String(36), nullable=False)
    value: Mapped[str | None] = mapped_column(Text)


class SyncSuperseded(Base):
    """Stamps that some device knowingly overwrote: such a value is no conflict when it loses."""

    __tablename__ = TABLE_SYNC_SUPERSEDED
    __table_args__ = {"sqlite_with_rowid": False}
    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(FieldName, primary_key=True)
    hlc: Mapped[int] = mapped_column(WideInteger, primary_key=True)
    device: Mapped[str] = mapped_column(String(36), primary_key=True)


class SyncConflict(Base):
    """A value that lost against a concurrent edit of the same field; the trainer may take it back."""

    __tablename__ = TABLE_SYNC_CONFLICTS
    __table_args__ = {"sqlite_with_rowid": False}
    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(FieldName, primary_key=True)
    hlc: Mapped[int] = mapped_column(WideInteger, primary_key=True)
    device: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[str | None] = mapped_column(Text)
    found_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utc_now)


class SyncErased(Base):
    """Tombstones of erased people: their personal fields stay blank whatever arrives later."""

    __tablename__ = TABLE_SYNC_ERASED
    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)
    hlc: Mapped[int] = mapped_column(WideInteger, nullable=False)
    device: Mapped[str] = mapped_column(String(36), nullable=False)


class SyncPending(Base):
    """Records received but not yet stored, because a record they refer to has not arrived yet."""

    __tablename__ = TABLE_SYNC_PENDING
    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)


class SyncFile(Base):
    """A sync file already imported (or written) here, so a second run skips it."""

    __tablename__ = TABLE_SYNC_FILES
    device: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(WideInteger, nullable=False)
    mtime_ns: Mapped[int] = mapped_column(WideInteger, nullable=False, default=0)
    ops: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    encrypted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    own: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    first_op: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # own files: sync_ops ids inside
    last_op: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # own files: how many erasures this file's content already reflects (see app.sync.service scrubbing)
    erasures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utc_now)


class SyncDevice(Base):
    """Devices met in sync files, with the human name they gave themselves (»Laptop Silvia«)."""

    __tablename__ = TABLE_SYNC_DEVICES
    device: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utc_now)


SYNC_STATE_MODELS: tuple[type[Base], ...] = (
    SyncOp, SyncField, SyncSuperseded, SyncConflict, SyncErased, SyncPending, SyncFile, SyncDevice,
)
