"""Which link addresses a lesson may contain: only complete https addresses."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_problem(url: str) -> str | None:
    """A German explanation why *url* is not allowed, or None when it is a proper https link."""
    if not url:
        return "Der Link hat keine Adresse."
    if any(ch.isspace() for ch in url):
        return f"Die Link-Adresse »{url}« enthält Leerzeichen."
    scheme = _SCHEME.match(url)
    if scheme is None:
        return f"Der Link »{url}« ist keine vollständige Adresse; sie muss mit »https://« beginnen."
    kind = scheme.group(1).lower()
    if kind == "http":
        return f"Der Link »{url}« ist nicht verschlüsselt: bitte »https://« statt »http://« verwenden."
    if kind != "https":
        return f"Links der Art »{kind}:« sind nicht erlaubt (»{url}«); nur »https://«-Adressen."
    parts = urlsplit(url)
    host = parts.hostname or ""
    if "@" in parts.netloc:
        return f"Die Link-Adresse »{url}« enthält Zugangsdaten (»@«); das ist nicht erlaubt."
    if "." not in host or host.startswith(".") or host.endswith("."):
        return f"Die Link-Adresse »{url}« hat keinen gültigen Servernamen."
    if len(url) > 500:
        return "Die Link-Adresse ist länger als 500 Zeichen."
    return None
