"""Facts that age: when a lesson was last checked (``stand``), the pages it rests on (``quellen``) and
which publishers a link or source may point to.

Seniors scan the links of a handout as QR codes, so a link to a ticket shop that looks official, a link
shortener or a look-alike domain does real harm. The rules, in the order they are checked:

- ``stand: 2026-11`` or ``stand: 2026-11-28``: older than 12 months → warning; unreadable → warning.
- ``quellen:`` entries ``- https://adresse (geprüft 2026-11-28)``: malformed → error; the check date is
  older than 12 months → warning.
- Every host of a link or a source is compared with ``vertrauenswuerdige-quellen.txt`` (shipped beside the
  lessons and documented in ``lektionen/README.md``; a file of the same name beside a trainer's own lesson
  folders adds to it): a refused host (shop, link shortener), a look-alike
  of a trusted host, or a punycode host → error; a host not on the trusted list → warning.
- ``voraussetzungen:`` entries must be lesson ids, not the lesson itself (the order against other lessons
  is checked by the course templates).

The header lists are read here from the file text rather than taken from the parser, so this module does
not depend on how the parser stores its metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from app.domain.lesson import Lesson, Problem, Severity

TRUSTED_FILE = "vertrauenswuerdige-quellen.txt"
MAX_AGE_MONTHS = 12
SECTION_TRUSTED = "vertrauenswürdig"
SECTION_REFUSED = "abgelehnt"

_STAND = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_SOURCE = re.compile(r"^(https://\S+)\s+\(geprüft\s+(\d{4}-\d{2}-\d{2})\)$")
_KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÄÖÜäöüß_")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SECTION = re.compile(r"^\[(.+)\]$")


@dataclass
class Header:
    """The header values this module checks, each with its line number in ``lektion.md``."""

    stand: tuple[str, int] | None = None
    lists: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def items(self, key: str) -> list[tuple[str, int]]:
        return self.lists.get(key, [])


@dataclass(frozen=True)
class HostRules:
    """Trusted host suffixes and refused hosts (with the reason shown to the trainer)."""

    trusted: tuple[str, ...]
    refused: dict[str, str]

    def verdict(self, host: str) -> tuple[Severity | None, str]:
        """``(None, "")`` for a trusted host, else the severity and a German reason."""
        host = host.lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]
        for refused, reason in self.refused.items():
            if host == refused or host.endswith("." + refused):
                return Severity.ERROR, reason
        if any(host == trusted or host.endswith("." + trusted) for trusted in self.trusted):
            return None, ""
        if "xn--" in host:
            return Severity.ERROR, "Servername in Sonderschrift (Punycode), Verwechslungsgefahr"
        twin = self.look_alike(host)
        if twin:
            return Severity.ERROR, f"ähnelt »{twin}«, gehört aber nicht dazu (Verwechslungsgefahr)"
        return Severity.WARNING, "steht nicht auf der Liste vertrauenswürdiger Herausgeber"

    def look_alike(self, host: str) -> str | None:
        """The trusted host *host* imitates: same name with other ending, added words, or one typo."""
        labels = host.split(".")
        name = labels[-2] if len(labels) >= 2 else host
        parts = [part for label in labels[:-1] for part in label.split("-")]
        for trusted in self.trusted:
            trusted_name = _main_label(trusted)
            if len(trusted_name) < 4:
                continue
            if trusted_name in parts or (len(trusted_name) >= 5 and trusted_name in name):
                return trusted
            limit = 1 if len(trusted_name) < 8 else 2
            if name != trusted_name and _distance(name, trusted_name) <= limit:
                return trusted
        return None


def _main_label(host: str) -> str:
    labels = host.split(".")
    return labels[-2] if len(labels) >= 2 else host


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (typos, swapped letters)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def parse_host_rules(text: str) -> HostRules:
    """Read the trusted-publisher file: sections ``[vertrauenswürdig]`` and ``[abgelehnt]``, ``host  # Grund``."""
    trusted: list[str] = []
    refused: dict[str, str] = {}
    section = SECTION_TRUSTED
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip().lower()
            continue
        host, _, reason = line.partition("#")
        host = host.strip().lower()
        if host.startswith("www."):
            host = host[4:]
        if not host:
            continue
        if section == SECTION_REFUSED:
            refused[host] = reason.strip() or "abgelehnte Adresse"
        else:
            trusted.append(host)
    return HostRules(trusted=tuple(trusted), refused=refused)


@lru_cache(maxsize=4)
def _rules_from(path: Path, stamp: float) -> HostRules:
    return parse_host_rules(path.read_text(encoding="utf-8"))


def host_rules(path: Path | None = None) -> HostRules:
    """The shipped list (re-read when the file changes); an unreadable list trusts nothing."""
    if path is None:
        path = _shipped_file()
    try:
        return _rules_from(path, path.stat().st_mtime)
    except (OSError, UnicodeDecodeError):
        return HostRules(trusted=(), refused={})


def host_rules_for(folder: Path) -> HostRules:
    """The shipped list plus a ``vertrauenswuerdige-quellen.txt`` beside the lesson folder (the trainer's own
    lesson folder), so trainers can add publishers without editing shipped files."""
    shipped = host_rules()
    own_file = Path(folder).parent / TRUSTED_FILE
    try:
        own_is_shipped = own_file.resolve() == _shipped_file().resolve()
    except OSError:
        own_is_shipped = False
    if own_is_shipped or not own_file.is_file():
        return shipped
    own = host_rules(own_file)
    return HostRules(trusted=shipped.trusted + own.trusted, refused={**shipped.refused, **own.refused})


