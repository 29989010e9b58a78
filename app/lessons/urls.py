"""Which link addresses a lesson may contain: only complete https addresses that show what they do.

The handout prints the address beside its QR code, so the printed text must be the address the
code holds: invisible control and bidi characters (which reorder what is shown) are refused, a
port must be a real port number, and a host name that mixes writing systems (Cyrillic »а« in a
Latin name) gets a warning that shows the name as the browser really sees it (punycode).
No regular expressions: addresses come from strangers.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_URL_CHARS = 500
_SCHEME_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SCHEME_REST = _SCHEME_FIRST | frozenset("0123456789+.-")


def _scheme(url: str) -> str | None:
    colon = url.find(":")
    if colon < 1 or url[0] not in _SCHEME_FIRST or any(char not in _SCHEME_REST for char in url[1:colon]):
        return None
    return url[:colon]


def shown(text: str) -> str:
    """*text* with each control or format character shown as its code point (⟨U+202E⟩): no reordering."""
    return "".join(f"⟨U+{ord(char):04X}⟩" if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                   for char in text)


def url_problem(url: str) -> str | None:
    """A German explanation why *url* is not allowed, or None when it is a proper https link."""
    if not url:
        return "Der Link hat keine Adresse."
    if len(url) > MAX_URL_CHARS:
        return f"Die Link-Adresse ist länger als {MAX_URL_CHARS} Zeichen."
    hidden = next((char for char in url if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")), None)
    if hidden is not None:
        return (f"Die Link-Adresse »{shown(url)}« enthält ein unsichtbares Steuerzeichen (U+{ord(hidden):04X}); "
                "gedruckte Adresse und QR-Code könnten sich unterscheiden. Bitte die Adresse neu eintippen.")
    if any(ch.isspace() for ch in url):
        return f"Die Link-Adresse »{url}« enthält Leerzeichen."
    scheme = _scheme(url)
    if scheme is None:
        return f"Der Link »{url}« ist keine vollständige Adresse; sie muss mit »https://« beginnen."
    kind = scheme.lower()
    if kind == "http":
        return f"Der Link »{url}« ist nicht verschlüsselt: bitte »https://« statt »http://« verwenden."
    if kind != "https":
        return f"Links der Art »{kind}:« sind nicht erlaubt (»{url}«); nur »https://«-Adressen."
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"Die Link-Adresse »{url}« ist nicht lesbar."
    host = parts.hostname or ""
    if "@" in parts.netloc:
        return f"Die Link-Adresse »{url}« enthält Zugangsdaten (»@«); das ist nicht erlaubt."
    if "." not in host or host.startswith(".") or host.endswith(".") or ".." in host:
        return f"Die Link-Adresse »{url}« hat keinen gültigen Servernamen."
    port_problem = _port_problem(parts.netloc, url)
    if port_problem:
        return port_problem
    if any(not (char.isalnum() or char in "-.") for char in host):
        return f"Der Servername »{host}« in »{url}« enthält Zeichen, die in Adressen nicht vorkommen."
    if _punycode(host) is None:
        return f"Der Servername »{host}« in »{url}« ist ungültig."
    return None


def url_warning(url: str) -> str | None:
    """A German warning for an allowed address that may not be what it looks like (mixed scripts)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    if host.isascii():
        return None
    scripts = _scripts(host)
    if len(scripts) <= 1:
        return None
    ascii_name = _punycode(host) or host
    return (f"Der Servername »{host}« mischt Schriften ({', '.join(sorted(scripts))}) und kann eine bekannte "
            f"Adresse vortäuschen; der Browser öffnet in Wahrheit »{ascii_name}«. Bitte prüfen.")


def _port_problem(netloc: str, url: str) -> str | None:
    host_port = netloc.rsplit("@", 1)[-1]
    if host_port.startswith("["):
        return f"Die Link-Adresse »{url}« nennt eine IP-Adresse statt eines Servernamens."
    if ":" not in host_port:
        return None
    port = host_port.rsplit(":", 1)[1]
    if not port:
        return f"In der Link-Adresse »{url}« steht ein »:« ohne Portnummer."
    if not port.isascii() or not port.isdigit() or len(port) > 5 or not 1 <= int(port) <= 65535:
        return f"Die Portnummer »{port}« in »{url}« ist ungültig (erlaubt: 1 bis 65535)."
    return None


def _scripts(host: str) -> set[str]:
    """Writing systems of the letters in *host* (digits, hyphens and dots belong to none)."""
    found = set()
    for char in host:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        found.add(name.split(" ", 1)[0] if name else "UNBEKANNT")
    names = {"LATIN": "lateinisch", "CYRILLIC": "kyrillisch", "GREEK": "griechisch", "ARMENIAN": "armenisch",
             "CHEROKEE": "Cherokee", "HEBREW": "hebräisch", "ARABIC": "arabisch"}
    return {names.get(script, script.lower()) for script in found}


def _punycode(host: str) -> str | None:
    try:
        return host.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return None
