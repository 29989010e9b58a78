"""Lesson packages (``.kurslotse``): pass lessons to another trainer, and take them in safely.

A package is a ZIP file: one folder per lesson (``<id>/lektion.md``, ``<id>/bilder/…``) and a
``manifest.json`` with id, title, version, author, ``stand`` and the SHA-256 of every file.

Import is read → check → plan → install, and nothing is written to the lesson folder before
every check has passed:

1. the file itself: a regular file of bounded size, a real ZIP;
2. every entry: no absolute paths, no ``..``, no backslashes or drive letters (zip-slip), no
   symlinks, no duplicates (also not by case, for FAT sticks and Windows), no encryption, known
   compression, per-file and total uncompressed size and compression ratio bounded (zip bombs),
   and every entry listed in the manifest (nothing smuggled in);
3. the manifest: its format, valid lesson ids, and the SHA-256 of every file, computed on a
   bounded decompression that also catches headers lying about sizes;
4. the full lesson checker on a staged copy in a temporary folder; a lesson with errors
   refuses the whole package.

The plan says for every lesson whether it is new, a newer version (later ``stand``), the same
(identical files) or older/different; shipped lessons are never replaced. Installation goes
into the trainer's own lesson folder, one lesson folder at a time, by rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path, PurePosixPath

from app.atomic_write import write_bytes_atomically
from app.domain.lesson import Lesson
from app.lessons import safe_read
from app.lessons.parser import ID_PATTERN, LESSON_FILE, parse_lesson

SUFFIX = ".kurslotse"
MANIFEST = "manifest.json"
FORMAT = "kurslotse-lektionspaket"
FORMAT_VERSION = 1
MAX_PACKAGE_BYTES = 60_000_000
MAX_ENTRIES = 2000
MAX_ENTRY_BYTES = 5_000_000  # the largest picture a lesson may hold
MAX_TOTAL_BYTES = 100_000_000
MAX_RATIO = 200  # deflate of real lesson files stays far below; a bomb reaches 1000
MAX_MANIFEST_BYTES = 1_000_000
MAX_LESSONS = 200
_SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", "__pycache__"}


class PackageError(Exception):
    """A package that is refused; the message (German) names the package entry and the reason."""


class Status(str, Enum):
    NEW = "neu"
    NEWER = "neuere Fassung"
    SAME = "schon vorhanden"
    OLDER = "ältere Fassung"
    DIFFERENT = "andere Fassung"
    SHIPPED = "mitgelieferte Lektion"

    @property
    def installs(self) -> bool:
        return self in (Status.NEW, Status.NEWER)


@dataclass
class PackagedLesson:
    """One lesson of a package as the manifest describes it."""

    id: str
    title: str
    version: str
    author: str
    stand: str
    files: dict[str, str] = field(default_factory=dict)  # path inside the lesson folder → SHA-256

    def manifest_entry(self) -> dict[str, object]:
        return {"id": self.id, "titel": self.title, "version": self.version, "autor": self.author,
                "stand": self.stand, "dateien": dict(sorted(self.files.items()))}


@dataclass
class PlannedLesson:
    """What importing one lesson would do."""

    lesson: PackagedLesson
    status: Status
    installed_stand: str = ""

    def will_install(self, replace_different: bool = False) -> bool:
        return self.status.installs or (replace_different and self.status in (Status.DIFFERENT, Status.OLDER))

    def describe(self) -> str:
        stand = f", Stand {self.lesson.stand}" if self.lesson.stand else ""
        extra = f" (vorhanden: Stand {self.installed_stand})" if self.installed_stand else ""
        return f"{self.lesson.id} – {self.lesson.title}{stand}: {self.status.value}{extra}"


def fingerprint(files: dict[str, str]) -> str:
    """The version of a lesson's content: a short hash over its file names and their hashes."""
    digest = hashlib.sha256()
    for name, file_hash in sorted(files.items()):
        digest.update(f"{name}\0{file_hash}\n".encode())
    return digest.hexdigest()[:16]


# --- export ----------------------------------------------------------------------------------


def lesson_files(folder: Path) -> dict[str, bytes]:
    """Every file of a lesson folder (relative POSIX path → bytes), read as regular files, bounded."""
    found: dict[str, bytes] = {}
    folder = Path(folder)
    for current, directories, names in os.walk(folder, followlinks=False):
        directories[:] = sorted(d for d in directories if not d.startswith(".") and d not in _SKIPPED_NAMES)
        for directory in directories:
            if (Path(current) / directory).is_symlink():
                raise PackageError(f"»{Path(current, directory).relative_to(folder).as_posix()}« ist eine Verknüpfung; "
                                   "Lektionen werden nur mit echten Dateien weitergegeben.")
        for name in sorted(names):
            if name.startswith(".") or name in _SKIPPED_NAMES:
                continue
            path = Path(current) / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                raise PackageError(f"»{relative}« ist eine Verknüpfung; Lektionen werden nur mit echten Dateien weitergegeben.")
            try:
                found[relative] = safe_read.read_bounded(path, MAX_ENTRY_BYTES)
            except safe_read.UnsafeFile as error:
                raise PackageError(f"Die Datei »{relative}« {error}") from None
            if len(found) > MAX_ENTRIES:
                raise PackageError(f"Die Lektion hat mehr als {MAX_ENTRIES} Dateien.")
    return found


