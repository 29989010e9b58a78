"""Handouts print the organisation's name and logo from the attendance settings."""

from __future__ import annotations

from PIL import Image

from app import paths
from app.cli import main
from app.services.organisation import OrganisationSettings, save_settings
from app.storage.database import open_database
from tests.test_render_support import page_texts


def test_handout_takes_name_from_settings(tmp_path, data_dir):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 80), "#0b3a6e").save(logo)
    db = open_database(paths.database_url())
    save_settings(db, OrganisationSettings(name="Land L(i)eben Kusel", logo_png=logo.read_bytes()))
    db.close()
    target = tmp_path / "handout.pdf"
    assert main(["handout", "qr-codes-scannen", "-o", str(target)]) == 0
    assert "Land L(i)eben Kusel" in page_texts(target)[0]
    assert (data_dir / "logo-fuer-druck.png").read_bytes() == logo.read_bytes()


def test_handout_without_database_creates_none(tmp_path, data_dir):
    target = tmp_path / "handout.pdf"
    assert main(["handout", "qr-codes-scannen", "-o", str(target)]) == 0
    assert not (data_dir / "kurslotse.sqlite3").exists()
    assert page_texts(target)[0].startswith("Kurslotse")
