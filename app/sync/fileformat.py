"""The sync file: magic, format version, header (device, sequence number, …), body, SHA-256 checksum.

Layout (all lengths big-endian)::

    b"KURSLOTSE-ABGLEICH\\n" | version u16 | header length u32 | header JSON | body length u64 | body | SHA-256

The checksum covers every byte before it, so a truncated or damaged file is refused before
anything in it is believed. The body is zlib-compressed JSON of the operations; with a passphrase
it is encrypted with AES-256-GCM under a key derived by scrypt (the salt travels in the header,
the header is authenticated too). A file is decoded completely — every operation checked —
before the merge applies any of it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from app import __version__
from app.storage.changelog import ERASE_FIELD, Op, check_value
from app.storage.models import SCHEMA_VERSION

MAGIC = b"KURSLOTSE-ABGLEICH\n"
FORMAT_VERSION = 1
SUFFIX = ".klsync"
CIPHER = "AES-256-GCM"
MAX_HEADER = 64 * 1024
MAX_FILE = 64 * 1024 * 1024  # whole file; checked against the size before anything is read
MAX_BODY = MAX_FILE
MAX_PLAIN = 256 * 1024 * 1024  # decompressed body
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_CHECKSUM_LEN = 32
_DEVICE_RE = re.compile(r"^[0-9a-f]{32}$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Why a file was refused; each has its own German message.
FOREIGN = "fremd"
NEWER = "neuer"
DAMAGED = "beschaedigt"
NEED_PASSWORD = "passwort-fehlt"
WRONG_PASSWORD = "passwort-falsch"
WRONG_PLACE = "falscher-ort"
INVALID = "ungueltig"


class RefusedFile(Exception):
    """A file that is not imported; ``message`` is German and names the file."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class FileContent:
    """A decoded, checked sync file."""

    device: str
    device_name: str
    seq: int
    schema: int
    ops: list[Op]
    encrypted: bool
    checksum: str
    created: str


@dataclass(frozen=True)
class Header:
    """What can be read from a file without the passphrase."""

    device: str
    seq: int
    encrypted: bool


# --------------------------------------------------------------------------- keys

_keys: dict[tuple[str, bytes, int, int, int], bytes] = {}


def derive_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """scrypt key for *passphrase*; cached, so a folder of many files costs one derivation per device."""
    cache_key = (passphrase, salt, n, r, p)
    key = _keys.get(cache_key)
    if key is None:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
        _keys[cache_key] = key
    return key


def new_salt() -> bytes:
    return os.urandom(16)


# --------------------------------------------------------------------------- writing

