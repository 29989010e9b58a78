"""QR code modules for a web address: byte mode, error correction level M, versions 1–40 (ISO/IEC 18004).

Printing a handout is measured as a whole command; the ``qrcode`` package costs more to import
(it loads Pillow for its image classes) than the handout needs to draw its codes, which are
painted as vectors by :mod:`app.render.qr`. This module does only what a printed link needs:
the whole text in one byte-mode segment, the smallest version that holds it, Reed–Solomon error
correction, and the mask with the lowest penalty score. The choices follow the ``qrcode``
package's (the same mask is chosen, with format and version areas light while masks are scored),
so the printed codes are the same as before; ``tests/test_qr_matrix.py`` compares them module by
module. Only a run of 20 or more digits or capital letters, where ``qrcode`` switches to a denser
mode, gives a different (equally valid) code.
"""

from __future__ import annotations

import re

# (blocks, codewords per block, data codewords per block), once or twice per version: level M.
_BLOCKS_M = (
    (1, 26, 16), (1, 44, 28), (1, 70, 44), (2, 50, 32), (2, 67, 43), (4, 43, 27), (4, 49, 31),
    (2, 60, 38, 2, 61, 39), (3, 58, 36, 2, 59, 37), (4, 69, 43, 1, 70, 44), (1, 80, 50, 4, 81, 51),
    (6, 58, 36, 2, 59, 37), (8, 59, 37, 1, 60, 38), (4, 64, 40, 5, 65, 41), (5, 65, 41, 5, 66, 42),
    (7, 73, 45, 3, 74, 46), (10, 74, 46, 1, 75, 47), (9, 69, 43, 4, 70, 44), (3, 70, 44, 11, 71, 45),
    (3, 67, 41, 13, 68, 42), (17, 68, 42), (17, 74, 46), (4, 75, 47, 14, 76, 48), (6, 73, 45, 14, 74, 46),
    (8, 75, 47, 13, 76, 48), (19, 74, 46, 4, 75, 47), (22, 73, 45, 3, 74, 46), (3, 73, 45, 23, 74, 46),
    (21, 73, 45, 7, 74, 46), (19, 75, 47, 10, 76, 48), (2, 74, 46, 29, 75, 47), (10, 74, 46, 23, 75, 47),
    (14, 74, 46, 21, 75, 47), (14, 74, 46, 23, 75, 47), (12, 75, 47, 26, 76, 48), (6, 75, 47, 34, 76, 48),
    (29, 74, 46, 14, 75, 47), (13, 74, 46, 32, 75, 47), (40, 75, 47, 7, 76, 48), (18, 75, 47, 31, 76, 48),
)
_ALIGNMENT = (
    (), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34), (6, 22, 38), (6, 24, 42), (6, 26, 46), (6, 28, 50),
    (6, 30, 54), (6, 32, 58), (6, 34, 62), (6, 26, 46, 66), (6, 26, 48, 70), (6, 26, 50, 74), (6, 30, 54, 78),
    (6, 30, 56, 82), (6, 30, 58, 86), (6, 34, 62, 90), (6, 28, 50, 72, 94), (6, 26, 50, 74, 98),
    (6, 30, 54, 78, 102), (6, 28, 54, 80, 106), (6, 32, 58, 84, 110), (6, 30, 58, 86, 114),
    (6, 34, 62, 90, 118), (6, 26, 50, 74, 98, 122), (6, 30, 54, 78, 102, 126), (6, 26, 52, 78, 104, 130),
    (6, 30, 56, 82, 108, 134), (6, 34, 60, 86, 112, 138), (6, 30, 58, 86, 114, 142), (6, 34, 62, 90, 118, 146),
    (6, 30, 54, 78, 102, 126, 150), (6, 24, 50, 76, 102, 128, 154), (6, 28, 54, 80, 106, 132, 158),
    (6, 32, 58, 84, 110, 136, 162), (6, 26, 54, 82, 110, 138, 166), (6, 30, 58, 86, 114, 142, 170),
)
_LEVEL_M = 0b00  # the two error correction bits of the format information
_FORMAT_POLY, _FORMAT_MASK = 0b10100110111, 0b101010000010010
_VERSION_POLY = 0b1111100100101
_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i * j) % 3 + (i + j) % 2) % 2 == 0,
)

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]
_generators: dict[int, list[int]] = {}


class QrTooLong(ValueError):
    """The text does not fit into the largest QR code (version 40) at level M."""


