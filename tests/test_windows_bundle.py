"""Bundle recipe (build.spec): what goes into the download, and the Windows parts.

Windows: none of it can be built here (PyInstaller's Windows parts and Inno Setup run on Windows
only); these tests check what can be checked on Linux: the files exist, the icon has the Windows
sizes, the version resource text is well-formed and carries app.__version__, the installer points
at the bundle that build.spec makes.

Linux: the rules that leave Qt plugins, translations and libraries out keep what the program
loads (measured with strace on the bundle, see README »CI«), and what the bundle leaves out of
Python (its OpenSSL modules) is not needed by the program. Building the bundle itself is CI's job
(.ci/run), too slow for a test.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


def _spec_rules() -> dict:
    """The constants and filter functions of build.spec, run without PyInstaller."""
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    wanted = {"KEEP_TRANSLATIONS", "DROP_PLUGIN_DIRS", "DROP_PLUGINS", "DROP_LIBRARY_PREFIXES",
              "SYSTEM_LIBRARY_PREFIXES", "_plugin_wanted", "_wanted"}
    nodes = [node for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name in wanted
             or isinstance(node, ast.Assign) and {getattr(t, "id", None) for t in node.targets} & wanted]
    namespace: dict = {"sys": sys, "Path": Path}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "build.spec", "exec"), namespace)
    assert wanted <= set(namespace)
    return namespace


@pytest.mark.skipif(sys.platform != "linux", reason="plugin and library names of the Linux wheel")
def test_spec_keeps_the_qt_plugins_the_program_loads_and_leaves_out_the_rest():
    rules = _spec_rules()
    plugin_wanted = rules["_plugin_wanted"]
    # loaded in the bundle's smoke runs (offscreen, and X11 under Xvfb) or when printing / typing
    for plugin_type, name in [("platforms", "libqxcb.so"), ("platforms", "libqoffscreen.so"),
                              ("printsupport", "libcupsprintersupport.so"), ("imageformats", "libqsvg.so"),
                              ("imageformats", "libqjpeg.so"), ("iconengines", "libqsvgicon.so"),
                              ("platforminputcontexts", "libibusplatforminputcontextplugin.so"),
                              ("platforminputcontexts", "libcomposeplatforminputcontextplugin.so")]:
        assert plugin_wanted(plugin_type, name), (plugin_type, name)
    for plugin_type, name in [("xcbglintegrations", "libqxcb-glx-integration.so"), ("platformthemes", "libqgtk3.so"),
                              ("tls", "libqopensslbackend.so"), ("platforms", "libqwayland.so"),
                              ("imageformats", "libqwebp.so"), ("networkinformation", "libqglib.so"),
                              ("wayland-shell-integration", "libxdg-shell.so"), ("egldeviceintegrations", "libqeglfs-kms.so")]:
        assert not plugin_wanted(plugin_type, name), (plugin_type, name)
    wanted = rules["_wanted"]
    assert wanted("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert not wanted("PySide6/Qt/plugins/xcbglintegrations/libqxcb-egl-integration.so")
    assert wanted("PySide6/Qt/translations/qtbase_de.qm") and not wanted("PySide6/Qt/translations/qtbase_fr.qm")


@pytest.mark.skipif(sys.platform != "linux", reason="names of Linux shared libraries")
def test_spec_leaves_cups_to_the_system_and_keeps_what_qt_links():
    wanted = _spec_rules()["_wanted"]
    # CUPS and the TLS/Kerberos/Avahi libraries only libcups needs: the system's libcups is used
    for name in ("libcups.so.2", "libgnutls.so.30", "libgssapi_krb5.so.2", "libkrb5.so.3", "libavahi-client.so.3",
                 "libp11-kit.so.0", "libunistring.so.2", "libnettle.so.8", "libgmp.so.10"):
        assert not wanted(name), name
    # what libQt6Core/Gui/DBus, Python and Pillow link against stays
    for name in ("PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6DBus.so.6", "libdbus-1.so.3",
                 "libglib-2.0.so.0", "libfontconfig.so.1", "libfreetype.so.6", "libsystemd.so.0", "libsqlite3.so.0",
                 "PySide6/Qt/lib/libicuuc.so.73", "pillow.libs/libjpeg-6dc8d115.so.62.4.0", "libX11.so.6",
                 "libxkbcommon.so.0", "libpython3.11.so.1.0", "libcupsprintersupport.so"):
        assert wanted(name), name


def test_spec_leaves_out_python_openssl_and_the_program_does_not_need_it():
    """build.spec excludes ssl/_hashlib; hashlib then runs on Python's built-in SHA-256."""
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert all(f'"{module}"' in spec for module in ("ssl", "_ssl", "_hashlib"))
    # only hash functions with a built-in fallback (no scrypt, pbkdf2_hmac, file_digest needs none either)
    used = set()
    for path in (ROOT / "app").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import ssl|from ssl import)", source, re.MULTILINE), path
        used |= set(re.findall(r"\bhashlib\.(\w+)", source))
    assert used and used <= {"sha256", "sha512", "sha1", "md5", "blake2b", "blake2s", "sha3_256", "file_digest"}, used
    # the interpreter with the OpenSSL modules missing, as in the bundle
    probe = """
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("_ssl", "_hashlib", "ssl"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Missing())
import hashlib, asyncio, hmac, secrets, sqlalchemy
import app.lessons.package, app._bootstrap
print(hashlib.sha256(b"abc").hexdigest())
print(hmac.new(b"key", b"The quick brown fox jumps over the lazy dog", "sha256").hexdigest())
try:
    import ssl
except ModuleNotFoundError:
    print("no ssl")
"""
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",  # FIPS 180-2 example »abc«
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",  # the textbook HMAC-SHA256 example (key »key«)
        "no", "ssl",
    ]
    assert "hash" not in result.stderr.lower()  # hashlib logs a missing built-in hash as an error


def test_bundle_asks_for_x11_on_a_wayland_desktop_and_keeps_a_chosen_platform(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # loading the hook runs it on this process's environment
    spec = importlib.util.spec_from_file_location("qt_platform_hook", ROOT / "installer" / "qt_platform_hook.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    choose = hook.choose_platform
    wayland_desktop = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    choose(wayland_desktop, "linux")
    assert wayland_desktop["QT_QPA_PLATFORM"] == "xcb"
    chosen = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}
    choose(chosen, "linux")
    assert chosen["QT_QPA_PLATFORM"] == "offscreen"
    no_display = {"WAYLAND_DISPLAY": "wayland-0"}  # no XWayland: leave Qt's own choice and error
    choose(no_display, "linux")
    assert "QT_QPA_PLATFORM" not in no_display
    windows = {"DISPLAY": ":0"}
    choose(windows, "win32")
    assert "QT_QPA_PLATFORM" not in windows
    assert '"installer" / "qt_platform_hook.py"' in (ROOT / "build.spec").read_text(encoding="utf-8")
