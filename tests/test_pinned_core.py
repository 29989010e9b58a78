"""Link rules and spreadsheet cells pinned with the exact answer for each case (written here, not taken from the code).

A lesson link is allowed only as a complete https address a printed handout can show honestly;
a report cell that a spreadsheet could run as a formula is turned into text.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.indicators import Hidden
from app.lessons.urls import shown, url_problem, url_warning
from app.reports.cells import MonthStart, OneDecimal, clean_text, csv_text, display_text, german_number, neutralise

# --------------------------------------------------------------------------- links


@pytest.mark.parametrize("url", [
    "https://support.google.com/android?hl=de",
    "https://www.verbraucherzentrale.de/wissen/digitale-welt",
    "HTTPS://EXAMPLE.ORG/",           # the scheme is case-insensitive
    "https://example.org:8443/pfad",  # a real port number
    "https://example.org:1/",
    "https://example.org:00080/",    # five digits are still a port
    "https://example.org:65535/",
    "https://münchen.de/",            # one writing system: allowed without warning
    "https://a-b.example.org/",
    "https://example.org/" + "a" * 480,  # 500 characters exactly
])
def test_allowed_addresses(url):
    assert url_problem(url) is None, url


@pytest.mark.parametrize(("url", "message"), [
    ("", "Der Link hat keine Adresse."),
    ("https://example.org/" + "a" * 481, "Die Link-Adresse ist länger als 500 Zeichen."),
    ("https://exa mple.org/", "Die Link-Adresse »https://exa mple.org/« enthält Leerzeichen."),
    ("www.example.org", "Der Link »www.example.org« ist keine vollständige Adresse; sie muss mit »https://« beginnen."),
    (":foo", "Der Link »:foo« ist keine vollständige Adresse; sie muss mit »https://« beginnen."),
    ("1http://x.de", "Der Link »1http://x.de« ist keine vollständige Adresse; sie muss mit »https://« beginnen."),
    ("ht_tp://x.de", "Der Link »ht_tp://x.de« ist keine vollständige Adresse; sie muss mit »https://« beginnen."),
    ("http://example.org", "Der Link »http://example.org« ist nicht verschlüsselt: bitte »https://« statt »http://« verwenden."),
    ("HTTP://example.org", "Der Link »HTTP://example.org« ist nicht verschlüsselt: bitte »https://« statt »http://« verwenden."),
    ("javascript:alert(1)", "Links der Art »javascript:« sind nicht erlaubt (»javascript:alert(1)«); nur »https://«-Adressen."),
    ("ftp://example.org", "Links der Art »ftp:« sind nicht erlaubt (»ftp://example.org«); nur »https://«-Adressen."),
    ("git+ssh://x.de", "Links der Art »git+ssh:« sind nicht erlaubt (»git+ssh://x.de«); nur »https://«-Adressen."),
    ("https://user:pw@example.org/", "Die Link-Adresse »https://user:pw@example.org/« enthält Zugangsdaten (»@«); das ist nicht erlaubt."),
    ("https://nirgends/", "Die Link-Adresse »https://nirgends/« hat keinen gültigen Servernamen."),
    ("https://.example.org/", "Die Link-Adresse »https://.example.org/« hat keinen gültigen Servernamen."),
    ("https://example.org./", "Die Link-Adresse »https://example.org./« hat keinen gültigen Servernamen."),
    ("https://example..org/", "Die Link-Adresse »https://example..org/« hat keinen gültigen Servernamen."),
    ("https://example.org:/", "In der Link-Adresse »https://example.org:/« steht ein »:« ohne Portnummer."),
    ("https://example.org:0/", "Die Portnummer »0« in »https://example.org:0/« ist ungültig (erlaubt: 1 bis 65535)."),
    ("https://example.org:65536/", "Die Portnummer »65536« in »https://example.org:65536/« ist ungültig (erlaubt: 1 bis 65535)."),
    ("https://example.org:123456/", "Die Portnummer »123456« in »https://example.org:123456/« ist ungültig (erlaubt: 1 bis 65535)."),
    ("https://example.org:８０/", "Die Portnummer »８０« in »https://example.org:８０/« ist ungültig (erlaubt: 1 bis 65535)."),
    ("https://example.org:8a/", "Die Portnummer »8a« in »https://example.org:8a/« ist ungültig (erlaubt: 1 bis 65535)."),
    ("C:/Users/x.html", "Links der Art »c:« sind nicht erlaubt (»C:/Users/x.html«); nur »https://«-Adressen."),
    ("h_ttp://x.de", "Der Link »h_ttp://x.de« ist keine vollständige Adresse; sie muss mit »https://« beginnen."),
    ("https://example.org:000080/", "Die Portnummer »000080« in »https://example.org:000080/« ist ungültig (erlaubt: 1 bis 65535)."),
    ("https://[::ffff:1.2.3.4]/", "Die Link-Adresse »https://[::ffff:1.2.3.4]/« nennt eine IP-Adresse statt eines Servernamens."),
    ("https://exa_mple.org/", "Der Servername »exa_mple.org« in »https://exa_mple.org/« enthält Zeichen, die in Adressen nicht vorkommen."),
    ("https://" + "a" * 64 + ".de/", f"Der Servername »{'a' * 64}.de« in »https://{'a' * 64}.de/« ist ungültig."),  # label > 63
])
def test_refused_addresses_say_exactly_why(url, message):
    assert url_problem(url) == message


def test_hidden_characters_are_named_and_shown():
    url = "https://example.org/\u202eabc"
    assert url_problem(url) == (
        "Die Link-Adresse »https://example.org/⟨U+202E⟩abc« enthält ein unsichtbares Steuerzeichen (U+202E); "
        "gedruckte Adresse und QR-Code könnten sich unterscheiden. Bitte die Adresse neu eintippen.")
    assert "(U+0009)" in url_problem("https://example.org/\tx")
    assert "(U+2028)" in url_problem("https://example.org/\u2028")
    assert "(U+2029)" in url_problem("https://example.org/\u2029")
    assert shown("a\u200bb\nc") == "a⟨U+200B⟩b⟨U+000A⟩c"
    assert shown("Grüße") == "Grüße"
    assert shown("a\u2028b\u2029c\x7f") == "a⟨U+2028⟩b⟨U+2029⟩c⟨U+007F⟩"  # line/paragraph separator, DEL


def test_mixed_scripts_warn_with_the_real_name():
    # Cyrillic »а« (U+0430) in an otherwise Latin name
    assert url_warning("https://p\u0430ypal.com/") == (
        "Der Servername »p\u0430ypal.com« mischt Schriften (kyrillisch, lateinisch) und kann eine bekannte "
        "Adresse vortäuschen; der Browser öffnet in Wahrheit »xn--pypal-4ve.com«. Bitte prüfen.")
    assert url_warning("https://example.org/") is None
    assert url_warning("https://münchen.de/") is None      # Latin only
    assert url_warning("https://пример.рф/") is None       # Cyrillic only
    assert url_warning("https://[::1") is None              # unreadable: no warning (the problem says why)
    assert "griechisch, lateinisch" in url_warning("https://\u03b1pple.com/")
    assert "armenisch, lateinisch" in url_warning("https://\u0585ple.com/")
    assert "hebräisch, lateinisch" in url_warning("https://\u05d0ple.com/")
    assert "arabisch, lateinisch" in url_warning("https://\u0627ple.com/")
    assert "Cherokee, lateinisch" in url_warning("https://\u13a0ple.com/")
    assert "lateinisch, thai" in url_warning("https://\u0e01ple.com/")
    assert "kyrillisch, lateinisch" in url_warning("https://x-\u0430.com/")  # a hyphen before the Cyrillic letter
    assert "1" not in url_warning("https://p\u0430ypal1.com/").split("(")[1].split(")")[0]  # digits have no script


# --------------------------------------------------------------------------- spreadsheet cells


@pytest.mark.parametrize(("text", "safe"), [
    ("=SUMME(A1:A9)", "'=SUMME(A1:A9)"),
    ("+49 6381 4711", "'+49 6381 4711"),
    ("-1", "'-1"),
    ("@cmd", "'@cmd"),
    ("\tTab", "'\tTab"),
    ("\rWagen", "'\rWagen"),
    ("Anna =1", "Anna =1"),
    ("", ""),
])
def test_formula_starts_become_text(text, safe):
    assert neutralise(text) == safe


def test_clean_text_drops_control_characters_then_neutralises():
    assert clean_text("\x01=1+1") == "'=1+1"
    assert clean_text("a\x00b\x08c\x0bd\x0ce\x0ef\x1fg") == "abcdefg"
    assert clean_text("Zeile\nzwei\tTab") == "Zeile\nzwei\tTab"
    assert clean_text("\x1f") == ""


@pytest.mark.parametrize(("value", "csv", "display"), [
    (None, "", ""),
    (Hidden("."), ".", "."),
    (True, "ja", "ja"),
    (False, "nein", "nein"),
    (1234, "1234", "1.234"),
    (1234567, "1234567", "1.234.567"),
    (OneDecimal(8.25), "8,2", "8,2"),
    (OneDecimal(12.0), "12,0", "12,0"),
    (1234.5, "1234,50", "1.234,50"),
    (0.125, "0,12", "0,12"),
    (dt.date(2026, 3, 1), "01.03.2026", "01.03.2026"),
    (dt.datetime(2026, 3, 1, 9, 5), "01.03.2026 09:05", "01.03.2026 09:05"),
    ("=HYPERLINK(1)", "'=HYPERLINK(1)", "=HYPERLINK(1)"),
])
def test_cells_in_csv_and_on_screen(value, csv, display):
    assert csv_text(value) == csv
    assert display_text(value) == display


def test_month_cells_and_numbers():
    assert display_text(MonthStart.of(dt.date(2026, 3, 17))) == "März 2026"
    assert csv_text(MonthStart.of(dt.date(2026, 12, 31))) == "01.12.2026"
    assert german_number(1234.5, 2) == "1234,50"
    assert german_number(2.0, 0) == "2"


# --------------------------------------------------------------------------- backup rotation


def _backup(folder, day: int, reason: str, verified: bool = False):
    name = f"kurslotse-202603{day:02d}-080000-000000-{reason}{'-geprueft' if verified else ''}.sqlite3"
    path = folder / name
    path.write_bytes(b"SQLite format 3\x00" + bytes(84))
    return path


def test_rotation_keeps_the_ten_newest_start_backups_and_the_last_verified_one(tmp_path):
    from app.storage.backups import list_backups, prune_backups

    db_path = tmp_path / "kurslotse.sqlite3"
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    verified_old = _backup(folder, 1, "start", verified=True)             # the only verified one, oldest
    starts = [_backup(folder, day, "start") for day in range(2, 15)]      # 13 unverified, days 2..14
    manual = _backup(folder, 15, "manual")
    (folder / "notiz.txt").write_text("keine Sicherung", encoding="utf-8")
    (folder / "kurslotse-2026-start.sqlite3").write_bytes(b"x")           # not a backup name

    listed = list_backups(db_path)
    assert [info.path for info in listed] == [manual, *reversed(starts), verified_old]  # newest first
    assert listed[0].reason_label == "von Hand" and listed[-1].check_label == "geprüft"
    assert listed[1].check_label == "ungeprüft (ältere Version)" and listed[1].created_text == "14.03.2026 08:00:00"

    removed = prune_backups(db_path, "start")
    # newest ten start backups are days 14..5; days 4, 3, 2 go; day 1 stays because it is the last verified one
    assert removed == [starts[2], starts[1], starts[0]]
    left = {path.name for path in folder.iterdir()}
    assert verified_old.name in left and manual.name in left and "notiz.txt" in left
    assert {path.name for path in starts[3:]} <= left and not {path.name for path in starts[:3]} & left
    assert prune_backups(db_path, "start") == []                         # a second run removes nothing
    assert prune_backups(db_path, "manual", keep=0) == [manual]
    assert prune_backups(tmp_path / "anderswo" / "x.sqlite3") == []      # no backup folder at all


def test_rotation_with_a_newer_verified_backup_drops_the_old_ones(tmp_path):
    from app.storage.backups import prune_backups

    db_path = tmp_path / "kurslotse.sqlite3"
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    old = [_backup(folder, day, "start", verified=True) for day in range(1, 4)]
    newest = _backup(folder, 4, "start", verified=True)
    assert prune_backups(db_path, "start", keep=1) == [old[2], old[1], old[0]]
    assert [path.name for path in folder.iterdir()] == [newest.name]


def test_rotation_skips_only_the_verified_backup_and_goes_on_with_older_ones(tmp_path):
    from app.storage.backups import list_backups, prune_backups

    db_path = tmp_path / "kurslotse.sqlite3"
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    oldest, older = _backup(folder, 1, "start"), _backup(folder, 2, "start")
    verified = _backup(folder, 3, "start", verified=True)
    for day in range(4, 14):
        _backup(folder, day, "start")
    assert prune_backups(db_path) == [older, oldest]  # »start« is the default reason; ten newest kept
    assert verified.exists() and len(list_backups(db_path)) == 11
    assert list_backups(db_path)[0].size_bytes == 100


def test_start_backup_only_for_a_database_with_content(tmp_path):
    from app.storage import backups

    assert backups.rolling_start_backup(tmp_path / "fehlt.sqlite3") is None
    (tmp_path / "leer.sqlite3").write_bytes(b"")
    assert backups.rolling_start_backup(tmp_path / "leer.sqlite3") is None
    one_byte = tmp_path / "ein-byte.sqlite3"
    one_byte.write_bytes(b"x")
    # not empty, so not skipped as a new database: the copy is attempted and refused as damaged
    # (a 1-byte file is no SQLite file; a "verified" copy of it would rotate good backups away)
    with pytest.raises(backups.DamagedDatabase):
        backups.rolling_start_backup(one_byte)
    assert backups.list_backups(one_byte) == []
    assert backups._is_sqlite(tmp_path / "fehlt.sqlite3") is False
