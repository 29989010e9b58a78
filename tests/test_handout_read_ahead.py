"""Pictures decoded ahead in a helper thread (handout command) and the format hint for Qt's reader."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image

from app.render import pictures
from app.render.pictures import end_read_ahead, format_hint, load_picture, read_ahead


def _save(path: Path, size: tuple[int, int], colour: str, fmt: str = "PNG") -> Path:
    Image.new("RGB", size, colour).save(path, fmt)
    return path


@pytest.fixture(autouse=True)
def _empty_cache():
    pictures._cache.clear()
    yield
    end_read_ahead()
    pictures._cache.clear()


def test_format_hint_by_signature(tmp_path):
    png = _save(tmp_path / "a.png", (4, 4), "#ff0000").read_bytes()
    jpeg = _save(tmp_path / "a.jpg", (4, 4), "#ff0000", "JPEG").read_bytes()
    assert format_hint(png) == b"png"
    assert format_hint(jpeg) == b"jpeg"
    assert format_hint(b"GIF89a....") == b""
    assert format_hint(b"") == b""


def test_wrong_suffix_still_read(qapp, tmp_path):
    # JPEG bytes in a file named .png: the hint follows the bytes, not the name
    path = _save(tmp_path / "falsch.png", (30, 20), "#00ff00", "JPEG")
    loaded = load_picture(path)
    assert loaded.ok and (loaded.width, loaded.height) == (30, 20)


def test_read_ahead_gives_the_same_pictures(qapp, tmp_path):
    paths = [_save(tmp_path / f"bild{n}.png", (1600 + n, 900), colour)
             for n, colour in enumerate(("#dde8f0", "#f0e6dd", "#102030"))]
    expected = []
    for path in paths:
        expected.append(load_picture(path, "alt").image.copy())
    pictures._cache.clear()
    read_ahead([paths[0], tmp_path / "schema.svg", *paths[1:], paths[1]])
    got = [load_picture(path, f"Bild {n}") for n, path in enumerate(paths)]
    end_read_ahead()
    for n, (loaded, image) in enumerate(zip(got, expected)):
        assert loaded.ok and loaded.alt == f"Bild {n}"
        assert loaded.image.size() == image.size()  # scaled to 1400 px on the long side
        assert loaded.image.size().width() == 1400
        assert loaded.image == image
    assert not pictures._reading_ahead


def test_read_ahead_runs_in_another_thread_and_waits(qapp, tmp_path, monkeypatch):
    paths = [_save(tmp_path / f"b{n}.png", (40, 30), "#336699") for n in range(3)]
    original = pictures._read
    threads: dict[str, str] = {}
    release = threading.Event()

    def slow_read(path, alt, size):
        threads[path.name] = threading.current_thread().name
        if threading.current_thread() is not threading.main_thread():
            release.wait(5)
        return original(path, alt, size)

    monkeypatch.setattr(pictures, "_read", slow_read)
    read_ahead(paths)
    assert load_picture(paths[0]).ok  # the first one: read here, not waited for
    threading.Timer(0.2, release.set).start()
    assert load_picture(paths[1]).ok  # waits for the helper, then takes its result
    assert load_picture(paths[2]).ok
    end_read_ahead()
    assert threads == {"b0.png": "MainThread", "b1.png": "Bilder vorlesen", "b2.png": "Bilder vorlesen"}


def test_read_ahead_problem_reported_by_load(qapp, tmp_path):
    good = _save(tmp_path / "gut.png", (20, 20), "#ffffff")
    broken = tmp_path / "kaputt.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"kein Bild" * 10)
    missing = tmp_path / "fehlt.png"
    read_ahead([good, broken, missing])
    end_read_ahead()
    assert "beschädigt" in load_picture(broken).problem
    assert load_picture(missing).problem == "Die Bilddatei fehlt."
    assert load_picture(good).ok
