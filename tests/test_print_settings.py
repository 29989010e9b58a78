"""The handout's letterhead: read from the real SQLite file without SQLAlchemy, always current."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from app import paths
from app.cli import main
from app.services.organisation import OrganisationSettings, get_settings, save_settings
from app.services.print_settings import organisation_for_print
from app.storage.database import open_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _save(name: str, logo: bytes | None) -> None:
    db = open_database(paths.database_url())
    try:
        save_settings(db, OrganisationSettings(name=name, logo_png=logo))
    finally:
        db.close()


def test_fresh_folder_prints_defaults_and_creates_nothing(data_dir: Path) -> None:
    assert organisation_for_print() == ("", None)
    assert list(data_dir.iterdir()) == []


def test_name_and_logo_follow_every_change(data_dir: Path) -> None:
    red, blue = _png("red"), _png("blue")
    _save("  Digitallotsen Musterdorf  ", red)
    name, logo = organisation_for_print()
    assert name == "Digitallotsen Musterdorf"
    assert logo == data_dir / "logo-fuer-druck.png"
    assert logo.read_bytes() == red

    _save("Seniorenbüro Kusel", blue)
    name, logo = organisation_for_print()
    assert name == "Seniorenbüro Kusel"
    assert logo is not None and logo.read_bytes() == blue

    _save("Seniorenbüro Kusel", None)
    assert organisation_for_print() == ("Seniorenbüro Kusel", None)


def test_same_row_as_the_orm_after_a_change_made_elsewhere(data_dir: Path) -> None:
    """A sync or another window writes the table directly: the next handout sees it, no cache to go stale."""
    _save("Alter Name", None)
    with sqlite3.connect(data_dir / "kurslotse.sqlite3") as conn:
        conn.execute("UPDATE organisation SET name = 'Neuer Name e. V.'")
    assert organisation_for_print() == ("Neuer Name e. V.", None)
    db = open_database(paths.database_url())
    try:
        assert get_settings(db).name == "Neuer Name e. V."
    finally:
        db.close()


def test_deleted_organisation_row_is_not_printed(data_dir: Path) -> None:
    _save("Gelöschter Verein", _png("green"))
    with sqlite3.connect(data_dir / "kurslotse.sqlite3") as conn:
        conn.execute("UPDATE organisation SET deleted = 1")
    assert organisation_for_print() == ("", None)


def test_reads_while_another_program_holds_a_write_transaction(data_dir: Path) -> None:
    _save("Digitallotsen Musterdorf", None)
    writer = sqlite3.connect(data_dir / "kurslotse.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE organisation SET name = 'noch nicht gespeichert'")
        assert organisation_for_print() == ("Digitallotsen Musterdorf", None)
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert organisation_for_print() == ("noch nicht gespeichert", None)


def test_damaged_file_prints_defaults_and_is_left_alone(data_dir: Path) -> None:
    damaged = data_dir / "kurslotse.sqlite3"
    damaged.write_bytes(b"kein SQLite" * 100)
    assert organisation_for_print() == ("", None)
    assert damaged.read_bytes() == b"kein SQLite" * 100
    assert not (data_dir / "logo-fuer-druck.png").exists()


def test_handout_command_prints_the_current_name_without_loading_sqlalchemy(data_dir: Path, tmp_path: Path) -> None:
    _save("Digitallotsen Musterdorf", _png("red"))
    out = tmp_path / "blatt.pdf"
    assert main(["handout", "qr-codes-scannen", "-o", str(out)]) == 0
    assert "Digitallotsen Musterdorf" in _first_page(out)
    _save("Seniorenbüro Kusel", None)
    assert main(["handout", "qr-codes-scannen", "-o", str(out)]) == 0
    first_page = _first_page(out)
    assert "Seniorenbüro Kusel" in first_page and "Musterdorf" not in first_page

    probe = ("import sys; from app.services.print_settings import organisation_for_print; "
             "print(organisation_for_print()[0]); print('sqlalchemy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_ROOT,
                            env={**_env(), paths.ENV_DATA_DIR: str(data_dir)}, check=True, timeout=60)
    assert result.stdout.splitlines() == ["Seniorenbüro Kusel", "False"]


def _first_page(pdf: Path) -> str:
    return " ".join(PdfReader(pdf).pages[0].extract_text().split())


def _env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key != paths.ENV_DATABASE_URL}
