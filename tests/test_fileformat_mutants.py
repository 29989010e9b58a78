"""The sync file format pinned byte by byte: layout, every refusal with its German message, every limit.

Written to kill the mutants `mutmut` found in app/sync/fileformat.py (see tests/mutation-survivors.md).
The test reads and builds files with its own parser of the documented layout
(magic | version u16 | header length u32 | header JSON | body length u64 | body | SHA-256), so a
change of the layout or of a check fails here with the file and the message that changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import zlib

import pytest

from app.storage.changelog import Op
from app.sync import fileformat
from app.sync.fileformat import (
    RefusedFile,
    decode_file,
    encode_file,
    opens_with,
    peek_encrypted,
    read_header,
)

DEV_A = "0123456789abcdef" * 2
DEV_B = "fedcba9876543210" * 2
REC = "a1111111-2222-4333-8444-55555555555f"
SALT = b"s" * 16  # one salt for the whole file: the scrypt key is derived once
MAGIC = b"KURSLOTSE-ABGLEICH\n"
END = "Nichts daraus wurde übernommen."


def _ops() -> list[Op]:
    return [
        Op(5, DEV_A, "courses", REC, "title", json.dumps("Fotos"), ()),
        Op(7, DEV_B, "courses", REC, "place", json.dumps("Saal"), ((6, DEV_A), (3, DEV_B))),
    ]


def _parts(data: bytes) -> tuple[int, dict, bytes, bytes]:
    """Version, header, body, checksum, read by the test's own parser of the documented layout."""
    assert data.startswith(MAGIC)
    version, header_len = struct.unpack(">HI", data[19:25])
    header = json.loads(data[25:25 + header_len])
    (body_len,) = struct.unpack(">Q", data[25 + header_len:33 + header_len])
    body = data[33 + header_len:33 + header_len + body_len]
    assert len(data) == 33 + header_len + body_len + 32
    return version, header, body, data[-32:]


