"""A booklet's SVG pictures are parsed by Qt once each (reading and painting share the parse).

The command line reads every picture of a booklet before it paints the first page; the main
thread keeps each picture's renderer until the document is painted, then drops them all.
A worker thread keeps only the last 16.
"""

from __future__ import annotations

import threading
from pathlib import Path

from test_render_support import render_pages

from app.render import pictures
from app.render.document import Document, PageStyle
from app.render.output import write_pdf
from app.render.pictures import PictureBlock, load_picture

PICTURES = 30  # more than a worker thread keeps


def _write_svgs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(PICTURES):
        path = folder / f"bild{number}.svg"
        path.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">'
            f'<rect x="{10 + number}" y="20" width="200" height="150" fill="#000000"/></svg>',
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def _counting(monkeypatch) -> list[int]:
    made = [0]
    real = pictures.QSvgRenderer

    def counted(*args):
        made[0] += 1
        return real(*args)

    monkeypatch.setattr(pictures, "QSvgRenderer", counted)
    return made


def test_main_thread_parses_each_picture_once_and_lets_go_after_painting(qapp, tmp_path, monkeypatch) -> None:
    made = _counting(monkeypatch)
    document = Document(PageStyle(), title="Bilder")
    for path in _write_svgs(tmp_path / "bilder"):
        document.add(PictureBlock(load_picture(path), frame=False))
    assert made[0] == PICTURES  # read and checked
    layout = write_pdf(document, tmp_path / "bilder.pdf")
    assert made[0] == PICTURES  # painted from the same parse
    assert not getattr(pictures._renderers, "cache", None)  # released after painting
    assert layout.page_count >= 2
    first = render_pages(tmp_path / "bilder.pdf", dpi=30, pages={1})[0]
    assert first.getpixel((first.width // 2, first.height // 6))[:3] == (0, 0, 0)  # a rectangle printed


def test_worker_thread_keeps_only_recent_renderers(qapp, tmp_path, monkeypatch) -> None:
    paths = _write_svgs(tmp_path / "bilder")
    seen: list[int] = []

    def work() -> None:
        for path in paths:
            pictures._svg_renderer(path.read_bytes())
        seen.append(len(pictures._renderers.cache))
        pictures.release_svg_renderers()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [16]
