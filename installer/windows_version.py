"""The Windows version resource of kurslotse.exe (Explorer → Eigenschaften → Details), from the package.

``build.spec`` writes :func:`version_resource_text` into the build folder and hands the file to
PyInstaller (``EXE(version=...)``); the text is PyInstaller's ``VSVersionInfo`` notation. The
Inno Setup script reads the version back from the built program, so there is one source: ``app.__version__``.
"""

from __future__ import annotations

import re

COMPANY = "Kurslotse-Projekt (ehrenamtlich)"
DESCRIPTION = "Kurslotse – Unterrichtsbegleiter für Smartphone-Kurse"
LANGUAGE_GERMAN = 0x0407
CODEPAGE_UNICODE = 1200


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"0.1.0"`` → ``(0, 1, 0, 0)``; a suffix such as ``rc1`` or ``.dev3`` is left out (four numbers only)."""
    release = re.match(r"\d+(?:\.\d+)*", version.strip())
    numbers = [int(part) for part in release.group(0).split(".")][:4] if release else []
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def version_resource_text(name: str, version: str, file_name: str) -> str:
    """The version resource of the program file *file_name* (``kurslotse.exe``) as PyInstaller text."""
    numbers = version_tuple(version)
    dotted = ".".join(str(n) for n in numbers)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": dotted,
        "InternalName": name,
        "LegalCopyright": "Freie Software (MIT-Lizenz)",
        "OriginalFilename": file_name,
        "ProductName": name.capitalize() if name.islower() else name,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({key!r}, {value!r})" for key, value in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '{LANGUAGE_GERMAN:04x}{CODEPAGE_UNICODE:04x}',
        [{table}])
    ]),
    VarFileInfo([VarStruct('Translation', [{LANGUAGE_GERMAN}, {CODEPAGE_UNICODE}])])
  ]
)
"""
