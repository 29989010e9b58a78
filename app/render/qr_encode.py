"""QR modules from the maintained ``qrcode`` package, without Qt (the handout's helper process uses it too).

:func:`encode` is what :func:`app.render.qr.qr_modules` caches; it lives here, free of Qt, so
:mod:`app.render.qr_prefetch` can run it in a forked child before Qt is loaded.
"""

from __future__ import annotations


def encode(data: str) -> list[list[bool]]:
    """The dark/light modules of *data* (without quiet zone), error correction level M or better.

    The maintained ``qrcode`` package encodes (no encoder of our own); see :func:`_import_qrcode`.
    """
    qrcode = _import_qrcode()
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


_lazy_pillow = False


def allow_lazy_pillow() -> None:
    """Let :func:`_import_qrcode` defer Pillow; only for a process that runs no other threads."""
    global _lazy_pillow
    _lazy_pillow = True


def _import_qrcode():  # noqa: ANN202 - the qrcode module
    """``import qrcode`` without executing Pillow, which only qrcode's image output uses.

    qrcode imports its Pillow module drawers at import time "for backwards compatibility"; we
    only read the module matrix, so Pillow's ``Image``/``ImageDraw`` are registered as lazy
    modules (stdlib ``importlib.util.LazyLoader``): they run on first attribute access, i.e.
    never on the handout command's path, and normally for any later user in the same process.
    Saves about 0.02 s CPU per handout; only after :func:`allow_lazy_pillow` (the handout command).
    """
    import sys

    # Python 3.11's lazy modules have no lock, and the window runs Python in Qt's worker threads
    # (which ``threading`` does not count): only the one-shot handout command asks for this.
    if _lazy_pillow and "qrcode" not in sys.modules:
        for name in ("PIL.Image", "PIL.ImageDraw"):
            _lazy_module(name)
    import qrcode

    return qrcode


def _lazy_module(name: str) -> None:
    import importlib.util
    import sys

    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)
