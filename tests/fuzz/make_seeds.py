#!/usr/bin/env python3
"""Writes the hand-made binary seeds in corpus/ (packets, byte streams, responder sessions,
generated script documents).

The text seeds (.hex, .cyacd2, .mtbdfu) are plain files in corpus/ and the samples/ folder.
Run from anywhere; rewrites corpus/fuzz_packet, fuzz_stream_transport, fuzz_responder and
fuzz_script_plan.
"""
import pathlib
import random
import struct

HERE = pathlib.Path(__file__).resolve().parent


def checksum(kind, covered):
    if kind == 0:  # 16-bit two's-complement sum, little-endian
        v = (0x10000 - (sum(covered) & 0xFFFF)) & 0xFFFF
        return bytes([v & 0xFF, v >> 8])
    crc = 0xFFFF  # CRC-16/X-25, high byte first
    for b in covered:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    v = ~crc & 0xFFFF
    return bytes([v >> 8, v & 0xFF])


def packet(code, data=b"", kind=0):
    head = bytes([0x01, code]) + struct.pack("<H", len(data)) + data
    return head + checksum(kind, head) + b"\x17"


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def write(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


ENTER = packet(0x38, struct.pack("<I", 0x01020304) + b"\0\0")
OK = packet(0x00)
ENTER_OK = packet(0x00, struct.pack("<I", 0) + bytes([0, 2, 5, 1]))
ERROR = packet(0x08)

# Host decoder: requests and responses, both checksums.
write("fuzz_packet", "enter-sum", ENTER)
write("fuzz_packet", "enter-crc16", packet(0x38, struct.pack("<I", 0x01020304), kind=1))
write("fuzz_packet", "ok", OK)
write("fuzz_packet", "enter-answer", ENTER_OK)
write("fuzz_packet", "verify-app-answer-crc16", packet(0x00, b"\x01", kind=1))
write("fuzz_packet", "error", ERROR)

# Byte streams: answers back to back, answers behind noise and a false start.
write("fuzz_stream_transport", "answers", OK + ENTER_OK + packet(0x00, b"\x01") + ERROR)
write("fuzz_stream_transport", "noise", b"\xff\xff\x17\x00" + OK + b"\x01\x05\x00\x00\x33" + ENTER_OK)
write("fuzz_stream_transport", "polled", b"\xff" * 12 + packet(0x00, bytes(range(40))) + b"\xff" * 5)

# Responder sessions (fuzz_responder.cpp: 12 configuration bytes, then ctrl, length, payload).
def session(config, *steps):
    out = bytes(config)
    for ctrl, payload in steps:
        out += bytes([ctrl]) + (bytes([len(payload)]) if len(payload) < 0xFF else b"\xff" + struct.pack("<H", len(payload)))
        out += payload
    return out


def cmd(code, data=b"", ms=1):
    return (ms & 0x3F, bytes([code]) + data)


enter = cmd(0x38, struct.pack("<I", 0x01020304))
# row size 64 (index 2), 4 rows at 0x10000000, metadata in the last row, sum checksum, EIV on,
# max_packet 64, buffer = max_packet, hold-off 20 ms, idle timeout 200 ms.
config64 = [0x02 | (2 << 3) | 0x80, 0x00, 64 - 15, 0, 0, 20, 5, 0, 0, 0, 0, 0]
row = bytes((i * 13 + 1) & 0xFF for i in range(64))
app = bytes(range(60)) + struct.pack("<I", crc32c(bytes(range(60))))
write("fuzz_responder", "program-verify", session(
    config64, enter,
    cmd(0x37, row[:40]), cmd(0x49, struct.pack("<II", 0x10000000, crc32c(row)) + row[40:]),
    cmd(0x37, row[:40]), cmd(0x4A, struct.pack("<II", 0x10000000, crc32c(row)) + row[40:]),
    cmd(0x37, app[:40]), cmd(0x49, struct.pack("<II", 0x10000040, crc32c(app)) + app[40:]),
    cmd(0x4C, bytes([0]) + struct.pack("<II", 0x10000040, 60)), cmd(0x31, b"\x00"),
    cmd(0x3C, struct.pack("<HH", 0, 16)), cmd(0x44, struct.pack("<I", 0x10000000)),
    cmd(0x4D, bytes(8)), cmd(0x35), cmd(0x47, row[:8]), cmd(0x3B)))
write("fuzz_responder", "errors-and-holdoff", session(
    config64, enter, cmd(0x37, bytes(57)), cmd(0x37, bytes(57)),  # row buffer overflow
    (0x85, packet(0x38)), (0x05, bytes([0x38]) + struct.pack("<I", 0x01020304)),
    (0x81, b"\x01\x38\x00"), (0x81, packet(0x38, struct.pack("<I", 0x01020304))[:-1] + b"\x16"),
    cmd(0x50), (0x7F, bytes([0x38]))))
# CRC-16 packets, 512-byte rows (index 5), flash at the top of the address space.
config512 = [0x05 | (0 << 3) | 0x40, 0x02, 49, 0, 0, 0, 0, 0, 0, 0, 1, 0]
write("fuzz_responder", "crc16-top-of-memory", session(
    config512, enter, cmd(0x44, struct.pack("<I", 0xFFFFFC00)), cmd(0x3C, struct.pack("<HH", 500, 512)),
    cmd(0x4C, bytes([62]) + struct.pack("<II", 0xFFFFFC00, 508)), cmd(0x31, bytes(4))))

# Script documents (fuzz_script_plan.cpp reads them as a stream of choices): any bytes make a
# document, so a few fixed pseudo-random ones start the search in different places.
rng = random.Random(2026)
for i in range(4):
    write("fuzz_script_plan", f"random-{i}", bytes(rng.randrange(256) for _ in range(48 + 32 * i)))
