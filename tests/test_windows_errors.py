"""Write errors as Windows reports them get the same German explanations as on Linux.

Windows never raises EROFS or ENAMETOOLONG: a write-protected SD card or stick is ``winerror`` 19
(errno EACCES), a path over 260 characters ``winerror`` 206 (errno ENOENT). The errors are built
here the way Python builds them on Windows; the file names are real temporary paths.
"""

from __future__ import annotations

import errno

import pytest

from app import platform
from app.render.output import describe_os_error
from app.reports.files import describe


def _windows_error(number: int, winerror: int, text: str) -> OSError:
    error = OSError(number, text)
    error.winerror = winerror  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize("explain", [describe_os_error, describe])
def test_a_write_protected_stick_is_named_as_such(tmp_path, explain):
    error = _windows_error(errno.EACCES, 19, "Das Medium ist schreibgeschützt")
    message = explain(error, tmp_path / "handout.pdf")
    assert "schreibgeschützt" in message and str(tmp_path) in message
    assert "Berechtigung" not in message  # not mistaken for missing rights


def test_a_path_over_260_characters_is_called_too_long(tmp_path):
    error = _windows_error(errno.ENOENT, 206, "Der Dateiname oder die Erweiterung ist zu lang")
    message = describe_os_error(error, tmp_path / ("Smartphone-Kurs " * 20 + ".pdf"))
    assert "ist zu lang" in message and "existiert nicht" not in message


def test_a_full_disk_on_windows(tmp_path):
    error = _windows_error(errno.ENOSPC, 112, "Es ist nicht genügend Speicherplatz auf dem Datenträger")
    assert "nicht genug Platz" in describe(error, tmp_path / "bericht.xlsx")


@pytest.mark.parametrize("explain", [describe_os_error, describe])
def test_a_lock_that_outlasted_the_wait_keeps_its_own_message(tmp_path, explain):
    error = platform.FileInUseError(errno.EACCES, "Die Datei »bericht.xlsx« ist gerade von einem anderen Programm "
                                    "geöffnet (z. B. Excel).", str(tmp_path / "bericht.xlsx"))
    assert explain(error, tmp_path / "bericht.xlsx") == str(error)
    assert str(error).startswith("Die Datei »bericht.xlsx«")


def test_linux_errors_are_explained_as_before(tmp_path):
    assert "schreibgeschützt" in describe_os_error(OSError(errno.EROFS, "Read-only file system"), tmp_path / "a.pdf")
    assert "zu lang" in describe_os_error(OSError(errno.ENAMETOOLONG, "File name too long"), tmp_path / "a.pdf")
    assert platform.error_code(OSError(errno.EACCES, "Permission denied")) == errno.EACCES