def _build(header: dict | bytes, body: bytes, version: int = 1, body_len: int | None = None,
           header_len: int | None = None) -> bytes:
    """A file with a correct checksum around *header* and *body* (the layout written out by hand)."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    data = (MAGIC + struct.pack(">H", version) + struct.pack(">I", len(head) if header_len is None else header_len)
            + head + struct.pack(">Q", len(body) if body_len is None else body_len) + body)
    return data + hashlib.sha256(data).digest()


def _plain(payload: dict, **header: object) -> bytes:
    fields = {"device": DEV_A, "device_name": "Laptop", "seq": 1, "schema": 3, "ops": len(payload.get("ops", []))}
    fields.update(header)
    return _build(fields, zlib.compress(json.dumps(payload).encode()))


def _refused(data: bytes, passphrase: str | None = None, **where: object) -> RefusedFile:
    with pytest.raises(RefusedFile) as caught:
        decode_file(data, "a.klsync", passphrase, **where)  # type: ignore[arg-type]
    return caught.value


# ------------------------------------------------------------------ writing


def test_plain_file_layout_header_and_body():
    data = encode_file(DEV_A, "Laptop Anna", 4, _ops())
    version, header, body, checksum = _parts(data)
    assert version == 1
    assert checksum == hashlib.sha256(data[:-32]).digest()
    assert header["device"] == DEV_A and header["device_name"] == "Laptop Anna"
    assert (header["seq"], header["schema"], header["ops"], header["program"]) == (4, 3, 2, "0.1.0")
    assert (header["cipher"], header["kdf"], header["nonce"]) == (None, None, None)
    assert len(header["created"]) == 20 and header["created"][10] == "T" and header["created"].endswith("Z")
    payload = json.loads(zlib.decompress(body))
    assert payload == {"devices": [DEV_A, DEV_B], "ops": [
        [5, 0, "courses", REC, "title", '"Fotos"', []],
        [7, 1, "courses", REC, "place", '"Saal"', [[6, 0], [3, 1]]],
    ]}


def test_plain_file_round_trip():
    content = decode_file(encode_file(DEV_A, "Laptop Anna", 4, _ops()), "a.klsync", device=DEV_A, seq=4)
    assert content.ops == _ops()
    assert (content.device, content.device_name, content.seq, content.schema) == (DEV_A, "Laptop Anna", 4, 3)
    assert content.encrypted is False
    assert content.created.endswith("Z") and len(content.created) == 20


def test_checksum_is_the_hex_of_the_last_32_bytes():
    data = encode_file(DEV_A, "L", 1, [])
    assert decode_file(data, "x").checksum == data[-32:].hex()


def test_encrypted_file_layout_and_round_trip():
    data = encode_file(DEV_A, "Laptop", 2, _ops(), "geheim", SALT)
    _version, header, body, _checksum = _parts(data)
    assert header["cipher"] == "AES-256-GCM"
    assert header["kdf"] == {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": base64.b64encode(SALT).decode()}
    assert len(base64.b64decode(header["nonce"])) == 12
    with pytest.raises(zlib.error):
        zlib.decompress(body)  # the body is not readable without the key
    content = decode_file(data, "a.klsync", "geheim")
    assert content.ops == _ops() and content.encrypted is True
    assert read_header(data, "x") == fileformat.Header(DEV_A, 2, True)
    assert read_header(encode_file(DEV_B, "L", 9, []), "x") == fileformat.Header(DEV_B, 9, False)


def test_two_encrypted_files_use_fresh_nonces_and_salts():
    one, two = encode_file(DEV_A, "L", 1, [], "pw"), encode_file(DEV_A, "L", 1, [], "pw")
    h1, h2 = _parts(one)[1], _parts(two)[1]
    assert h1["nonce"] != h2["nonce"]
    assert h1["kdf"]["salt"] != h2["kdf"]["salt"]
    assert len(base64.b64decode(h1["kdf"]["salt"])) == 16


def test_wrong_and_missing_passphrase():
    data = encode_file(DEV_A, "Laptop", 2, _ops(), "geheim", SALT)
    wrong = _refused(data, "falsch")
    assert (wrong.reason, wrong.message) == (
        "passwort-falsch", f"a.klsync: Das Passwort passt nicht zu dieser Datei. {END}")
    assert str(wrong) == wrong.message
    missing = _refused(data, "")
    assert (missing.reason, missing.message) == (
        "passwort-fehlt",
        f"a.klsync: Die Datei ist verschlüsselt. Bitte das Passwort des Abgleich-Ordners angeben. {END}")
    assert _refused(data).reason == "passwort-fehlt"


def test_the_header_is_authenticated_too():
    data = encode_file(DEV_A, "Laptop", 2, [], "geheim", SALT)
    _version, header, body, _checksum = _parts(data)
    forged = _build({**header, "device_name": "Lapdog"}, body)  # checksum made to fit
    assert _refused(forged, "geheim").reason == "passwort-falsch"


def test_opens_with():
    data = encode_file(DEV_A, "Laptop", 2, [], "geheim", SALT)
    assert opens_with(data, "geheim") is True
    assert opens_with(data, "falsch") is False
    assert opens_with(encode_file(DEV_A, "Laptop", 2, []), "geheim") is None
    assert opens_with(data[:-1], "geheim") is None
    header = {**_parts(data)[1], "cipher": "ROT13"}
    assert opens_with(_build(header, _parts(data)[2]), "geheim") is None


# ------------------------------------------------------------------ the frame


def test_empty_file():
    refused = _refused(b"")
    assert (refused.reason, refused.message) == (
        "beschaedigt", f"a.klsync: Die Datei ist leer (vielleicht noch nicht fertig übertragen). {END}")


@pytest.mark.parametrize("cut", [1, 10, 19, 20, 24])
def test_file_cut_within_the_fixed_start(cut):
    refused = _refused(encode_file(DEV_A, "L", 1, [])[:cut])
    assert (refused.reason, refused.message) == (
        "beschaedigt", f"a.klsync: Die Datei ist unvollständig (abgeschnitten). {END}")


@pytest.mark.parametrize("data", [b"PK\x03\x04", b"KURSLOTSE-ABGLEICX\n" + b"\0" * 40, b"kurslotse"])
def test_foreign_file(data):
    refused = _refused(data)
    assert (refused.reason, refused.message) == (
        "fremd", "a.klsync: Das ist keine Kurslotse-Abgleichdatei (fremde Datei). Sie wurde nicht übernommen.")


def test_newer_format_version():
    refused = _refused(_build({"device": DEV_A}, b"", version=2))
    assert (refused.reason, refused.message) == (
        "neuer", ("a.klsync: Die Datei stammt aus einer neueren Kurslotse-Version (Dateiformat 2, dieses Programm "
        f"kennt Format 1). Bitte Kurslotse aktualisieren. {END}"))


def test_format_version_zero_and_a_huge_header_are_damaged():
    message = f"a.klsync: Die Datei ist beschädigt (Kopf unlesbar). {END}"
    assert _refused(_build({}, b"", version=0)).message == message
    huge = _build(b"{}", b"", header_len=64 * 1024 + 1)
    assert (_refused(huge).reason, _refused(huge).message) == ("beschaedigt", message)
    # exactly 64 KiB is allowed as a header length: this file is refused for its length only
    at_limit = _build(b"{}", b"", header_len=64 * 1024)
    assert "Kopf unlesbar" not in _refused(at_limit).message


def test_header_of_64_kib_is_read():
    header = {"device": DEV_A, "device_name": "x" * (64 * 1024 - 100), "seq": 1, "schema": 3, "ops": 0}
    text = json.dumps(header).encode()
    header["device_name"] += "y" * (64 * 1024 - len(text))
    data = _build(header, zlib.compress(b'{"devices":[],"ops":[]}'))
    assert struct.unpack(">I", data[21:25])[0] == 64 * 1024
    assert decode_file(data, "a").device_name.endswith("y")


def test_lengths_that_do_not_match():
    body = zlib.compress(b'{"devices":[],"ops":[]}')
    header = {"device": DEV_A, "device_name": "L", "seq": 1, "schema": 3, "ops": 0}
    short = _refused(_build(header, body, body_len=len(body) + 1))
    assert short.message == f"a.klsync: Die Datei ist unvollständig (abgeschnitten). {END}"
    long = _refused(_build(header, body, body_len=len(body) - 1))
    assert (long.reason, long.message) == ("beschaedigt", f"a.klsync: Die Datei ist beschädigt (Länge stimmt nicht). {END}")
    assert decode_file(_build(header, body), "a").ops == []


def test_body_longer_than_the_limit_is_refused_by_its_length(monkeypatch):
    monkeypatch.setattr(fileformat, "MAX_BODY", 10)
    header = {"device": DEV_A, "device_name": "L", "seq": 1, "schema": 3, "ops": 0}
    body = zlib.compress(b'{"devices":[],"ops":[]}')
    assert len(body) > 10
    assert _refused(_build(header, body)).message == f"a.klsync: Die Datei ist beschädigt (Länge stimmt nicht). {END}"
    monkeypatch.setattr(fileformat, "MAX_BODY", len(body))
    assert decode_file(_build(header, body), "a").ops == []


def test_cut_before_the_checksum_is_complete():
    data = encode_file(DEV_A, "L", 1, [])
    header_len = struct.unpack(">I", data[21:25])[0]
    cut = data[:25 + header_len + 8 + 31]  # header and length complete, one byte short of a checksum
    assert _refused(cut).message == f"a.klsync: Die Datei ist unvollständig (abgeschnitten). {END}"


def test_wrong_checksum():
    data = bytearray(encode_file(DEV_A, "L", 1, _ops()))
    data[-1] ^= 1
    refused = _refused(bytes(data))
    assert (refused.reason, refused.message) == (
        "beschaedigt", f"a.klsync: Die Datei ist beschädigt (Prüfsumme stimmt nicht). {END}")


@pytest.mark.parametrize(("head", "why"), [
    (b"[1, 2]", "Kopf ist kein Objekt"),
    (b"\xff\xfe", None),
    (b"{nope", None),
])
def test_unreadable_header(head, why):
    refused = _refused(_build(head, b""))
    assert refused.reason == "ungueltig"
    assert refused.message.startswith("a.klsync: Der Dateikopf ist ungültig (")
    assert refused.message.endswith(f"). {END}")
    if why:
        assert f"({why})" in refused.message


# ------------------------------------------------------------------ the header


def _header_problem(**fields: object) -> str:
    return _refused(_plain({"devices": [], "ops": []}, **fields)).message


@pytest.mark.parametrize(("fields", "why"), [
    ({"device": None}, "Geräte-Kennung fehlt"),
    ({"device": DEV_A.upper()}, "Geräte-Kennung fehlt"),
    ({"device": DEV_A[:-1]}, "Geräte-Kennung fehlt"),
    ({"device": DEV_A + "0"}, "Geräte-Kennung fehlt"),
    ({"seq": 0}, "Laufnummer fehlt"),
    ({"seq": 10**8}, "Laufnummer fehlt"),
    ({"seq": True}, "Laufnummer fehlt"),
    ({"seq": "1"}, "Laufnummer fehlt"),
    ({"schema": 0}, "Datenversion fehlt"),
    ({"schema": True}, "Datenversion fehlt"),
    ({"schema": "3"}, "Datenversion fehlt"),
])
def test_header_fields_that_are_refused(fields, why):
    assert _header_problem(**fields) == f"a.klsync: Die Datei enthält ungültige Daten ({why}). {END}"


def test_header_field_limits_that_are_allowed():
    assert decode_file(_plain({"devices": [], "ops": []}, seq=10**8 - 1), "a").seq == 10**8 - 1
    assert decode_file(_plain({"devices": [], "ops": []}, seq=1, schema=1), "a").schema == 1
    assert decode_file(_plain({"devices": [], "ops": []}, schema=3), "a").schema == 3


def test_newer_data_version():
    refused = _refused(_plain({"devices": [], "ops": []}, schema=4))
    assert (refused.reason, refused.message) == (
        "neuer", ("a.klsync: Die Datei stammt aus einer neueren Kurslotse-Version (Datenversion 4, dieses Programm "
        f"kennt bis Version 3). Bitte Kurslotse aktualisieren. {END}"))


def test_file_in_the_wrong_place():
    data = encode_file(DEV_A, "L", 4, [])
    message = (f"a.klsync: Die Datei gehört laut Inhalt zu Gerät {DEV_A} (Nr. 4), liegt aber an anderer Stelle. "
               f"{END}")
    assert (_refused(data, device=DEV_B).reason, _refused(data, device=DEV_B).message) == ("falscher-ort", message)
    assert _refused(data, device=DEV_A, seq=5).message == message
    assert _refused(data, device=DEV_B, seq=4).message == message
    assert decode_file(data, "a", device=DEV_A).seq == 4
    assert decode_file(data, "a", seq=5).seq == 4  # a number alone is not checked
    assert decode_file(data, "a", device=DEV_A, seq=4).seq == 4


def test_device_name_and_created_are_optional():
    content = decode_file(_plain({"devices": [], "ops": []}, device_name=7), "a")
    assert (content.device_name, content.created) == ("", "")
    assert decode_file(_plain({"devices": [], "ops": []}, created="gestern"), "a").created == "gestern"


def test_number_of_operations_must_match_the_header():
    data = _plain({"devices": [DEV_A], "ops": [[1, 0, "courses", REC, "title", '"x"', []]]}, ops=2)
    assert _refused(data).message == f"a.klsync: Die Datei enthält ungültige Daten (Anzahl der Änderungen stimmt nicht). {END}"
    header = {"device": DEV_A, "device_name": "L", "seq": 1, "schema": 3}
    assert "Anzahl der Änderungen" in _refused(_build(header, zlib.compress(b'{"devices":[],"ops":[]}'))).message


def test_peek_encrypted(tmp_path):
    path = tmp_path / "f.klsync"
    path.write_bytes(encode_file(DEV_A, "L", 1, [], "pw", SALT))
    assert peek_encrypted(path) is True
    path.write_bytes(encode_file(DEV_A, "L", 1, []))
    assert peek_encrypted(path) is False
    path.write_bytes(MAGIC + b"\0\1\0\0")
    assert peek_encrypted(path) is None  # shorter than the fixed start
    path.write_bytes(b"X" + encode_file(DEV_A, "L", 1, [])[1:])
    assert peek_encrypted(path) is None
    path.write_bytes(_build(b'{"cipher": "AES-256-GCM"}', b"", header_len=64 * 1024 + 1))
    assert peek_encrypted(path) is None
    path.write_bytes(_build(b'{"cipher": "AES-256-GCM"}' + b" " * (64 * 1024 - 25), b""))
    assert peek_encrypted(path) is True  # a header of exactly 64 KiB is read
    path.write_bytes(_build(b"[1]", b""))
    assert peek_encrypted(path) is False
    path.write_bytes(_build(b"\xff{", b""))
    assert peek_encrypted(path) is None
    path.write_bytes(_build(b"{no", b""))
    assert peek_encrypted(path) is None
    assert peek_encrypted(tmp_path / "fehlt.klsync") is None


# ------------------------------------------------------------------ the body


def test_compressed_body_limits(monkeypatch):
    payload = {"devices": [], "ops": []}
    raw = json.dumps(payload).encode()
    monkeypatch.setattr(fileformat, "MAX_PLAIN", len(raw))
    assert decode_file(_plain(payload), "a").ops == []
    monkeypatch.setattr(fileformat, "MAX_PLAIN", len(raw) - 1)
    assert _refused(_plain(payload)).message == f"a.klsync: Die Datei enthält ungültige Daten (Inhalt nicht lesbar). {END}"


@pytest.mark.parametrize("body", [
    zlib.compress(b'{"devices":[],"ops":[]}')[:-3],  # stream not finished
    b"not zlib",
    zlib.compress(b"\xff\xfe"),
    zlib.compress(b"{nope"),
])
def test_unreadable_body(body):
    header = {"device": DEV_A, "device_name": "L", "seq": 1, "schema": 3, "ops": 0}
    assert _refused(_build(header, body)).message == (
        f"a.klsync: Die Datei enthält ungültige Daten (Inhalt nicht lesbar). {END}")


def _op_problem(payload: object) -> str:
    ops = payload.get("ops") if isinstance(payload, dict) else None
    data = _plain(payload if isinstance(payload, dict) else {}, ops=len(ops) if isinstance(ops, list) else 0)
    if not isinstance(payload, dict):
        header = {"device": DEV_A, "device_name": "L", "seq": 1, "schema": 3, "ops": 0}
        data = _build(header, zlib.compress(json.dumps(payload).encode()))
    message = _refused(data).message
    assert message.startswith("a.klsync: Die Datei enthält ungültige Daten (") and message.endswith(f"). {END}")
    return message[len("a.klsync: Die Datei enthält ungültige Daten ("):-len(f"). {END}")]


def _row(hlc: object = 1, dev: object = 0, table: object = "courses", record: object = REC,
         name: object = "title", value: object = '"x"', prev: object = ()) -> list:
    return [hlc, dev, table, record, name, value, list(prev)]


@pytest.mark.parametrize(("payload", "why"), [
    ([], "Aufbau falsch"),
    ({"ops": []}, "Aufbau falsch"),
    ({"devices": {}, "ops": []}, "Aufbau falsch"),
    ({"devices": [], "ops": {}}, "Aufbau falsch"),
    ({"devices": [DEV_A, 5], "ops": []}, "Geräteliste falsch"),
    ({"devices": [DEV_A.upper()], "ops": []}, "Geräteliste falsch"),
    ({"devices": [DEV_A], "ops": [_row(hlc=0)]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(hlc=2**63)]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(hlc=True)]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(hlc="1")]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(record=REC.upper())]}, "Datensatz-Kennung"),
    ({"devices": [DEV_A], "ops": [_row(record=7)]}, "Datensatz-Kennung"),
    ({"devices": [DEV_A], "ops": [_row(value=5)]}, "Wert"),
    ({"devices": [DEV_A], "ops": [_row(table=5)]}, "Wert"),
    ({"devices": [DEV_A], "ops": [_row(name=5)]}, "Wert"),
    ({"devices": [DEV_A], "ops": [_row(value=None)]}, "Wert fehlt"),
    ({"devices": [DEV_A], "ops": [_row(table="kurse")]}, "unbekannte Tabelle »kurse«"),
    ({"devices": [DEV_A], "ops": [_row(dev=1)]}, "Geräteverweis"),
    ({"devices": [DEV_A], "ops": [_row(dev=-1)]}, "Geräteverweis"),
    ({"devices": [DEV_A], "ops": [_row(dev=False)]}, "Geräteverweis"),
    ({"devices": [DEV_A], "ops": [_row(dev="0")]}, "Geräteverweis"),
    ({"devices": [DEV_A], "ops": [_row(prev=[[0, 0]])]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(prev=[[2**63, 0]])]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(prev=[[True, 0]])]}, "Zeitstempel"),
    ({"devices": [DEV_A], "ops": [_row(prev=[[1, 1]])]}, "Geräteverweis"),
])
def test_operations_that_are_refused(payload, why):
    assert _op_problem(payload) == why


def test_second_operation_with_the_same_bad_value_is_refused_too():
    bad = _row(name="place", value="5")
    assert _op_problem({"devices": [DEV_A], "ops": [_row(), bad, bad]}) == "ungültiger Wert in »courses.place«"


def test_operation_limits_that_are_allowed_and_erasures_carry_no_value():
    devices = [DEV_A, DEV_B]
    rows = [_row(hlc=2**63 - 1, dev=1, prev=[[2**63 - 1, 1], [1, 0]]),
            _row(hlc=1, table="participants", name="!erase", value='"Anna"'),
            _row(hlc=1, table="participants", name="!erase", value=None)]
    ops = decode_file(_plain({"devices": devices, "ops": rows}), "a").ops
    assert ops[0] == Op(2**63 - 1, DEV_B, "courses", REC, "title", '"x"', ((2**63 - 1, DEV_B), (1, DEV_A)))
    assert ops[1] == Op(1, DEV_A, "participants", REC, "!erase", None, ())
    assert ops[2] == ops[1]


# ------------------------------------------------------------------ encryption parameters


def _encrypted_with(**changes: object) -> bytes:
    """An encrypted file whose kdf/nonce header fields are changed (the tag then cannot match)."""
    data = encode_file(DEV_A, "L", 1, [], "pw", SALT)
    _version, header, body, _checksum = _parts(data)
    kdf = dict(header["kdf"])
    for name, value in changes.items():
        if name == "nonce":
            header["nonce"] = value
        elif name == "kdf":
            kdf = value  # type: ignore[assignment]
        elif value is None:
            kdf.pop(name)
        else:
            kdf[name] = value
    header["kdf"] = kdf
    return _build(header, body)


@pytest.mark.parametrize("changes", [
    {"kdf": None}, {"kdf": "scrypt"}, {"name": "argon2"}, {"name": None},
    {"n": 2**9}, {"n": 2**21}, {"n": 3 * 2**10}, {"r": 0}, {"r": 17}, {"p": 0}, {"p": 5}, {"n": "x"},
    {"salt": base64.b64encode(b"s" * 7).decode()}, {"salt": base64.b64encode(b"s" * 65).decode()},
    {"salt": "no base64!"}, {"salt": None},
    {"nonce": base64.b64encode(b"n" * 11).decode()}, {"nonce": base64.b64encode(b"n" * 13).decode()},
    {"nonce": "???"}, {"nonce": None},
])
def test_encryption_parameters_outside_the_limits_are_refused_before_deriving(changes, monkeypatch):
    data = _encrypted_with(**changes)
    monkeypatch.setattr(fileformat, "derive_key", lambda *args: pytest.fail("key derived for a bad header"))
    refused = _refused(data, "pw")
    assert (refused.reason, refused.message) == (
        "ungueltig", f"a.klsync: Die Datei enthält ungültige Daten (Angaben zur Verschlüsselung fehlen). {END}")


@pytest.mark.parametrize("changes", [
    {"n": 2**10}, {"n": 2**20}, {"r": 1}, {"r": 16}, {"p": 1}, {"p": 4},
    {"salt": base64.b64encode(b"s" * 8).decode()}, {"salt": base64.b64encode(b"s" * 64).decode()},
])
def test_encryption_parameters_at_the_limits_are_tried(changes, monkeypatch):
    tried = []
    data = _encrypted_with(**changes)
    monkeypatch.setattr(fileformat, "derive_key", lambda *args: tried.append(args[2:]) or b"k" * 32)
    assert _refused(data, "pw").reason == "passwort-falsch"
    expected = {"n": 2**15, "r": 8, "p": 1}
    expected.update({k: v for k, v in changes.items() if k in expected})
    assert tried == [(expected["n"], expected["r"], expected["p"])]


def test_unknown_cipher():
    data = encode_file(DEV_A, "L", 1, [], "pw", SALT)
    header = {**_parts(data)[1], "cipher": "ChaCha"}
    refused = _refused(_build(header, _parts(data)[2]), "pw")
    assert (refused.reason, refused.message) == (
        "neuer", ("a.klsync: Die Datei ist mit einem unbekannten Verfahren verschlüsselt (ChaCha). "
        f"Bitte Kurslotse aktualisieren. {END}"))


def test_key_derivation_is_scrypt_and_cached(monkeypatch):
    monkeypatch.setattr(fileformat, "_keys", {})  # an empty cache, whatever ran before in this process
    key = fileformat.derive_key("pw", b"salt1234", 2**10, 8, 1)
    assert key == hashlib.scrypt(b"pw", salt=b"salt1234", n=2**10, r=8, p=1, dklen=32)
    assert fileformat.derive_key("pw", b"salt1234", 2**10, 8, 1) is key
    assert fileformat.derive_key("pw", b"salt1234", 2**10, 8, 2) == hashlib.scrypt(
        b"pw", salt=b"salt1234", n=2**10, r=8, p=2, dklen=32)
    assert fileformat.derive_key("pw", b"salt1234", 2**10, 4, 1) != key
    assert fileformat.derive_key("pw", b"salt1235", 2**10, 8, 1) != key
    assert fileformat.derive_key("pö", b"salt1234", 2**10, 8, 1) == hashlib.scrypt(
        "pö".encode(), salt=b"salt1234", n=2**10, r=8, p=1, dklen=32)
    assert len(fileformat.new_salt()) == 16 and fileformat.new_salt() != fileformat.new_salt()


def test_read_header_names_the_file_in_its_refusals():
    with pytest.raises(RefusedFile) as empty:
        read_header(b"", "b.klsync")
    assert empty.value.message.startswith("b.klsync: Die Datei ist leer")
    with pytest.raises(RefusedFile) as no_device:
        read_header(_plain({"devices": [], "ops": []}, device="kein"), "b.klsync")
    assert no_device.value.message == f"b.klsync: Die Datei enthält ungültige Daten (Geräte-Kennung fehlt). {END}"


def test_peek_reads_the_header_length_as_unsigned(tmp_path):
    """A length of 0xFFFFFFFF is 4 GiB, not −1: refused as too long, not read to the end."""
    path = tmp_path / "f.klsync"
    path.write_bytes(MAGIC + struct.pack(">H", 1) + bytes([0xFF, 0xFF, 0xFF, 0xFF]) + b'{"cipher": "AES-256-GCM"}')
    assert peek_encrypted(path) is None


@pytest.mark.parametrize("field", ["salt", "nonce"])
def test_encryption_parameters_with_characters_outside_base64_are_refused(field, monkeypatch):
    size = 16 if field == "salt" else 12
    text = base64.b64encode(b"z" * size).decode()
    data = _encrypted_with(**{field: text[:4] + "!" + text[4:]})  # decodes to the right length if »!« is skipped
    monkeypatch.setattr(fileformat, "derive_key", lambda *args: pytest.fail("key derived for a bad header"))
    assert _refused(data, "pw").message == (
        f"a.klsync: Die Datei enthält ungültige Daten (Angaben zur Verschlüsselung fehlen). {END}")


def test_created_is_utc_whatever_the_local_time_zone(monkeypatch):
    import datetime as dt
    import time

    monkeypatch.setenv("TZ", "Etc/GMT-9")  # nine hours ahead of UTC (the sign is POSIX's)
    time.tzset()
    try:
        created = _parts(encode_file(DEV_A, "L", 1, []))[1]["created"]
    finally:
        monkeypatch.undo()
        time.tzset()
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs(stamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5), created


def test_version_and_header_length_are_read_unsigned():
    newer = _refused(MAGIC + struct.pack(">H", 0x8001) + struct.pack(">I", 2) + b"{}" + b"\0" * 60)
    assert (newer.reason, newer.message) == (
        "neuer", ("a.klsync: Die Datei stammt aus einer neueren Kurslotse-Version (Dateiformat 32769, dieses "
        f"Programm kennt Format 1). Bitte Kurslotse aktualisieren. {END}"))
    huge = _refused(MAGIC + struct.pack(">H", 1) + bytes([0x80, 0, 0, 0]) + b"{}" + b"\0" * 60)
    assert (huge.reason, huge.message) == ("beschaedigt", f"a.klsync: Die Datei ist beschädigt (Kopf unlesbar). {END}")


@pytest.mark.parametrize("missing", [1, 4, 8, 9, 33])
def test_file_cut_in_the_body_length_or_the_checksum(missing):
    data = encode_file(DEV_A, "L", 1, [])
    header_len = struct.unpack(">I", data[21:25])[0]
    body_at = 25 + header_len + 8
    cut = _refused(data[:body_at + 32 - missing] if missing <= 8 else data[:body_at - (missing - 8)])
    assert (cut.reason, cut.message) == ("beschaedigt", f"a.klsync: Die Datei ist unvollständig (abgeschnitten). {END}")