def qr_matrix(text: str, mask: int | None = None) -> list[list[bool]]:
    """Dark (True) and light modules of *text* without quiet zone; *mask* forces a mask (tests)."""
    data = text.encode("utf-8")
    version = _version_for(len(data))
    codewords = _codewords(data, version)
    size = 4 * version + 17
    grid = _function_patterns(version, size)
    # Rows as integers (column 0 is the highest bit): fixed dark modules, the data area, the data.
    fixed = [_row_number(["1" if value else "0" for value in row]) for row in grid]
    area = [_row_number(["1" if value is None else "0" for value in row]) for row in grid]
    placed = [0] * size
    count = 8 * len(codewords)
    for index, (row, column) in enumerate(_data_positions(grid, size)):
        if index < count and codewords[index >> 3] >> (7 - (index & 7)) & 1:
            placed[row] |= 1 << (size - 1 - column)
    if mask is None:  # scored like ``qrcode``: format and version areas still light
        scores = [_penalty(_masked(fixed, area, placed, candidate, size), size) for candidate in range(8)]
        mask = scores.index(min(scores))
    _format_and_version(grid, size, version, mask)
    fixed = [_row_number(["1" if value else "0" for value in row]) for row in grid]
    rows = _masked(fixed, area, placed, mask, size)
    return [[bit == "1" for bit in format(row, f"0{size}b")] for row in rows]


def _row_number(bits: list[str]) -> int:
    return int("".join(bits), 2)


def _masked(fixed: list[int], area: list[int], placed: list[int], mask: int, size: int) -> list[int]:
    """The rows with the data modules flipped where *mask* says so."""
    pattern = _mask_rows(mask, size)
    return [base | ((data ^ pattern[row % 12]) & free)
            for row, (base, free, data) in enumerate(zip(fixed, area, placed))]


_mask_cache: dict[tuple[int, int], list[int]] = {}


