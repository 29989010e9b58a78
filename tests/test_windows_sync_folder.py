"""The remembered sync folder is found again when the USB stick has another drive letter (E: → F:).

No Windows machine is available: the drive letters are a mapping from letter to a real temporary
folder standing for that drive's root (on Windows ``platform.drive_roots`` gives ``F:\\`` and so on).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app import platform
from app.storage import device as device_state
from app.sync import service
from app.sync.folder import find_again
from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: F401, F811 - fixtures

OWN = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def drives(tmp_path) -> dict[str, Path]:
    roots = {letter: tmp_path / f"laufwerk-{letter}" for letter in "CDFG"}
    for root in roots.values():
        root.mkdir()
    return roots


def _sync_folder(root: Path, *devices: str) -> Path:
    folder = root / "Kurslotse" / "Abgleich"
    for device in devices:
        (folder / device).mkdir(parents=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_stick_with_this_laptops_folder_is_found_under_its_new_letter(drives):
    _sync_folder(drives["D"], OTHER)  # another stick with the same folder name, not ours
    on_f = _sync_folder(drives["F"], OWN, OTHER)
    assert find_again(r"E:\Kurslotse\Abgleich", [OWN], drives) == str(on_f)


def test_an_earlier_device_id_of_this_laptop_counts_as_its_own(drives):
    on_g = _sync_folder(drives["G"], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert find_again(r"E:\Kurslotse\Abgleich", [OWN, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], drives) == str(on_g)


def test_a_single_sync_folder_is_taken_when_this_laptop_never_wrote_there(drives):
    on_f = _sync_folder(drives["F"], OTHER)
    assert find_again("E:/Kurslotse/Abgleich", [OWN], drives) == str(on_f)


def test_two_strangers_leave_the_choice_to_the_trainer(drives):
    _sync_folder(drives["D"], OTHER)
    _sync_folder(drives["F"], "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
    assert find_again(r"E:\Kurslotse\Abgleich", [OWN], drives) == r"E:\Kurslotse\Abgleich"


def test_a_plain_folder_of_the_same_name_is_no_sync_folder(drives):
    _sync_folder(drives["F"])  # empty: no device sub-folders
    assert find_again(r"E:\Kurslotse\Abgleich", [OWN], drives) == r"E:\Kurslotse\Abgleich"


def test_the_letter_it_still_has_wins(drives):
    drives["E"] = drives.pop("G")
    _sync_folder(drives["E"], OTHER)
    _sync_folder(drives["F"], OWN)
    assert find_again(r"E:\Kurslotse\Abgleich", [OWN], drives) == r"E:\Kurslotse\Abgleich"


@pytest.mark.parametrize("remembered", ["/media/anna/STICK/Abgleich", r"\\schulserver\kurse\Abgleich", ""])
def test_paths_without_a_drive_letter_stay_as_they_are(drives, remembered):
    _sync_folder(drives["F"], OWN)
    assert find_again(remembered, [OWN], drives) == remembered


def test_other_systems_have_no_drive_letters(drives):
    _sync_folder(drives["F"], OWN)
    assert find_again(r"E:\Kurslotse\Abgleich", [OWN], {}) == r"E:\Kurslotse\Abgleich"


def test_the_sync_dialog_offers_the_folder_on_the_new_letter(db, drives, qtbot, monkeypatch):
    from app.ui.sync.dialog import SyncDialog

    with db.write_connection() as conn:
        me = device_state.device_id(conn)
    service.remember_folder(db, r"E:\Kurslotse\Abgleich")  # the stick was E: at the last sync
    on_f = _sync_folder(drives["F"], me, OTHER)
    monkeypatch.setattr(platform, "drive_roots", lambda: drives)
    assert service.last_folder(db) == str(on_f)
    dialog = SyncDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.folder_edit.text() == str(on_f)
