"""The handout's own QR encoder gives the same modules as the ``qrcode`` package (the independent reference)."""

from __future__ import annotations

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from app.render.qr_matrix import QrTooLong, qr_matrix

ADDRESSES = [
    "https://a.de",                                                    # version 1
    "https://www.digital-kompass.de/materialien",                      # version 3
    "https://support.google.com/android/answer/9079644?hl=de",         # version 4
    "https://www.verbraucherzentrale.de/wissen/digitale-welt/" + "x" * 60,     # version 7: version information
    "https://example.org/" + "pfad/ä-ö-ü/" * 30,                      # version 16: 16-bit length, two block sizes
    "https://example.org/?q=" + "abcdefghij" * 120,                    # version 29
]


def reference(text: str, mask: int | None = None) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=mask)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


@pytest.mark.parametrize("address", ADDRESSES)
def test_same_code_as_the_qrcode_package(address):
    ours = qr_matrix(address)
    assert len(ours) == len(reference(address))
    assert ours == reference(address)  # same version, data, error correction and chosen mask


@pytest.mark.parametrize("mask", range(8))
def test_every_mask_gives_the_same_modules(mask):
    address = ADDRESSES[3]
    assert qr_matrix(address, mask) == reference(address, mask)


def test_sizes_follow_the_versions():
    assert len(qr_matrix("https://a.de")) == 21  # version 1: 21 × 21 modules
    assert len(qr_matrix("https://support.google.com/android/answer/9079644?hl=de")) == 33  # version 4


def test_too_long_for_any_qr_code_is_refused():
    with pytest.raises(QrTooLong):
        qr_matrix("https://example.org/" + "x" * 2400)  # level M holds at most 2331 bytes