def _shipped_file() -> Path:
    from app import paths

    return paths.shipped_lessons_dir() / TRUSTED_FILE


def read_header(text: str) -> Header:
    """Collect ``stand`` and every list of the ``---`` block; malformed lines are the parser's business."""
    header = Header()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return header
    current: str | None = None
    for index in range(first + 1, len(lines)):
        raw = lines[index]
        if raw.strip() == "---":
            break
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        stripped = raw.strip()
        if raw[0].isspace() and stripped.startswith("-"):
            if current is not None and stripped[1:].strip():
                header.lists[current].append((stripped[1:].strip(), index + 1))
            continue
        current = None
        key_end = 0
        while key_end < len(raw) and raw[key_end] in _KEY_CHARACTERS:
            key_end += 1
        rest = raw[key_end:].lstrip()
        if key_end == 0 or not rest.startswith(":"):
            continue
        key, value = raw[:key_end].lower(), rest[1:].strip()
        if key == "stand" and value:
            header.stand = (value, index + 1)
        elif not value:
            current = key
            header.lists.setdefault(key, [])
    return header


def prerequisites(lesson: Lesson) -> list[tuple[str, int]]:
    """The ``voraussetzungen`` of *lesson* with line numbers (empty when the file is unreadable)."""
    try:
        text = lesson.source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return [(value.strip(), line) for value, line in read_header(text).items("voraussetzungen")]


def months_between(earlier: date, later: date) -> int:
    """Whole months from *earlier* to *later* (a day later in the month counts as not yet a month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months


def parse_stand(value: str) -> date | None:
    """``2026-11`` (first of the month) or ``2026-11-28``; None when unreadable."""
    match = _STAND.match(value.strip()[:20])
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        return None


def check(text: str, lesson: Lesson, *, today: date | None = None, rules: HostRules | None = None) -> list[Problem]:
    """All fact problems of one lesson file; *today* and *rules* are injectable for tests."""
    today = today or date.today()
    rules = rules or host_rules_for(lesson.folder)
    header = read_header(text)
    found: list[Problem] = []

    def add(line: int, message: str, severity: Severity) -> None:
        found.append(Problem(lesson.source, line, message, severity))

    if header.stand is not None:
        value, line = header.stand
        checked = parse_stand(value)
        if checked is None:
            add(line, f"»stand: {value}« ist kein Datum; bitte Jahr und Monat wie »2026-11« oder »2026-11-28«.",
                Severity.WARNING)
        elif checked > today:
            add(line, f"»stand: {value}« liegt in der Zukunft.", Severity.WARNING)
        elif months_between(checked, today) >= MAX_AGE_MONTHS:
            add(line, f"Die Lektion wurde zuletzt {value} geprüft, vor mehr als {MAX_AGE_MONTHS} Monaten: "
                      "Menüs und Angebote bitte neu prüfen und »stand« anpassen.", Severity.WARNING)

    for entry, line in header.items("quellen"):
        match = _SOURCE.match(entry) if len(entry) <= 600 else None
        if not match:
            add(line, "Eine Quelle braucht die Form »https://adresse (geprüft JJJJ-MM-TT)«.", Severity.ERROR)
            continue
        url, checked_text = match.groups()
        checked = parse_stand(checked_text)
        if checked is None:
            add(line, f"»geprüft {checked_text}« ist kein gültiges Datum.", Severity.ERROR)
        elif checked > today:
            add(line, f"»geprüft {checked_text}« liegt in der Zukunft.", Severity.WARNING)
        elif months_between(checked, today) >= MAX_AGE_MONTHS:
            add(line, f"Die Quelle {url} wurde zuletzt {checked_text} geprüft, vor mehr als {MAX_AGE_MONTHS} "
                      "Monaten: bitte neu prüfen.", Severity.WARNING)
        found.extend(_host_problem(url, line, "Die Quelle", rules, lesson))

    for link in lesson.links:
        found.extend(_host_problem(link.url, link.line, "Der Link", rules, lesson))

    for value, line in header.items("voraussetzungen"):
        lesson_id = value.strip()
        if not _ID.match(lesson_id):
            add(line, f"»{lesson_id}« ist keine Lektions-id (nur a–z, Ziffern und Bindestriche, z. B. »wlan-und-mobile-daten«).",
                Severity.ERROR)
        elif lesson_id == lesson.id:
            add(line, "Eine Lektion kann nicht ihre eigene Voraussetzung sein.", Severity.ERROR)
    return found


def _host_problem(url: str, line: int, what: str, rules: HostRules, lesson: Lesson) -> list[Problem]:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return []  # url_problem() in the parser already reports unusable addresses
    if not host:
        return []
    severity, reason = rules.verdict(host)
    if severity is None:
        return []
    if severity is Severity.ERROR:
        message = f"{what} zu »{host}« ist nicht erlaubt: {reason}. Bitte die Seite des Herausgebers verlinken."
    else:
        message = (f"{what} zu »{host}« {reason} ({TRUSTED_FILE}). Ist die Seite vom Herausgeber selbst, "
                   "die Adresse dort eintragen; sonst die Seite des Herausgebers verlinken.")
    return [Problem(lesson.source, line, message, severity)]
