"""Menu "Demo ausprobieren …": the demo opens in a second window on its own data folder.

The real window never opens the demo database and the demo window never opens the real one, so
trying the demo cannot spoil real records. The demo window says "DEMO" in its title and status bar
and offers "Demo beenden", which closes it and leaves the trainer in the real window.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from app import __app_name__, paths

DEMO_TITLE = f"{__app_name__} – DEMO (erfundene Beispieldaten)"


def install_demo_menu(window: QMainWindow, menu: QMenu) -> None:
    """Add the demo entries to *menu*; in demo mode also mark the window unmistakably."""
    from PySide6.QtGui import QAction

    if paths.in_demo():
        window.setWindowTitle(DEMO_TITLE)
        banner = QLabel("  DEMO – erfundene Kurse und Personen. Ihre echten Daten sind unberührt.  ")
        banner.setObjectName("demoBanner")
        banner.setStyleSheet("QLabel#demoBanner { background: #7a4b00; color: white; font-weight: bold; }")
        banner.setAccessibleName("Hinweis: Dies ist die Demo mit erfundenen Daten")
        window.statusBar().addPermanentWidget(banner)
        action = QAction("Demo &beenden (zurück zu den echten Daten)", window)
        action.triggered.connect(window.close)
    else:
        action = QAction("&Demo ausprobieren …", window)
        action.triggered.connect(lambda: offer_demo(window))
    menu.addSeparator()
    menu.addAction(action)
    window.demo_action = action  # type: ignore[attr-defined]  (found by tests and the screenshot tour)


def demo_command() -> tuple[str, list[str]]:
    """Program and arguments that open the demo window on this data folder."""
    real = str(paths.data_dir())
    if getattr(sys, "frozen", False):
        return sys.executable, ["--daten", real, "--demo"]
    return sys.executable, ["-m", "app", "--daten", real, "--demo"]


def offer_demo(window: QMainWindow) -> bool:
    """Explain the demo, then open it in a second window; returns whether it was started."""
    from PySide6.QtWidgets import QMessageBox  # imported on use: the start of the window does without it

    box = QMessageBox(window)
    box.setWindowTitle("Demo ausprobieren")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText("Die Demo öffnet ein zweites Fenster mit erfundenen Kursen, Terminen und Personen.")
    box.setInformativeText(
        f"Sie liegt in einem eigenen Ordner ({paths.demo_dir()}). Ihre echten Daten bleiben unberührt.\n"
        "Zum Beenden schließen Sie einfach das Demo-Fenster."
    )
    start = box.addButton("Demo öffnen", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is not start:
        return False
    from PySide6.QtCore import QProcess

    program, arguments = demo_command()
    started, _pid = QProcess.startDetached(program, arguments)
    if not started:
        QMessageBox.warning(window, "Demo ausprobieren",
                            "Das Demo-Fenster ließ sich nicht öffnen. Im Terminal geht es mit: "
                            f"{program} {' '.join(arguments)}")
        return False
    window.statusBar().showMessage("Die Demo wird in einem eigenen Fenster geöffnet …", 8000)
    return True
