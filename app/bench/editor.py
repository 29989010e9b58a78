"""Lesson editor: a key typed into a step until the wall preview, the handout page and the checker list show it.

Runs the real :class:`~app.ui.editor.window.LessonEditor` offscreen on a copy of a shipped lesson
(``qr-codes-scannen``, step 3 with a picture, four QR codes) in a child process: type one
character, wait for the preview to be painted, let everything settle, repeat — once with the
»Wand« tab in view, once with »Begleitblatt«. The time includes the pause the editor waits after
the last key (40 ms) and the off-thread painting. Run alone with ``python -m app.bench.editor``
(prints the rows) or through ``kurslotse benchmark``.
"""

from __future__ import annotations

import json
import sys
import time

from app.bench import BenchContext, Row, median, percentile, quiet_env, run_process


def rows(ctx: BenchContext) -> list[Row]:
    keys = 15 if ctx.quick else 40
    env = quiet_env(QT_QPA_PLATFORM="offscreen", KURSLOTSE_DATEN=str(ctx.fresh_dir("editor")))
    run = run_process([sys.executable, "-m", "app.bench.editor", "--messen", str(keys)], env)
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    ms = 1000
    wall, handout, check = figures["wall"], figures["handout"], figures["check"]
    return [
        Row("Editor: Taste bis Wand-Vorschau, Median", median(wall) * ms, "ms", target=150,
            note=f"{len(wall)} Tasten"),
        Row("Editor: Taste bis Wand-Vorschau, p95", percentile(wall, 95) * ms, "ms", target=150),
        Row("Editor: Taste bis Begleitblatt-Vorschau, Median", median(handout) * ms, "ms", target=150,
            note=f"{len(handout)} Tasten"),
        Row("Editor: Taste bis Begleitblatt-Vorschau, p95", percentile(handout, 95) * ms, "ms", target=150),
        Row("Editor: Taste bis Prüfmeldungen, Median", median(check) * ms, "ms",
            note="wartet 250 ms Tipp-Pause ab"),
    ]


def measure(keys: int) -> dict[str, list[float]]:
    import shutil
    import tempfile
    from pathlib import Path

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.bench import silence_qt_notes
    from app.ui.editor.window import LessonEditor

    silence_qt_notes()
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="kurslotse-editor-"))
    folder = work / "qr-codes-scannen"
    shutil.copytree(paths.shipped_lessons_dir() / "qr-codes-scannen", folder)
    editor = LessonEditor(folder)
    editor.resize(1366, 740)
    editor.show()
    editor.step_list.setCurrentRow(2)
    shown: dict[str, float] = {}
    original = editor._show_result

    def record(kind: str, result: object) -> None:
        shown.setdefault(kind, time.perf_counter())
        original(kind, result)

    editor._show_result = record  # type: ignore[method-assign]

    def settle() -> None:
        end = time.perf_counter() + 20
        while time.perf_counter() < end and not editor.wait_idle():
            app.processEvents()
            time.sleep(0.002)

    settle()
    times: dict[str, list[float]] = {"wand": [], "begleitblatt": [], "pruefung": []}
    box = editor.section_texts["text"]
    for tab, kind in ((0, "wand"), (1, "begleitblatt")):
        editor.preview_tabs.setCurrentIndex(tab)
        settle()
        box.setFocus()
        for _ in range(keys):
            shown.clear()
            QTest.keyClicks(box, "x")
            typed = time.perf_counter()
            end = typed + 20
            while (kind not in shown or "pruefung" not in shown) and time.perf_counter() < end:
                app.processEvents()
                time.sleep(0.001)
            times[kind].append(shown.get(kind, float("nan")) - typed)
            if kind == "wand":
                times["pruefung"].append(shown.get("pruefung", float("nan")) - typed)
            settle()
    editor.ask_close = lambda: "verwerfen"
    editor.close()
    shutil.rmtree(work, ignore_errors=True)
    return {"wall": times["wand"], "handout": times["begleitblatt"], "check": times["pruefung"]}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--messen":
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        import tempfile
        from pathlib import Path

        from app.bench import format_row

        with tempfile.TemporaryDirectory() as directory:
            for row in rows(BenchContext(Path(directory), quick="--schnell" in sys.argv)):
                print(format_row(row))