def encode_file(
    device: str, device_name: str, seq: int, ops: list[Op], passphrase: str | None = None,
    salt: bytes | None = None,
) -> bytes:
    """The bytes of a sync file holding *ops* (encrypted when a passphrase is given)."""
    devices: dict[str, int] = {}

    def index(name: str) -> int:
        return devices.setdefault(name, len(devices))

    rows = [
        [op.hlc, index(op.device), op.table, op.record, op.field, op.value, [[h, index(d)] for h, d in op.prev]]
        for op in ops
    ]
    body = zlib.compress(
        json.dumps({"devices": list(devices), "ops": rows}, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        6,
    )
    header: dict[str, Any] = {
        "device": device, "device_name": device_name, "seq": seq, "schema": SCHEMA_VERSION, "ops": len(ops),
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "program": __version__,
        "cipher": None, "kdf": None, "nonce": None,
    }
    nonce = b""
    if passphrase:
        salt = salt or new_salt()
        nonce = os.urandom(12)
        header.update(cipher=CIPHER, nonce=base64.b64encode(nonce).decode("ascii"),
                      kdf={"name": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode("ascii")})
    header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if passphrase:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        assert salt is not None
        key = derive_key(passphrase, salt, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"])
        # The ciphertext is 16 bytes longer than the plaintext (the GCM tag).
        prefix = MAGIC + struct.pack(">HI", FORMAT_VERSION, len(header_bytes)) + header_bytes \
            + struct.pack(">Q", len(body) + 16)
        body = AESGCM(key).encrypt(nonce, body, prefix)
    else:
        prefix = MAGIC + struct.pack(">HI", FORMAT_VERSION, len(header_bytes)) + header_bytes \
            + struct.pack(">Q", len(body))
    data = prefix + body
    return data + hashlib.sha256(data).digest()


# --------------------------------------------------------------------------- reading

def _split(data: bytes, label: str) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """Check magic, version, lengths and checksum; return header, header prefix, body, checksum."""
    if not data:
        raise RefusedFile(DAMAGED, f"{label}: Die Datei ist leer (vielleicht noch nicht fertig übertragen). "
                                   "Nichts daraus wurde übernommen.")
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            raise RefusedFile(DAMAGED, f"{label}: Die Datei ist unvollständig (abgeschnitten). "
                                       "Nichts daraus wurde übernommen.")
        raise RefusedFile(FOREIGN, f"{label}: Das ist keine Kurslotse-Abgleichdatei (fremde Datei). "
                                   "Sie wurde nicht übernommen.")
    fixed = len(MAGIC) + 6
    if len(data) < fixed:
        raise RefusedFile(DAMAGED, f"{label}: Die Datei ist unvollständig (abgeschnitten). Nichts daraus wurde übernommen.")
    version, header_len = struct.unpack(">HI", data[len(MAGIC):fixed])
    if version > FORMAT_VERSION:
        raise RefusedFile(NEWER, f"{label}: Die Datei stammt aus einer neueren Kurslotse-Version "
                                 f"(Dateiformat {version}, dieses Programm kennt Format {FORMAT_VERSION}). "
                                 "Bitte Kurslotse aktualisieren. Nichts daraus wurde übernommen.")
    if version < 1 or header_len > MAX_HEADER:
        raise RefusedFile(DAMAGED, f"{label}: Die Datei ist beschädigt (Kopf unlesbar). Nichts daraus wurde übernommen.")
    body_at = fixed + header_len + 8
    if len(data) < body_at + _CHECKSUM_LEN:
        raise RefusedFile(DAMAGED, f"{label}: Die Datei ist unvollständig (abgeschnitten). Nichts daraus wurde übernommen.")
    (body_len,) = struct.unpack(">Q", data[fixed + header_len:body_at])
    expected = body_at + body_len + _CHECKSUM_LEN
    if body_len > MAX_BODY or len(data) != expected:
        what = "unvollständig (abgeschnitten)" if len(data) < expected else "beschädigt (Länge stimmt nicht)"
        raise RefusedFile(DAMAGED, f"{label}: Die Datei ist {what}. Nichts daraus wurde übernommen.")
    checksum = data[-_CHECKSUM_LEN:]
    if hashlib.sha256(data[:-_CHECKSUM_LEN]).digest() != checksum:
        raise RefusedFile(DAMAGED, f"{label}: Die Datei ist beschädigt (Prüfsumme stimmt nicht). "
                                   "Nichts daraus wurde übernommen.")
    try:
        header = json.loads(data[fixed:fixed + header_len].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("Kopf ist kein Objekt")
    except (UnicodeDecodeError, ValueError) as error:
        raise RefusedFile(INVALID, f"{label}: Der Dateikopf ist ungültig ({error}). Nichts daraus wurde übernommen.") from None
    return header, data[:body_at], data[body_at:-_CHECKSUM_LEN], checksum


def _invalid(label: str, why: str) -> RefusedFile:
    return RefusedFile(INVALID, f"{label}: Die Datei enthält ungültige Daten ({why}). Nichts daraus wurde übernommen.")


def _check_header(header: dict[str, Any], label: str) -> tuple[str, int, int]:
    device, seq, schema = header.get("device"), header.get("seq"), header.get("schema")
    if not isinstance(device, str) or not _DEVICE_RE.match(device):
        raise _invalid(label, "Geräte-Kennung fehlt")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 10**8:
        raise _invalid(label, "Laufnummer fehlt")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise _invalid(label, "Datenversion fehlt")
    if schema > SCHEMA_VERSION:
        raise RefusedFile(NEWER, f"{label}: Die Datei stammt aus einer neueren Kurslotse-Version "
                                 f"(Datenversion {schema}, dieses Programm kennt bis Version {SCHEMA_VERSION}). "
                                 "Bitte Kurslotse aktualisieren. Nichts daraus wurde übernommen.")
    return device, seq, schema


def read_header(data: bytes, label: str) -> Header:
    """Device, number and encryption of a file (checked, but not decrypted)."""
    header, _prefix, _body, _checksum = _split(data, label)
    device, seq, _schema = _check_header(header, label)
    return Header(device, seq, header.get("cipher") is not None)


def peek_encrypted(path: Any) -> bool | None:
    """Whether the file at *path* says it is encrypted (a hint from its head; ``None``: unreadable)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(MAGIC) + 6)
            if len(head) < len(MAGIC) + 6 or not head.startswith(MAGIC):
                return None
            _version, header_len = struct.unpack(">HI", head[len(MAGIC):])
            if header_len > MAX_HEADER:
                return None
            header = json.loads(handle.read(header_len).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return isinstance(header, dict) and header.get("cipher") is not None


def decode_file(
    data: bytes, label: str, passphrase: str | None = None, device: str | None = None, seq: int | None = None,
) -> FileContent:
    """Check and decode a whole file; raise RefusedFile (nothing is applied) for any problem.

    *device* and *seq* are what the file's place in the folder says; a file claiming another
    device or number is refused.
    """
    header, prefix, body, checksum = _split(data, label)
    file_device, file_seq, schema = _check_header(header, label)
    if device is not None and (file_device != device or (seq is not None and file_seq != seq)):
        raise RefusedFile(WRONG_PLACE, f"{label}: Die Datei gehört laut Inhalt zu Gerät {file_device} "
                                       f"(Nr. {file_seq}), liegt aber an anderer Stelle. Nichts daraus wurde übernommen.")
    cipher = header.get("cipher")
    if cipher is not None:
        body = _decrypt(header, prefix, body, label, passphrase)
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(body, MAX_PLAIN)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("zu groß oder unvollständig")  # a »zip bomb« must not fill the memory
        payload = json.loads(raw.decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, ValueError):
        raise _invalid(label, "Inhalt nicht lesbar") from None
    ops = _ops_of(payload, label)
    if header.get("ops") != len(ops):
        raise _invalid(label, "Anzahl der Änderungen stimmt nicht")
    name = header.get("device_name")
    return FileContent(
        device=file_device, device_name=name if isinstance(name, str) else "", seq=file_seq, schema=schema,
        ops=ops, encrypted=cipher is not None, checksum=checksum.hex(), created=str(header.get("created", "")),
    )


def _decrypt(header: dict[str, Any], prefix: bytes, body: bytes, label: str, passphrase: str | None) -> bytes:
    if header.get("cipher") != CIPHER:
        raise RefusedFile(NEWER, f"{label}: Die Datei ist mit einem unbekannten Verfahren verschlüsselt "
                                 f"({header.get('cipher')}). Bitte Kurslotse aktualisieren. Nichts daraus wurde übernommen.")
    if not passphrase:
        raise RefusedFile(NEED_PASSWORD, f"{label}: Die Datei ist verschlüsselt. Bitte das Passwort des "
                                         "Abgleich-Ordners angeben. Nichts daraus wurde übernommen.")
    kdf = header.get("kdf")
    try:
        assert isinstance(kdf, dict) and kdf.get("name") == "scrypt"
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        # Limits, so a crafted header cannot make the key derivation take minutes or gigabytes.
        assert 2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        assert len(nonce) == 12 and 8 <= len(salt) <= 64
    except (AssertionError, KeyError, TypeError, ValueError):
        raise _invalid(label, "Angaben zur Verschlüsselung fehlen") from None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(derive_key(passphrase, salt, n, r, p)).decrypt(nonce, body, prefix)
    except InvalidTag:
        raise RefusedFile(WRONG_PASSWORD, f"{label}: Das Passwort passt nicht zu dieser Datei. "
                                          "Nichts daraus wurde übernommen.") from None


def _ops_of(payload: Any, label: str) -> list[Op]:
    if not isinstance(payload, dict) or not isinstance(payload.get("devices"), list) \
            or not isinstance(payload.get("ops"), list):
        raise _invalid(label, "Aufbau falsch")
    devices = payload["devices"]
    if not all(isinstance(d, str) and _DEVICE_RE.match(d) for d in devices):
        raise _invalid(label, "Geräteliste falsch")
    ops: list[Op] = []
    checked: dict[tuple[str, str, str | None], str | None] = {}
    valid_records: set[str] = set()  # a record's several fields: its id is matched once
    # index -> device id; JSON gives plain ints, so the class check excludes booleans as _index does
    device_at = dict(enumerate(devices))
    try:
        for row in payload["ops"]:
            hlc, dev, table, record, name, value, prev = row
            if not isinstance(hlc, int) or isinstance(hlc, bool) or not 0 < hlc < 2**63:
                raise ValueError("Zeitstempel")
            if not isinstance(record, str) or (record not in valid_records and not _UUID_RE.match(record)):
                raise ValueError("Datensatz-Kennung")
            valid_records.add(record)
            if not isinstance(value, (str, type(None))) or not isinstance(table, str) or not isinstance(name, str):
                raise ValueError("Wert")
            if name == ERASE_FIELD:
                value = None
            elif value is None:
                raise ValueError("Wert fehlt")
            key = (table, name, value)
            problem = checked[key] if key in checked else checked.setdefault(key, check_value(table, name, value))
            if problem:
                raise ValueError(problem)
            # nearly every operation has no earlier stamps: skip building an empty tuple from a generator
            stamps = () if prev.__class__ is list and not prev else \
                tuple((_stamp_hlc(h), devices[_index(d, devices)]) for h, d in prev)
            device = device_at.get(dev) if dev.__class__ is int else None
            if device is None:
                raise ValueError("Geräteverweis")
            ops.append(Op(hlc, device, table, record, name, value, stamps))
    except (ValueError, TypeError, IndexError) as error:
        raise _invalid(label, str(error) or "Änderung falsch") from None
    return ops


def _index(value: Any, devices: list[str]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(devices):
        raise ValueError("Geräteverweis")
    return value


def _stamp_hlc(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise ValueError("Zeitstempel")
    return value


def opens_with(data: bytes, passphrase: str) -> bool | None:
    """Whether *passphrase* decrypts the intact encrypted sync file *data* (no operation is parsed).

    ``None``: the file cannot tell (damaged, not encrypted, unknown cipher).
    """
    try:
        header, prefix, body, _checksum = _split(data, "")
        if header.get("cipher") is None:
            return None
        _decrypt(header, prefix, body, "", passphrase)
    except RefusedFile as refused:
        return False if refused.reason == WRONG_PASSWORD else None
    return True
