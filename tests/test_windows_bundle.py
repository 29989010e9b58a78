"""Windows bundle recipe: icon, version resource and installer script fit the package and each other.

None of this can be built here (PyInstaller's Windows parts and Inno Setup run on Windows only);
these tests check what can be checked on Linux: the files exist, the icon has the Windows sizes,
the version resource text is well-formed and carries app.__version__, the installer points at
the bundle that build.spec makes.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

from PIL import Image

import app

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("windows_version", ROOT / "installer" / "windows_version.py")
windows_version = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(windows_version)


def test_icon_has_the_sizes_windows_asks_for():
    icon = Image.open(ROOT / "ressourcen" / "programmsymbol" / "kurslotse.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(icon.info["sizes"])
    png = Image.open(ROOT / "ressourcen" / "programmsymbol" / "kurslotse.png")
    assert png.size == (256, 256)
    assert "CC0" in (ROOT / "ressourcen" / "programmsymbol" / "LIZENZ.txt").read_text(encoding="utf-8")


def test_version_numbers_for_windows():
    assert windows_version.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert windows_version.version_tuple("1.4") == (1, 4, 0, 0)
    assert windows_version.version_tuple("2.0.1rc1") == (2, 0, 1, 0)
    assert windows_version.version_tuple("3.1.4.1.5") == (3, 1, 4, 1)


def test_version_resource_is_pyinstaller_notation_with_the_package_version():
    text = windows_version.version_resource_text("kurslotse", app.__version__, "kurslotse.exe")
    built: dict[str, list] = {}

    def recorder(kind: str):
        def make(*args, **kwargs):
            built.setdefault(kind, []).append((args, kwargs))
            return kind
        return make

    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct"]
    ast.parse(text, mode="eval")  # one expression, as PyInstaller's loader eval()s it
    assert eval(text, {"__builtins__": {}}, {name: recorder(name) for name in names}) == "VSVersionInfo"
    fixed = built["FixedFileInfo"][0][1]
    expected = tuple(int(part) for part in re.findall(r"\d+", app.__version__)[:4])
    assert fixed["filevers"][:len(expected)] == expected and fixed["prodvers"] == fixed["filevers"]
    strings = dict(args for args, _ in built["StringStruct"])
    assert strings["ProductVersion"] == app.__version__
    assert strings["OriginalFilename"] == "kurslotse.exe" and strings["ProductName"] == "Kurslotse"
    assert built["StringTable"][0][0][0] == "040704b0"  # German, Unicode


def test_installer_script_points_at_the_bundle_and_the_icon():
    raw = (ROOT / "installer" / "kurslotse.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Inno Setup reads umlauts correctly only from UTF-8 with BOM
    script = raw.decode("utf-8-sig")
    bundle = re.search(r'#define BundleDir "([^"]+)"', script).group(1)
    assert bundle.replace("\\", "/") == "../dist/kurslotse"  # build.spec: COLLECT(..., name="kurslotse")
    icon = re.search(r"^SetupIconFile=(.+)$", script, re.MULTILINE).group(1)
    assert (ROOT / "installer" / icon.replace("\\", "/")).is_file()
    assert "compiler:Languages\\German.isl" in script
    assert "PrivilegesRequired=lowest" in script  # no administrator needed


def test_spec_makes_the_console_program_the_installer_and_readme_describe():
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    compile(spec, "build.spec", "exec")
    assert 'f"{NAME}.com"' in spec and "console=True" in spec and "icon=windows_icon" in spec