def _mask_rows(mask: int, size: int) -> list[int]:
    """Mask *mask* as row integers; every mask repeats after 12 rows and 6 columns."""
    key = (mask, size)
    if key not in _mask_cache:
        test = _MASKS[mask]
        rows = []
        for row in range(12):
            period = "".join("1" if test(row, column) else "0" for column in range(6))
            rows.append(int((period * (size // 6 + 1))[:size], 2))
        _mask_cache[key] = rows
    return _mask_cache[key]


def _capacity(version: int) -> int:
    """Data codewords of *version* at level M."""
    entry = _BLOCKS_M[version - 1]
    return sum(entry[index] * entry[index + 2] for index in range(0, len(entry), 3))


def _version_for(length: int) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= 8 * _capacity(version):
            return version
    raise QrTooLong(f"Die Adresse ist mit {length} Bytes zu lang für einen QR-Code.")


def _codewords(data: bytes, version: int) -> list[int]:
    """Mode, length, data, terminator and padding, split into blocks with their error correction."""
    capacity = _capacity(version)
    count_bits = 8 if version < 10 else 16
    bits = (0b0100 << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
    length = 4 + count_bits + 8 * len(data)
    terminator = min(4, 8 * capacity - length)
    bits <<= terminator
    length += terminator
    if length % 8:
        bits <<= 8 - length % 8
        length += 8 - length % 8
    stream = list(bits.to_bytes(length // 8, "big"))
    stream += [0xEC if index % 2 == 0 else 0x11 for index in range(capacity - len(stream))]
    entry = _BLOCKS_M[version - 1]
    blocks: list[list[int]] = []
    corrections: list[list[int]] = []
    offset = 0
    for index in range(0, len(entry), 3):
        count, total, data_count = entry[index:index + 3]
        for _ in range(count):
            block = stream[offset:offset + data_count]
            offset += data_count
            blocks.append(block)
            corrections.append(_reed_solomon(block, total - data_count))
    result = []
    for column in range(max(len(block) for block in blocks)):
        result += [block[column] for block in blocks if column < len(block)]
    for column in range(len(corrections[0])):
        result += [block[column] for block in corrections]
    return result


def _generator(degree: int) -> list[int]:
    if degree not in _generators:
        poly = [1]
        for power in range(degree):
            following = [0] * (len(poly) + 1)
            for index, coefficient in enumerate(poly):
                following[index] ^= coefficient
                if coefficient:
                    following[index + 1] ^= _EXP[_LOG[coefficient] + power]
            poly = following
        _generators[degree] = poly
    return _generators[degree]


def _reed_solomon(block: list[int], degree: int) -> list[int]:
    """The *degree* error correction codewords of *block* (remainder of the polynomial division)."""
    generator = [_LOG[coefficient] for coefficient in _generator(degree)[1:]]
    remainder = [0] * degree
    for value in block:
        factor = value ^ remainder[0]
        remainder = remainder[1:] + [0]
        if factor:
            log = _LOG[factor]
            for index, power in enumerate(generator):
                remainder[index] ^= _EXP[log + power]
    return remainder


def _function_patterns(version: int, size: int) -> list[list[bool | None]]:
    """Finder, separators, alignment and timing patterns; None where data goes (and format areas)."""
    grid: list[list[bool | None]] = [[None] * size for _ in range(size)]
    for top, left in ((0, 0), (size - 7, 0), (0, size - 7)):
        for r in range(-1, 8):
            if not 0 <= top + r < size:
                continue
            for c in range(-1, 8):
                if not 0 <= left + c < size:
                    continue
                grid[top + r][left + c] = ((0 <= r <= 6 and c in (0, 6)) or (0 <= c <= 6 and r in (0, 6))
                                           or (2 <= r <= 4 and 2 <= c <= 4))
    centres = _ALIGNMENT[version - 1]
    for row in centres:
        for column in centres:
            if grid[row][column] is not None:
                continue
            for r in range(-2, 3):
                for c in range(-2, 3):
                    grid[row + r][column + c] = r in (-2, 2) or c in (-2, 2) or (r == 0 and c == 0)
    for index in range(8, size - 8):
        if grid[index][6] is None:
            grid[index][6] = index % 2 == 0
        if grid[6][index] is None:
            grid[6][index] = index % 2 == 0
    _format_and_version(grid, size, version, None)
    return grid


def _format_and_version(grid: list[list[bool | None]], size: int, version: int, mask: int | None) -> None:
    """Format (and from version 7 version) information; *mask* None only reserves the areas (light)."""
    format_bits = 0 if mask is None else _bch(_LEVEL_M << 3 | mask, _FORMAT_POLY, 10) ^ _FORMAT_MASK
    for index in range(15):
        dark = bool(format_bits >> index & 1)
        if index < 6:
            grid[index][8] = dark
        elif index < 8:
            grid[index + 1][8] = dark
        else:
            grid[size - 15 + index][8] = dark
        if index < 8:
            grid[8][size - index - 1] = dark
        elif index < 9:
            grid[8][15 - index] = dark
        else:
            grid[8][15 - index - 1] = dark
    grid[size - 8][8] = mask is not None  # the dark module
    if version >= 7:
        version_bits = 0 if mask is None else _bch(version, _VERSION_POLY, 12)
        for index in range(18):
            dark = bool(version_bits >> index & 1)
            grid[index // 3][index % 3 + size - 11] = dark
            grid[index % 3 + size - 11][index // 3] = dark


def _bch(value: int, poly: int, shift: int) -> int:
    remainder = value << shift
    poly_length = poly.bit_length()
    while remainder.bit_length() >= poly_length:
        remainder ^= poly << (remainder.bit_length() - poly_length)
    return value << shift | remainder


def _data_positions(grid: list[list[bool | None]], size: int) -> list[tuple[int, int]]:
    """Free modules in placement order: two-column strips from the bottom right, up and down."""
    positions = []
    upward = True
    column = size - 1
    while column > 0:
        if column == 6:  # the vertical timing pattern
            column -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for row in rows:
            for c in (column, column - 1):
                if grid[row][c] is None:
                    positions.append((row, c))
        upward = not upward
        column -= 2
    return positions


_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


def _penalty(numbers: list[int], size: int) -> int:
    """The four penalty rules: runs of five or more, 2×2 blocks, finder-like patterns, dark share."""
    rows = [format(number, f"0{size}b") for number in numbers]
    # all rows and columns in one text: runs and patterns never cross the line breaks
    lines = "\n".join((*rows, *("".join(column) for column in zip(*rows))))
    score = sum(len(run) - 2 for run in _RUN.findall(lines))
    score += 40 * len(_FINDER_LIKE.findall(lines))
    pairs = (1 << (size - 1)) - 1
    for upper, lower in zip(numbers, numbers[1:]):
        vertical = upper ^ lower
        different = vertical | vertical >> 1 | (upper ^ upper >> 1)
        score += 3 * (~different & pairs).bit_count()
    share = sum(number.bit_count() for number in numbers) / size ** 2
    score += 10 * int(abs(share * 100 - 50) / 5)  # (the same float steps as ``qrcode``)
    return score
