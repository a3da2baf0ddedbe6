#!/usr/bin/env python3
"""Regenerates the sample application image in .hex, .bin and .cyacd2 form, and as
mtbdfu/blinky_cm4_crc.hex, the data file the sample .mtbdfu sessions name.

The image is a made-up Cortex-M application of 5000 bytes at 0x10000000 (a vector
table, then deterministic filler standing in for code) followed by its CRC-32C
signature, so that Verify Application over [0x10000000, +5000) answers "valid".
Run from anywhere: python3 samples/make_samples.py
"""
import pathlib
import random
import struct

HERE = pathlib.Path(__file__).resolve().parent
BASE = 0x10000000
LENGTH = 5000
ROW = 512
PRODUCT_ID = 0x01020304


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc = (crc >> 8) ^ _CRC32C[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


def image() -> bytes:
    rng = random.Random(0x0DF0)
    vectors = struct.pack("<II", 0x08047800, BASE + 0x201) + b"".join(
        struct.pack("<I", BASE + 0x301 + 4 * i) for i in range(14))
    body = vectors + bytes(rng.randrange(256) for _ in range(LENGTH - len(vectors)))
    return body + struct.pack("<I", crc32c(body))


def hex_record(rtype: int, addr: int, data: bytes) -> str:
    rec = bytes([len(data), (addr >> 8) & 0xFF, addr & 0xFF, rtype]) + data
    return ":" + (rec + bytes([(-sum(rec)) & 0xFF])).hex().upper()


def write_hex(path: pathlib.Path, data: bytes, per_record: int = 16) -> None:
    lines, upper = [], None
    for off in range(0, len(data), per_record):
        addr = BASE + off
        if addr >> 16 != upper:
            upper = addr >> 16
            lines.append(hex_record(4, 0, struct.pack(">H", upper)))
        lines.append(hex_record(0, addr & 0xFFFF, data[off:off + per_record]))
    lines.append(hex_record(1, 0, b""))
    path.write_text("\n".join(lines) + "\n")


def write_cyacd2(path: pathlib.Path, data: bytes) -> None:
    # version 1, silicon id 0, rev 0, checksum type 0 (sum), app 0, product id
    header = struct.pack("<BIBBBI", 1, 0, 0, 0, 0, PRODUCT_ID).hex()
    lines = ["# sample application: 5000 bytes + CRC-32C signature at 0x10000000",
             header, f"@APPINFO:0x{BASE:x},0x{LENGTH:x}"]
    padded = data + bytes(-len(data) % ROW)
    for off in range(0, len(padded), ROW):
        lines.append(":" + struct.pack("<I", BASE + off).hex() + padded[off:off + ROW].hex())
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    data = image()
    write_hex(HERE / "blinky.hex", data)
    (HERE / "blinky.bin").write_bytes(data)
    write_cyacd2(HERE / "blinky.cyacd2", data)
    # The data file the published .mtbdfu samples name, so they run as shipped.
    write_hex(HERE / "mtbdfu" / "blinky_cm4_crc.hex", data)


if __name__ == "__main__":
    main()
