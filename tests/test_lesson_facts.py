"""Facts that age: stand and quellen dates, trusted publishers, refused shops, shorteners and look-alikes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.domain.lesson import Severity
from app.lessons import facts
from app.lessons.parser import parse_lesson
from tests.lesson_factory import write_lesson

RULES = facts.parse_host_rules("""
# Kommentar
[vertrauenswürdig]
apple.com        # Apple
verbraucherzentrale.de  # Verbraucherzentrale
bund.de          # Bund
[abgelehnt]
deutschlandticket.de  # Ticket-Shop
bit.ly           # Link-Kürzer
""")

TODAY = date(2026, 11, 28)


HEAD = """---
id: test-lektion
titel: Test-Lektion
beschreibung: Eine Lektion für Tests.
dauer: 30
stufe: Einsteiger
thema: Grundlagen
lernziele:
  - Ich kann etwas.
links:
  - Hilfe von Apple | https://support.apple.com/de-de/iphone
{links}{extra}---
"""  # line 11 is the Apple link; extra lines start at line 12 (13 after one extra link)


def lesson_with_header(tmp_path: Path, extra: str, links: str = "") -> Path:
    return write_lesson(tmp_path, meta=HEAD.format(links=links, extra=extra))


def problems_of(folder: Path, today: date = TODAY) -> list:
    lesson = parse_lesson(folder)
    text = (folder / "lektion.md").read_text(encoding="utf-8")
    return facts.check(text, lesson, today=today, rules=RULES)


@pytest.mark.parametrize(("host", "severity"), [
    ("support.apple.com", None),
    ("www.verbraucherzentrale.de", None),
    ("www.bsi.bund.de", None),
    ("www.deutschlandticket.de", Severity.ERROR),   # refused: shop that looks official
    ("bit.ly", Severity.ERROR),                     # refused: shortener
    ("apple-support.de", Severity.ERROR),           # look-alike: trusted name plus a word
    ("apple.com.example.net", Severity.ERROR),      # look-alike: trusted name, other owner
    ("verbraucherzentrale-hilfe.de", Severity.ERROR),
    ("verbraucherzentrahle.de", Severity.ERROR),    # look-alike: one typo
    ("xn--pple-43d.com", Severity.ERROR),           # punycode
    ("www.wikipedia.org", Severity.WARNING),        # unknown: not on the list
])
def test_host_verdicts(host, severity):
    assert RULES.verdict(host)[0] is severity


def test_stand_older_than_twelve_months_warns_with_line(tmp_path):
    folder = lesson_with_header(tmp_path, "stand: 2025-10\n")
    found = problems_of(folder)
    assert [(p.line, p.severity) for p in found] == [(12, Severity.WARNING)]
    assert "2025-10" in found[0].message
    assert problems_of(folder, today=date(2026, 9, 30)) == []  # eleven months: still fine


def test_unreadable_stand_and_future_stand_warn(tmp_path):
    assert "kein Datum" in problems_of(lesson_with_header(tmp_path / "a", "stand: Herbst\n"))[0].message
    assert "Zukunft" in problems_of(lesson_with_header(tmp_path / "b", "stand: 2027-01\n"))[0].message


def test_sources_need_url_and_check_date(tmp_path):
    folder = lesson_with_header(tmp_path, (
        "stand: 2026-11\nquellen:\n"
        "  - https://support.apple.com/de-de/iphone (geprüft 2026-11-28)\n"
        "  - https://support.apple.com/de-de/iphone\n"
        "  - https://www.verbraucherzentrale.de/ (geprüft 2025-06-01)\n"
        "  - https://bit.ly/abc (geprüft 2026-11-01)\n"))
    found = problems_of(folder)
    by_line = {p.line: p for p in found}
    assert sorted(by_line) == [15, 16, 17]
    assert by_line[15].severity is Severity.ERROR and "geprüft JJJJ-MM-TT" in by_line[15].message
    assert by_line[16].severity is Severity.WARNING and "2025-06-01" in by_line[16].message
    assert by_line[17].severity is Severity.ERROR and "bit.ly" in by_line[17].message


def test_link_to_ticket_shop_is_an_error_at_its_line(tmp_path):
    folder = lesson_with_header(tmp_path, "", links="  - Ticket | https://www.deutschlandticket.de/\n")
    found = problems_of(folder)
    shop = [p for p in found if "deutschlandticket" in p.message]
    assert len(shop) == 1 and shop[0].severity is Severity.ERROR and shop[0].line == 12
    assert len(found) == 1  # the Apple link is trusted


def test_prerequisites_are_ids_and_not_the_lesson_itself(tmp_path):
    folder = lesson_with_header(tmp_path, "voraussetzungen:\n  - wlan-und-mobile-daten\n  - WLAN lernen\n  - test-lektion\n")
    found = problems_of(folder)
    assert [(p.line, p.severity) for p in found] == [(14, Severity.ERROR), (15, Severity.ERROR)]
    lesson = parse_lesson(folder)
    assert [value for value, _ in facts.prerequisites(lesson)] == ["wlan-und-mobile-daten", "WLAN lernen", "test-lektion"]


def test_shipped_rules_file_is_read(tmp_path):
    rules = facts.host_rules()
    assert rules.verdict("support.apple.com")[0] is None
    assert rules.verdict("www.deutschlandticket.de")[0] is Severity.ERROR
    assert rules.verdict("tinyurl.com")[0] is Severity.ERROR
    assert facts.host_rules(tmp_path / "fehlt.txt").trusted == ()


def test_months_between():
    assert facts.months_between(date(2025, 11, 28), date(2026, 11, 28)) == 12
    assert facts.months_between(date(2025, 11, 29), date(2026, 11, 28)) == 11
    assert facts.months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0


def test_trainer_list_beside_own_lessons_adds_publishers(tmp_path):
    folder = lesson_with_header(tmp_path, "", links="  - Gemeinde | https://www.beispiel-gemeinde.de/\n")
    lesson = parse_lesson(folder)
    text = (folder / "lektion.md").read_text(encoding="utf-8")
    assert [p.severity for p in facts.check(text, lesson, today=TODAY)] == [Severity.WARNING]
    (tmp_path / "vertrauenswuerdige-quellen.txt").write_text(
        "[vertrauenswürdig]\nbeispiel-gemeinde.de  # unsere Gemeinde\n[abgelehnt]\napple.com  # Test: abgelehnt\n",
        encoding="utf-8")
    found = facts.check(text, lesson, today=TODAY)
    # the own list trusts the Gemeinde; a refusal in it wins over the shipped trust for apple.com
    assert [(p.line, p.severity) for p in found] == [(11, Severity.ERROR)]
