"""A minimal writer of SAS transport files (XPORT version 5), so that the SAS reading path is tested on a real
file read by ``pandas.read_sas``. Numbers are written as IBM hexadecimal floats, texts blank-padded."""

from __future__ import annotations

import math
import struct
from pathlib import Path

STAMP = b"01JAN22:00:00:00"


def _rec(text: bytes) -> bytes:
    assert len(text) <= 80
    return text.ljust(80, b" ")


def _header(kind: bytes, tail: bytes = b"0" * 30) -> bytes:
    return _rec(b"HEADER RECORD*******" + kind.ljust(8) + b"HEADER RECORD!!!!!!!" + tail)


def ibm_float(x: float | None) -> bytes:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return b"." + b"\x00" * 7  # SAS missing
    if x == 0:
        return b"\x00" * 8
    sign = 0x80 if x < 0 else 0
    x = abs(x)
    exp = 64
    while x >= 1:
        x /= 16
        exp += 1
    while x < 1 / 16:
        x *= 16
        exp -= 1
    return bytes([sign | exp]) + round(x * 2**56).to_bytes(7, "big")


def write_xport(path: Path, columns: dict[str, list[object]], char_widths: dict[str, int]) -> None:
    """``columns``: name -> values; names in ``char_widths`` are text columns, the others numeric."""
    names = list(columns)
    n = len(next(iter(columns.values())))
    out = bytearray()
    out += _header(b"LIBRARY")
    out += _rec(b"SAS     SAS     SASLIB  9.1     Linux   " + b" " * 24 + STAMP)
    out += _rec(STAMP)
    out += _header(b"MEMBER", b"000000000000000001600000000140")
    out += _header(b"DSCRPTR")
    out += _rec(b"SAS     PAR     SASDATA 9.1     Linux   " + b" " * 24 + STAMP)
    out += _rec(STAMP + b" " * 16 + b"".ljust(40) + b"".ljust(8))
    out += _header(b"NAMESTR", f"000000{len(names):04d}00000000000000000000".encode())
    namestrs = bytearray()
    pos = 0
    widths = []
    for i, name in enumerate(names, 1):
        char = name in char_widths
        width = char_widths[name] if char else 8
        widths.append(width)
        namestrs += struct.pack(">hhhh", 2 if char else 1, 0, width, i)
        namestrs += name.upper().encode().ljust(8) + b"".ljust(40) + b"".ljust(8)
        namestrs += struct.pack(">hhh", 0, 0, 0) + b"\x00\x00" + b"".ljust(8) + struct.pack(">hh", 0, 0)
        namestrs += struct.pack(">i", pos) + b"\x00" * 52
        pos += width
    out += namestrs + b" " * (-len(namestrs) % 80)
    out += _header(b"OBS")
    data = bytearray()
    for r in range(n):
        for name, width in zip(names, widths, strict=True):
            v = columns[name][r]
            if name in char_widths:
                data += str(v or "").encode("utf-8").ljust(width)[:width]
            else:
                data += ibm_float(None if v is None else float(v))  # type: ignore[arg-type]
    out += data + b" " * (-len(data) % 80)
    path.write_bytes(bytes(out))
