"""The passphrase check of an encrypted sync folder: a small verifier file next to the device folders.

Without it a mistyped passphrase went unnoticed: a laptop that had read every file already found
nothing it failed to decrypt, wrote its new file under the wrong key, and every other laptop refused
that file for good. The first encrypted sync writes ``kurslotse-passwortpruefung.json``: the scrypt
parameters, a salt and a known text sealed with AES-256-GCM under the key of the passphrase. Every
later sync opens it first; a passphrase that cannot open it is refused before anything is written.

A folder without the file (older Kurslotse, or not encrypted yet) is checked against the encrypted
sync files already there: if none of them opens with the passphrase, it is refused the same way.
The verifier protects against typos, not against an attacker: whoever can write the folder can
delete it (and then every laptop notices that its own passphrase still opens the other files).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.atomic_write import write_bytes_atomically
from app.sync import fileformat

VERIFIER_NAME = "kurslotse-passwortpruefung.json"
_SEALED_TEXT = b"Kurslotse: Passwort des Abgleich-Ordners stimmt"
_MAX_SIZE = 4096


class KeyCheckError(Exception):
    """The passphrase does not fit the folder (or its check file is damaged); German message."""


@dataclass(frozen=True)
class Verifier:
    """The parsed check file."""

    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    sealed: bytes

    @property
    def fingerprint(self) -> str:
        """Identifies this verifier (a new one means: check the own files against it once)."""
        return hashlib.sha256(self.salt + self.nonce + self.sealed).hexdigest()[:32]


def verifier_path(root: Path) -> Path:
    return root / VERIFIER_NAME


def read_verifier(root: Path) -> Verifier | None:
    """The folder's verifier, ``None`` if there is none; KeyCheckError if it cannot be used."""
    path = verifier_path(root)
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_SIZE + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KeyCheckError(f"Die Passwortprüfung {path} kann nicht gelesen werden ({error}). "
                            "Es wurde nichts geschrieben.") from error
    try:
        if len(data) > _MAX_SIZE:
            raise ValueError("zu groß")
        doc = json.loads(data.decode("utf-8"))
        kdf = doc["kdf"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if doc.get("cipher") != fileformat.CIPHER or kdf.get("name") != "scrypt":
            raise ValueError("unbekanntes Verfahren")
        if not (2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4):
            raise ValueError("Parameter")
        verifier = Verifier(
            salt=base64.b64decode(kdf["salt"], validate=True), n=n, r=r, p=p,
            nonce=base64.b64decode(doc["nonce"], validate=True), sealed=base64.b64decode(doc["check"], validate=True),
        )
        if len(verifier.nonce) != 12 or not 8 <= len(verifier.salt) <= 64 or len(verifier.sealed) > 256:
            raise ValueError("Längen")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise KeyCheckError(
            f"Die Passwortprüfung {path} ist beschädigt ({error}). Es wurde nichts geschrieben. "
            "Wenn alle Laptops dasselbe Passwort benutzen, kann die Datei gelöscht werden; "
            "der nächste Abgleich legt sie neu an."
        ) from None
    return verifier


def opens(verifier: Verifier, passphrase: str) -> bool:
    """Whether *passphrase* is the one the verifier was sealed with."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = fileformat.derive_key(passphrase, verifier.salt, verifier.n, verifier.r, verifier.p)
    try:
        return AESGCM(key).decrypt(verifier.nonce, verifier.sealed, b"kurslotse-passwortpruefung") == _SEALED_TEXT
    except InvalidTag:
        return False


def write_verifier(root: Path, passphrase: str) -> Verifier:
    """Seal the known text under *passphrase* and write the check file (only if there is none yet)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = fileformat.new_salt(), os.urandom(12)
    params = fileformat.SCRYPT
    key = fileformat.derive_key(passphrase, salt, params["n"], params["r"], params["p"])
    sealed = AESGCM(key).encrypt(nonce, _SEALED_TEXT, b"kurslotse-passwortpruefung")
    doc = {
        "hinweis": "Prüft das Passwort dieses Kurslotse-Abgleich-Ordners. Enthält keine Daten.",
        "cipher": fileformat.CIPHER, "nonce": base64.b64encode(nonce).decode("ascii"),
        "kdf": {"name": "scrypt", **params, "salt": base64.b64encode(salt).decode("ascii")},
        "check": base64.b64encode(sealed).decode("ascii"),
    }
    path = verifier_path(root)
    if not path.exists():
        write_bytes_atomically(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    return Verifier(salt, params["n"], params["r"], params["p"], nonce, sealed)


WRONG_PASSPHRASE = ("Das Passwort passt nicht zum Abgleich-Ordner {root}. Es wurde nichts geschrieben und "
                    "nichts übernommen. Bitte das Passwort prüfen, das die anderen Laptops für diesen Ordner "
                    "benutzen (Groß- und Kleinschreibung beachten).")
