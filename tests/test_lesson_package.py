"""Lesson packages: a round trip between two laptops, and every kind of hostile package refused by the CLI.

Hostile packages are generated from a good one (a mutation kind plus generated details), and the
CLI must refuse each with a German message that names the entry — and write nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import paths
from app.cli import main
from app.lessons.package import PackageError, read_package
from tests.lesson_factory import write_lesson

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _settings_for(data_dir: Path, own: Path | None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "einstellungen.json").write_text(json.dumps({"user_lesson_dir": str(own) if own else ""}),
                                                 encoding="utf-8")


def _run(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--daten", str(data_dir), *args])
    captured = capsys.readouterr()
    paths.set_data_dir(None)
    return code, captured.out, captured.err


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_round_trip_between_two_laptops(tmp_path, capsys):
    own_a = tmp_path / "laptop-a" / "meine-lektionen"
    write_lesson(own_a, lesson_id="tablet-einrichten", title="Tablet einrichten")
    write_lesson(own_a, lesson_id="fotos-teilen", title="Fotos teilen")
    _settings_for(tmp_path / "daten-a", own_a)
    package = tmp_path / "stick" / "paket.kurslotse"
    package.parent.mkdir()
    code, out, err = _run(capsys, tmp_path / "daten-a", "lektionen", "exportieren", "tablet-einrichten", "fotos-teilen",
                          "-o", str(package))
    assert code == 0, err
    assert "2 Lektionen" in out and package.is_file()
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["lektionen"]:
            assert {"id", "titel", "version", "autor", "stand", "dateien"} <= set(entry)
            for name, digest in entry["dateien"].items():
                assert hashlib.sha256(archive.read(f"{entry['id']}/{name}")).hexdigest() == digest

    _settings_for(tmp_path / "daten-b", None)  # a second laptop without an own folder yet
    code, out, err = _run(capsys, tmp_path / "daten-b", "lektionen", "importieren", str(package))
    assert code == 0, err
    assert out.count(": neu") == 2
    installed = tmp_path / "daten-b" / "eigene-lektionen"
    for lesson_id in ("tablet-einrichten", "fotos-teilen"):
        assert _tree(installed / lesson_id) == _tree(own_a / lesson_id)  # byte for byte
    code, out, _ = _run(capsys, tmp_path / "daten-b", "lektionen", "liste")
    assert "tablet-einrichten" in out and "Fotos teilen" in out
    # a second import changes nothing and says so
    code, out, _ = _run(capsys, tmp_path / "daten-b", "lektionen", "importieren", str(package))
    assert code == 0 and out.count(": schon vorhanden") == 2 and "Nichts eingelesen" in out


def test_newer_version_replaces_own_copy_and_shipped_lessons_are_never_replaced(tmp_path, capsys, shipped_lessons):
    own_a = tmp_path / "a"
    folder = write_lesson(own_a, lesson_id="tablet-einrichten")
    _settings_for(tmp_path / "daten-a", own_a)
    old_package = tmp_path / "alt.kurslotse"
    assert _run(capsys, tmp_path / "daten-a", "lektionen", "exportieren", "tablet-einrichten", "-o", str(old_package))[0] == 0
    text = (folder / "lektion.md").read_text(encoding="utf-8")
    (folder / "lektion.md").write_text(text.replace("---\n\n", "stand: 2099-01\n---\n\n", 1), encoding="utf-8")
    new_package = tmp_path / "neu.kurslotse"
    assert _run(capsys, tmp_path / "daten-a", "lektionen", "exportieren", "tablet-einrichten", "-o", str(new_package))[0] == 0

    _settings_for(tmp_path / "daten-b", tmp_path / "b")
    assert _run(capsys, tmp_path / "daten-b", "lektionen", "importieren", str(old_package))[0] == 0
    code, out, _ = _run(capsys, tmp_path / "daten-b", "lektionen", "importieren", str(new_package))
    assert code == 0 and "neuere Fassung" in out
    assert "stand: 2099-01" in (tmp_path / "b" / "tablet-einrichten" / "lektion.md").read_text(encoding="utf-8")

    shipped_id = sorted(p.name for p in shipped_lessons.iterdir() if (p / "lektion.md").is_file())[0]
    shipped_package = tmp_path / "mitgeliefert.kurslotse"
    assert _run(capsys, tmp_path / "daten-b", "lektionen", "exportieren", shipped_id, "-o", str(shipped_package))[0] == 0
    before = _tree(shipped_lessons / shipped_id)
    code, out, _ = _run(capsys, tmp_path / "daten-b", "lektionen", "importieren", str(shipped_package))
    assert code == 0 and "mitgelieferte Lektion" in out
    assert not (tmp_path / "b" / shipped_id).exists() and _tree(shipped_lessons / shipped_id) == before


# --- hostile packages ------------------------------------------------------------------------------


def _good_entries(root: Path) -> tuple[dict, dict[str, bytes]]:
    folder = write_lesson(root, lesson_id="gute-lektion")
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = {"format": "kurslotse-lektionspaket", "formatversion": 1, "lektionen": [{
        "id": "gute-lektion", "titel": "Gut", "version": "1", "autor": "", "stand": "",
        "dateien": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}]}
    return manifest, {f"gute-lektion/{name}": data for name, data in files.items()}


def _write(path: Path, manifest: dict | bytes, entries: dict[str, bytes], *, symlink: str | None = None,
           encrypted: str | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest if isinstance(manifest, bytes) else json.dumps(manifest))
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    if encrypted:  # set the "encrypted" flag of one entry in the local and central headers
        raw = bytearray(path.read_bytes())
        needle = encrypted.encode()
        position = raw.find(needle)
        while position >= 0:
            for header, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
                start = raw.rfind(header, 0, position)
                if start >= 0 and position - start < 50:
                    raw[start + flag_offset] |= 1
            position = raw.find(needle, position + 1)
        path.write_bytes(bytes(raw))


_name = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
MUTATIONS = ["zip-slip", "absolut", "laufwerk", "symlink", "bombe", "zu-gross", "pruefsumme", "nicht-gelistet",
             "fehlt", "manifest-kaputt", "fremdes-format", "doppelt", "pruefung", "verschluesselt", "keine-zip",
             "fremde-id"]


@st.composite
def hostile(draw, root: Path, kind: str | None = None) -> tuple[str, Path, str]:
    """(mutation, package file, text the refusal must contain)."""
    kind = kind or draw(st.sampled_from(MUTATIONS))
    manifest, entries = _good_entries(root)
    files = manifest["lektionen"][0]["dateien"]
    name = draw(_name)
    package = root / f"{kind}.kurslotse"
    expect = ""
    symlink = encrypted = None
    if kind == "zip-slip":
        entry = "gute-lektion/" + "../" * draw(st.integers(1, 5)) + f"{name}.md"
        entries[entry] = b"boese"
        expect = entry
    elif kind == "absolut":
        entry = f"/tmp/{name}/lektion.md"
        entries[entry] = b"boese"
        expect = "absoluten Pfad"
    elif kind == "laufwerk":
        entry = f"C:/Users/{name}/x.md"
        entries[entry] = b"boese"
        expect = entry
    elif kind == "symlink":
        entry = f"gute-lektion/bilder/{name}.svg"
        entries[entry] = b"/home/trainer/.ssh/id_rsa"
        files[f"bilder/{name}.svg"] = hashlib.sha256(entries[entry]).hexdigest()
        symlink, expect = entry, "Verknüpfung"
    elif kind == "bombe":
        entry = f"gute-lektion/bilder/{name}.png"
        entries[entry] = b"\0" * draw(st.integers(1_000_000, 4_000_000))
        files[f"bilder/{name}.png"] = hashlib.sha256(entries[entry]).hexdigest()
        expect = "ZIP-Bombe"
    elif kind == "zu-gross":
        entry = f"gute-lektion/bilder/{name}.png"
        entries[entry] = bytes(range(256)) * (5_000_000 // 256 + draw(st.integers(1, 1000)))
        files[f"bilder/{name}.png"] = hashlib.sha256(entries[entry]).hexdigest()
        expect = "MB groß"
    elif kind == "pruefsumme":
        position = draw(st.integers(0, len(entries["gute-lektion/lektion.md"]) - 1))
        data = bytearray(entries["gute-lektion/lektion.md"])
        data[position] ^= 0x20
        entries["gute-lektion/lektion.md"] = bytes(data)
        expect = "Prüfsumme"
    elif kind == "nicht-gelistet":
        entries[f"gute-lektion/{name}.txt"] = b"versteckt"
        expect = f"gute-lektion/{name}.txt"
    elif kind == "fehlt":
        files[f"bilder/{name}.svg"] = "0" * 64
        expect = f"gute-lektion/bilder/{name}.svg"
    elif kind == "manifest-kaputt":
        manifest = json.dumps(manifest).encode()[: draw(st.integers(1, 40))]
        expect = "manifest.json"
    elif kind == "fremdes-format":
        manifest["format"] = name
        expect = "manifest.json"
    elif kind == "doppelt":
        entries["gute-lektion/LEKTION.md"] = b"zweimal"
        expect = "doppelt"
    elif kind == "pruefung":
        svg = f'<svg xmlns="http://www.w3.org/2000/svg"><image href="/home/{name}/foto.jpg"/></svg>'.encode()
        entries["gute-lektion/bilder/telefon.svg"] = svg
        files["bilder/telefon.svg"] = hashlib.sha256(svg).hexdigest()
        expect = "telefon.svg"
    elif kind == "verschluesselt":
        encrypted, expect = "gute-lektion/lektion.md", "verschlüsselt"
    elif kind == "keine-zip":
        package.write_bytes(b"PK\x03\x04" + name.encode() * 50)
        return kind, package, "keine lesbare ZIP-Datei"
    elif kind == "fremde-id":
        manifest["lektionen"][0]["id"] = f"../{name}"
        expect = "ungültige Lektions-id"
    _write(package, manifest, entries, symlink=symlink, encrypted=encrypted)
    return kind, package, expect


@FAST
@given(data=st.data())
def test_hostile_packages_are_refused_before_anything_is_read_in(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("feind")
    kind, package, expect = data.draw(hostile(root))
    with pytest.raises(PackageError) as refused:
        read_package(package)
    assert expect in str(refused.value), (kind, str(refused.value))


def test_cli_refuses_every_kind_of_hostile_package_and_writes_nothing(tmp_path, capsys):
    own = tmp_path / "eigene"
    _settings_for(tmp_path / "daten", own)
    for number, kind in enumerate(MUTATIONS):
        root = tmp_path / f"fall-{number}"
        root.mkdir()
        _kind, package, expect = _one(kind, root)
        code, out, err = _run(capsys, tmp_path / "daten", "lektionen", "importieren", str(package))
        assert code == 1, (kind, out, err)
        assert "wird nicht eingelesen" in err and expect in err, (kind, err)
        assert "Traceback" not in err
        assert not own.exists(), f"{kind}: etwas wurde geschrieben"


def _one(kind: str, root: Path) -> tuple[str, Path, str]:
    """One generated hostile package of *kind* (drawn by hypothesis inside a tiny run)."""
    found: list[tuple[str, Path, str]] = []

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.data())
    def draw(data):  # noqa: ANN001
        found.append(data.draw(hostile(root, kind)))

    draw()
    return found[0]


def test_fifo_as_package_is_refused(tmp_path, capsys):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs gibt es nur auf POSIX-Systemen")
    os.mkfifo(tmp_path / "paket.kurslotse")
    _settings_for(tmp_path / "daten", tmp_path / "eigene")
    code, _out, err = _run(capsys, tmp_path / "daten", "lektionen", "importieren", str(tmp_path / "paket.kurslotse"))
    assert code == 1 and "Pipe" in err and not (tmp_path / "eigene").exists()
