"""The short cuts that make ``kurslotse handout`` fast must not change what is printed.

Each test pins one short cut against the long way round: QR codes painted as merged rectangles
cover exactly the dark modules; text painted from the layouts made while measuring looks the same
as text laid out again in another thread; lessons read without the author's writing advice keep
every error; Pillow is not executed for the QR codes of a handout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from test_render_support import page_texts, render_pages

from app.domain.lesson import Severity
from app.lessons.parser import parse_lesson
from app.render.document import Document, PageStyle
from app.render.output import write_pdf
from app.render.qr import qr_modules, qr_rects
from app.render.text import BODY, Text, TextLines

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LONG_URL = "https://www.verbraucherzentrale.de/wissen/digitale-welt/phishingradar/phishingradar-aktuelle-warnungen-6059"


def test_qr_rectangles_cover_each_dark_module_once_and_nothing_else() -> None:
    modules = qr_modules(LONG_URL)
    size = len(modules)
    covered = [[0] * size for _ in range(size)]
    rects = qr_rects(modules, 1.0)  # one layout unit per module: corners fall on whole numbers
    for rect in rects:
        for row in range(round(rect.top()), round(rect.bottom())):
            for column in range(round(rect.left()), round(rect.right())):
                covered[row][column] += 1
    assert covered == [[1 if dark else 0 for dark in row] for row in modules]
    dark = sum(sum(row) for row in modules)
    runs = sum(1 for row in modules for i, d in enumerate(row) if d and (i == 0 or not row[i - 1]))
    assert len(rects) < runs < dark  # rows merged into runs, equal runs of stacked rows into one rectangle


def _long_text_document() -> Document:
    """Paragraphs and a list long enough to be cut between pages (a paragraph painted in two parts)."""
    paragraphs = "\n\n".join(
        f"Absatz {number}: Wischen Sie vom unteren Rand nach oben. Dann sehen Sie **alle Apps**. "
        "Suchen Sie die App *Kamera* und tippen Sie einmal darauf. " * 3 for number in range(1, 19))
    items = "\n".join(f"- Punkt {number} der Liste mit einem längeren Text" for number in range(1, 9))
    document = Document(PageStyle(), title="Probe")
    document.add(Text(paragraphs + "\n\n" + items, BODY, is_markdown=True))
    return document


def test_text_painted_from_the_measured_layouts_looks_like_text_laid_out_again(qapp, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    from PySide6.QtGui import QPdfWriter

    from app.render.output import layout_for, paint, prepare_pdf_writer

    same_thread = tmp_path / "gleich.pdf"
    made: list[int] = []
    original = TextLines._layout

    def counted(self: TextLines, number: int, base):  # noqa: ANN001, ANN202 - wraps the real method
        made.append(number)
        return original(self, number, base)

    monkeypatch.setattr(TextLines, "_layout", counted)
    document = _long_text_document()
    layout = write_pdf(document, same_thread)  # measured and painted here: the measured layouts are drawn
    assert layout.page_count >= 3  # the text was cut between pages
    assert len(made) == 18 + 8  # one layout per paragraph and list item, none made again for painting
    monkeypatch.undo()

    measuring = QPdfWriter(str(tmp_path / "nur-zum-messen.pdf"))
    prepare_pdf_writer(measuring)
    measured = layout_for(_long_text_document(), measuring)  # measured here …
    del measuring
    other_thread = tmp_path / "anderer-thread.pdf"
    errors: list[BaseException] = []

    def work() -> None:  # … painted in a worker, which must lay every paragraph out again
        try:
            writer = QPdfWriter(str(other_thread))
            prepare_pdf_writer(writer, "Probe")
            paint(measured, writer)
            del writer
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            errors.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(60)
    assert not errors and not worker.is_alive()

    texts = page_texts(same_thread)
    assert texts == page_texts(other_thread)
    assert "Absatz 18" in texts[-1] and "Punkt 8" in texts[-1]
    for mine, theirs in zip(render_pages(same_thread, 60), render_pages(other_thread, 60), strict=True):
        assert mine.size == theirs.size and mine.tobytes() == theirs.tobytes()


def _lesson_with_advice_and_an_error(root: Path) -> Path:
    folder = root / "probe-rat"
    folder.mkdir(parents=True)
    hard = ("Die Datenschutzgrundverordnungsbestimmungen verpflichten Telekommunikationsunternehmen "
            "grundsätzlich zur Berücksichtigung verbraucherschutzrechtlicher Informationspflichten, "
            "wodurch Benachrichtigungseinstellungen regelmäßig Anpassungsentscheidungen erfordern. ")
    (folder / "lektion.md").write_text(
        "---\n"
        "id: probe-rat\ntitel: Probe\nbeschreibung: Eine Probe.\ndauer: 30\nstufe: Einsteiger\nthema: Probe\n"
        "lernziele:\n  - Ich kann es.\n"
        "quellen:\n  - eine Quelle ohne Adresse\n"
        "---\n\n"
        f"## Schritt 1: Schwer\n\n{hard * 2}\n\n## Schritt 2: Leicht\n\nTippen Sie auf Kamera.\n",
        encoding="utf-8")
    return folder


def test_lessons_read_for_a_handout_keep_every_error_and_skip_only_advice(tmp_path: Path) -> None:
    folder = _lesson_with_advice_and_an_error(tmp_path)
    full = parse_lesson(folder, check_pictures=False)
    quick = parse_lesson(folder, check_pictures=False, advice=False)

    assert quick.steps == full.steps and quick.links == full.links and quick.title == full.title
    assert [p.message for p in quick.errors] == [p.message for p in full.errors]
    assert any("Quelle braucht die Form" in p.message for p in quick.errors)
    advice = [p.message for p in full.problems if p.severity is Severity.WARNING and "schwer zu lesen" in p.message]
    assert advice  # the checker still gives the author its advice …
    assert not [p for p in quick.problems if "schwer zu lesen" in p.message]  # … the handout does not ask


def test_the_handout_command_still_reports_lesson_errors(qapp, tmp_path: Path, capsys) -> None:
    from app import cli

    folder = _lesson_with_advice_and_an_error(tmp_path / "lektionen")
    code = cli.main(["--daten", str(tmp_path / "daten"), "handout", str(folder), "-o", str(tmp_path / "h.pdf")])
    _out, err = capsys.readouterr()
    assert code == 0
    assert "Warnung:" in err and "Quelle braucht die Form" in err
    assert "schwer zu lesen" not in err


def test_pillow_is_not_executed_for_the_qr_codes_of_a_handout() -> None:
    probe = (
        "import sys\n"
        "from app.render.qr import allow_lazy_pillow, qr_modules\n"
        "allow_lazy_pillow()\n"  # as the handout command does
        f"assert len(qr_modules({LONG_URL!r})) >= 21\n"
        "assert 'PIL._imaging' not in sys.modules, 'Pillow was executed'\n"
        "import qrcode\n"
        "image = qrcode.make('https://example.org')\n"  # whoever needs Pillow later still gets it
        "assert 'PIL._imaging' in sys.modules and image.size[0] > 0\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_the_handout_command_loads_only_its_own_sub_command(tmp_path: Path) -> None:
    folder = _lesson_with_advice_and_an_error(tmp_path / "lektionen")
    probe = (
        "import sys\n"
        "from app.cli import main\n"
        f"code = main(['--daten', {str(tmp_path / 'daten')!r}, 'handout', {str(folder)!r}, "
        f"'-o', {str(tmp_path / 'h.pdf')!r}])\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('app.commands.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    code, modules = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code == "0"
    # The module named like the command is asked first: lessons, present, courses, sync, report … never load.
    assert modules == "['app.commands.common', 'app.commands.handout']"


_SHIBOKEN_PROBE = """
import builtins, sys
from pathlib import Path
original, calls = builtins.compile, []
builtins.compile = lambda *a, **k: calls.append(a[1]) or original(*a, **k)
from app.qt_import import import_shiboken
import_shiboken(Path(sys.argv[1]))
builtins.compile = original
from PySide6.QtCore import QRectF
assert QRectF(0, 0, 2, 3).width() == 2
print(len([name for name in calls if 'shibokensupport' in str(name)]))
"""


def _shiboken_start(cache: Path, *flags: str) -> int:
    """Support modules compiled by a fresh interpreter that starts PySide6 with *cache*."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run([sys.executable, *flags, "-c", _SHIBOKEN_PROBE, str(cache)], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def test_pyside_support_code_is_compiled_once_and_a_damaged_cache_is_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "__pycache__" / "shibokensupport.marshal"
    assert _shiboken_start(cache, "-B") > 5  # -B: like PYTHONDONTWRITEBYTECODE, nothing kept …
    assert not cache.exists()
    assert _shiboken_start(cache) > 5  # … the first real start compiles and keeps the code …
    assert cache.is_file()
    assert _shiboken_start(cache) == 0  # … the next start compiles nothing
    cache.write_bytes(b"kaputt")
    assert _shiboken_start(cache) > 5  # a damaged file is ignored and written again
    assert _shiboken_start(cache) == 0


def test_text_measured_in_a_worker_keeps_no_layout_beyond_its_thread(qapp) -> None:
    kept: list[int] = []

    def work() -> None:
        text = Text("Ein Absatz zum Messen.\n\nUnd noch einer.", BODY)
        text.measure(5000, 8000)
        kept.append(len(text.lines._kept))  # noqa: SLF001 - the short cut under test

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    main_text = Text("Ein Absatz zum Messen.\n\nUnd noch einer.", BODY)
    main_text.measure(5000, 8000)
    assert kept == [0]  # layouts made in a worker die with it; painting there lays them out again
    assert len(main_text.lines._kept) == 2  # noqa: SLF001 - the main thread keeps both paragraphs for painting