def export_package(lessons: list[Lesson], target: Path) -> list[PackagedLesson]:
    """Write the *lessons* as one package file at *target* (completely or not at all)."""
    if not lessons:
        raise PackageError("Es wurde keine Lektion ausgewählt.")
    target = Path(target)
    if target.suffix.lower() != SUFFIX:
        target = target.with_name(target.name + SUFFIX)
    packaged: list[PackagedLesson] = []
    contents: list[tuple[str, bytes]] = []
    for lesson in lessons:
        if lesson.is_broken:
            first = lesson.errors[0].format() if lesson.errors else "keine Schritte"
            raise PackageError(f"Die Lektion »{lesson.id}« hat Fehler und wird nicht weitergegeben ({first}).")
        files = lesson_files(lesson.folder)
        if LESSON_FILE not in files:
            raise PackageError(f"Im Ordner der Lektion »{lesson.id}« fehlt {LESSON_FILE}.")
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        packaged.append(PackagedLesson(lesson.id, lesson.title, fingerprint(hashes), lesson.author, lesson.revision, hashes))
        contents.extend((f"{lesson.id}/{name}", data) for name, data in files.items())
    manifest = {
        "format": FORMAT,
        "formatversion": FORMAT_VERSION,
        "erstellt": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "lektionen": [item.manifest_entry() for item in packaged],
    }
    with tempfile.SpooledTemporaryFile(max_size=MAX_TOTAL_BYTES) as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            for name, data in contents:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        buffer.seek(0)
        data = buffer.read()
    try:
        write_bytes_atomically(target, data)
    except OSError as error:
        raise PackageError(f"Das Paket konnte nicht nach »{target}« geschrieben werden ({error.strerror}).") from None
    return packaged


# --- import ----------------------------------------------------------------------------------


@dataclass
class Package:
    """A package that passed every check; its lessons are staged in a temporary folder."""

    path: Path
    lessons: list[PackagedLesson]
    staging: Path
    checked: dict[str, Lesson] = field(default_factory=dict)

    def folder_of(self, lesson_id: str) -> Path:
        return self.staging / lesson_id

    def close(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def read_package(path: Path) -> Package:
    """Open and check the package at *path*; :class:`PackageError` (German) if anything is wrong."""
    path = Path(path)
    try:
        safe_read.check_regular(path, MAX_PACKAGE_BYTES)
    except safe_read.UnsafeFile as error:
        raise PackageError(f"Die Paketdatei {error}") from None
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageError("Die Datei ist kein Lektionspaket (keine lesbare ZIP-Datei).") from None
    with archive:
        entries = _checked_entries(archive)
        lessons = _read_manifest(archive, entries)
        contents = _verified_contents(archive, entries, lessons)
    staging = Path(tempfile.mkdtemp(prefix="kurslotse-paket-"))
    package = Package(path, lessons, staging)
    try:
        for name, data in contents.items():
            destination = staging.joinpath(*PurePosixPath(name).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        for lesson in lessons:
            checked = parse_lesson(package.folder_of(lesson.id), check_pictures=True)
            if checked.errors:
                shown = checked.errors[0]
                where = f"{lesson.id}/{Path(shown.path).relative_to(package.folder_of(lesson.id)).as_posix()}" \
                    if Path(shown.path).is_relative_to(package.folder_of(lesson.id)) else lesson.id
                more = f" (und {len(checked.errors) - 1} weitere Fehler)" if len(checked.errors) > 1 else ""
                raise PackageError(f"Die Lektion »{lesson.id}« besteht die Prüfung nicht: {where}:{shown.line}: "
                                   f"{shown.message}{more}")
            if checked.id != lesson.id:
                raise PackageError(f"»{lesson.id}/{LESSON_FILE}« nennt die id »{checked.id}«, das Paket »{lesson.id}«.")
            package.checked[lesson.id] = checked
    except BaseException:
        package.close()
        raise
    return package


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if not name or "\\" in name or ":" in name or any(not char.isprintable() for char in name):
        return "hat einen ungültigen Namen"
    if name.startswith("/"):
        return "hat einen absoluten Pfad"
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".", "") for part in parts) or "//" in name:
        return "verlässt mit »..« den Paketordner"
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "ist eine Verknüpfung (Symlink)"
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        return "ist keine normale Datei"
    if info.flag_bits & 0x1:
        return "ist verschlüsselt"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return "ist mit einem unbekannten Verfahren komprimiert"
    if info.file_size > MAX_ENTRY_BYTES:
        return f"ist ausgepackt {info.file_size / 1_000_000:.1f} MB groß (höchstens {MAX_ENTRY_BYTES // 1_000_000} MB)"
    if info.file_size > 10_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"ist über {MAX_RATIO}-fach gepackt (eine »ZIP-Bombe«)"
    return None


def _checked_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PackageError(f"Das Paket hat {len(infos)} Einträge (höchstens {MAX_ENTRIES}).")
    entries: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        problem = _entry_problem(info)
        if problem:
            raise PackageError(f"Der Eintrag »{_printable(info.filename)}« {problem}; das Paket wird nicht eingelesen.")
        if info.is_dir():
            continue
        key = info.filename.casefold()
        if key in folded:
            raise PackageError(f"Der Eintrag »{info.filename}« steht doppelt im Paket.")
        folded.add(key)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise PackageError(f"Das Paket ist ausgepackt größer als {MAX_TOTAL_BYTES // 1_000_000} MB.")
        entries[info.filename] = info
    return entries


def _read_manifest(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> list[PackagedLesson]:
    info = entries.get(MANIFEST)
    if info is None:
        raise PackageError(f"Im Paket fehlt »{MANIFEST}«; es ist kein Kurslotse-Lektionspaket.")
    raw = _read_entry(archive, info, MAX_MANIFEST_BYTES)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PackageError(f"»{MANIFEST}« ist kein gültiges JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError(f"»{MANIFEST}« beschreibt kein Kurslotse-Lektionspaket.")
    if manifest.get("formatversion") != FORMAT_VERSION:
        raise PackageError(f"Das Paket hat die Formatversion {manifest.get('formatversion')!r}; dieses Programm kennt "
                           f"Version {FORMAT_VERSION}. Bitte Kurslotse aktualisieren.")
    items = manifest.get("lektionen")
    if not isinstance(items, list) or not items or len(items) > MAX_LESSONS:
        raise PackageError(f"»{MANIFEST}« nennt keine Lektionen.")
    lessons: list[PackagedLesson] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            raise PackageError(f"»{MANIFEST}«: ein Eintrag unter »lektionen« ist kein Objekt.")
        lesson_id = item.get("id")
        if not isinstance(lesson_id, str) or len(lesson_id) > 60 or not ID_PATTERN.match(lesson_id):
            raise PackageError(f"»{MANIFEST}«: ungültige Lektions-id »{_printable(str(lesson_id))[:60]}«.")
        if lesson_id in seen:
            raise PackageError(f"»{MANIFEST}«: die Lektion »{lesson_id}« steht doppelt darin.")
        seen.add(lesson_id)
        files = item.get("dateien")
        if not isinstance(files, dict) or LESSON_FILE not in files:
            raise PackageError(f"»{MANIFEST}«: zur Lektion »{lesson_id}« fehlt die Dateiliste mit {LESSON_FILE}.")
        for name, file_hash in files.items():
            if not isinstance(name, str) or not isinstance(file_hash, str) or len(file_hash) != 64:
                raise PackageError(f"»{MANIFEST}«: Lektion »{lesson_id}« hat einen ungültigen Dateieintrag.")
        texts = {key: item.get(key, "") for key in ("titel", "version", "autor", "stand")}
        if not all(isinstance(value, str) and len(value) <= 300 for value in texts.values()):
            raise PackageError(f"»{MANIFEST}«: Titel, Version, Autor oder Stand der Lektion »{lesson_id}« sind ungültig.")
        lessons.append(PackagedLesson(lesson_id, texts["titel"], texts["version"], texts["autor"], texts["stand"],
                                      dict(files)))
    return lessons


def _verified_contents(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo],
                       lessons: list[PackagedLesson]) -> dict[str, bytes]:
    listed = {f"{lesson.id}/{name}": (lesson, file_hash) for lesson in lessons for name, file_hash in lesson.files.items()}
    for name in entries:
        if name != MANIFEST and name not in listed:
            raise PackageError(f"Der Eintrag »{name}« steht nicht in »{MANIFEST}«; das Paket wird nicht eingelesen.")
    contents: dict[str, bytes] = {}
    for name, (lesson, file_hash) in listed.items():
        info = entries.get(name)
        if info is None:
            raise PackageError(f"Die Datei »{_printable(name)}« fehlt im Paket, obwohl »{MANIFEST}« sie nennt.")
        data = _read_entry(archive, info, MAX_ENTRY_BYTES)
        if hashlib.sha256(data).hexdigest() != file_hash.lower():
            raise PackageError(f"Die Datei »{name}« stimmt nicht mit ihrer Prüfsumme in »{MANIFEST}« überein "
                               "(beschädigt oder verändert).")
        contents[name] = data
    return contents


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Decompress at most *limit* bytes; a header that lies about the size is caught here."""
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as error:
        raise PackageError(f"Der Eintrag »{info.filename}« ist beschädigt ({error}).") from None
    if len(data) > limit or len(data) != info.file_size:
        raise PackageError(f"Der Eintrag »{info.filename}« ist größer als angegeben; das Paket wird nicht eingelesen.")
    return data


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "?" for char in text)


# --- plan and install ------------------------------------------------------------------------


def plan_import(package: Package, installed: list[Lesson]) -> list[PlannedLesson]:
    """For each packaged lesson: new, newer, same, older/different — or a shipped lesson (never replaced)."""
    by_id: dict[str, Lesson] = {}
    for lesson in installed:
        by_id.setdefault(lesson.id, lesson)
        if not lesson.user_lesson:
            by_id[lesson.id] = lesson  # a shipped lesson with this id wins: it is never replaced
    plan = []
    for lesson in package.lessons:
        existing = by_id.get(lesson.id)
        if existing is None:
            plan.append(PlannedLesson(lesson, Status.NEW))
            continue
        if not existing.user_lesson:
            plan.append(PlannedLesson(lesson, Status.SHIPPED, existing.revision))
            continue
        try:
            current = {name: hashlib.sha256(data).hexdigest() for name, data in lesson_files(existing.folder).items()}
        except PackageError:
            current = {}
        if fingerprint(current) == fingerprint(lesson.files):
            status = Status.SAME
        elif _stand_key(lesson.stand) > _stand_key(existing.revision):
            status = Status.NEWER
        elif _stand_key(lesson.stand) < _stand_key(existing.revision):
            status = Status.OLDER
        else:
            status = Status.DIFFERENT
        plan.append(PlannedLesson(lesson, status, existing.revision))
    return plan


def _stand_key(stand: str) -> tuple[int, ...]:
    """``2026-11`` / ``2026-11-28`` as numbers for comparing; unreadable counts as oldest."""
    parts = stand.strip().split("-")
    if not 2 <= len(parts) <= 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return (0,)
    return tuple(int(part) for part in parts) + (0,) * (3 - len(parts))


def install(package: Package, plan: list[PlannedLesson], target: Path, shipped: Path | None = None,
            *, replace_different: bool = False) -> list[str]:
    """Copy the lessons the plan installs into *target* (the trainer's own folder); returns their ids."""
    target = Path(target)
    if shipped is not None and _inside(target, Path(shipped)):
        raise PackageError(f"»{target}« liegt im Ordner der mitgelieferten Lektionen; dorthin wird nichts eingelesen. "
                           "Bitte in den Einstellungen einen eigenen Lektionsordner wählen.")
    wanted = [item for item in plan if item.will_install(replace_different)]
    if not wanted:
        return []
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PackageError(f"Der Lektionsordner »{target}« kann nicht angelegt werden ({error.strerror}).") from None
    installed = []
    for item in wanted:
        lesson_id = item.lesson.id
        final = target / lesson_id
        fresh = target / f".{lesson_id}.neu"
        old = target / f".{lesson_id}.alt"
        try:
            for leftover in (fresh, old):
                if leftover.exists() or leftover.is_symlink():
                    _remove(leftover)
            shutil.copytree(package.folder_of(lesson_id), fresh, symlinks=False)
            if final.is_symlink():
                raise PackageError(f"»{final}« ist eine Verknüpfung; dort wird nichts eingelesen.")
            if final.exists():
                os.replace(final, old)
            os.replace(fresh, final)
            if old.exists():
                _remove(old)
        except OSError as error:
            raise PackageError(f"Die Lektion »{lesson_id}« konnte nicht nach »{target}« geschrieben werden "
                               f"({error.strerror}).") from None
        installed.append(lesson_id)
    return installed


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def own_lesson_folder(settings) -> Path:
    """The trainer's own lesson folder: the one in the settings, else ``eigene-lektionen`` in the data folder
    (which is then remembered in the settings, so the library loads it from now on)."""
    if settings.user_lesson_dir:
        return Path(settings.user_lesson_dir).expanduser()
    from app import paths

    folder = paths.data_dir() / "eigene-lektionen"
    settings.user_lesson_dir = str(folder)
    settings.save()
    return folder
